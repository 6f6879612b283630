"""Voters' meeting minutes through the real processes: a .docx and an .xlsx posted to intake
become items on the meeting channel, routed by the real router; the opinion is left alone."""

import asyncio
import re
import time
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from support.minutes import DOCX_TYPE, XLSX_TYPE, minutes_docx, minutes_xlsx
from support.services import OPERATOR_TOKEN, Running

OPERATOR = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
type Mongo = AsyncMongoClient[dict[str, Any]]


async def routed(mongo: Mongo, services: Running, item_ids: list[str]) -> dict[str, Any]:
    """The router's stored decision of each item, waited for (an item not routed yet is absent)."""
    assignments = mongo[services.database("router")]["assignments"]
    found: dict[str, Any] = {}
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and len(found) < len(item_ids):
        for item_id in item_ids:
            if item_id not in found and (doc := await assignments.find_one({"_id": item_id})):
                found[item_id] = doc
        await asyncio.sleep(0.5)
    return found


async def not_routed_count(services: Running) -> float:
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(f"{services.urls['router']}/metrics")).text
    pattern = r'^router_items_not_routed_total\{channel="meeting"\} ([0-9.e+]+)$'
    return sum(float(m.group(1)) for m in re.finditer(pattern, text, re.MULTILINE))


async def left_alone(services: Running) -> float:
    """How many meeting items the router left alone, once it counted at least one."""
    deadline = time.monotonic() + 60
    while True:
        count = await not_routed_count(services)
        if count >= 1 or time.monotonic() > deadline:
            return count
        await asyncio.sleep(0.5)


async def test_a_docx_and_an_xlsx_of_minutes_become_items_routed_by_the_router(
    services: Running, mongo: Mongo
) -> None:
    docx = minutes_docx(
        "ninhthuan-nhon-son",
        title="BIÊN BẢN TIẾP XÚC CỬ TRI XÃ NHƠN SƠN",
        answer="Lãnh đạo UBND xã Nhơn Sơn trả lời, giải trình tại buổi tiếp xúc.",
    )
    xlsx = minutes_xlsx("backan-quang-bach", title="TỔNG HỢP Ý KIẾN CỬ TRI XÃ QUẢNG BẠCH")
    async with httpx.AsyncClient(base_url=services.urls["intake"], timeout=30) as client:
        session = await client.post(
            "/v1/sessions",
            json={"name": "Kỳ họp cuối năm", "province_code": "56", "opens_on": "2026-12-08",
                  "closes_on": "2026-12-10"},
            headers=OPERATOR,
        )  # fmt: skip
        assert session.status_code == 201, session.text
        meetings = f"/v1/sessions/{session.json()['id']}/meetings"
        from_docx = await client.post(
            meetings,
            files={"file": ("bien-ban.docx", docx, DOCX_TYPE)},
            data={"held_on": "2026-11-25", "place": "xã Nhơn Sơn, tỉnh Ninh Thuận"},
            headers=OPERATOR,
        )
        from_xlsx = await client.post(
            meetings,
            files={"file": ("tong-hop.xlsx", xlsx, XLSX_TYPE)},
            data={"held_on": "2026-11-26", "place": "xã Quảng Bạch, tỉnh Bắc Kạn"},
            headers=OPERATOR,
        )
        again = await client.post(
            meetings,
            files={"file": ("bien-ban.docx", docx, DOCX_TYPE)},
            data={"held_on": "2026-11-25", "place": "xã Nhơn Sơn, tỉnh Ninh Thuận"},
            headers=OPERATOR,
        )
    assert (from_docx.status_code, from_xlsx.status_code, again.status_code) == (201, 201, 200)
    assert again.json()["items"] == from_docx.json()["items"]
    items = from_docx.json()["items"] + from_xlsx.json()["items"]
    petitions = [i["item_id"] for i in items if i["kind"] == "petition"]
    [opinion] = [i["item_id"] for i in items if i["kind"] == "opinion"]

    decisions = await routed(mongo, services, petitions)

    assert sorted(decisions) == sorted(petitions)
    assert {d["status"] for d in decisions.values()} <= {"routed", "triage"}
    assert await left_alone(services) >= 1
    assignments = mongo[services.database("router")]["assignments"]
    assert await assignments.find_one({"_id": opinion}) is None
    async with httpx.AsyncClient(base_url=services.urls["intake"], timeout=10) as client:
        stored = (await client.get(f"/v1/feedback/{petitions[0]}", headers=OPERATOR)).json()
    assert stored["channel"] == "meeting"
    assert stored["origin"]["meeting_id"] == from_docx.json()["meeting_id"]
