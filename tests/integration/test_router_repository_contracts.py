"""The router's store contract, run against the in-memory fake and MongoDB on FerretDB."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from uuid import UUID

import pytest
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient

from fakes import (
    ROUTER_MONDAY,
    InMemoryAssignmentRepository,
    InMemoryPublishedAnswerStore,
    RecordingPublisher,
)
from hoiam_router.app import RouterParts, build
from hoiam_router.domain import route
from hoiam_router.domain.cases import CaseMember
from hoiam_router.domain.events import routed_event
from hoiam_router.domain.learned import BodyCorrection
from hoiam_router.domain.workload import Workload
from hoiam_router.outbox import SETTLING
from hoiam_router.repository import (
    AssignmentRepository,
    MongoAssignmentRepository,
    Move,
    OutboxEntry,
    Overdue,
)
from hoiam_router.settings import RouterSettings
from hoiam_shared.events import (
    BodyRef,
    Channel,
    FeedbackMessageAdded,
    FeedbackRouted,
    FeedbackText,
    FrontLevel,
    NoteAdded,
    NoteKind,
    Status,
    StatusChange,
    StatusChanged,
)
from hoiam_shared.ids import new_id
from support.clock import TestClock
from support.router import Crashed, CrashesAfterWrites, bundled_directory
from support.samples import make_received

type Mongo = AsyncMongoClient[dict[str, Any]]
POTHOLE = "Đường ấp 3 bị sạt lở, nhiều ổ gà nguy hiểm cho học sinh"
PLACE = "ấp 3, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh"
NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["memory", "mongo"])
async def store(
    request: pytest.FixtureRequest, prefix: str, mongo: Mongo
) -> AsyncIterator[AssignmentRepository]:
    if request.param == "memory":
        yield InMemoryAssignmentRepository()
        return
    adapter = MongoAssignmentRepository(
        mongo[f"{prefix}_router_contract"], clock=TestClock.frozen(NOW)
    )
    await adapter.prepare()
    yield adapter
    await mongo.drop_database(f"{prefix}_router_contract")


def router_parts(
    store: AssignmentRepository, publisher: RecordingPublisher, clock: TestClock
) -> RouterParts:
    return build(
        RouterSettings(fallback_province="86"),
        directory=bundled_directory(),
        assignments=store,
        publisher=publisher,
        clock=clock,
        registry=CollectorRegistry(),
        published=InMemoryPublishedAnswerStore(),
    )


def routed(text: str = "Mất điện cả ấp", address: str = "tỉnh Bến Tre") -> FeedbackRouted:
    item = make_received(text, address=address)
    decision = route(item, bundled_directory(), fallback_province=None)
    return routed_event(item, decision, item.item_id, at=NOW)


async def test_an_assignment_keeps_its_first_decision_and_its_address(
    store: AssignmentRepository,
) -> None:
    decision = routed()
    assert await store.add_once(decision, address="tỉnh Bến Tre", province_hint="86") == decision
    again = decision.model_copy(update={"event_id": new_id()})
    assert await store.add_once(again) == decision

    held = await store.get(decision.item_id)

    assert held is not None
    assert held.status is Status.ROUTED
    assert held.body == decision.body
    assert held.address == "tỉnh Bến Tre"
    assert held.province_hint == "86"
    assert held.case_id == decision.item_id
    assert await store.get(new_id()) is None


async def test_an_assignment_is_found_by_its_tracking_code_as_it_is_now(
    store: AssignmentRepository,
) -> None:
    decision, other = routed(), routed("Đường ấp 3 bị sạt lở")
    await store.add_once(decision)
    await store.add_once(other)
    assert await store.move(Move(decision.item_id, expected=Status.ROUTED, status=Status.RESOLVED))

    found = await store.by_tracking_code(decision.tracking_code)

    assert found is not None
    assert (found.item_id, found.status) == (decision.item_id, Status.RESOLVED)
    assert found == await store.get(decision.item_id)
    assert await store.by_tracking_code("HA-NONE-00") is None


async def test_assignments_first_write_wins_even_when_racing(
    store: AssignmentRepository,
) -> None:
    decision = routed("Mất điện cả ấp", address="tỉnh Bến Tre")
    other = decision.model_copy(update={"event_id": make_received("x").event_id})
    stored = await asyncio.gather(store.add_once(decision), store.add_once(other))
    assert stored[0] == stored[1]
    assert stored[0].event_id in {decision.event_id, other.event_id}
    assert await store.add_once(decision) == stored[0]


async def test_update_is_a_compare_and_set_on_the_status(store: AssignmentRepository) -> None:
    decision = routed()
    await store.add_once(decision)
    body = BodyRef(id="86-so-cong-thuong", name="Sở Công Thương", level="province_department")

    assert await store.move(
        Move(decision.item_id, expected=Status.ROUTED, status=Status.ACKNOWLEDGED)
    )
    assert not await store.move(
        Move(decision.item_id, expected=Status.ROUTED, status=Status.RESOLVED)
    )
    assert await store.move(
        Move(
            decision.item_id,
            expected=Status.ACKNOWLEDGED,
            status=Status.IN_PROGRESS,
            body=body,
            due_on=date(2027, 1, 4),
        )
    )
    held = await store.get(decision.item_id)
    assert held is not None
    assert (held.status, held.body, held.due_on) == (Status.IN_PROGRESS, body, date(2027, 1, 4))
    assert [a.item_id for a in await store.in_status(frozenset({Status.IN_PROGRESS}))] == [
        decision.item_id
    ]


async def test_case_members_join_once_and_move_between_cases(
    store: AssignmentRepository,
) -> None:
    a, b = routed(), routed()
    for decision in (a, b):
        await store.add_once(decision)
    first = CaseMember(str(a.item_id), str(a.item_id), "29341", "transport", frozenset({"x"}), NOW)
    second = CaseMember(str(b.item_id), str(a.item_id), "29341", "transport", frozenset({"y"}), NOW)

    assert await store.join_case_once(first) == first
    assert await store.join_case_once(second) == second
    replay = CaseMember(str(b.item_id), "other", "29341", "transport", frozenset(), NOW)
    assert (await store.join_case_once(replay)).case_id == str(a.item_id)

    since = NOW - timedelta(days=1)
    # Only the item that opened the case is compared with, however many joined it.
    assert await store.case_openers("29341", "transport", since) == [first]
    assert await store.case_openers("29341", "land", since) == []
    assert await store.case_openers("29341", "transport", NOW + timedelta(days=1)) == []
    assert await store.case_items(a.item_id) == sorted([a.item_id, b.item_id])
    both = await store.case_assignments(a.item_id)
    assert [m.item_id for m in both] == sorted([a.item_id, b.item_id])
    assert both == [await store.get(m.item_id) for m in both]

    # Moving to another case is part of a move (a merge's or a split's).
    assert await store.move(
        Move(b.item_id, expected=Status.ROUTED, status=Status.ROUTED, case_id=b.item_id)
    )

    assert await store.case_items(a.item_id) == [a.item_id]
    assert await store.case_items(b.item_id) == [b.item_id]
    held = await store.get(b.item_id)
    assert held is not None
    assert held.case_id == b.item_id
    assert [m.item_id for m in await store.case_assignments(b.item_id)] == [b.item_id]
    assert await store.case_assignments(b.item_id) == [held]
    assert await store.case_assignments(new_id()) == []


async def test_history_corrections_and_escalations(store: AssignmentRepository) -> None:
    decision = routed()
    await store.add_once(decision)
    change = StatusChanged(
        correlation_id=decision.item_id,
        item_id=decision.item_id,
        tracking_code=decision.tracking_code,
        status=Status.ROUTED,
        change=StatusChange.ESCALATED,
        occurred_at=NOW + timedelta(minutes=1),
    )
    await store.add_history(decision.item_id, decision)
    await store.add_history(decision.item_id, change)
    await store.add_history(decision.item_id, change)  # a retry adds nothing
    assert [h.type for h in await store.history(decision.item_id)] == [
        "FeedbackRouted",
        "StatusChanged",
    ]

    later = NOW + timedelta(hours=1)
    assert await store.unpublished(until=later) == []
    assert len(await store.history(decision.item_id)) == 2

    await store.add_correction(decision.item_id, "cầm đồ lãi cắt cổ", "security", "86-cong-an")
    assert await store.corrections() == [("cầm đồ lãi cắt cổ", "security")]

    first = await store.escalate_once("k", change)
    assert (first.event, first.published) == (change, False)
    other = change.model_copy(update={"event_id": new_id()})
    assert (await store.escalate_once("k", other)).event == change
    await store.mark_published("k")
    assert (await store.escalate_once("k", other)).published is True


async def test_a_status_change_and_its_outbox_entry_are_one_write(
    store: AssignmentRepository,
) -> None:
    decision, other = routed(), routed()
    for d in (decision, other):
        await store.add_once(d)
    change = StatusChanged(
        correlation_id=decision.item_id,
        item_id=decision.item_id,
        tracking_code=decision.tracking_code,
        status=Status.ACKNOWLEDGED,
        previous_status=Status.ROUTED,
        case_item_ids=(decision.item_id, other.item_id),
        occurred_at=NOW + timedelta(minutes=1),
    )
    follow = Move(other.item_id, expected=Status.ROUTED, status=Status.ACKNOWLEDGED)
    entry = OutboxEntry(change, follow=(follow,))
    lost = OutboxEntry(change.model_copy(update={"event_id": new_id()}))
    later = NOW + timedelta(hours=1)

    wrong = Move(decision.item_id, expected=Status.TRIAGE, status=Status.ACKNOWLEDGED)
    assert not await store.move(wrong, outbox=(lost,))
    assert await store.unpublished(until=later) == []  # a refused change leaves no entry

    moved = Move(decision.item_id, expected=Status.ROUTED, status=Status.ACKNOWLEDGED)
    assert await store.move(moved, outbox=(entry,))

    held = await store.get(decision.item_id)
    assert held is not None
    assert held.status is Status.ACKNOWLEDGED
    assert await store.unpublished(until=later) == [entry]
    assert await store.unpublished(until=change.occurred_at) == [entry]  # inclusive
    assert await store.unpublished(until=NOW) == []  # it occurred after that
    await store.published(entry)
    assert await store.unpublished(until=later) == []
    # The case's change is in the history of every item it moved.
    assert [h.event_id for h in await store.history(other.item_id)] == [change.event_id]
    assert [h.type for h in await store.history(decision.item_id)] == ["StatusChanged"]


@pytest.mark.parametrize("writes_before_the_crash", [0, 1, 2, 3])
async def test_a_crash_between_any_two_writes_of_a_case_change_loses_nothing(
    store: AssignmentRepository, writes_before_the_crash: int
) -> None:
    """Resolving one of two petitions of a case, with the process killed after each write in
    turn: after the restart's outbox round, both items moved and the event was published, or
    neither moved and nothing was."""
    clock = TestClock.frozen(ROUTER_MONDAY)
    healthy = router_parts(store, RecordingPublisher(), clock)
    first = await healthy.route(make_received(POTHOLE, address=PLACE))
    second = await healthy.route(make_received(f"{POTHOLE} lắm", address=PLACE))
    assert first.case_id == second.case_id
    before_crash = RecordingPublisher()
    crashing = CrashesAfterWrites(store, allowed=writes_before_the_crash)
    dying = router_parts(cast(AssignmentRepository, crashing), before_crash, clock)

    with contextlib.suppress(Crashed):  # the process died here, or did not
        await dying.operations.change_status(first.item_id, Status.ACKNOWLEDGED)
    clock.advance(SETTLING)
    after_restart = RecordingPublisher()
    await router_parts(store, after_restart, clock).outbox.republish()

    statuses = set()
    for item in (first, second):
        held = await store.get(item.item_id)
        assert held is not None
        statuses.add(held.status)
    told = {e.event_id for e in (*before_crash.of(StatusChanged), *after_restart.of(StatusChanged))}
    assert (statuses, len(told)) in (({Status.ROUTED}, 0), ({Status.ACKNOWLEDGED}, 1))
    assert await store.unpublished(until=clock()) == []


async def test_what_a_citizen_adds_is_kept_once_per_item_oldest_first(
    store: AssignmentRepository,
) -> None:
    decision = routed()

    def added(words: str, minutes: int, item_id: UUID = decision.item_id) -> FeedbackMessageAdded:
        at = NOW + timedelta(minutes=minutes)
        return FeedbackMessageAdded(
            occurred_at=at, correlation_id=item_id, item_id=item_id,
            tracking_code=decision.tracking_code, channel=Channel.EMAIL, kind="reply",
            received_at=at, text=FeedbackText(original=words, normalised=words),
        )  # fmt: skip

    later, sooner, elsewhere = added("sau", 9), added("trước", 1), added("khác", 5, new_id())
    for message in (later, sooner, later, elsewhere):  # `later` redelivered
        await store.add_message_once(message)

    assert await store.messages(decision.item_id) == [sooner, later]
    assert await store.messages(new_id()) == []


async def test_every_correction_of_a_body_is_kept_in_order_and_only_decisions_teach_the_category(
    store: AssignmentRepository,
) -> None:
    decision = routed()
    await store.add_once(decision)
    await store.add_correction(decision.item_id, "cầm đồ", "security", "86-cong-an")
    await store.add_correction(
        decision.item_id, "đường thôn", "transport", "86-so-xay-dung", kind="reassignment",
        province="86",
    )  # fmt: skip
    await store.add_correction(
        decision.item_id, "đường thôn", "transport", "29341-ubnd-xa", kind="hand_back",
        province="86",
    )  # fmt: skip

    assert await store.corrections() == [("cầm đồ", "security")]
    assert await store.body_corrections() == [
        BodyCorrection("decision", "86", "security", "cong-an", "cầm đồ"),
        BodyCorrection("reassignment", "86", "transport", "so-xay-dung", "đường thôn"),
        BodyCorrection("hand_back", "86", "transport", "ubnd-xa", "đường thôn"),
    ]


async def test_open_and_overdue_items_are_counted_per_body_by_the_store(
    store: AssignmentRepository,
) -> None:
    power, road, fixed, later = (
        routed("Mất điện cả ấp", "tỉnh Bến Tre"),
        routed(POTHOLE, PLACE),
        routed(POTHOLE, PLACE),
        routed(POTHOLE, PLACE),
    )
    for decision in (power, road, fixed, later):
        await store.add_once(decision)
    await store.add_once(routed("xin chào", "không rõ"))  # triage: nobody's work yet
    assert power.body
    assert road.body
    assert power.body.id != road.body.id
    assert power.due_on
    assert road.due_on
    today = max(power.due_on, road.due_on) + timedelta(days=1)
    await store.move(Move(fixed.item_id, expected=Status.ROUTED, status=Status.RESOLVED))
    await store.move(
        Move(later.item_id, expected=Status.ROUTED, status=Status.ACKNOWLEDGED, due_on=today)
    )

    assert await store.workload(today=today) == {
        power.body.id: Workload(open=1, overdue=1),
        road.body.id: Workload(open=2, overdue=1),  # `later` is due today: not overdue yet
    }
    assert await store.workload(today=min(power.due_on, road.due_on)) == {
        power.body.id: Workload(open=1, overdue=0),
        road.body.id: Workload(open=2, overdue=0),
    }


def in_case(case: FeedbackRouted, text: str = POTHOLE) -> FeedbackRouted:
    """An item routed into `case`'s case."""
    item = make_received(text, address=PLACE)
    return routed_event(
        item, route(item, bundled_directory(), fallback_province=None), case.item_id, at=NOW
    )


async def test_the_sweep_reads_only_what_is_due_then_the_cases_still_to_tell(
    store: AssignmentRepository,
) -> None:
    lead, fixed, alone = routed(POTHOLE, PLACE), routed(POTHOLE, PLACE), routed()
    member, not_yet = in_case(lead), in_case(lead)
    for decision in (lead, member, not_yet, fixed, alone):
        await store.add_once(decision)
    await store.add_once(routed("xin chào", "không rõ"))  # triage: no due date
    assert lead.due_on
    assert alone.due_on
    today = max(lead.due_on, alone.due_on) + timedelta(days=1)
    await store.move(Move(fixed.item_id, expected=Status.ROUTED, status=Status.RESOLVED))
    await store.move(
        Move(not_yet.item_id, expected=Status.ROUTED, status=Status.IN_PROGRESS, due_on=today)
    )

    late = sorted(await store.overdue(today=today), key=lambda o: str(o.item_id))

    assert late == sorted(
        [
            Overdue(lead.item_id, lead.item_id, lead.due_on),
            Overdue(member.item_id, lead.item_id, lead.due_on),
            Overdue(alone.item_id, alone.item_id, alone.due_on),
        ],
        key=lambda o: str(o.item_id),
    )
    assert await store.overdue(today=min(lead.due_on, alone.due_on)) == []
    # Every open item of the case, due or not; nothing of the other cases.
    case = await store.open_in_cases(frozenset({lead.item_id}))
    assert sorted(str(a.item_id) for a in case) == sorted(
        str(i) for i in (lead.item_id, member.item_id, not_yet.item_id)
    )
    assert await store.open_in_cases(frozenset()) == []

    change = StatusChanged(
        correlation_id=lead.item_id,
        item_id=lead.item_id,
        tracking_code=lead.tracking_code,
        status=Status.ROUTED,
        change=StatusChange.OVERDUE,
        occurred_at=NOW,
    )
    await store.escalate_once("sent", change)
    await store.mark_published("sent")
    await store.escalate_once("unsent", change)
    assert await store.published_escalations(frozenset({"sent", "unsent", "unknown"})) == frozenset(
        {"sent"}
    )
    assert await store.published_escalations(frozenset()) == frozenset()


async def test_the_workload_gauges_show_what_the_store_holds(
    store: AssignmentRepository,
) -> None:
    clock = TestClock.frozen(NOW)
    parts = router_parts(store, RecordingPublisher(), clock)
    first, second = routed(POTHOLE, PLACE), routed(POTHOLE, PLACE)
    await store.add_once(first)
    await store.add_once(second)
    assert first.body
    assert first.due_on
    await parts.workload()
    clock.set(datetime.combine(first.due_on + timedelta(days=1), NOW.timetz()))
    await store.move(Move(second.item_id, expected=Status.ROUTED, status=Status.RESOLVED))
    await parts.workload()

    samples = {
        (m.name, s.labels["body"]): s.value
        for gauge in (parts.metrics.open_items, parts.metrics.overdue_items)
        for m in gauge.collect()
        for s in m.samples
    }
    assert samples == {
        ("router_items_open", first.body.id): 1,
        ("router_items_overdue", first.body.id): 1,
    }


async def test_notes_are_kept_once_oldest_first_until_published(
    store: AssignmentRepository,
) -> None:
    decision = routed()

    def note(words: str, minutes: int, item_id: UUID = decision.item_id) -> NoteAdded:
        return NoteAdded(
            occurred_at=NOW + timedelta(minutes=minutes), correlation_id=item_id,
            item_id=item_id, tracking_code=decision.tracking_code, kind=NoteKind.FORWARD,
            text=words, actor="operator:mttq-xa", from_level=FrontLevel.COMMUNE,
            to_level=FrontLevel.PROVINCE,
        )  # fmt: skip

    later, sooner, elsewhere = note("sau", 9), note("trước", 1), note("khác", 5, new_id())
    for each in (later, sooner, later, elsewhere):  # `later` retried
        await store.add_note_once(each)

    assert await store.notes(decision.item_id) == [sooner, later]
    assert await store.unpublished_notes(until=NOW + timedelta(minutes=5)) == [sooner, elsewhere]
    await store.note_published(sooner)
    await store.add_note_once(sooner)  # a retry does not make it unpublished again
    assert await store.unpublished_notes(until=NOW + timedelta(hours=1)) == [elsewhere, later]
    assert await store.notes(decision.item_id) == [sooner, later]
