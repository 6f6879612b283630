"""Input that once answered HTTP 500: each is refused with a 4xx and a reason, nothing published."""

import hashlib
import hmac
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from fakes import IntakeWorld, intake_world, router_world
from hoiam_router.settings import RouterSettings
from support.intake_samples import (
    ZALO_APP,
    facebook_message,
    facebook_signed,
    zalo_signed,
    zalo_text,
)
from support.router import bundled_directory

TOKEN = "unit-operator-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
ZALO_SECRET = "unit-oa-secret"
FACEBOOK_SECRET = "unit-app-secret"
DEEP = b"[" * 100_000
"""JSON nested deeper than Python's recursion limit: `json.loads` raises RecursionError."""

CDR_LINE = (
    '"","0912345678","1900","from-trunk","""Nguyễn Văn An"" <0912345678>","SIP/trunk-0001",'
    '"SIP/101-0002","Dial","SIP/101","{start}","2026-11-27 09:30:05",'
    '"2026-11-27 09:34:05",245,240,"ANSWERED","DOCUMENTATION","{uniqueid}","Đường hỏng"\n'
)


def served(app: FastAPI, base: str) -> httpx.AsyncClient:
    # A real server turns an unhandled exception into a 500; the transport does the same here.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url=base)


@pytest.fixture
def world() -> IntakeWorld:
    return intake_world(
        operator_token=SecretStr(TOKEN),
        zalo_app_id=ZALO_APP,
        zalo_oa_secret=SecretStr(ZALO_SECRET),
        facebook_app_secret=SecretStr(FACEBOOK_SECRET),
    )


@pytest.fixture
async def client(world: IntakeWorld) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    for router in world.parts.wiring.routers:
        app.include_router(router)
    async with served(app, "http://intake") as http:
        yield http


def refused(answer: httpx.Response, code: int, reason: str) -> None:
    assert answer.status_code == code, answer.text
    assert reason in answer.text


async def test_a_non_ascii_bearer_token_is_401_on_intake_and_router(
    client: httpx.AsyncClient,
) -> None:
    settings = RouterSettings(fallback_province="86", operator_token=SecretStr(TOKEN))
    router = FastAPI()
    for part in router_world(bundled_directory(), settings=settings).parts.wiring.routers:
        router.include_router(part)
    headers = {b"authorization": "Bearer tộken".encode()}
    async with served(router, "http://router") as router_http:
        refused(await router_http.get("/v1/triage", headers=headers), 401, "Bearer")
    refused(await client.get("/v1/operator/tasks", headers=headers), 401, "Bearer")


async def test_a_non_ascii_zalo_mac_is_403(world: IntakeWorld, client: httpx.AsyncClient) -> None:
    body, headers = zalo_signed(zalo_text(), secret=ZALO_SECRET)
    wrong = {k.encode(): v.encode() for k, v in headers.items()}
    wrong[b"x-zevent-signature"] = "mac=chữký".encode()
    refused(await client.post("/webhooks/zalo", content=body, headers=wrong), 403, "signature")
    assert world.published.published == []


async def test_a_non_ascii_hub_signature_is_403(
    world: IntakeWorld, client: httpx.AsyncClient
) -> None:
    body, headers = facebook_signed(facebook_message(), secret=FACEBOOK_SECRET)
    wrong = {k.encode(): v.encode() for k, v in headers.items()}
    wrong[b"x-hub-signature-256"] = "sha256=chữký".encode()
    refused(await client.post("/webhooks/facebook", content=body, headers=wrong), 403, "signature")
    assert world.published.published == []


async def test_json_nested_too_deep_is_400_on_zalo_facebook_and_open311(
    world: IntakeWorld, client: httpx.AsyncClient
) -> None:
    json_type = {"content-type": "application/json"}
    zalo = await client.post(
        "/webhooks/zalo", content=DEEP, headers={**json_type, "x-zevent-signature": "mac=00"}
    )
    refused(zalo, 400, "nested too deep")
    signature = "sha256=" + hmac.new(FACEBOOK_SECRET.encode(), DEEP, hashlib.sha256).hexdigest()
    facebook = await client.post(
        "/webhooks/facebook", content=DEEP, headers={**json_type, "x-hub-signature-256": signature}
    )
    refused(facebook, 400, "nested too deep")
    open311 = await client.post("/v1/open311/requests", content=DEEP, headers=json_type)
    refused(open311, 400, "nested too deep")
    assert world.published.published == []


async def test_an_unsigned_deep_facebook_body_is_refused_by_its_signature_first(
    client: httpx.AsyncClient,
) -> None:
    headers = {"content-type": "application/json", "x-hub-signature-256": "sha256=00"}
    refused(await client.post("/webhooks/facebook", content=DEEP, headers=headers), 403, "match")


async def test_a_call_log_line_with_a_uniqueid_over_200_characters_is_rejected_alone(
    world: IntakeWorld, client: httpx.AsyncClient
) -> None:
    lines = CDR_LINE.format(start="2026-11-27 09:30:00", uniqueid="u" * 201) + CDR_LINE.format(
        start="2026-11-27 09:31:00", uniqueid="1732674600.1"
    )
    answer = await client.post(
        "/v1/intake/calls", content=lines.encode(), headers={"content-type": "text/csv", **AUTH}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 1
    [rejected] = answer.json()["rejected"]
    assert rejected["line"] == 1
    assert "uniqueid" in rejected["reason"]


async def test_a_cdr_start_of_year_one_is_a_rejected_line(client: httpx.AsyncClient) -> None:
    line = CDR_LINE.format(start="0001-01-01 00:00:00", uniqueid="1732674600.9")
    answer = await client.post(
        "/v1/intake/calls", content=line.encode(), headers={"content-type": "text/csv", **AUTH}
    )
    assert answer.status_code == 200, answer.text
    [rejected] = answer.json()["rejected"]
    assert "time" in rejected["reason"]
    assert answer.json()["accepted"] == 0


async def test_a_charset_that_is_not_a_text_encoding_is_415(
    world: IntakeWorld, client: httpx.AsyncClient
) -> None:
    line = CDR_LINE.format(start="2026-11-27 09:30:00", uniqueid="1732674600.1")
    for charset in ("rot13", "base64", "no-such-charset"):
        answer = await client.post(
            "/v1/intake/calls",
            content=line.encode(),
            headers={"content-type": f"text/csv; charset={charset}", **AUTH},
        )
        refused(answer, 415, charset)
    assert world.published.published == []


async def test_a_manual_call_from_caller_abc_is_422(
    world: IntakeWorld, client: httpx.AsyncClient
) -> None:
    call = {"call_id": "op-1", "caller": "abc", "text": "Mất điện cả xóm từ sáng"}
    answer = await client.post("/v1/intake/calls/manual", json=call, headers=AUTH)
    refused(answer, 422, "phone number")
    assert world.published.published == []
