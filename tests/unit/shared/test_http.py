"""The service shell: the one operator guard (only `Authorization: Bearer <token>`, closed when no
token is set) and a `/health` that reports states, not error messages."""

import asyncio
import logging
from typing import cast

import httpx
import pytest
from fastapi import Depends, FastAPI
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry
from pydantic import SecretStr
from pymongo import AsyncMongoClient

from hoiam_shared.http import operator_guard, service_app
from hoiam_shared.mongo import Document
from hoiam_shared.settings import ServiceSettings


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


class FailingBroker:
    """A broker whose ping fails with what a real client error carries: hosts and credentials."""

    async def ping(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109 (the broker's)
        raise RuntimeError("SASL authentication failed for user=hoiam password=hunter2 @ kafka-1")


class FailingMongo:
    """A store client whose every command fails with its connection string in the message."""

    def __getattr__(self, name: str) -> object:
        raise RuntimeError("mongodb://admin:hunter2@mongo-1:27017 refused the connection")


async def test_health_says_what_is_down_without_echoing_the_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = service_app(
        name="probe",
        settings=ServiceSettings(),
        broker=cast(KafkaBroker, FailingBroker()),
        mongo=cast(AsyncMongoClient[Document], FailingMongo()),
        registry=CollectorRegistry(),
        prepare_store=lambda: asyncio.sleep(0),
    )
    transport = httpx.ASGITransport(app=app)
    with caplog.at_level(logging.WARNING, logger="hoiam_shared.http"):
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/health")
    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "service": "probe",
        "broker": "unreachable",
        "store": "unreachable",
    }
    # The details are for the operator, in the logs, not for whoever can reach /health.
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    logged = " ".join(f"{r.getMessage()} {r.__dict__.get('error', '')}" for r in caplog.records)
    assert "SASL authentication failed" in logged
    assert "mongo-1:27017 refused" in logged
