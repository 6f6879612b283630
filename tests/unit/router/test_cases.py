"""Cases move as one: a change on one item moves the case, and the notifier (fed what the router
published) tells each petitioner once and the body once per case event."""

from collections import Counter
from datetime import date, datetime
from uuid import UUID

import pytest

from fakes import NotifierWorld, RouterWorld, router_world
from hoiam_notifier.domain.notifications import Way
from hoiam_router.domain.assignment import Assignment
from hoiam_router.domain.directory import Directory
from hoiam_router.operations import CaseConflictError, NotFoundError
from hoiam_router.repository import Move
from hoiam_shared.events import FeedbackRouted, Status, StatusChange, StatusChanged
from support.samples import make_received

POTHOLE = "Đường ấp 3 bị sạt lở, nhiều ổ gà nguy hiểm cho học sinh"
PLACE = "ấp 3, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh"
COMMUNE_MAIL = "ubnd@xa-tieu-can.vinh-long.hoiam.example"
PROVINCE_MAIL = "vanphong.ubnd@vinhlong.example"
CONSTRUCTION_MAIL = "soxaydung@vinhlong.example"
POLICE_MAIL = "cong-an@vinh-long.hoiam.example"
PETITIONERS = ("an@example.vn", "binh@example.vn", "chi@example.vn")


@pytest.fixture
def world(directory: Directory) -> RouterWorld:
    return router_world(directory)


@pytest.fixture
def notifier(world: RouterWorld) -> NotifierWorld:
    return NotifierWorld(world.clock, ways=(Way.EMAIL,))


class Relay:
    """Hands the notifier every event the router published since the last call."""

    def __init__(self, world: RouterWorld, notifier: NotifierWorld) -> None:
        self._world = world
        self._notifier = notifier
        self._seen = 0

    async def __call__(self) -> Counter[str]:
        """Deliver what is new; how many emails went to each address meanwhile."""
        before = len(self._notifier.sent(Way.EMAIL))
        fresh = self._world.publisher.published[self._seen :]
        self._seen = len(self._world.publisher.published)
        for _, event in fresh:
            if isinstance(event, FeedbackRouted):
                await self._notifier.notifier.notify_routed(event)
            elif isinstance(event, StatusChanged):
                await self._notifier.notifier.notify_status(event)
        return Counter(self._notifier.sent(Way.EMAIL)[before:])


async def three_petitioners(world: RouterWorld) -> list[FeedbackRouted]:
    found = [
        await world.route(make_received(f"{POTHOLE} ({n})", address=PLACE, email=email))
        for n, email in enumerate(PETITIONERS)
    ]
    assert len({f.case_id for f in found}) == 1
    return found


async def test_resolving_one_item_of_a_case_resolves_every_item(
    world: RouterWorld, notifier: NotifierWorld
) -> None:
    relay = Relay(world, notifier)
    first, *others = await three_petitioners(world)
    await relay()

    event = await world.ops.change_status(others[0].item_id, Status.RESOLVED, answer="Đã sửa.")
    sent = await relay()

    for item in (first, *others):
        held = await world.store.get(item.item_id)
        assert held is not None
        assert held.status is Status.RESOLVED
    assert set(event.case_item_ids) == {first.item_id, *(o.item_id for o in others)}
    assert len(world.publisher.of(StatusChanged)) == 1  # one event for the case
    assert sent == Counter(PETITIONERS)  # each petitioner once, the body not at all
    # Every item's history shows the case's resolution.
    for item in (first, *others):
        view = await world.ops.view(item.item_id)
        assert [h.event_id for h in view.history if isinstance(h, StatusChanged)] == [
            event.event_id
        ]


async def test_the_sweep_escalates_a_case_once_telling_each_petitioner_and_body_once(
    world: RouterWorld, notifier: NotifierWorld
) -> None:
    relay = Relay(world, notifier)
    await three_petitioners(world)
    await relay()

    world.clock.set(datetime(2027, 1, 4, 10))
    escalated = await world.sweep()
    sent = await relay()
    world.clock.set(datetime(2027, 1, 5, 10))
    again = await world.sweep()

    assert len(escalated) == 1
    assert escalated[0].change is StatusChange.ESCALATED
    assert len(escalated[0].case_item_ids) == 3
    assert again == []
    assert sent == Counter([*PETITIONERS, COMMUNE_MAIL, PROVINCE_MAIL])


async def test_a_round_reads_in_full_only_the_late_cases_not_told_yet(world: RouterWorld) -> None:
    await three_petitioners(world)
    on_time = await world.route(make_received("Mất điện cả ấp", address="tỉnh Bến Tre"))
    read: list[frozenset[UUID]] = []
    open_in_cases = world.store.open_in_cases

    async def recording(case_ids: frozenset[UUID]) -> list[Assignment]:
        read.append(case_ids)
        return await open_in_cases(case_ids)

    world.store.open_in_cases = recording  # type: ignore[method-assign]
    world.clock.set(datetime(2027, 1, 4, 10))
    await world.store.move(
        Move(on_time.item_id, expected=Status.ROUTED, status=Status.ACKNOWLEDGED,
             due_on=date(2027, 2, 1))
    )  # fmt: skip
    escalated = await world.sweep()
    await world.sweep()

    assert len(escalated) == 1  # the item acknowledged with a later due date is not late
    # The second round finds the case told already and reads no item in full.
    assert read == [frozenset({escalated[0].case_id}), frozenset()]


async def test_a_resolved_case_is_not_escalated_and_its_petitioners_hear_nothing_more(
    world: RouterWorld, notifier: NotifierWorld
) -> None:
    relay = Relay(world, notifier)
    first, *_ = await three_petitioners(world)
    await world.ops.change_status(first.item_id, Status.RESOLVED, answer="Đã sửa.")
    await relay()

    world.clock.set(datetime(2027, 1, 4, 10))

    assert await world.sweep() == []
    assert await relay() == Counter()


async def test_a_member_at_another_stage_is_not_moved_or_told(world: RouterWorld) -> None:
    first = await world.route(make_received(POTHOLE, address=PLACE))
    await world.ops.change_status(first.item_id, Status.RESOLVED, answer="Đã sửa.")
    await world.ops.change_status(first.item_id, Status.CLOSED)
    late = await world.route(make_received(f"{POTHOLE} lại", address=PLACE))
    assert late.case_id == first.case_id

    acknowledged = await world.ops.change_status(late.item_id, Status.ACKNOWLEDGED)

    assert acknowledged.case_item_ids == (late.item_id,)
    closed = await world.store.get(first.item_id)
    assert closed is not None
    assert closed.status is Status.CLOSED


async def test_a_reassignment_tells_the_citizen_and_the_new_body_once(
    world: RouterWorld, notifier: NotifierWorld
) -> None:
    relay = Relay(world, notifier)
    routed = await world.route(make_received(POTHOLE, address=PLACE, email=PETITIONERS[0]))
    await relay()

    event = await world.ops.reassign(routed.item_id, "86-so-xay-dung", reason="đường tỉnh")
    sent = await relay()

    assert event.change is StatusChange.REASSIGNED
    assert sent == Counter([PETITIONERS[0], CONSTRUCTION_MAIL])
    body_mail = next(
        o for o in notifier.senders[Way.EMAIL].sent if o.target.address == CONSTRUCTION_MAIL
    )
    assert POTHOLE in body_mail.notification.text  # the new body gets the petition itself


async def test_a_case_reassignment_tells_the_new_body_once_and_each_petitioner_once(
    world: RouterWorld, notifier: NotifierWorld
) -> None:
    relay = Relay(world, notifier)
    first, *others = await three_petitioners(world)
    await relay()

    await world.ops.reassign(first.item_id, "86-so-xay-dung", reason="đường tỉnh")
    sent = await relay()

    assert sent == Counter([*PETITIONERS, CONSTRUCTION_MAIL])
    for item in (first, *others):
        held = await world.store.get(item.item_id)
        assert held is not None
        assert held.body is not None
        assert held.body.id == "86-so-xay-dung"


async def test_a_triage_decision_tells_the_citizen_and_the_body_once(
    world: RouterWorld, notifier: NotifierWorld
) -> None:
    relay = Relay(world, notifier)
    item = await world.route(
        make_received("Hai tiệm cầm đồ trá hình thu lãi", address="Trà Vinh", email="d@example.vn")
    )
    assert item.status is Status.TRIAGE
    await relay()

    await world.ops.decide(item.item_id, category="security", body_id="86-cong-an")
    sent = await relay()

    assert sent == Counter(["d@example.vn", POLICE_MAIL])


async def test_merging_moves_the_members_and_writes_history(world: RouterWorld) -> None:
    a = await world.route(make_received(POTHOLE, address=PLACE))
    b = await world.route(make_received("Ổ gà trước cổng trường ấp 3 chưa ai vá", address=PLACE))
    assert a.case_id is not None
    assert b.case_id is not None
    assert a.case_id != b.case_id
    assert a.body == b.body
    await world.ops.change_status(a.item_id, Status.ACKNOWLEDGED)

    merged = await world.ops.merge_cases(a.case_id, [b.case_id])

    assert merged == sorted([a.item_id, b.item_id])
    held = await world.store.get(b.item_id)
    assert held is not None
    assert (held.status, held.case_id) == (Status.ACKNOWLEDGED, a.case_id)
    history = (await world.ops.view(b.item_id)).history
    assert [h.change for h in history if isinstance(h, StatusChanged)] == [StatusChange.MERGED]
    resolved = await world.ops.change_status(b.item_id, Status.RESOLVED, answer="Đã vá.")
    assert set(resolved.case_item_ids) == {a.item_id, b.item_id}

    new_case = await world.ops.split_case(a.case_id, [b.item_id])

    assert await world.store.case_items(new_case) == [b.item_id]
    assert await world.store.case_items(a.case_id) == [a.item_id]
    history = (await world.ops.view(b.item_id)).history
    assert [h.change for h in history if isinstance(h, StatusChanged)][-1] is StatusChange.SPLIT


async def test_merging_refuses_cases_of_another_body_or_missing_ones(world: RouterWorld) -> None:
    a = await world.route(make_received(POTHOLE, address=PLACE))
    power = await world.route(make_received("Mất điện ba ngày nay", address=PLACE))
    assert a.case_id is not None
    assert power.case_id is not None

    with pytest.raises(CaseConflictError, match="body"):
        await world.ops.merge_cases(a.case_id, [power.case_id])
    with pytest.raises(NotFoundError):
        await world.ops.merge_cases(a.case_id, [UUID(int=5)])
    with pytest.raises(NotFoundError):
        await world.ops.merge_cases(UUID(int=5), [a.case_id])
    with pytest.raises(CaseConflictError, match="itself"):
        await world.ops.merge_cases(a.case_id, [a.case_id])
    with pytest.raises(CaseConflictError, match="leave"):
        await world.ops.split_case(a.case_id, [a.item_id])
    held = await world.store.get(power.item_id)
    assert held is not None
    assert held.case_id == power.case_id


async def test_a_routing_after_a_merge_names_the_case_the_item_is_in_now(
    world: RouterWorld,
) -> None:
    a = await world.route(make_received(POTHOLE, address=PLACE))
    b = await world.route(make_received("Ổ gà trước cổng trường ấp 3 chưa ai vá", address=PLACE))
    assert a.case_id is not None
    assert b.case_id is not None
    await world.ops.merge_cases(a.case_id, [b.case_id])

    await world.ops.reassign(b.item_id, "86-so-xay-dung", reason="đường tỉnh")

    routings = {r.item_id: r for r in world.publisher.of(FeedbackRouted) if r.announced_by}
    assert {r.case_id for r in routings.values()} == {a.case_id}
    assert set(routings) == {a.item_id, b.item_id}
