"""The router as a real process on the real Kafka and FerretDB: routed events with cases,
location and councillors; the preview API; the status API publishing `StatusChanged`; triage
decisions; the overdue sweep escalating once."""

import asyncio
import importlib.util
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from types import ModuleType
from uuid import UUID

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import AsyncMongoClient

from fakes import ROUTER_MONDAY
from hoiam_shared.clock import vietnam_date
from hoiam_shared.events import (
    FeedbackReceived,
    FeedbackRouted,
    Status,
    StatusChange,
    StatusChanged,
    decode_event,
)
from hoiam_shared.topics import FEEDBACK_RECEIVED, FEEDBACK_ROUTED, FEEDBACK_STATUS
from support.clock import TestClock, shift
from support.samples import make_received
from support.services import service_env, start, stop, wait_healthy
from support.stack import REPO, Stack, free_port, remove_test_leftovers

TOKEN = "test-operator-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PLACE = "ấp 3, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh"


def demo_router() -> ModuleType:
    path = REPO / "deploy/local/demo_router.py"
    spec = importlib.util.spec_from_file_location("demo_router", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# One router process serves the whole module (starting one costs seconds: imports and the
# directory). The tests share its topics and database and keep apart by their own items: each
# reads back only the events about its items, and each has its own matter (or commune), since
# the same matter from the same commune joins one case whichever test sent it.


@pytest.fixture(scope="module")
async def module_prefix(stack: Stack) -> AsyncIterator[str]:
    """The topics, groups and database of this module's router, removed afterwards."""
    name = f"t{uuid.uuid4().hex[:10]}"
    yield name
    await remove_test_leftovers(stack, name)


@pytest.fixture(scope="module")
def clock() -> TestClock:
    """The router's clock: the Monday after the samples' Friday (nothing they make is overdue
    yet), moved by the suite's shift; it ticks."""
    return TestClock.at(ROUTER_MONDAY + shift())


@pytest.fixture(scope="module")
def router(
    stack: Stack, module_prefix: str, clock: TestClock, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    port = free_port()
    env = service_env(
        "router", stack=stack, prefix=module_prefix, port=port, smtp_port=1, clock=clock
    )
    env |= {
        "HOIAM_ROUTER_OPERATOR_TOKEN": TOKEN,
        "HOIAM_ROUTER_SWEEP_INTERVAL_SECONDS": "0.5",
        "HOIAM_ROUTER_KAFKA_PARTITIONS": "2",
    }
    log = tmp_path_factory.mktemp("router") / "router.log"
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


@dataclass(frozen=True)
class Bus:
    """The module router's topics: items sent in, and the events about them read back."""

    stack: Stack
    prefix: str

    @property
    def database(self) -> str:
        return f"{self.prefix}_router"

    async def send(self, *items: FeedbackReceived) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.stack.kafka, acks="all")
        await producer.start()
        try:
            for item in items:
                await producer.send_and_wait(
                    f"{self.prefix}.{FEEDBACK_RECEIVED}",
                    item.to_bytes(),
                    key=str(item.item_id).encode(),
                )
        finally:
            await producer.stop()

    async def routed(self, *items: FeedbackReceived, at_least: int) -> list[FeedbackRouted]:
        """The routing events about `items` (from the start), once there are `at_least`."""
        return await self._read(FEEDBACK_ROUTED, FeedbackRouted, items, at_least=at_least)

    async def statuses(self, *items: FeedbackReceived, at_least: int) -> list[StatusChanged]:
        """The status events about `items` (from the start), once there are `at_least`."""
        return await self._read(FEEDBACK_STATUS, StatusChanged, items, at_least=at_least)

    async def statuses_within(
        self, *items: FeedbackReceived, seconds: float
    ) -> list[StatusChanged]:
        """Every status event about `items` that arrives within `seconds`."""
        return await self._read(FEEDBACK_STATUS, StatusChanged, items, within=seconds)

    async def _read[E: FeedbackRouted | StatusChanged](
        self,
        topic: str,
        kind: type[E],
        items: tuple[FeedbackReceived, ...],
        *,
        at_least: int | None = None,
        within: float = 45,
    ) -> list[E]:
        about = {item.item_id for item in items}
        consumer = AIOKafkaConsumer(
            f"{self.prefix}.{topic}",
            bootstrap_servers=self.stack.kafka,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        events: list[E] = []
        try:
            deadline = time.monotonic() + within
            while time.monotonic() < deadline and (at_least is None or len(events) < at_least):
                for batch in (await consumer.getmany(timeout_ms=300)).values():
                    decoded = (decode_event(kind, record.value) for record in batch)
                    events.extend(e for e in decoded if e.item_id in about)
        finally:
            await consumer.stop()
        if at_least is not None:
            assert len(events) >= at_least, f"{topic}: only {len(events)} events"
        return events


@pytest.fixture(scope="module")
def bus(stack: Stack, module_prefix: str) -> Bus:
    return Bus(stack, module_prefix)


async def test_routed_events_carry_cases_location_and_councillors(
    bus: Bus, router: str, mongo: AsyncMongoClient[dict[str, object]]
) -> None:
    first = make_received("Đường ấp 3 bị sạt lở, nhiều ổ gà nguy hiểm", address=PLACE)
    second = make_received("duong ap 3 sat lo, o ga nguy hiem", address=PLACE)
    councilled = make_received("Mất điện nhiều ngày", address="Phường 1, TP Vĩnh Long")
    # One after the other: two consumers deciding at the same instant each open a case (the
    # operators merge those; docs/router.md).
    for n, item in enumerate((first, second, councilled), start=1):
        await bus.send(item)
        await bus.routed(first, second, councilled, at_least=n)

    events = await bus.routed(first, second, councilled, at_least=3)

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
    stored = await mongo[bus.database]["assignments"].find_one({"_id": str(first.item_id)})
    assert stored is not None
    assert stored["case_id"] == str(first.item_id)
    assert any("ubnd-xa" in r for r in stored["event"]["reasons"])  # type: ignore[index]


async def test_the_preview_answers_without_storing(
    client: httpx.AsyncClient, bus: Bus, mongo: AsyncMongoClient[dict[str, object]]
) -> None:
    db = mongo[bus.database]
    stored_before = [await db[c].count_documents({}) for c in ("assignments", "case_members")]
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
    # Other tests' items share the database: the preview added nothing to what they stored.
    stored_after = [await db[c].count_documents({}) for c in ("assignments", "case_members")]
    assert stored_after == stored_before


async def test_the_status_api_publishes_every_change_for_the_whole_case(
    bus: Bus, client: httpx.AsyncClient
) -> None:
    first = make_received("Cầu khỉ ấp Tân Thành gãy nhịp giữa, đề nghị làm cầu mới", address=PLACE)
    second = make_received("Cầu khỉ Tân Thành gãy, xin làm cầu mới", address=PLACE)
    await bus.send(first)
    await bus.routed(first, at_least=1)
    await bus.send(second)
    await bus.routed(first, second, at_least=2)

    last = await demo_router().resolve(str(client.base_url), str(first.item_id), "Đã sửa.", TOKEN)

    assert last["status"] == "resolved"
    events = await bus.statuses(first, at_least=3)
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


async def test_a_triage_decision_routes_the_item(bus: Bus, client: httpx.AsyncClient) -> None:
    unsure = make_received("Xin chào, tôi có một ý kiến muốn gửi.", address="tỉnh Trà Vinh")
    await bus.send(unsure)
    await bus.routed(unsure, at_least=1)

    waiting = (await client.get("/v1/triage", headers=AUTH)).json()
    mine = [w for w in waiting if w["item_id"] == str(unsure.item_id)]
    assert len(mine) == 1  # other tests' items may wait in triage beside it
    assert mine[0]["tracking_code"] == unsure.tracking_code
    answer = await client.post(
        f"/v1/triage/{unsure.item_id}/decide",
        json={"category": "culture", "body_id": "86-so-vhttdl"},
        headers=AUTH,
    )

    assert answer.status_code == 202
    events = await bus.routed(unsure, at_least=2)
    decided = events[-1]
    assert decided.status is Status.ROUTED
    assert decided.body is not None
    assert decided.body.id == "86-so-vhttdl"
    assert decided.category.code == "culture"
    after = (await client.get("/v1/triage", headers=AUTH)).json()
    assert str(unsure.item_id) not in [w["item_id"] for w in after]


async def test_the_sweep_escalates_an_overdue_item_once(
    bus: Bus, router: str, clock: TestClock
) -> None:
    old = make_received("Mất điện cả ấp", address="xã Cầu Ngang, tỉnh Trà Vinh").model_copy(
        update={"received_at": clock() - timedelta(days=60)}
    )
    await bus.send(old)

    events = await bus.statuses(old, at_least=1)
    await asyncio.sleep(2)  # four more sweeps
    again = await bus.statuses_within(old, seconds=3)

    escalated = events[0]
    assert escalated.change is StatusChange.ESCALATED
    assert escalated.item_id == old.item_id
    assert escalated.body is not None
    assert escalated.body.id == "86-dien-luc"
    assert escalated.escalated_to is not None
    assert escalated.escalated_to.id == "86-so-cong-thuong"
    assert escalated.case_item_ids == (old.item_id,)
    assert escalated.due_on is not None
    assert escalated.due_on < vietnam_date(clock())
    assert len(again) == 1


async def test_reassign_hand_back_merge_and_split_over_http(
    bus: Bus, client: httpx.AsyncClient
) -> None:
    road = make_received("Con lộ đal ấp Chợ lún sụt, xe cộ đi lại khó khăn", address=PLACE)
    power = make_received("Mất điện cả ấp ba ngày nay", address=PLACE)
    for n, item in enumerate((road, power), start=1):
        await bus.send(item)
        await bus.routed(road, power, at_least=n)

    handed = await client.post(
        f"/v1/items/{road.item_id}/hand-back",
        json={"reason": "đường do tỉnh quản lý"},
        headers=AUTH,
    )
    assert handed.status_code == 202
    # Which provincial body takes it is the learned model's call (it changes with the labelled
    # set, `make eval-routing` measures it); here: not the commune that handed it back.
    province_body = handed.json()["body"]["id"]
    assert province_body.startswith("86-")
    assert province_body not in ("29341-ubnd-xa", "86-so-cong-thuong")
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

    other_body = await client.post(
        f"/v1/cases/{road.item_id}/merge", json={"case_ids": [str(power.item_id)]}, headers=AUTH
    )
    assert other_body.status_code == 409
    assert "same body" in other_body.json()["detail"]
    moved_again = await client.post(
        f"/v1/items/{power.item_id}/reassign",
        json={"body_id": province_body, "reason": "đường dây trên lộ"},
        headers=AUTH,
    )
    assert moved_again.status_code == 202

    merged = await client.post(
        f"/v1/cases/{road.item_id}/merge", json={"case_ids": [str(power.item_id)]}, headers=AUTH
    )
    assert merged.status_code == 200
    assert sorted(merged.json()["item_ids"]) == sorted([str(road.item_id), str(power.item_id)])
    status = await client.post(
        f"/v1/items/{power.item_id}/status", json={"status": "acknowledged"}, headers=AUTH
    )
    assert set(status.json()["case_item_ids"]) == {str(road.item_id), str(power.item_id)}
    assert status.json()["body"]["id"] == province_body
    road_view = (await client.get(f"/v1/items/{road.item_id}", headers=AUTH)).json()
    assert road_view["status"] == "acknowledged"  # the case moved as one

    split = await client.post(
        f"/v1/cases/{road.item_id}/split", json={"item_ids": [str(power.item_id)]}, headers=AUTH
    )
    assert split.status_code == 200
    view = (await client.get(f"/v1/items/{power.item_id}", headers=AUTH)).json()
    assert view["case"] == {"id": split.json()["case_id"], "item_ids": [str(power.item_id)]}
    assert view["body"]["id"] == province_body
    assert [h.get("change") for h in view["history"] if h["type"] == "StatusChanged"][-2:] == [
        "transition",
        "split",
    ]
    routed = await bus.routed(road, power, at_least=5)
    # the first two decisions, then one per new body, so whoever keeps routings has each
    assert sorted(e.body.id for e in routed if e.body) == sorted([
        "29341-ubnd-xa", "86-dien-luc", "86-so-cong-thuong", province_body, province_body,
    ])  # fmt: skip
