"""A citizen's data is theirs (issue 12): filed on three channels, routed, answered, erased; then
nothing of the person is left in any topic or any store, while the petition, its route and its
answer stay, anonymous."""

import asyncio
import base64
import json
import random
import time
import uuid
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from hoiam_shared.vault import ERASED
from support.intake_samples import email
from support.services import OPERATOR_TOKEN, Running, vault_database
from support.smtp import SmtpServer
from support.stack import Stack
from support.traces import Trace, scan_databases, scan_topics

pytestmark = pytest.mark.timeout(900)  # four services start, on a shared machine

OPERATOR = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
ADDRESS = "ấp Phú Thọ, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh"
ANSWER = "Điện lực đã căng lại đường dây hạ thế ấp Phú Thọ ngày 26/11."

type Mongo = AsyncMongoClient[dict[str, Any]]


def person() -> dict[str, str]:
    """One citizen, unique to this run (a name no other test uses, fresh contacts)."""
    tag = uuid.uuid4().hex[:8]
    digits = f"{random.randrange(10**7, 10**8)}"
    return {
        "name": "Võ Thị Ngọc Trâm",
        "email": f"tram.vo.{tag}@example.vn",
        "phone": f"+849{digits}",
        "local_phone": f"09{digits}",
    }


async def until[T](probe: Any, *, within: float = 90, what: str) -> T:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = await probe()
        if found:
            return found  # type: ignore[no-any-return]
        await asyncio.sleep(0.5)
    raise AssertionError(f"waited {within}s for {what}")


async def file_as_one_citizen(intake: httpx.AsyncClient, who: dict[str, str]) -> list[str]:
    """Web form, email and a keyed-in call, all from the same person: their item ids."""
    web = await intake.post(
        "/v1/intake/web",
        json={
            "name": who["name"], "email": who["email"], "phone": who["local_phone"],
            "address": ADDRESS, "subject": "Mất điện kéo dài",
            "text": "Ấp Phú Thọ mất điện liên tục, đường dây hạ thế bị võng sát mặt đường.",
            "consent": True, "publication_consent": True,
        },
    )  # fmt: skip
    assert web.status_code == 202, web.text
    sender = "=?utf-8?B?" + base64.b64encode(who["name"].encode()).decode() + "?="
    mail = await intake.post(
        "/v1/intake/email",
        content=email(
            body="Đèn đường ấp Phú Thọ, xã Phú Cần hỏng đã hai tuần, đề nghị sửa.".encode(),
            message_id=f"<{uuid.uuid4().hex}@mail.example.vn>",
            sender=f"{sender} <{who['email']}>",
        ),
        headers={"content-type": "message/rfc822"},
    )
    assert mail.status_code == 202, mail.text
    call = await intake.post(
        "/v1/intake/calls/manual",
        json={
            "call_id": f"call-{uuid.uuid4().hex[:8]}", "caller": who["local_phone"],
            "name": who["name"], "address": ADDRESS,
            "text": "Cống thoát nước ấp Phú Thọ bị nghẹt, nước tràn vào nhà dân.",
        },
        headers=OPERATOR,
    )  # fmt: skip
    assert call.status_code == 202, call.text
    return [web.json()["id"], mail.json()["id"], call.json()["id"]]


async def test_an_erased_citizen_leaves_no_trace_in_any_topic_or_store(
    services: Running, smtp: SmtpServer, stack: Stack, mongo: Mongo
) -> None:
    who = person()
    values = [who["name"], who["email"], who["phone"], who["local_phone"], who["phone"][1:]]
    intake = httpx.AsyncClient(base_url=services.urls["intake"], timeout=30)
    router = httpx.AsyncClient(base_url=services.urls["router"], timeout=30)
    async with intake, router:
        ids = await file_as_one_citizen(intake, who)
        web_id = ids[0]

        async def stored(item_id: str) -> dict[str, Any] | None:
            answer = await intake.get(f"/v1/feedback/{item_id}", headers=OPERATOR)
            return answer.json() if answer.status_code == 200 else None

        items: list[dict[str, Any]] = [
            await until(lambda i=i: stored(i), what=f"item {i}") for i in ids
        ]
        citizens = {item["citizen"]["citizen_id"] for item in items}
        assert len(citizens) == 1, citizens  # one person across the three channels
        [citizen_id] = citizens

        assignments = mongo[services.database("router")]["assignments"]
        await until(lambda: assignments.find_one({"_id": web_id}), what="the web item routed")
        for status, answer in (("acknowledged", None), ("resolved", ANSWER)):
            moved = await router.post(
                f"/v1/items/{web_id}/status",
                json={"status": status, "answer": answer},
                headers=OPERATOR,
            )
            assert moved.status_code == 202, moved.text
        code = items[0]["tracking_code"]
        # The citizen hears the answer by email before being erased (ack, then the answer).
        await smtp.recorder.wait_for(code, 3)

        erased = await intake.post(
            f"/v1/citizens/{citizen_id}/erasure",
            json={"verified_by": "CCCD checked in person at the commune Front office",
                  "request_ref": "DN-2026-014"},
            headers=OPERATOR,
        )  # fmt: skip
        assert erased.status_code == 202, erased.text
        assert erased.json()["keys_destroyed"] >= 3  # three raw records and the citizen's key

        # Every service masks its store from `citizen.erasures`: wait until no store holds a
        # trace (each of the four forgets on its own), then look at everything once more.
        async def clean() -> bool:
            _, found = await scan_databases(mongo, f"{services.prefix}_", values)
            return not found

        try:
            await until(clean, within=240, what="every store to forget the citizen")
        except AssertionError:
            _, left = await scan_databases(mongo, f"{services.prefix}_", values)
            raise AssertionError(f"traces left in the stores: {_where(left)}") from None

        # …and once more after the second pass (ERASURE_SETTLE_SECONDS, 8 s here), which masks
        # what was written from events opened just before the keys went.
        await asyncio.sleep(12)
        await until(clean, within=120, what="the second pass to leave nothing")
        documents, in_stores = await scan_databases(mongo, f"{services.prefix}_", values)
        records, in_topics = await scan_topics(stack.kafka, f"{services.prefix}.", values)
        assert documents > 0
        assert records > 0
        assert in_stores == []
        assert in_topics == [], _where(in_topics)

        # The petitions stay, anonymous; the route and the answer too; consent is kept.
        after = [found for i in ids if (found := await stored(i)) is not None]
        assert len(after) == len(ids)
        for item in after:
            assert item["citizen"]["name"] in (ERASED, None)
            assert set(item["citizen"]["contacts"].values()) <= {ERASED, None}
            assert item["text"]["original"]
        assert after[0]["citizen"]["publication_consent"] is True
        routed = await assignments.find_one({"_id": web_id})
        assert routed is not None
        assert (routed["status"], routed["body_id"]) == ("resolved", "86-dien-luc")
        shown = await mongo[services.database("console")]["items"].find_one({"_id": web_id})
        assert shown is not None
        assert ANSWER in json.dumps(shown, ensure_ascii=False, default=str)
        # No key of theirs is left in the vault.
        vault = mongo[vault_database(services.prefix)]["citizen_keys"]
        assert await vault.count_documents({"citizen_id": citizen_id}) == 0

        again = await intake.post(
            f"/v1/citizens/{citizen_id}/erasure",
            json={"verified_by": "CCCD checked in person at the commune Front office"},
            headers=OPERATOR,
        )
        assert again.status_code == 202
        assert again.json()["event_id"] == erased.json()["event_id"]


def _where(traces: list[Trace]) -> list[str]:
    return sorted({f"{t.where}: {t.value}" for t in traces})[:30]
