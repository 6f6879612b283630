"""Every in-memory stand-in the tests use, in one place, and the worlds built from them.

A world is a service's real `build(...)` called with these fakes: the same wiring production
uses, with nothing wired again by hand in a test. The contract suites under
`tests/integration/` run the same checks against each fake and its Mongo adapter, so a fake
cannot drift from the real thing.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID

from prometheus_client import CollectorRegistry

from hoiam_router.app import RouterParts, build
from hoiam_router.domain.assignment import Assignment
from hoiam_router.domain.cases import CaseMember
from hoiam_router.domain.directory import Directory
from hoiam_router.handlers import RouteFeedback
from hoiam_router.operations import Operations
from hoiam_router.outbox import Outbox
from hoiam_router.repository import Escalation, ItemEvent
from hoiam_router.settings import RouterSettings
from hoiam_router.sweep import SweepOverdue
from hoiam_shared.events import BodyRef, Event, FeedbackRouted, Status, StatusChanged
from support.clock import TestClock


class RecordingPublisher:
    """Keeps what was published, in order; can be told to fail like a broker that is down."""

    def __init__(self, fail_with: BaseException | None = None) -> None:
        self.published: list[tuple[str, Event]] = []
        self.fail_with = fail_with

    async def publish(self, topic: str, event: Event, *, key: UUID | str) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.published.append((topic, event))

    def of[E: Event](self, kind: type[E]) -> list[E]:
        return [e for _, e in self.published if isinstance(e, kind)]


# =================================================================================================
# intake
# =================================================================================================


# (intake's fakes and world go here)


# =================================================================================================
# router
# =================================================================================================


class InMemoryAssignmentRepository:
    """The router's store in dictionaries; `test_router_repository_contracts` holds it to the
    same contract as `MongoAssignmentRepository`."""

    def __init__(self) -> None:
        self.assignments: dict[UUID, FeedbackRouted] = {}
        self.state: dict[UUID, Assignment] = {}
        self.members: dict[str, CaseMember] = {}
        self.openers: set[str] = set()
        self.events: dict[UUID, list[ItemEvent]] = {}
        self.outbox: dict[UUID, ItemEvent] = {}
        self.learned: list[tuple[str, str]] = []
        self.escalations: dict[str, Escalation] = {}

    async def prepare(self) -> None:
        return None

    async def add_once(
        self,
        decision: FeedbackRouted,
        *,
        address: str | None = None,
        province_hint: str | None = None,
    ) -> FeedbackRouted:
        stored = self.assignments.setdefault(decision.item_id, decision)
        if stored is decision:
            self.state[decision.item_id] = Assignment(
                decision,
                decision.status,
                decision.body,
                decision.due_on,
                decision.case_id,
                decision.category.code,
                address,
                province_hint,
            )
        return stored

    async def get(self, item_id: UUID) -> Assignment | None:
        return self.state.get(item_id)

    async def update(
        self,
        item_id: UUID,
        *,
        expected: Status,
        status: Status,
        body: BodyRef | None = None,
        due_on: date | None = None,
        category: str | None = None,
    ) -> bool:
        current = self.state.get(item_id)
        if current is None or current.status is not expected:
            return False
        self.state[item_id] = replace(
            current,
            status=status,
            body=body or current.body,
            due_on=due_on or current.due_on,
            category=category or current.category,
        )
        return True

    async def set_case(self, item_ids: list[UUID], case_id: UUID) -> None:
        for item_id in item_ids:
            if item_id in self.state:
                self.state[item_id] = replace(self.state[item_id], case_id=case_id)
            if (member := self.members.get(str(item_id))) is not None:
                self.members[str(item_id)] = replace(member, case_id=str(case_id))

    async def in_status(self, statuses: frozenset[Status]) -> list[Assignment]:
        return [a for a in self.state.values() if a.status in statuses]

    async def case_openers(self, area: str, category: str, since: datetime) -> list[CaseMember]:
        return [
            m
            for m in self.members.values()
            if m.item_id in self.openers
            and m.area == area
            and m.category == category
            and m.at >= since
        ]

    async def join_case_once(self, member: CaseMember) -> CaseMember:
        if member.item_id not in self.members and member.case_id == member.item_id:
            self.openers.add(member.item_id)
        return self.members.setdefault(member.item_id, member)

    async def case_items(self, case_id: UUID) -> list[UUID]:
        return sorted(UUID(m.item_id) for m in self.members.values() if m.case_id == str(case_id))

    async def add_history(self, item_id: UUID, event: ItemEvent, *, published: bool = True) -> None:
        events = self.events.setdefault(item_id, [])
        if all(e.event_id != event.event_id for e in events):
            events.append(event)
            if not published:
                self.outbox[event.event_id] = event

    async def history(self, item_id: UUID) -> list[ItemEvent]:
        return sorted(self.events.get(item_id, []), key=lambda e: e.occurred_at)

    async def unpublished(self, *, until: datetime) -> list[ItemEvent]:
        events = [e for e in self.outbox.values() if e.occurred_at <= until]
        return sorted(events, key=lambda e: e.occurred_at)

    async def mark_history_published(self, event_id: UUID) -> None:
        self.outbox.pop(event_id, None)

    async def add_correction(self, item_id: UUID, text: str, category: str, body_id: str) -> None:
        self.learned.append((text, category))

    async def corrections(self) -> list[tuple[str, str]]:
        return list(self.learned)

    async def escalate_once(self, key: str, event: StatusChanged) -> Escalation:
        return self.escalations.setdefault(key, Escalation(key, event, published=False))

    async def mark_published(self, key: str) -> None:
        self.escalations[key] = replace(self.escalations[key], published=True)


ROUTER_MONDAY = datetime(2026, 11, 30, 10, 0)
"""Monday 30/11/2026, 10:00 in Việt Nam: the first working day after the samples' Friday
(`support.samples` receives every item on 27/11/2026), so nothing the samples make is overdue."""


@dataclass(frozen=True)
class RouterWorld:
    """The router's real `build(...)` on fakes: an in-memory store, a recording publisher (set
    `publisher.fail_with` for a broker outage) and a test clock (frozen unless given one)."""

    parts: RouterParts
    store: InMemoryAssignmentRepository
    publisher: RecordingPublisher
    clock: TestClock

    @property
    def route(self) -> RouteFeedback:
        return self.parts.route

    @property
    def ops(self) -> Operations:
        return self.parts.operations

    @property
    def sweep(self) -> SweepOverdue:
        return self.parts.sweep

    @property
    def outbox(self) -> Outbox:
        return self.parts.outbox


def router_world(
    directory: Directory,
    *,
    clock: TestClock | None = None,
    settings: RouterSettings | None = None,
) -> RouterWorld:
    """A router world at `clock` (default: frozen at `ROUTER_MONDAY`), fallback province 86."""
    clock = clock or TestClock.frozen(ROUTER_MONDAY)
    store, publisher = InMemoryAssignmentRepository(), RecordingPublisher()
    parts = build(
        settings or RouterSettings(fallback_province="86"),
        directory=directory,
        assignments=store,
        publisher=publisher,
        clock=clock,
        registry=CollectorRegistry(),
    )
    return RouterWorld(parts, store, publisher, clock)


# =================================================================================================
# notifier
# =================================================================================================


# (notifier's fakes and world go here)
