"""The router as a real process on the real Kafka and FerretDB: routed events with cases,
location and councillors; the preview API; the status API publishing `StatusChanged`; triage
decisions; the overdue sweep escalating once."""

import asyncio
import importlib.util
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import UUID

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import AsyncMongoClient

from hoiam_shared.events import (
    Event,
    FeedbackReceived,
    FeedbackRouted,
    Status,
    StatusChange,
    StatusChanged,
    decode_event,
)
from hoiam_shared.topics import FEEDBACK_RECEIVED, FEEDBACK_ROUTED, FEEDBACK_STATUS
from support.clock import TestClock
from support.samples import make_received
from support.services import service_env, start, stop, wait_healthy
from support.stack import REPO, Stack, free_port

TOKEN = "test-operator-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
POTHOLE_PLACE = "ấp 3, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh"


def demo_router() -> ModuleType:
    path = REPO / "deploy/local/demo_router.py"
    spec = importlib.util.spec_from_file_location("demo_router", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def router(stack: Stack, prefix: str, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = service_env(
        "router", stack=stack, prefix=prefix, port=port, smtp_port=1, clock=TestClock.shifted()
    )
    env |= {
        "HOIAM_ROUTER_OPERATOR_TOKEN": TOKEN,
        "HOIAM_ROUTER_SWEEP_INTERVAL_SECONDS": "0.5",
        "HOIAM_ROUTER_KAFKA_PARTITIONS": "2",
    }
    log = tmp_path / "router.log"
    process = start("router", env, port, log)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@pytest.fixture
async def client(router: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=router, timeout=10) as http:
        yield http


async def publish(stack: Stack, topic: str, *items: FeedbackReceived) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka, acks="all")
    await producer.start()
    try:
        for item in items:
            await producer.send_and_wait(topic, item.to_bytes(), key=str(item.item_id).encode())
    finally:
        await producer.stop()


async def read[E: Event](
    stack: Stack, topic: str, kind: type[E], until: Any, within: float = 45
) -> list[E]:
    """Events of `topic` (from the start) until `until(events)` holds."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=stack.kafka, auto_offset_reset="earliest")
    await consumer.start()
    events: list[E] = []
    try:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline and not until(events):
            for batch in (await consumer.getmany(timeout_ms=300)).values():
                events.extend(decode_event(kind, record.value) for record in batch)
    finally:
        await consumer.stop()
    assert until(events), f"{topic}: only {len(events)} events"
    return events


async def read_for[E: Event](stack: Stack, topic: str, kind: type[E], *, seconds: float) -> list[E]:
    """Every event of `topic` that arrives within `seconds`."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=stack.kafka, auto_offset_reset="earliest")
    await consumer.start()
    events: list[E] = []
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for batch in (await consumer.getmany(timeout_ms=300)).values():
                events.extend(decode_event(kind, record.value) for record in batch)
    finally:
        await consumer.stop()
    return events


async def test_routed_events_carry_cases_location_and_councillors(
    stack: Stack, prefix: str, router: str, mongo: AsyncMongoClient[dict[str, object]]
) -> None:
    first = make_received("Đường ấp 3 bị sạt lở, nhiều ổ gà nguy hiểm", address=POTHOLE_PLACE)
    second = make_received("duong ap 3 sat lo, o ga nguy hiem", address=POTHOLE_PLACE)
    councilled = make_received("Mất điện nhiều ngày", address="Phường 1, TP Vĩnh Long")
    # One after the other: two consumers deciding at the same instant each open a case (the
    # operators merge those; docs/router.md).
    for n, item in enumerate((first, second, councilled), start=1):
        await publish(stack, f"{prefix}.{FEEDBACK_RECEIVED}", item)
        await read(stack, f"{prefix}.{FEEDBACK_ROUTED}", FeedbackRouted, lambda e, n=n: len(e) >= n)

    events = await read(stack, f"{prefix}.{FEEDBACK_ROUTED}", FeedbackRouted, lambda e: len(e) >= 3)

    by_item = {e.item_id: e for e in events}
    a, b, c = by_item[first.item_id], by_item[second.item_id], by_item[councilled.item_id]
    assert a.case_id == b.case_id == first.item_id
    assert a.body is not None
    assert a.body.id == "29341-ubnd-xa"
    assert a.level == "commune"
    assert a.scope == "local"
    assert a.location is not None
    assert a.location.commune is not None
    assert a.location.commune.name == "Xã Tiểu Cần"
    assert a.location.legacy == "Xã Phú Cần, Huyện Tiểu Cần, Tỉnh Trà Vinh"
    assert c.body is not None
    assert c.body.id == "86-dien-luc"
    assert c.councillors
    assert {x.council for x in c.councillors} == {"HĐND tỉnh Vĩnh Long"}
    stored = await mongo[f"{prefix}_router"]["assignments"].find_one({"_id": str(first.item_id)})
    assert stored is not None
    assert stored["case_id"] == str(first.item_id)
    assert any("ubnd-xa" in r for r in stored["event"]["reasons"])  # type: ignore[index]


async def test_the_preview_answers_without_storing(
    client: httpx.AsyncClient, prefix: str, mongo: AsyncMongoClient[dict[str, object]]
) -> None:
    assert (await client.get("/health")).status_code == 200
    assert (await client.post("/v1/route/preview", json={"text": "x"})).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert (
        await client.post("/v1/route/preview", json={"text": "x"}, headers=wrong)
    ).status_code == 401

    answer = await demo_router().preview(
        str(client.base_url),
        "Từ tối qua ấp mất điện, đường dây hạ thế võng sát mặt đường",
        "ấp Phú Thọ, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh",
        token=TOKEN,
    )

    assert answer["province"] == {"code": "86", "name": "Tỉnh Vĩnh Long"}
    assert answer["commune"] == {"code": "29341", "name": "Xã Tiểu Cần"}
    assert answer["legacy"] == "Xã Phú Cần, Huyện Tiểu Cần, Tỉnh Trà Vinh"
    assert answer["category"] == "electricity"
    assert answer["level"] == "utility"
    assert answer["body"] == {
        "id": "86-dien-luc",
        "name": "Công ty Điện lực Vĩnh Long",
        "level": "utility",
    }
    assert answer["triage"] is False
    assert 0.5 <= answer["confidence"] <= 1
    assert answer["reasons"]
    assert set(answer) >= {"scope", "councillors"}
    unsure = await client.post("/v1/route/preview", json={"text": "Xin chào"}, headers=AUTH)
    assert unsure.json()["triage"] is True
    assert unsure.json()["body"] is None
    bad = await client.post("/v1/route/preview", json={"txt": "x"}, headers=AUTH)
    assert bad.status_code == 422
    db = mongo[f"{prefix}_router"]
    assert await db["assignments"].count_documents({}) == 0
    assert await db["case_members"].count_documents({}) == 0


async def test_the_status_api_publishes_every_change_for_the_whole_case(
    stack: Stack, prefix: str, client: httpx.AsyncClient
) -> None:
    first = make_received("Đường ấp 3 bị sạt lở, nhiều ổ gà nguy hiểm", address=POTHOLE_PLACE)
    second = make_received("Đường ấp 3 sạt lở, ổ gà nguy hiểm lắm", address=POTHOLE_PLACE)
    await publish(stack, f"{prefix}.{FEEDBACK_RECEIVED}", first)
    await read(stack, f"{prefix}.{FEEDBACK_ROUTED}", FeedbackRouted, lambda e: len(e) >= 1)
    await publish(stack, f"{prefix}.{FEEDBACK_RECEIVED}", second)
    await read(stack, f"{prefix}.{FEEDBACK_ROUTED}", FeedbackRouted, lambda e: len(e) >= 2)

    last = await demo_router().resolve(str(client.base_url), str(first.item_id), "Đã sửa.", TOKEN)

    assert last["status"] == "resolved"
    events = await read(stack, f"{prefix}.{FEEDBACK_STATUS}", StatusChanged, lambda e: len(e) >= 3)
    assert [e.status for e in events] == [Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED]
    resolved = events[-1]
    assert resolved.answer == "Đã sửa."
    assert resolved.previous_status is Status.IN_PROGRESS
    assert resolved.case_id == first.item_id
    assert set(resolved.case_item_ids) == {first.item_id, second.item_id}
    assert resolved.body is not None
    assert resolved.body.id == "29341-ubnd-xa"

    again = await client.post(
        f"/v1/items/{first.item_id}/status", json={"status": "resolved"}, headers=AUTH
    )
    assert again.status_code == 409
    unknown = await client.post(
        f"/v1/items/{UUID(int=7)}/status", json={"status": "acknowledged"}, headers=AUTH
    )
    assert unknown.status_code == 404
    bad = await client.post(
        f"/v1/items/{first.item_id}/status", json={"status": "done"}, headers=AUTH
    )
    assert bad.status_code == 422
    view = (await client.get(f"/v1/items/{first.item_id}", headers=AUTH)).json()
    assert view["status"] == "resolved"
    assert view["case"]["item_ids"] == sorted([str(first.item_id), str(second.item_id)])
    assert [h["type"] for h in view["history"]] == ["FeedbackRouted"] + ["StatusChanged"] * 3


async def test_a_triage_decision_routes_the_item(
    stack: Stack, prefix: str, client: httpx.AsyncClient
) -> None:
    unsure = make_received("Xin chào, tôi có một ý kiến muốn gửi.", address="tỉnh Trà Vinh")
    await publish(stack, f"{prefix}.{FEEDBACK_RECEIVED}", unsure)
    await read(stack, f"{prefix}.{FEEDBACK_ROUTED}", FeedbackRouted, lambda e: len(e) >= 1)

    waiting = (await client.get("/v1/triage", headers=AUTH)).json()
    assert [w["item_id"] for w in waiting] == [str(unsure.item_id)]
    answer = await client.post(
        f"/v1/triage/{unsure.item_id}/decide",
        json={"category": "culture", "body_id": "86-so-vhttdl"},
        headers=AUTH,
    )

    assert answer.status_code == 202
    events = await read(stack, f"{prefix}.{FEEDBACK_ROUTED}", FeedbackRouted, lambda e: len(e) >= 2)
    decided = events[-1]
    assert decided.status is Status.ROUTED
    assert decided.body is not None
    assert decided.body.id == "86-so-vhttdl"
    assert decided.category.code == "culture"
    assert (await client.get("/v1/triage", headers=AUTH)).json() == []


async def test_the_sweep_escalates_an_overdue_item_once(
    stack: Stack, prefix: str, router: str
) -> None:
    old = make_received("Mất điện cả ấp", address="xã Tiểu Cần, tỉnh Trà Vinh").model_copy(
        update={"received_at": datetime(2026, 1, 5, 2, 0, tzinfo=UTC)}
    )
    await publish(stack, f"{prefix}.{FEEDBACK_RECEIVED}", old)

    events = await read(stack, f"{prefix}.{FEEDBACK_STATUS}", StatusChanged, lambda e: len(e) >= 1)
    await asyncio.sleep(2)  # four more sweeps
    again = await read_for(stack, f"{prefix}.{FEEDBACK_STATUS}", StatusChanged, seconds=3)

    escalated = events[0]
    assert escalated.change is StatusChange.ESCALATED
    assert escalated.item_id == old.item_id
    assert escalated.body is not None
    assert escalated.body.id == "86-dien-luc"
    assert escalated.escalated_to is not None
    assert escalated.escalated_to.id == "86-so-cong-thuong"
    assert escalated.case_item_ids == (old.item_id,)
    assert escalated.due_on is not None
    assert escalated.due_on < datetime.now(UTC).date()
    assert len(again) == 1


async def test_reassign_hand_back_merge_and_split_over_http(
    stack: Stack, prefix: str, client: httpx.AsyncClient
) -> None:
    road = make_received("Đường ấp 3 bị sạt lở, nhiều ổ gà nguy hiểm", address=POTHOLE_PLACE)
    power = make_received("Mất điện cả ấp ba ngày nay", address=POTHOLE_PLACE)
    for n, item in enumerate((road, power), start=1):
        await publish(stack, f"{prefix}.{FEEDBACK_RECEIVED}", item)
        await read(stack, f"{prefix}.{FEEDBACK_ROUTED}", FeedbackRouted, lambda e, n=n: len(e) >= n)

    handed = await client.post(
        f"/v1/items/{road.item_id}/hand-back",
        json={"reason": "đường do tỉnh quản lý"},
        headers=AUTH,
    )
    assert handed.status_code == 202
    assert handed.json()["body"]["id"] == "86-so-xay-dung"
    assert handed.json()["reason_code"] == "not_competent"

    moved = await client.post(
        f"/v1/items/{power.item_id}/reassign",
        json={"body_id": "86-so-cong-thuong", "reason": "giá điện"},
        headers=AUTH,
    )
    assert moved.status_code == 202
    assert moved.json()["change"] == "reassigned"
    unknown_body = await client.post(
        f"/v1/items/{power.item_id}/reassign",
        json={"body_id": "nowhere", "reason": "x"},
        headers=AUTH,
    )
    assert unknown_body.status_code == 404

    merged = await client.post(
        f"/v1/cases/{road.item_id}/merge", json={"case_ids": [str(power.item_id)]}, headers=AUTH
    )
    assert merged.status_code == 200
    assert sorted(merged.json()["item_ids"]) == sorted([str(road.item_id), str(power.item_id)])
    status = await client.post(
        f"/v1/items/{power.item_id}/status", json={"status": "acknowledged"}, headers=AUTH
    )
    assert set(status.json()["case_item_ids"]) == {str(road.item_id), str(power.item_id)}
    assert status.json()["body"]["id"] == "86-so-cong-thuong"

    split = await client.post(
        f"/v1/cases/{road.item_id}/split", json={"item_ids": [str(power.item_id)]}, headers=AUTH
    )
    assert split.status_code == 200
    view = (await client.get(f"/v1/items/{power.item_id}", headers=AUTH)).json()
    assert view["case"] == {"id": split.json()["case_id"], "item_ids": [str(power.item_id)]}
    assert view["body"]["id"] == "86-so-cong-thuong"
    routed = await read(stack, f"{prefix}.{FEEDBACK_ROUTED}", FeedbackRouted, lambda e: len(e) >= 4)
    # the first two decisions, then one per new body, so each new body is told
    assert sorted(e.body.id for e in routed if e.body) == [
        "29341-ubnd-xa", "86-dien-luc", "86-so-cong-thuong", "86-so-xay-dung",
    ]  # fmt: skip
