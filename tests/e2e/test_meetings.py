"""Voters' meeting minutes through the real processes: a .docx and an .xlsx posted to intake
become items on the meeting channel, routed by the real router; the opinion is left alone."""

import asyncio
import json
import re
import time
from email.message import EmailMessage
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from support.minutes import DOCX_TYPE, XLSX_TYPE, minutes_docx, minutes_xlsx
from support.services import OPERATOR_TOKEN, Running
from support.smtp import SmtpServer

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


def plain(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None, message
    return str(part.get_content())


async def test_a_reviewed_meetings_answer_reaches_the_communes_front_and_a_delegate_by_email(
    services: Running, mongo: Mongo, smtp: SmtpServer
) -> None:
    """Voters at a meeting leave no contact: the operator's reviewed line is committed, routed,
    and its routing and then its answer are mailed to the commune's Front committee and to the
    delegates (the constituency's, and the one the minutes name as present)."""
    text = "Cử tri phường Phong Phú kiến nghị:\n1. Đường liên tổ dân phố xuống cấp."
    reviewed = [
        {
            "text": "Đề nghị nâng cấp tuyến đường liên tổ dân phố 3 bị xuống cấp, đi lại khó khăn.",
            "kind": "petition",
            "voters": "Cử tri tổ dân phố 3",
            "place": "tổ dân phố 3",
        }
    ]
    async with httpx.AsyncClient(base_url=services.urls["intake"], timeout=30) as client:
        session = await client.post(
            "/v1/sessions",
            json={"name": "Kỳ họp thứ nhất HĐND thành phố Huế khóa IX", "province_code": "46",
                  "opens_on": "2026-12-15", "closes_on": "2026-12-17"},
            headers=OPERATOR,
        )  # fmt: skip
        assert session.status_code == 201, session.text
        meeting = await client.post(
            f"/v1/sessions/{session.json()['id']}/meetings",
            data={
                "held_on": "2026-11-28",
                "place": "Phường Phong Phú, thành phố Huế",
                "text": text,
                "petitions": json.dumps(reviewed, ensure_ascii=False),
                "delegates": "Đồng chí Trần Kiêm Hảo",
                "constituency": "Đơn vị bầu cử số 1",
            },
            headers=OPERATOR,
        )
    assert meeting.status_code == 201, meeting.text
    [item] = meeting.json()["items"]
    assert item["text"] == reviewed[0]["text"]
    code = item["tracking_code"]
    decisions = await routed(mongo, services, [item["item_id"]])
    assert decisions[item["item_id"]]["status"] == "routed"

    front = "mttq@phuong-phong-phu.hue.hoiam.example"
    delegate = "46-hdnd-4-1@hdnd.hue.hoiam.example"  # Trần Kiêm Hảo, constituency 4, present
    # the body, the Front, the four delegates of constituency 1 and the one present
    routing = await smtp.recorder.wait_for(code, 7, within=90)
    assert {str(m["To"]) for m in routing} >= {front, delegate}

    async with httpx.AsyncClient(base_url=services.urls["router"], timeout=30) as client:
        resolved = await client.post(
            f"/v1/items/{item['item_id']}/status",
            json={"status": "resolved", "answer": "Tuyến đường đã vào kế hoạch đầu tư năm 2027."},
            headers=OPERATOR,
        )
    assert resolved.status_code == 202, resolved.text

    told = await smtp.recorder.wait_for(code, 13, within=90)  # 7 + the Front and 5 delegates
    answers = [m for m in told if "kế hoạch đầu tư năm 2027" in plain(m)]
    assert {str(m["To"]) for m in answers} >= {front, delegate}
    to_front = next(m for m in answers if str(m["To"]) == front)
    assert "Cử tri tổ dân phố 3" in plain(to_front)
    assert len(answers) == 6  # the Front and five delegates, once each; no one else

    # The HĐND finds the answer wanting: back to the body, which is asked again by email, and
    # put to questioning at the next session (nobody is messaged for that).
    body_address = decisions[item["item_id"]]["body"]["contacts"][0]["address"]
    async with httpx.AsyncClient(base_url=services.urls["router"], timeout=30) as client:
        sent_back = await client.post(
            f"/v1/items/{code}/send-back",
            json={"note": "Chưa nêu lộ trình cụ thể"},
            headers=OPERATOR,
        )
        questioned = await client.post(
            f"/v1/items/{code}/question",
            json={"note": "Chất vấn tại kỳ họp", "session_id": session.json()["id"]},
            headers=OPERATOR,
        )
        view = (await client.get(f"/v1/items/{item['item_id']}", headers=OPERATOR)).json()
    assert (sent_back.status_code, questioned.status_code) == (202, 202), sent_back.text
    assert sent_back.json()["status"] == "reopened"
    assert view["status"] == "reopened"
    assert view["questioned_at"] == [session.json()["id"]]
    again = await smtp.recorder.wait_for(code, 20, within=90)  # the body, the Front, 5 delegates
    asked = [m for m in again if str(m["To"]) == body_address and "Đánh giá" in plain(m)]
    assert len(asked) == 1
    assert "Chưa nêu lộ trình cụ thể" in plain(asked[0])
