"""Open311 GeoReport v2 on the real processes: a client that knows only the spec discovers the
console's endpoint, lists the router's categories, posts a request (intake makes it an item,
the router routes it), polls it open with the agency responsible, and after the body answers
in the console sees it closed with the answer as its status notes, in JSON and in XML."""

import asyncio
import time
import uuid
from typing import Any

import httpx
import pytest
from pydantic import MongoDsn

from hoiam_console.accounts import create_accounts
from hoiam_console.settings import ConsoleSettings
from support.console import DEMO_ACCOUNTS, PASSWORD
from support.open311 import GeoReportClient, GeoReportError
from support.services import OPEN311_API_KEY, Running
from support.stack import Stack

WITHIN = 120.0
"""Seconds for intake → Kafka → router → Kafka → console on a loaded machine."""


async def until(what: str, check: Any) -> dict[str, Any]:
    """Poll `check()` (the signed-in API, not the rate-limited public one) until it answers."""
    deadline = time.monotonic() + WITHIN
    while True:
        found = await check()
        if found:
            return found  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, f"not {what} within {WITHIN}s"
        await asyncio.sleep(0.5)


@pytest.mark.timeout(600)
async def test_a_spec_client_posts_follows_and_sees_the_answer(
    services: Running, stack: Stack
) -> None:
    console = services.urls["console"]
    await create_accounts(
        ConsoleSettings(
            mongo_url=MongoDsn(stack.mongo_url), mongo_database=services.database("console")
        ),
        DEMO_ACCOUNTS,
        skip_existing=True,
    )
    run = uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(timeout=60) as http:
        json_client = GeoReportClient(http, fmt="json")
        xml_client = GeoReportClient(http, fmt="xml")
        await json_client.discover(f"{console}/open311/v2/discovery.json")
        await xml_client.discover(f"{console}/open311/v2/discovery.xml")
        assert json_client.endpoint == f"{console}/open311/v2"

        services_listed = await xml_client.services()
        codes = {s["service_code"] for s in services_listed}
        assert {"transport", "water", "land"} <= codes  # the router's directory
        assert (await json_client.definition("transport"))["attributes"] == []

        with pytest.raises(GeoReportError) as refused:
            await json_client.create(
                api_key="wrong", service_code="transport", address_string="x", description="abc"
            )
        assert refused.value.status == 403
        with pytest.raises(GeoReportError) as missing:
            await xml_client.create(api_key=OPEN311_API_KEY, service_code="transport")
        assert missing.value.status == 400  # intake: no location, no description

        created = await xml_client.create(
            api_key=OPEN311_API_KEY,
            service_code="transport",
            address_string="ấp Phú Thọ, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh",
            description=f"Đường liên ấp Phú Thọ có nhiều ổ gà sâu, xe máy té ngã ({run}).",
            email=f"open311.{run}@example.vn",
            first_name="Bình",
            last_name="Lê Văn",
        )
        code = created["service_request_id"]
        assert code.startswith("HA-")

        token = (
            await http.post(
                f"{console}/api/v1/auth/token",
                json={"username": "operator", "password": PASSWORD},
            )
        ).json()["access_token"]
        staff = {"Authorization": f"Bearer {token}"}

        async def item_with(status: str | None = None) -> dict[str, Any] | None:
            answer = await http.get(f"{console}/api/v1/items/{code}", headers=staff)
            if answer.status_code != 200:
                return None
            item: dict[str, Any] = answer.json()
            routed = item.get("body_name") or (item.get("body") or {}).get("name")
            wanted = item.get("status") == status if status else bool(routed)
            return item if wanted else None

        await until("routed", item_with)
        opened = await json_client.request(code)
        assert opened["status"] == "open"
        assert opened["agency_responsible"]
        assert opened["service_code"] == "transport"
        assert opened["requested_datetime"]
        assert not opened["description"]  # Open311 carries no consent to publication
        assert "Bình" not in str(opened)
        assert f"open311.{run}" not in str(opened)
        by_id = await xml_client.requests(service_request_id=code)
        assert [r["service_request_id"] for r in by_id] == [code]

        answer = f"UBND xã đã vá các ổ gà trên đường liên ấp Phú Thọ ({run})."
        done = await http.post(
            f"{console}/api/v1/items/{code}/status",
            headers=staff,
            json={"status": "resolved", "answer": answer},
        )
        assert done.status_code == 202, done.text
        await until("resolved", lambda: item_with("resolved"))
        for client in (json_client, xml_client):
            closed = await client.request(code)
            assert closed["status"] == "closed"
            assert closed["status_notes"] == answer
            assert closed["agency_responsible"] == opened["agency_responsible"]
