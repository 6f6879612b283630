"""Open and overdue items per body: the count (pure), the gauges it sets, and the loop that
outlives a store outage."""

import asyncio
from dataclasses import replace
from datetime import date, datetime

from prometheus_client import CollectorRegistry, Gauge
from pymongo.errors import AutoReconnect

from fakes import InMemoryAssignmentRepository, router_world
from hoiam_router.domain.assignment import Assignment
from hoiam_router.domain.directory import Directory
from hoiam_router.domain.workload import Workload, combine, count_workload, to_show
from hoiam_router.metrics import RouterMetrics
from hoiam_router.workload import MeasureWorkload, measure_periodically
from hoiam_shared.events import BodyRef, Status
from support.clock import TestClock
from support.samples import make_received

SO_XAY_DUNG = BodyRef(id="86-so-xay-dung", name="Sở Xây dựng", level="province_department")
XA_PHU_CAN = BodyRef(id="86-xa-phu-can", name="UBND xã Phú Cần", level="commune")
TODAY = date(2026, 12, 2)


def assignment(
    base: Assignment, status: Status, body: BodyRef | None, due_on: date | None
) -> Assignment:
    return replace(base, status=status, body=body, due_on=due_on)


async def an_assignment(directory: Directory) -> Assignment:
    world = router_world(directory)
    item = make_received("Đường ấp 3 bị sạt lở", address="xã Phú Cần, tỉnh Vĩnh Long")
    await world.route(item)
    held = await world.store.get(item.item_id)
    assert held is not None
    return held


async def test_open_items_are_counted_per_body_and_overdue_after_the_due_date(
    directory: Directory,
) -> None:
    base = await an_assignment(directory)
    items = [
        assignment(base, Status.ROUTED, SO_XAY_DUNG, date(2026, 12, 1)),  # overdue since yesterday
        assignment(base, Status.IN_PROGRESS, SO_XAY_DUNG, TODAY),  # due today: not overdue yet
        assignment(base, Status.REOPENED, SO_XAY_DUNG, date(2026, 11, 2)),  # overdue
        assignment(base, Status.ACKNOWLEDGED, XA_PHU_CAN, date(2026, 12, 20)),
        assignment(base, Status.RESOLVED, XA_PHU_CAN, date(2026, 11, 1)),  # done: not counted
        assignment(base, Status.TRIAGE, None, None),  # nobody's yet
        assignment(base, Status.CLOSED, SO_XAY_DUNG, date(2026, 10, 1)),
    ]
    assert count_workload(items, today=TODAY) == {
        SO_XAY_DUNG.id: Workload(open=3, overdue=2),
        XA_PHU_CAN.id: Workload(open=1, overdue=0),
    }
    assert count_workload(items[4:], today=TODAY) == {}


def test_a_stores_two_counts_make_one_workload_per_body() -> None:
    assert combine({"a": 3, "b": 1}, {"a": 2}) == {"a": Workload(3, 2), "b": Workload(1, 0)}


def test_a_body_with_nothing_open_any_more_goes_to_zero_not_stale() -> None:
    assert to_show({"a", "b"}, {"b": Workload(2, 1), "c": Workload(1, 0)}) == {
        "a": Workload(0, 0),
        "b": Workload(2, 1),
        "c": Workload(1, 0),
    }


def shown(gauge: Gauge) -> dict[str, float]:
    return {s.labels["body"]: s.value for m in gauge.collect() for s in m.samples}


async def test_the_gauges_follow_the_store(directory: Directory) -> None:
    # 00:30 on 2 December in Việt Nam, still 1 December in UTC: overdue goes by Việt Nam's day.
    world = router_world(directory, clock=TestClock.frozen(datetime(2026, 12, 2, 0, 30)))
    items = [make_received("Đường ấp 3 bị sạt lở", address="xã Phú Cần, tỉnh Vĩnh Long")]
    items.append(make_received("Mất điện cả ấp", address="tỉnh Bến Tre"))
    routed = [await world.route(item) for item in items]
    bodies = [r.body.id for r in routed if r.body is not None]
    assert len(set(bodies)) == 2

    await world.parts.workload()
    metrics = world.parts.metrics
    assert shown(metrics.open_items) == {bodies[0]: 1, bodies[1]: 1}
    assert shown(metrics.overdue_items) == {bodies[0]: 0, bodies[1]: 0}

    first = routed[0]
    assert first.due_on is not None
    world.store.state[first.item_id] = replace(
        world.store.state[first.item_id], due_on=date(2026, 12, 1)
    )
    second = world.store.state[routed[1].item_id]
    world.store.state[routed[1].item_id] = replace(second, status=Status.RESOLVED)
    await world.parts.workload()
    assert shown(metrics.open_items) == {bodies[0]: 1, bodies[1]: 0}
    assert shown(metrics.overdue_items) == {bodies[0]: 1, bodies[1]: 0}


class StoreAway(InMemoryAssignmentRepository):
    """The in-memory store whose count fails `outages` times first, as FerretDB going away."""

    def __init__(self, outages: int) -> None:
        super().__init__()
        self.outages = outages
        self.calls = 0
        self.recovered = asyncio.Event()

    async def workload(self, *, today: date) -> dict[str, Workload]:
        self.calls += 1
        if self.calls <= self.outages:
            raise AutoReconnect("connection refused")
        if self.calls > self.outages + 1:
            self.recovered.set()  # a round after the first good one: that one has shown
        return {"86-xa-phu-can": Workload(open=4, overdue=1)}


async def test_the_loop_outlives_a_store_outage_and_counts_it() -> None:
    registry = CollectorRegistry()
    metrics = RouterMetrics(registry)
    store = StoreAway(outages=2)
    measure = MeasureWorkload(
        assignments=store, metrics=metrics, clock=TestClock.frozen(datetime(2026, 12, 2, 9))
    )
    task = asyncio.create_task(measure_periodically(measure, metrics=metrics, interval_seconds=0)())
    try:
        await asyncio.wait_for(store.recovered.wait(), timeout=5)
    finally:
        task.cancel()
    failures = registry.get_sample_value(
        "router_workload_failures_total", {"error_type": "AutoReconnect"}
    )
    assert failures == 2
    assert shown(metrics.open_items) == {"86-xa-phu-can": 4}
    assert shown(metrics.overdue_items) == {"86-xa-phu-can": 1}
