"""An empty configured secret or token is "not configured": it must never let a caller in."""

import hashlib
import hmac
from collections.abc import AsyncIterator
from uuid import UUID

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from hoiam_intake.accepting import Acceptor
from hoiam_intake.api import build_router
from hoiam_intake.domain.rules import Rules
from hoiam_intake.metrics import IntakeMetrics
from hoiam_intake.repository import InMemoryItemRepository
from hoiam_intake.store import InMemoryIntakeStore
from hoiam_shared.events import Event
from hoiam_shared.topics import Topics


class Published:
    def __init__(self) -> None:
        self.events: list[Event] = []

    async def publish(self, topic: str, event: Event, *, key: UUID | str) -> None:
        self.events.append(event)


def client_with(**secrets: object) -> tuple[httpx.AsyncClient, Published]:
    published = Published()
    store = InMemoryIntakeStore()
    metrics = IntakeMetrics(CollectorRegistry())
    acceptor = Acceptor(
        publisher=published, store=store, topics=Topics("t."), metrics=metrics, secret="s"
    )
    app = FastAPI()
    app.include_router(
        build_router(
            acceptor=acceptor,
            items=InMemoryItemRepository(),
            store=store,
            metrics=metrics,
            rules=Rules(secret="s"),
            max_body_bytes=1 << 20,
            **secrets,  # type: ignore[arg-type]
        )
    )
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://intake"), published


@pytest.fixture
async def empty() -> AsyncIterator[tuple[httpx.AsyncClient, Published]]:
    client, published = client_with(
        operator_token=SecretStr(""),
        zalo_app_id="123",
        zalo_oa_secret=SecretStr(""),
        facebook_app_secret=SecretStr(""),
        facebook_verify_token=SecretStr(""),
    )
    async with client:
        yield client, published


async def test_an_empty_operator_token_lets_nobody_in(
    empty: tuple[httpx.AsyncClient, Published],
) -> None:
    client, _ = empty
    answer = await client.get("/v1/operator/tasks", headers={"authorization": "Bearer "})
    assert answer.status_code == 401
    assert (await client.get("/v1/operator/tasks")).status_code == 401


async def test_an_empty_facebook_verify_token_verifies_nobody(
    empty: tuple[httpx.AsyncClient, Published],
) -> None:
    client, _ = empty
    params = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "42"}
    assert (await client.get("/webhooks/facebook", params=params)).status_code == 403


async def test_a_webhook_signed_with_an_empty_secret_is_refused(
    empty: tuple[httpx.AsyncClient, Published],
) -> None:
    client, published = empty
    body = b'{"object": "page", "entry": []}'
    signature = "sha256=" + hmac.new(b"", body, hashlib.sha256).hexdigest()
    answer = await client.post(
        "/webhooks/facebook",
        content=body,
        headers={"content-type": "application/json", "x-hub-signature-256": signature},
    )
    assert answer.status_code == 403
    zalo = b'{"app_id": "123", "timestamp": "1"}'
    mac = hashlib.sha256(b"123" + zalo + b"1").hexdigest()
    answer = await client.post(
        "/webhooks/zalo",
        content=zalo,
        headers={"content-type": "application/json", "x-zevent-signature": f"mac={mac}"},
    )
    assert answer.status_code == 403
    assert published.events == []


async def test_a_configured_token_still_works() -> None:
    client, _ = client_with(operator_token=SecretStr("t0ken"))
    async with client:
        answer = await client.get("/v1/operator/tasks", headers={"authorization": "Bearer t0ken"})
        assert answer.status_code == 200
