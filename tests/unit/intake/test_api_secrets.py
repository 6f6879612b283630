"""An empty configured secret or token is "not configured": it must never let a caller in."""

import hashlib
import hmac
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from fakes import RecordingPublisher, intake_world


def client_with(**secrets: Any) -> tuple[httpx.AsyncClient, RecordingPublisher]:
    world = intake_world(id_secret=SecretStr("s"), kafka_topic_prefix="t.", **secrets)
    return world.http(), world.published


@pytest.fixture
async def empty() -> AsyncIterator[tuple[httpx.AsyncClient, RecordingPublisher]]:
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
    empty: tuple[httpx.AsyncClient, RecordingPublisher],
) -> None:
    client, _ = empty
    answer = await client.get("/v1/operator/tasks", headers={"authorization": "Bearer "})
    assert answer.status_code == 401
    assert (await client.get("/v1/operator/tasks")).status_code == 401


async def test_an_empty_facebook_verify_token_verifies_nobody(
    empty: tuple[httpx.AsyncClient, RecordingPublisher],
) -> None:
    client, _ = empty
    params = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "42"}
    assert (await client.get("/webhooks/facebook", params=params)).status_code == 403


async def test_a_webhook_signed_with_an_empty_secret_is_refused(
    empty: tuple[httpx.AsyncClient, RecordingPublisher],
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
    assert published.published == []


async def test_a_configured_token_still_works() -> None:
    client, _ = client_with(operator_token=SecretStr("t0ken"))
    async with client:
        answer = await client.get("/v1/operator/tasks", headers={"authorization": "Bearer t0ken"})
        assert answer.status_code == 200


async def test_a_token_without_its_bearer_scheme_is_refused() -> None:
    client, _ = client_with(operator_token=SecretStr("t0ken"))
    async with client:
        answer = await client.get("/v1/operator/tasks", headers={"authorization": "t0ken"})
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == "Bearer"
