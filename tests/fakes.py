"""Every in-memory stand-in the tests use, in one place, and the worlds built from them.

A world is a service's real `build(...)` called with these fakes: the same wiring production
uses, with nothing wired again by hand in a test. The contract suites under
`tests/integration/` run the same checks against each fake and its Mongo adapter, so a fake
cannot drift from the real thing.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

import httpx
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from hoiam_intake.app import IntakeParts
from hoiam_intake.app import build as build_intake
from hoiam_intake.attachments import StoredAttachment
from hoiam_intake.domain.conversations import Gathering
from hoiam_intake.domain.items import Earlier
from hoiam_intake.domain.matters import Matter
from hoiam_intake.domain.minutes.sessions import Meeting, Session
from hoiam_intake.domain.photos import Photo
from hoiam_intake.domain.tasks import Task, TaskKind, TaskState, opened
from hoiam_intake.gatherings import RECENT_MATTERS
from hoiam_intake.settings import IntakeSettings
from hoiam_intake.store import NAMESAKES, Suggestion
from hoiam_notifier.app import build as build_notifier
from hoiam_notifier.channels.port import Outgoing, SendError
from hoiam_notifier.channels.zalo import ZaloToken
from hoiam_notifier.domain.deliveries import DeliveryStatus, Queued
from hoiam_notifier.domain.knowledge import ROUTING_FIELDS, ContactFact, ItemRecord
from hoiam_notifier.domain.notifications import Notification, Target, Way
from hoiam_notifier.repository import Delivery as StoredDelivery
from hoiam_notifier.repository import plan_key
from hoiam_notifier.settings import NotifierSettings
from hoiam_router.app import RouterParts
from hoiam_router.app import build as build_router
from hoiam_router.domain.assignment import Assignment
from hoiam_router.domain.cases import CaseMember
from hoiam_router.domain.directory import Directory
from hoiam_router.domain.learned import BodyCorrection, CorrectionKind, Predictor
from hoiam_router.domain.lifecycle import OPEN
from hoiam_router.domain.workload import Workload, count_workload
from hoiam_router.handlers import RouteFeedback
from hoiam_router.operations import Operations
from hoiam_router.outbox import Outbox
from hoiam_router.repository import (
    Escalation,
    ItemEvent,
    Move,
    OutboxEntry,
    Overdue,
    correction_of,
)
from hoiam_router.settings import RouterSettings
from hoiam_router.sweep import SweepOverdue
from hoiam_shared.clock import Clock
from hoiam_shared.erasure import Traits, forget, learn, to_delete
from hoiam_shared.events import (
    AnswerPublished,
    Channel,
    CitizenErased,
    Event,
    FeedbackMessageAdded,
    FeedbackReceived,
    FeedbackRouted,
    NoteAdded,
    OperatorTaskOpened,
    Status,
    StatusChanged,
)
from hoiam_shared.kafka import EventPublisher, RecordTooLargeError
from hoiam_shared.vault import DataKey, Vault
from support.clock import TestClock


class InMemoryKeyStore:
    """The vault's data keys in a dict: the fake of `KeyStore` (same contract suite)."""

    def __init__(self) -> None:
        self.keys: dict[str, DataKey] = {}

    async def create(self, key: DataKey, *, at: datetime) -> DataKey:
        return self.keys.setdefault(key.key_id, key)

    async def get(self, key_id: str) -> DataKey | None:
        return self.keys.get(key_id)

    async def bind(self, key_id: str, *, citizen_id: str | None, contacts: Iterable[str]) -> None:
        key = self.keys.get(key_id)
        if key is not None:
            self.keys[key_id] = DataKey(
                key_id=key_id,
                key=key.key,
                citizen_id=citizen_id or key.citizen_id,
                contacts=tuple(dict.fromkeys((*key.contacts, *contacts))),
            )

    async def destroy(
        self, *, citizen_id: str, contacts: Iterable[str], key_ids: Iterable[str] = ()
    ) -> int:
        digests, named = set(contacts), set(key_ids)
        doomed = [
            k.key_id
            for k in self.keys.values()
            if k.citizen_id == citizen_id or digests & set(k.contacts) or k.key_id in named
        ]
        for key_id in doomed:
            del self.keys[key_id]
        return len(doomed)


class InMemoryEraser:
    """A store of plain documents by collection: the fake of `StoreEraser` (same contract)."""

    def __init__(self, collections: dict[str, list[dict[str, Any]]] | None = None) -> None:
        self.collections = collections or {}

    async def learn(self, traits: Traits) -> Traits:
        for documents in self.collections.values():
            for document in documents:
                traits = learn(document, traits)
        return traits

    async def forget(self, traits: Traits) -> int:
        traits = await self.learn(traits)
        changed = 0
        for name, documents in self.collections.items():
            kept = []
            for document in documents:
                masked = forget(document, traits)
                if masked is None:
                    kept.append(document)
                    continue
                changed += 1
                if not to_delete(document, masked):
                    kept.append(masked)
            self.collections[name] = kept
        return changed


VAULT_SECRET = "vault-unit-test-secret"
"""The key of contact digests in a test vault (never a real one)."""


def vault_for(clock: Clock, keys: InMemoryKeyStore | None = None) -> Vault:
    """A vault on an in-memory key store (no cache: a test sees an erasure at once)."""
    return Vault(
        keys or InMemoryKeyStore(), secret=VAULT_SECRET.encode(), clock=clock, ttl_seconds=0
    )


class RecordingPublisher:
    """Keeps what was published, in order; can be told to fail like a broker that is down, and
    to refuse records over `max_record_bytes` as `KafkaEventPublisher` does."""

    def __init__(
        self, fail_with: BaseException | None = None, *, max_record_bytes: int | None = None
    ) -> None:
        self.published: list[tuple[str, Event]] = []
        self.fail_with = fail_with
        self.max_record_bytes = max_record_bytes

    async def publish(self, topic: str, event: Event, *, key: UUID | str) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        size = len(event.to_bytes())
        if self.max_record_bytes is not None and size > self.max_record_bytes:
            raise RecordTooLargeError(f"{event.type} of {size} bytes is too large for Kafka")
        self.published.append((topic, event))

    def of[E: Event](self, kind: type[E]) -> list[E]:
        return [e for _, e in self.published if isinstance(e, kind)]


# =================================================================================================
# intake
# =================================================================================================


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


class InMemoryAttachmentStore:
    """The photos' bytes in a dict: fake `AttachmentStore` (same contract suite as Mongo's)."""

    def __init__(self) -> None:
        self.stored: dict[str, StoredAttachment] = {}

    async def prepare(self) -> None:
        return None

    async def keep(self, photo: Photo, *, at: datetime) -> None:
        self.stored.setdefault(
            photo.content_id,
            StoredAttachment(
                id=photo.content_id,
                content_type=photo.content_type,
                sha256=photo.sha256,
                data=photo.data,
                item_ids=(),
            ),
        )

    async def link(self, ids: Sequence[str], item_id: UUID) -> None:
        for i in ids:
            if (found := self.stored.get(i)) is not None and str(item_id) not in found.item_ids:
                self.stored[i] = replace(found, item_ids=(*found.item_ids, str(item_id)))

    async def get(self, attachment_id: str) -> StoredAttachment | None:
        return self.stored.get(attachment_id)

    async def forget(self, *, item_ids: Iterable[UUID]) -> int:
        gone = {str(i) for i in item_ids}
        deleted = 0
        for key, found in list(self.stored.items()):
            if not gone & set(found.item_ids):
                continue
            left = tuple(i for i in found.item_ids if i not in gone)
            if left:
                self.stored[key] = replace(found, item_ids=left)
            else:
                del self.stored[key]
                deleted += 1
        return deleted


class InMemoryIntakeStore:
    """Intake's claims, citizens, threads, rate counts, suggestions, events: fake `IntakeStore`."""

    def __init__(self) -> None:
        self.claims: set[str] = set()
        self.fingerprints: dict[str, str] = {}
        self.hits: dict[str, tuple[int, int]] = {}
        self.contacts: dict[str, str] = {}
        self.names: dict[str, list[str]] = {}
        self.suggested: dict[str, Suggestion] = {}
        self.message_ids: dict[str, Earlier] = {}
        self.recorded: dict[str, dict[str, Event]] = {}

    async def prepare(self) -> None:
        return None

    async def claim(self, key: str) -> bool:
        if key in self.claims:
            return False
        self.claims.add(key)
        return True

    async def claim_with(self, key: str, fingerprint: str) -> str | None:
        if key in self.claims:
            return self.fingerprints.get(key, "")
        self.claims.add(key)
        self.fingerprints[key] = fingerprint
        return None

    async def claimed(self, key: str) -> bool:
        return key in self.claims

    async def count_hit(self, key: str, window: int) -> int:
        at, count = self.hits.get(key, (window, 0))
        self.hits[key] = (window, count + 1 if at == window else 1)
        return self.hits[key][1]

    async def find_contacts(self, keys: Sequence[str]) -> dict[str, str]:
        return {k: self.contacts[k] for k in keys if k in self.contacts}

    async def bind_contact(self, key: str, citizen_id: str) -> str:
        return self.contacts.setdefault(key, citizen_id)

    async def bind_contacts(self, keys: Sequence[str], citizen_id: str) -> dict[str, str]:
        taken = {key: self.contacts[key] for key in keys if key in self.contacts}
        for key in keys:
            self.contacts.setdefault(key, citizen_id)
        return taken

    async def add_name(self, name_key: str, citizen_id: str) -> list[str]:
        known = self.names.setdefault(name_key, [])
        if citizen_id not in known:
            known.append(citizen_id)
        return [c for c in known if c != citizen_id][:NAMESAKES]

    async def suggest(self, suggestion: Suggestion) -> None:
        self.suggested.setdefault(suggestion.id, suggestion)

    async def suggest_all(self, suggestions: Sequence[Suggestion]) -> None:
        for suggestion in suggestions:
            self.suggested.setdefault(suggestion.id, suggestion)

    async def suggestions(self, limit: int = 100) -> list[Suggestion]:
        return list(self.suggested.values())[:limit]

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

    async def events_of_item[E: Event](
        self, kind: str, model: type[E], item_id: UUID, limit: int = 1000
    ) -> list[E]:
        recorded = self.recorded.get(kind, {}).values()
        about = [e for e in recorded if getattr(e, "item_id", None) == item_id]
        about.sort(key=lambda e: e.occurred_at)
        return [model.model_validate(e.model_dump()) for e in about][:limit]


class InMemoryErasureLog:
    """Intake's erasures, reading the contact bindings of an `InMemoryIntakeStore`."""

    def __init__(self, store: "InMemoryIntakeStore", items: "InMemoryItemRepository") -> None:
        self._store = store
        self.items = items.items
        self.erasures: dict[str, CitizenErased] = {}

    async def contacts_of(self, citizen_id: str) -> list[str]:
        return [k for k, c in self._store.contacts.items() if c == citizen_id]

    async def items_of(self, citizen_id: str) -> list[str]:
        return [str(i) for i, item in self.items.items() if item.citizen.citizen_id == citizen_id]

    async def record(self, erased: CitizenErased) -> CitizenErased:
        return self.erasures.setdefault(erased.citizen_id, erased)

    async def find(self, citizen_id: str) -> CitizenErased | None:
        return self.erasures.get(citizen_id)


class InMemoryTaskList:
    """The operators' task list in a dict: the fake of `TaskList` (same contract suite)."""

    def __init__(self) -> None:
        self.tasks: dict[str, Task] = {}

    async def prepare(self) -> None:
        return None

    async def open_once(self, event: OperatorTaskOpened) -> Task:
        return self.tasks.setdefault(event.task_id, opened(event))

    async def get(self, task_id: str) -> Task | None:
        return self.tasks.get(task_id)

    async def find(
        self, *, state: TaskState | None = None, kind: TaskKind | None = None, limit: int = 100
    ) -> list[Task]:
        found = [
            t
            for t in self.tasks.values()
            if (state is None or t.state is state) and (kind is None or t.kind == kind)
        ]
        found.sort(key=lambda t: t.task_id)
        found.sort(key=lambda t: t.opened.opened_at, reverse=True)
        return found[:limit]

    async def save(self, task: Task) -> bool:
        stored = self.tasks.get(task.task_id)
        if stored is None or stored.version != task.version - 1:
            return False
        self.tasks[task.task_id] = task
        return True


class InMemorySessionStore:
    """`SessionStore` in memory: sessions and meetings by id, a meeting added once."""

    def __init__(self) -> None:
        self.by_id: dict[str, Session] = {}
        self.meetings: dict[str, Meeting] = {}

    async def prepare(self) -> None:
        return None

    async def add_session(self, session: Session) -> None:
        self.by_id.setdefault(session.id, session)

    async def session(self, session_id: str) -> Session | None:
        return self.by_id.get(session_id)

    async def sessions(self, limit: int = 100) -> list[Session]:
        ordered = sorted(self.by_id.values(), key=lambda s: (s.opens_on, s.id), reverse=True)
        return ordered[:limit]

    async def meeting(self, meeting_id: str) -> Meeting | None:
        return self.meetings.get(meeting_id)

    async def add_meeting(self, meeting: Meeting) -> tuple[Meeting, bool]:
        if meeting.id in self.meetings:
            return self.meetings[meeting.id], False
        self.meetings[meeting.id] = meeting
        return meeting, True

    async def meetings_of(self, session_id: str) -> list[Meeting]:
        mine = [m for m in self.meetings.values() if m.session_id == session_id]
        return sorted(mine, key=lambda m: (m.held_on, m.id))


class InMemoryMailboxState:
    """The IMAP poller's marks in a dict: the fake of `MailboxState`."""

    def __init__(self) -> None:
        self.marks: dict[str, tuple[int, int]] = {}

    async def get(self, mailbox: str) -> tuple[int, int] | None:
        return self.marks.get(mailbox)

    async def set(self, mailbox: str, uidvalidity: int, uid: int) -> None:
        self.marks[mailbox] = (uidvalidity, uid)


class InMemoryConversationStore:
    """Chat gatherings and citizens' matters in dicts: the fake of `ConversationStore`."""

    def __init__(self) -> None:
        self.gatherings: dict[str, Gathering] = {}
        self.kept: dict[str, Matter] = {}

    async def prepare(self) -> None:
        return None

    async def gathering(self, key: str) -> Gathering | None:
        return self.gatherings.get(key)

    async def save_gathering(self, gathering: Gathering, *, expected: int | None) -> bool:
        current = self.gatherings.get(gathering.key)
        if (current.version if current is not None else None) != expected:
            return False
        self.gatherings[gathering.key] = gathering
        return True

    async def unpublished(self) -> list[Gathering]:
        return [g for g in self.gatherings.values() if g.state != "published"]

    async def add_matter(self, matter: Matter) -> None:
        self.kept.setdefault(f"{matter.item_id}|{matter.citizen_id}", matter)

    async def matters(self, citizen_ids: Sequence[str], *, since: datetime) -> list[Matter]:
        found: list[Matter] = []
        for citizen_id in dict.fromkeys(citizen_ids):
            mine = [m for m in self.kept.values() if m.citizen_id == citizen_id and m.at >= since]
            found += sorted(mine, key=lambda m: m.at, reverse=True)[:RECENT_MATTERS]
        return found


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
    tasks: InMemoryTaskList
    conversations: InMemoryConversationStore
    sessions: InMemorySessionStore
    marks: InMemoryMailboxState
    publisher: EventPublisher
    parts: IntakeParts
    attachments: "InMemoryAttachmentStore"
    vault: Vault
    erasures: InMemoryErasureLog

    @property
    def published(self) -> RecordingPublisher:
        """What intake published, when this world records it (the default publisher)."""
        assert isinstance(self.publisher, RecordingPublisher), "this world publishes elsewhere"
        return self.publisher

    def restarted(self) -> "IntakeWorld":
        """Intake started again on the same stores (what a restart keeps), publishing anew."""
        publisher = RecordingPublisher()
        parts = build_intake(
            self.settings,
            items=self.items,
            store=self.store,
            tasks=self.tasks,
            conversations=self.conversations,
            sessions=self.sessions,
            attachments=self.attachments,
            mailbox_state=self.marks,
            publisher=publisher,
            clock=self.clock,
            registry=CollectorRegistry(),
            vault=self.vault,
            erasures=self.erasures,
        )
        return replace(self, publisher=publisher, parts=parts)

    def http(self, *, client_ip: str = "127.0.0.1") -> httpx.AsyncClient:
        """A client of intake's HTTP routes, served in this process, calling from `client_ip`."""
        app = FastAPI()
        for router in self.parts.wiring.routers:
            app.include_router(router)
        transport = httpx.ASGITransport(app=app, client=(client_ip, 50000))
        return httpx.AsyncClient(transport=transport, base_url="http://intake")


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
    tasks = InMemoryTaskList()
    conversations = InMemoryConversationStore()
    sessions = InMemorySessionStore()
    attachments = InMemoryAttachmentStore()
    publisher = publisher or RecordingPublisher()
    vault = vault_for(world_clock)
    erasures = InMemoryErasureLog(store, items)
    parts = build_intake(
        settings,
        items=items,
        store=store,
        tasks=tasks,
        conversations=conversations,
        sessions=sessions,
        attachments=attachments,
        mailbox_state=marks,
        publisher=publisher,
        clock=world_clock,
        registry=CollectorRegistry(),
        vault=vault,
        erasures=erasures,
    )
    return IntakeWorld(
        settings=settings,
        clock=world_clock,
        items=items,
        store=store,
        tasks=tasks,
        conversations=conversations,
        sessions=sessions,
        marks=marks,
        publisher=publisher,
        parts=parts,
        attachments=attachments,
        vault=vault,
        erasures=erasures,
    )


# =================================================================================================
# router
# =================================================================================================


class InMemoryPublishedAnswerStore:
    """The router's published answers in a dictionary (contract: test_router_published_store)."""

    def __init__(self) -> None:
        self.answers: dict[str, AnswerPublished] = {}

    async def prepare(self) -> None:
        return None

    async def put(self, event: AnswerPublished) -> bool:
        stored = self.answers.get(event.publication_id)
        if stored is not None and stored.published_at >= event.published_at:
            return False
        self.answers[event.publication_id] = event
        return True

    async def current(self) -> list[AnswerPublished]:
        return [a for a in self.answers.values() if not a.withdrawn]


class InMemoryAssignmentRepository:
    """The router's store in dictionaries; `test_router_repository_contracts` holds it to the
    same contract as `MongoAssignmentRepository`."""

    def __init__(self) -> None:
        self.assignments: dict[UUID, FeedbackRouted] = {}
        self.state: dict[UUID, Assignment] = {}
        self.members: dict[str, CaseMember] = {}
        self.openers: set[str] = set()
        self.events: dict[UUID, list[ItemEvent]] = {}
        self.outbox: dict[UUID, OutboxEntry] = {}
        self.learned: list[tuple[str, str]] = []
        self.taught: list[BodyCorrection] = []
        self.escalations: dict[str, Escalation] = {}
        self.citizen_messages: dict[UUID, FeedbackMessageAdded] = {}
        self.front_notes: dict[UUID, tuple[NoteAdded, bool]] = {}

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

    async def by_tracking_code(self, tracking_code: str) -> Assignment | None:
        return next(
            (a for a in self.state.values() if a.routed.tracking_code == tracking_code), None
        )

    async def move(self, move: Move, *, outbox: tuple[OutboxEntry, ...] = ()) -> bool:
        current = self.state.get(move.item_id)
        if current is None or current.status is not move.expected:
            return False
        self.state[move.item_id] = replace(
            current,
            status=move.status,
            body=move.body or current.body,
            due_on=move.due_on or current.due_on,
            category=move.category or current.category,
            case_id=move.case_id or current.case_id,
        )
        for entry in outbox:
            self.outbox[entry.event.event_id] = entry
        if move.case_id is not None and (member := self.members.get(str(move.item_id))):
            self.members[str(move.item_id)] = replace(member, case_id=str(move.case_id))
        return True

    async def in_status(self, statuses: frozenset[Status]) -> list[Assignment]:
        return [a for a in self.state.values() if a.status in statuses]

    async def overdue(self, *, today: date) -> list[Overdue]:
        return [
            Overdue(item_id=a.item_id, case_id=a.case_id or a.item_id, due_on=due)
            for a in self.state.values()
            if (due := a.overdue_since(today)) is not None
        ]

    async def open_in_cases(self, case_ids: frozenset[UUID]) -> list[Assignment]:
        return [
            a
            for a in self.state.values()
            if a.status in OPEN and (a.case_id or a.item_id) in case_ids
        ]

    async def published_escalations(self, keys: frozenset[str]) -> frozenset[str]:
        return frozenset(k for k in keys if (e := self.escalations.get(k)) and e.published)

    async def workload(self, *, today: date) -> dict[str, Workload]:
        return count_workload(self.state.values(), today=today)

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

    async def case_assignments(self, case_id: UUID) -> list[Assignment]:
        return [self.state[i] for i in await self.case_items(case_id) if i in self.state]

    async def add_history(self, item_id: UUID, event: ItemEvent) -> None:
        case = event.case_item_ids if isinstance(event, StatusChanged) else ()
        for owner in dict.fromkeys((item_id, *case)):
            events = self.events.setdefault(owner, [])
            if all(e.event_id != event.event_id for e in events):
                events.append(event)

    async def history(self, item_id: UUID) -> list[ItemEvent]:
        return sorted(self.events.get(item_id, []), key=lambda e: e.occurred_at)

    async def unpublished(self, *, until: datetime) -> list[OutboxEntry]:
        entries = [e for e in self.outbox.values() if e.event.occurred_at <= until]
        return sorted(entries, key=lambda e: e.event.occurred_at)

    async def published(self, entry: OutboxEntry) -> None:
        for event in entry.events:
            await self.add_history(event.item_id, event)
        self.outbox.pop(entry.event.event_id, None)

    async def add_message_once(self, message: FeedbackMessageAdded) -> None:
        self.citizen_messages.setdefault(message.event_id, message)

    async def messages(self, item_id: UUID) -> list[FeedbackMessageAdded]:
        found = [m for m in self.citizen_messages.values() if m.item_id == item_id]
        return sorted(found, key=lambda m: m.occurred_at)

    async def add_correction(
        self,
        item_id: UUID,
        text: str,
        category: str,
        body_id: str,
        *,
        kind: CorrectionKind = "decision",
        province: str | None = None,
    ) -> None:
        if kind == "decision":
            self.learned.append((text, category))
        self.taught.append(
            correction_of(
                {
                    "text": text,
                    "category": category,
                    "body_id": body_id,
                    "kind": kind,
                    "province": province,
                }
            )
        )

    async def corrections(self) -> list[tuple[str, str]]:
        return list(self.learned)

    async def body_corrections(self) -> list[BodyCorrection]:
        return list(self.taught)

    async def escalate_once(self, key: str, event: StatusChanged) -> Escalation:
        return self.escalations.setdefault(key, Escalation(key, event, published=False))

    async def mark_published(self, key: str) -> None:
        self.escalations[key] = replace(self.escalations[key], published=True)

    async def add_note_once(self, note: NoteAdded) -> None:
        self.front_notes.setdefault(note.event_id, (note, False))

    async def notes(self, item_id: UUID) -> list[NoteAdded]:
        found = [n for n, _ in self.front_notes.values() if n.item_id == item_id]
        return sorted(found, key=lambda n: n.occurred_at)

    async def unpublished_notes(self, *, until: datetime) -> list[NoteAdded]:
        found = [n for n, done in self.front_notes.values() if not done and n.occurred_at <= until]
        return sorted(found, key=lambda n: n.occurred_at)

    async def note_published(self, note: NoteAdded) -> None:
        self.front_notes[note.event_id] = (note, True)


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
    published: InMemoryPublishedAnswerStore

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
    publisher: EventPublisher | None = None,
    model: Predictor | None = None,
) -> RouterWorld:
    """A router world at `clock` (default: frozen at `ROUTER_MONDAY`), fallback province 86;
    rules only unless a learned `model` is given;
    `publisher` is shared when several services' worlds talk (the recorder then stays empty)."""
    clock = clock or TestClock.frozen(ROUTER_MONDAY)
    store, recorder = InMemoryAssignmentRepository(), RecordingPublisher()
    published = InMemoryPublishedAnswerStore()
    parts = build_router(
        settings or RouterSettings(fallback_province="86"),
        directory=directory,
        assignments=store,
        publisher=publisher or recorder,
        clock=clock,
        registry=CollectorRegistry(),
        published=published,
        model=model,
    )
    return RouterWorld(parts, store, recorder, clock, published)


# =================================================================================================
# notifier
# =================================================================================================


# The notifier's in-memory stores (contract: tests/integration/test_notifier_store_contracts.py),
# its fake sender and token store (contract: tests/integration/test_notifier_channels.py), and
# `NotifierWorld`: the real `hoiam_notifier.app.build` on them.


class InMemoryDeliveryRepository:
    def __init__(self) -> None:
        self.intents: dict[str, tuple[Notification, Target]] = {}
        self.finished: dict[str, tuple[UUID, DeliveryStatus, Event | None]] = {}
        self.plans: dict[str, Notification] = {}

    async def claim(self, notification: Notification) -> Notification:
        return self.plans.setdefault(plan_key(notification), notification)

    async def begin(
        self, delivery_id: str, notification: Notification, target: Target
    ) -> StoredDelivery:
        if delivery_id not in self.intents:
            self.intents[delivery_id] = (notification, target)
            return StoredDelivery(delivery_id, DeliveryStatus.PENDING, None, fresh=True)
        if delivery_id in self.finished:
            _, status, outcome = self.finished[delivery_id]
            return StoredDelivery(delivery_id, status, outcome)
        return StoredDelivery(delivery_id, DeliveryStatus.PENDING)

    async def finish(
        self, delivery_id: str, *, item_id: UUID, status: DeliveryStatus, outcome: Event | None
    ) -> None:
        self.finished.setdefault(delivery_id, (item_id, status, outcome))

    async def outcomes(self, item_id: UUID) -> list[tuple[str, DeliveryStatus]]:
        return [(d, s) for d, (i, s, _) in self.finished.items() if i == item_id]


class InMemoryNotifierItems:
    """The notifier's item store (named apart from intake's item store, which is another port)."""

    def __init__(self) -> None:
        self.items: dict[UUID, ItemRecord] = {}

    async def remember(self, record: ItemRecord) -> ItemRecord:
        return self.items.setdefault(record.item_id, record)

    async def rerouted(self, record: ItemRecord) -> None:
        if (stored := self.items.get(record.item_id)) is not None:
            routing = {f: getattr(record, f) for f in ROUTING_FIELDS}
            self.items[record.item_id] = stored.model_copy(update=routing)

    async def find(self, item_ids: tuple[UUID, ...]) -> list[ItemRecord]:
        return [self.items[i] for i in item_ids if i in self.items]

    async def moved(self, statuses: Mapping[UUID, Status]) -> None:
        for item_id, status in statuses.items():
            if (record := self.items.get(item_id)) is not None:
                self.items[item_id] = record.model_copy(update={"status": status})


class InMemoryContactRepository:
    def __init__(self) -> None:
        self.facts_by_key: dict[str, ContactFact] = {}

    async def record(self, fact: ContactFact) -> None:
        self.facts_by_key.setdefault(fact.key, fact)

    async def facts(self, contacts: list[tuple[Channel, str]]) -> list[ContactFact]:
        wanted = set(contacts)
        return [f for f in self.facts_by_key.values() if (f.channel, f.address) in wanted]


class InMemoryQueueRepository:
    def __init__(self) -> None:
        self.queued: dict[str, Queued] = {}

    async def put(self, queued: Queued) -> None:
        self.queued.setdefault(queued.key, queued)

    async def due(self, now: datetime) -> list[Queued]:
        return sorted((q for q in self.queued.values() if q.due_at <= now), key=lambda q: q.due_at)

    async def remove(self, key: str) -> None:
        self.queued.pop(key, None)


class InMemoryTokenStore:
    def __init__(self) -> None:
        self.token: ZaloToken | None = None

    async def load(self) -> ZaloToken | None:
        return self.token

    async def save(self, token: ZaloToken) -> None:
        self.token = token


@dataclass
class InMemorySender:
    """Records what it was given; `script[address]` lists errors to raise before accepting."""

    sent: list[Outgoing] = field(default_factory=list)
    script: dict[str, list[SendError]] = field(default_factory=dict)
    attempts: int = 0

    async def send(self, outgoing: Outgoing) -> str:
        self.attempts += 1
        queued = self.script.get(outgoing.target.address)
        if queued:
            raise queued.pop(0)
        self.sent.append(outgoing)
        return f"memory-{outgoing.target.way.value}-{len(self.sent)}"


NOTIFIER_SETTINGS: dict[str, object] = {
    "console_base_url": "http://console",
    "public_base_url": "http://public",
    "retry_backoff_seconds": 0.001,
    # Every channel is configured (the fakes stand in for the providers), so ZNS and SMS are
    # planned; the credentials are never used.
    "zalo_app_id": "fake-app",
    "zalo_zns_template_id": "fake-template",
    "sms_api_url": "http://sms.invalid/send",
}

PROVIDER_WAYS = tuple(way for way in Way if way is not Way.CALL_BACK)
"""Every way a provider carries (a call-back is a task for a person)."""


class NotifierWorld:
    """The notifier as production wires it (`build`), on in-memory stores and senders.

    `clock` is the test's (a frozen moment for unit tests); `settings` override
    `NOTIFIER_SETTINGS`; `publisher` is shared when several services' worlds talk; `ways` are
    the ways with a (fake) provider, every one but the call-back by default.
    """

    def __init__(
        self,
        clock: TestClock,
        *,
        publisher: EventPublisher | None = None,
        ways: Iterable[Way] = PROVIDER_WAYS,
        **settings: object,
    ) -> None:
        self.clock = clock
        self.settings = NotifierSettings.model_validate(NOTIFIER_SETTINGS | settings)
        self.deliveries = InMemoryDeliveryRepository()
        self.items = InMemoryNotifierItems()
        self.contacts = InMemoryContactRepository()
        self.queue = InMemoryQueueRepository()
        self.senders: dict[Way, InMemorySender] = {way: InMemorySender() for way in ways}
        self.published = RecordingPublisher()
        self.registry = CollectorRegistry()
        self.parts = build_notifier(
            self.settings,
            deliveries=self.deliveries,
            items=self.items,
            contacts=self.contacts,
            queue=self.queue,
            senders=dict(self.senders),
            publisher=publisher or self.published,
            clock=clock,
            registry=self.registry,
        )
        self.notifier = self.parts.notifier

    def sent(self, way: Way) -> list[str]:
        """The addresses `way` accepted a message for, in order."""
        return [o.target.address for o in self.senders[way].sent]

    def metric(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0
