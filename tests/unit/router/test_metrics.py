"""The router counts its decisions per level of the body assigned, once per item."""

from prometheus_client import Counter

from fakes import RouterWorld, router_world
from hoiam_router.domain.directory import Directory
from hoiam_shared.events import Status
from support.samples import make_received


def counted(counter: Counter, **labels: str) -> float:
    samples = [s for m in counter.collect() for s in m.samples if s.name.endswith("_total")]
    return sum(s.value for s in samples if s.labels == labels)


async def test_decisions_are_counted_per_level_once_per_item(directory: Directory) -> None:
    world: RouterWorld = router_world(directory)
    item = make_received(
        "Đường ấp 3 bị sạt lở, nhiều ổ gà nguy hiểm cho học sinh",
        address="ấp 3, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh",
    )
    routed = await world.route(item)
    await world.route(item)  # a redelivery is no new decision

    by_level = world.parts.metrics.items_by_level
    assert routed.level is not None
    assert counted(by_level, status=routed.status.value, level=routed.level) == 1


async def test_a_triage_decision_has_no_level(directory: Directory) -> None:
    world = router_world(directory)
    routed = await world.route(make_received("xin chào", address="không rõ"))
    assert routed.status is Status.TRIAGE
    assert counted(world.parts.metrics.items_by_level, status="triage", level="none") == 1
