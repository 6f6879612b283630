"""The one operator guard: only `Authorization: Bearer <token>`, closed when no token is set."""

import httpx
import pytest
from fastapi import Depends, FastAPI
from pydantic import SecretStr

from hoiam_shared.http import operator_guard


def guarded(token: SecretStr | None) -> httpx.AsyncClient:
    app = FastAPI()

    @app.get("/v1/secret", dependencies=[Depends(operator_guard(token))])
    async def secret() -> dict[str, str]:
        return {"ok": "yes"}

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer s3cret-token",
        "bearer s3cret-token",  # the scheme name is case-insensitive (RFC 9110 §11.1)
    ],
)
async def test_the_right_bearer_token_passes(header: str) -> None:
    async with guarded(SecretStr("s3cret-token")) as client:
        response = await client.get("/v1/secret", headers={"Authorization": header})
    assert response.status_code == 200
    assert response.json() == {"ok": "yes"}


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "s3cret-token",  # a bare token is not a Bearer credential
        "Basic s3cret-token",
        "Bearer",
        "Bearer wrong",
        "Bearer s3cret-token-and-more",
    ],
)
async def test_anything_else_gets_401_with_the_scheme_to_use(header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    async with guarded(SecretStr("s3cret-token")) as client:
        response = await client.get("/v1/secret", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "Bearer" in response.json()["detail"]


@pytest.mark.parametrize("token", [None, SecretStr("")])
async def test_without_a_configured_token_nothing_passes(token: SecretStr | None) -> None:
    async with guarded(token) as client:
        for header in ("Bearer ", "Bearer", "Bearer None"):
            response = await client.get("/v1/secret", headers={"Authorization": header})
            assert response.status_code == 401
