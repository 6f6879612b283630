"""Text no citizen writes but a client can send: the router's preview answers it, never a 500."""

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from fakes import router_world
from hoiam_router.domain.directory import Directory
from hoiam_router.settings import RouterSettings

TOKEN = "unit-operator-token"


@pytest.mark.parametrize(
    "text",
    ["0" * 20_000, "Phường ² xã ³", "Tổ 1" + "9" * 5000 + " phường 07"],
    ids=["20k-digit number", "superscript digits", "long number among place names"],
)
async def test_numbers_python_cannot_convert_are_routed_as_words(
    directory: Directory, text: str
) -> None:
    settings = RouterSettings(fallback_province="86", operator_token=SecretStr(TOKEN))
    app = FastAPI()
    for router in router_world(directory, settings=settings).parts.wiring.routers:
        app.include_router(router)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://router") as http:
        answer = await http.post(
            "/v1/route/preview",
            json={"text": text},
            headers={"authorization": f"Bearer {TOKEN}"},
        )
    assert answer.status_code == 200, answer.text
