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


# Imports here, not in the header, so each service's section stays its own.
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from prometheus_client import CollectorRegistry  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from hoiam_intake.app import IntakeParts  # noqa: E402
from hoiam_intake.app import build as build_intake  # noqa: E402
from hoiam_intake.domain.items import Earlier, in_window  # noqa: E402
from hoiam_intake.settings import IntakeSettings  # noqa: E402
from hoiam_intake.store import NAMESAKES, Suggestion  # noqa: E402
from hoiam_shared.events import FeedbackReceived  # noqa: E402
from hoiam_shared.kafka import EventPublisher  # noqa: E402
from support.clock import TestClock  # noqa: E402

INTAKE_ID_SECRET = "intake-unit-id-secret"
"""The key of derived item ids and tracking codes in an intake world (never a real one)."""


class InMemoryItemRepository:
    """Intake's items in a dict: the fake of `ItemRepository` (same contract suite)."""

    def __init__(self) -> None:
        self.items: dict[UUID, FeedbackReceived] = {}

    async def prepare(self) -> None:
        return None

    async def add_once(self, item: FeedbackReceived) -> FeedbackReceived:
        return self.items.setdefault(item.item_id, item)

    async def get(self, item_id: UUID) -> FeedbackReceived | None:
        return self.items.get(item_id)

    async def find_by_tracking_code(self, code: str) -> FeedbackReceived | None:
        return next((i for i in self.items.values() if i.tracking_code == code), None)


class InMemoryIntakeStore:
    """Intake's claims, citizens, threads, tasks and suggestions: the fake of `IntakeStore`."""

    def __init__(self) -> None:
        self.claims: set[str] = set()
        self.contacts: dict[str, str] = {}
        self.names: dict[str, list[str]] = {}
        self.suggested: dict[str, Suggestion] = {}
        self.texts: dict[str, tuple[Earlier, datetime]] = {}
        self.message_ids: dict[str, Earlier] = {}
        self.recorded: dict[str, dict[str, Event]] = {}

    async def prepare(self) -> None:
        return None

    async def claim(self, key: str) -> bool:
        if key in self.claims:
            return False
        self.claims.add(key)
        return True

    async def find_contacts(self, keys: Sequence[str]) -> dict[str, str]:
        return {k: self.contacts[k] for k in keys if k in self.contacts}

    async def bind_contact(self, key: str, citizen_id: str) -> str:
        return self.contacts.setdefault(key, citizen_id)

    async def add_name(self, name_key: str, citizen_id: str) -> list[str]:
        known = self.names.setdefault(name_key, [])
        if citizen_id not in known:
            known.append(citizen_id)
        return [c for c in known if c != citizen_id][:NAMESAKES]

    async def suggest(self, suggestion: Suggestion) -> None:
        self.suggested.setdefault(suggestion.id, suggestion)

    async def suggestions(self, limit: int = 100) -> list[Suggestion]:
        return list(self.suggested.values())[:limit]

    async def claim_text(
        self, key: str, earlier: Earlier, at: datetime, window: timedelta
    ) -> Earlier | None:
        stored, stored_at = self.texts.setdefault(key, (earlier, at))
        found, renew = in_window(stored, stored_at, earlier, at, window)
        if renew:
            self.texts[key] = (earlier, at)
        return found

    async def index_message_ids(self, ids: Sequence[str], item: Earlier) -> None:
        for message_id in ids:
            self.message_ids.setdefault(message_id, item)

    async def find_message(self, ids: Sequence[str]) -> Earlier | None:
        return next((self.message_ids[i] for i in ids if i in self.message_ids), None)

    async def record_event[E: Event](self, kind: str, key: str, event: E) -> E:
        stored = self.recorded.setdefault(kind, {}).setdefault(key, event)
        return type(event).model_validate(stored.model_dump())

    async def events[E: Event](self, kind: str, model: type[E], limit: int = 100) -> list[E]:
        recorded = self.recorded.get(kind, {}).values()
        return [model.model_validate(e.model_dump()) for e in recorded][:limit]


class InMemoryMailboxState:
    """The IMAP poller's marks in a dict: the fake of `MailboxState`."""

    def __init__(self) -> None:
        self.marks: dict[str, tuple[int, int]] = {}

    async def get(self, mailbox: str) -> tuple[int, int] | None:
        return self.marks.get(mailbox)

    async def set(self, mailbox: str, uidvalidity: int, uid: int) -> None:
        self.marks[mailbox] = (uidvalidity, uid)


def intake_settings(**fields: Any) -> IntakeSettings:
    """Intake's settings for a test: a test id secret unless `fields` name another."""
    return IntakeSettings(**({"id_secret": SecretStr(INTAKE_ID_SECRET)} | fields))


@dataclass(frozen=True)
class IntakeWorld:
    """Intake as its real `build` wires it, on the fakes above, reading a test clock."""

    settings: IntakeSettings
    clock: TestClock
    items: InMemoryItemRepository
    store: InMemoryIntakeStore
    marks: InMemoryMailboxState
    publisher: EventPublisher
    parts: IntakeParts

    @property
    def published(self) -> RecordingPublisher:
        """What intake published, when this world records it (the default publisher)."""
        assert isinstance(self.publisher, RecordingPublisher), "this world publishes elsewhere"
        return self.publisher

    def http(self) -> httpx.AsyncClient:
        """A client of intake's HTTP routes, served in this process."""
        app = FastAPI()
        for router in self.parts.wiring.routers:
            app.include_router(router)
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake")


def intake_world(
    *, clock: TestClock | None = None, publisher: EventPublisher | None = None, **fields: Any
) -> IntakeWorld:
    """Intake on fakes; `fields` are settings (see `intake_settings`), `clock` the time it reads
    (default: the suite's shifted now), `publisher` where its events go (default: a recorder; a
    `KafkaEventPublisher` on FastStream's in-memory broker chains it to other services, with
    `subscribe_all(broker, world.parts.wiring, world.settings)`)."""
    settings = intake_settings(**fields)
    world_clock = clock or TestClock.shifted()
    items, store, marks = InMemoryItemRepository(), InMemoryIntakeStore(), InMemoryMailboxState()
    publisher = publisher or RecordingPublisher()
    parts = build_intake(
        settings,
        items=items,
        store=store,
        mailbox_state=marks,
        publisher=publisher,
        clock=world_clock,
        registry=CollectorRegistry(),
    )
    return IntakeWorld(
        settings=settings,
        clock=world_clock,
        items=items,
        store=store,
        marks=marks,
        publisher=publisher,
        parts=parts,
    )


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
