"""The console with in-memory adapters, for unit tests: stores, an upstream that records what
it was asked (and answers like the router and intake would), and helpers to sign people in."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from argon2 import PasswordHasher
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from hoiam_console.app import ConsoleParts, build, mount_static
from hoiam_console.desk_upstream import (
    CallLogResult,
    CaseResult,
    CitizenSuggestion,
    KeyedCall,
    ManualCallFields,
)
from hoiam_console.dlq import QueueBrief, ReplayDone
from hoiam_console.domain.accounts import Account, Binding, NewAccount
from hoiam_console.domain.readmodel import BodyChoice, Change, ItemRecord, apply_change, record_of
from hoiam_console.domain.sessions import Session
from hoiam_console.pages.erasure import Erased
from hoiam_console.passwords import Passwords
from hoiam_console.settings import ConsoleSettings
from hoiam_console.upstream import Councillor, Task, UpstreamError
from hoiam_shared.events import (
    AreaRef,
    BodyRef,
    CategoryRef,
    Event,
    FeedbackReceived,
    FeedbackRouted,
    NoteKind,
    ResolvedLocation,
    Status,
    StatusChanged,
)
from hoiam_shared.identity import Person, Role
from support.clock import TestClock
from support.compiling import InMemoryCompilations
from support.council import FakeCouncilUpstream, InMemoryReviews
from support.samples import make_received

PASSWORD = "local-demo-only"
TIEU_CAN = "29341-ubnd-xa"
SO_XAY_DUNG = "86-so-xay-dung"


def cheap_passwords() -> Passwords:
    """argon2 with the smallest parameters: tests sign in hundreds of times."""
    return Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


class InMemoryAccounts:
    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}

    async def get(self, username: str) -> Account | None:
        return self.accounts.get(username)

    async def add(self, account: Account) -> bool:
        if account.username in self.accounts:
            return False
        self.accounts[account.username] = account
        return True

    async def all(self) -> list[Account]:
        return [self.accounts[name] for name in sorted(self.accounts)]

    async def set_password(self, username: str, password_hash: str) -> bool:
        found = self.accounts.get(username)
        if found is None:
            return False
        self.accounts[username] = found.model_copy(update={"password_hash": password_hash})
        return True


class InMemorySessions:
    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}

    async def put(self, session: Session) -> None:
        self.sessions[session.token_hash] = session

    async def get(self, token_hash: str) -> Session | None:
        return self.sessions.get(token_hash)

    async def delete(self, token_hash: str) -> None:
        self.sessions.pop(token_hash, None)


class InMemoryFailures:
    def __init__(self) -> None:
        self.failures: list[tuple[str, datetime]] = []

    async def add(self, key: str, at: datetime) -> None:
        self.failures.append((key, at))

    async def since(self, key: str, since: datetime) -> list[datetime]:
        return [at for k, at in self.failures if k == key and at > since]


class InMemoryReadModel:
    """The read model's rules (`apply_change`) on a dict; the contract suite holds the Mongo
    store to the same answers."""

    def __init__(self) -> None:
        self.records: dict[UUID, dict[str, Any]] = {}

    async def prepare(self) -> None:
        return None

    async def apply(self, change: Change) -> bool:
        updated = apply_change(self.records.get(change.item_id, {}), change)
        if updated is None:
            return False
        self.records[change.item_id] = updated
        return True

    async def get(self, item_id: UUID) -> ItemRecord | None:
        found = self.records.get(item_id)
        return record_of(found) if found else None

    async def by_tracking_code(self, tracking_code: str) -> ItemRecord | None:
        for record in self.records.values():
            if record.get("tracking_code") == tracking_code:
                return record_of(record)
        return None

    async def of_session(self, session_id: str) -> list[ItemRecord]:
        return [record_of(r) for r in self.records.values() if r.get("session_id") == session_id]

    async def find(
        self,
        *,
        body_id: str | None = None,
        province_code: str | None = None,
        commune_codes: Sequence[str] | None = None,
        statuses: Sequence[Status] | None = None,
        limit: int = 200,
    ) -> list[ItemRecord]:
        found = []
        for raw in self.records.values():
            if body_id is not None and raw.get("body_id") != body_id:
                continue
            if province_code is not None and raw.get("province_code") not in (province_code, None):
                continue
            if commune_codes is not None and raw.get("commune_code") not in commune_codes:
                continue
            if statuses is not None and raw.get("status") not in {s.value for s in statuses}:
                continue
            found.append(record_of(raw))
        oldest = datetime.min.replace(tzinfo=UTC)
        found.sort(key=lambda r: r.received_at or oldest, reverse=True)
        return found[:limit]

    async def find_requests(
        self,
        *,
        received_from: datetime,
        received_to: datetime,
        category_codes: Sequence[str] | None = None,
        statuses: Sequence[Status] | None = None,
        published_only: bool = False,
        skip: int = 0,
        limit: int = 100,
    ) -> list[ItemRecord]:
        found = [
            record
            for record in map(record_of, self.records.values())
            if record.received_at is not None
            and received_from <= record.received_at <= received_to
            and (category_codes is None or record.category_code in category_codes)
            and (statuses is None or record.status in statuses)
            and (not published_only or record.publication_consent)
        ]
        found.sort(key=lambda r: str(r.item_id))
        found.sort(key=lambda r: r.received_at or datetime.min.replace(tzinfo=UTC), reverse=True)
        return found[skip : skip + limit]


@dataclass
class Call:
    what: str
    person: Person
    args: dict[str, Any]


@dataclass
class FakeUpstream:
    """Records every call with the person it was made for; `refuse` makes the next calls fail
    as the router or intake would (e.g. 409 for a transition it does not allow)."""

    calls: list[Call] = field(default_factory=list)
    bodies_known: list[BodyChoice] = field(
        default_factory=lambda: [
            BodyChoice(id=TIEU_CAN, name="Ủy ban nhân dân xã Tiểu Cần", level="commune"),
            BodyChoice(id=SO_XAY_DUNG, name="Sở Xây dựng tỉnh Vĩnh Long", level="province"),
        ]
    )
    councillors_known: list[Councillor] = field(
        default_factory=lambda: [
            Councillor(
                id="86-hdnd-1-1",
                name="Đại biểu minh họa 1 (ĐVBC số 1)",
                council="HĐND tỉnh Vĩnh Long",
                constituency="Đơn vị bầu cử số 1",
                communes=("29551", "29557"),
            )
        ]
    )
    task_list: list[Task] = field(default_factory=list)
    suggestions_known: list[CitizenSuggestion] = field(default_factory=list)
    refuse: UpstreamError | None = None
    photos: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    def _record(self, what: str, person: Person, **args: Any) -> None:
        if self.refuse is not None:
            raise self.refuse
        self.calls.append(Call(what, person, args))

    async def erase(
        self, person: Person, citizen_id: str, *, verified_by: str, request_ref: str | None
    ) -> Erased:
        self._record("erase", person, citizen_id=citizen_id, verified_by=verified_by,
                     request_ref=request_ref)  # fmt: skip
        return Erased(
            citizen_id=citizen_id, event_id="0190", erased_at="2026-12-02T03:00:00+00:00",
            keys_destroyed=2,
        )  # fmt: skip

    async def change_status(
        self,
        person: Person,
        item_id: UUID,
        *,
        status: str,
        answer: str | None,
        reason: str | None,
        reason_code: str | None = None,
    ) -> None:
        self._record("status", person, item_id=item_id, status=status, answer=answer, reason=reason)

    async def hand_back(self, person: Person, item_id: UUID, *, reason: str) -> None:
        self._record("hand_back", person, item_id=item_id, reason=reason)

    async def reassign(self, person: Person, item_id: UUID, *, body_id: str, reason: str) -> None:
        self._record("reassign", person, item_id=item_id, body_id=body_id, reason=reason)

    async def decide(self, person: Person, item_id: UUID, *, category: str, body_id: str) -> None:
        self._record("decide", person, item_id=item_id, category=category, body_id=body_id)

    async def tasks(self, person: Person, *, state: str | None) -> list[Task]:
        self._record("tasks", person, state=state)
        return [t for t in self.task_list if state is None or t.state == state]

    async def assign_task(self, person: Person, task_id: str) -> None:
        self._record("assign_task", person, task_id=task_id)

    async def finish_task(self, person: Person, task_id: str, *, note: str | None) -> None:
        self._record("finish_task", person, task_id=task_id, note=note)

    async def bodies(self, person: Person, *, province: str | None) -> list[BodyChoice]:
        return list(self.bodies_known)

    async def councillors(self, person: Person, *, province: str | None) -> list[Councillor]:
        return list(self.councillors_known)

    async def photo(self, person: Person, attachment_id: str) -> tuple[bytes, str]:
        self._record("photo", person, attachment_id=attachment_id)
        if attachment_id not in self.photos:
            raise UpstreamError(404, "no such attachment")
        return self.photos[attachment_id]

    # --- the desk's calls (hoiam_console.desk_upstream) -----------------------------------

    async def key_call(self, person: Person, call: ManualCallFields) -> KeyedCall:
        self._record("key_call", person, call=call)
        return KeyedCall(id=uuid5(NAMESPACE_URL, call.call_id), tracking_code="HA-CALL-0001")

    async def upload_call_log(
        self, person: Person, content: bytes, *, log_format: str, content_type: str
    ) -> CallLogResult:
        self._record(
            "call_log", person, content=content, log_format=log_format, content_type=content_type
        )
        lines = [line for line in content.decode().splitlines()[1:] if line.strip()]
        return CallLogResult(accepted=len(lines), duplicates=0, rejected=[], calls=[])

    async def merge_cases(self, person: Person, case_id: UUID, others: list[UUID]) -> CaseResult:
        self._record("merge", person, case_id=case_id, others=others)
        return CaseResult(case_id=case_id, item_ids=[case_id, *others])

    async def split_case(self, person: Person, case_id: UUID, item_ids: list[UUID]) -> CaseResult:
        self._record("split", person, case_id=case_id, item_ids=item_ids)
        return CaseResult(case_id=uuid5(NAMESPACE_URL, str(case_id)), item_ids=item_ids)

    async def citizen_suggestions(self, person: Person) -> list[CitizenSuggestion]:
        self._record("suggestions", person)
        return list(self.suggestions_known)

    async def add_note(self, person: Person, item_id: UUID, *, kind: NoteKind, text: str) -> None:
        self._record("note", person, item_id=item_id, kind=kind, text=text)


@dataclass
class FakeQueues:
    """The dead-letter queues as Kafka would list them; replays recorded."""

    queues_known: list[QueueBrief] = field(default_factory=list)
    replays: list[tuple[str, str]] = field(default_factory=list)

    async def queues(self) -> list[QueueBrief]:
        return list(self.queues_known)

    async def replay(self, *, service: str, topic: str) -> ReplayDone:
        self.replays.append((service, topic))
        return ReplayDone(
            dlqs=[f"{topic}.dlq"], replayed=2, skipped=0, unreadable=0, others=1, held={}
        )


@dataclass
class Console:
    parts: ConsoleParts
    app: FastAPI
    accounts: InMemoryAccounts
    sessions: InMemorySessions
    failures: InMemoryFailures
    read_model: InMemoryReadModel
    upstream: FakeUpstream
    clock: TestClock
    queues: "FakeQueues" = field(default_factory=lambda: FakeQueues())
    council: FakeCouncilUpstream | None = None
    reviews: InMemoryReviews | None = None

    async def project(self, *events: Event) -> None:
        for event in events:
            await self.parts.project(event)


DEMO_ACCOUNTS = (
    NewAccount(
        username="operator",
        display_name="Tổng đài viên MTTQ tỉnh Vĩnh Long",
        role=Role.OPERATOR,
        password=PASSWORD,
        binding=Binding(province_code="86"),
    ),
    NewAccount(
        username="ubnd-tieucan",
        display_name="Cán bộ UBND xã Tiểu Cần",
        role=Role.BODY,
        password=PASSWORD,
        binding=Binding(body_id=TIEU_CAN, body_name="Ủy ban nhân dân xã Tiểu Cần"),
    ),
    NewAccount(
        username="so-xaydung",
        display_name="Cán bộ Sở Xây dựng",
        role=Role.BODY,
        password=PASSWORD,
        binding=Binding(body_id=SO_XAY_DUNG, body_name="Sở Xây dựng tỉnh Vĩnh Long"),
    ),
    NewAccount(
        username="daibieu",
        display_name="Đại biểu HĐND tỉnh",
        role=Role.DELEGATE,
        password=PASSWORD,
        binding=Binding(delegate_id="86-hdnd-1-1", constituency=("29551", "29557")),
    ),
    NewAccount(username="admin", display_name="Quản trị", role=Role.ADMIN, password=PASSWORD),
)


type Adapters = tuple[
    InMemoryAccounts,
    InMemorySessions,
    InMemoryFailures,
    InMemoryReadModel,
    FakeUpstream,
    FakeQueues,
]


def console_parts(
    clock: TestClock,
    *,
    council: FakeCouncilUpstream | None = None,
    reviews: InMemoryReviews | None = None,
) -> tuple[ConsoleParts, ConsoleSettings, Adapters]:
    """The console built on in-memory adapters (no account yet): its parts, settings and the
    adapters (accounts, sessions, failures, read model, upstream, dead-letter queues); the
    session pages' fakes when handed."""
    stores = (InMemoryAccounts(), InMemorySessions(), InMemoryFailures(), InMemoryReadModel())
    upstream = FakeUpstream()
    queues = FakeQueues()
    settings = ConsoleSettings(person_token_secret=None)

    class NoPublisher:
        async def publish(self, topic: str, event: Event, *, key: UUID | str) -> None:
            raise AssertionError("the console publishes nothing but dead letters")

    parts = build(
        settings,
        accounts=stores[0],
        sessions=stores[1],
        failures=stores[2],
        read_model=stores[3],
        upstream=upstream,
        publisher=NoPublisher(),
        passwords=cheap_passwords(),
        clock=clock,
        registry=CollectorRegistry(),
        desk_upstream=upstream,
        dead_letter_queues=queues,
        council_upstream=council,
        reviews=reviews,
        compilation_store=InMemoryCompilations(),
        citizen_eraser=upstream,
    )
    return parts, settings, (*stores, upstream, queues)


async def make_console(
    *, clock: TestClock | None = None, accounts: Sequence[NewAccount] = DEMO_ACCOUNTS
) -> Console:
    """The console built with fakes, its demo accounts made, its app ready for httpx."""
    clock = clock or TestClock.frozen(datetime(2026, 12, 2, 3, 0, tzinfo=UTC))
    council, reviews = FakeCouncilUpstream(clock), InMemoryReviews()
    parts, _, adapters = console_parts(clock, council=council, reviews=reviews)
    for request in accounts:
        await parts.actions.add_account(request, created_by="admin:test")
    app = FastAPI()
    for router in parts.wiring.routers:
        app.include_router(router)
    mount_static(app)
    accounts_, sessions, failures, read_model, upstream, queues = adapters
    return Console(
        parts,
        app,
        accounts_,
        sessions,
        failures,
        read_model,
        upstream,
        clock,
        queues,
        council,
        reviews,
    )


# --- events as the other services publish them ------------------------------------------------

TIEU_CAN_COMMUNE = "29341"


def routed(
    received: FeedbackReceived,
    *,
    body: BodyRef | None,
    at: datetime,
    commune: str = TIEU_CAN_COMMUNE,
    candidates: Sequence[BodyRef] = (),
) -> FeedbackRouted:
    return FeedbackRouted(
        occurred_at=at,
        correlation_id=received.item_id,
        item_id=received.item_id,
        tracking_code=received.tracking_code,
        status=Status.ROUTED if body else Status.TRIAGE,
        category=CategoryRef(code="transport", name="Giao thông"),
        body=body,
        confidence=0.9 if body else 0.3,
        reasons=("từ 'ổ gà' → giao thông", "xã Tiểu Cần"),
        due_on=date(2026, 12, 11) if body else None,
        channel=received.channel,
        citizen=received.citizen,
        text=received.text.normalised,
        received_at=received.received_at,
        location=ResolvedLocation(
            province=AreaRef(code="86", name="Tỉnh Vĩnh Long"),
            commune=AreaRef(code=commune, name="Xã Tiểu Cần"),
        ),
        candidates=tuple(candidates),
    )


def status_changed(
    received: FeedbackReceived,
    status: Status,
    *,
    at: datetime,
    answer: str | None = None,
    case_item_ids: Sequence[UUID] = (),
    body: BodyRef | None = None,
) -> StatusChanged:
    return StatusChanged(
        occurred_at=at,
        correlation_id=received.item_id,
        item_id=received.item_id,
        tracking_code=received.tracking_code,
        status=status,
        answer=answer,
        actor="body:ubnd-tieucan",
        case_item_ids=tuple(case_item_ids),
        body=body,
    )


TIEU_CAN_BODY = BodyRef(id=TIEU_CAN, name="Ủy ban nhân dân xã Tiểu Cần", level="commune")
SO_XAY_DUNG_BODY = BodyRef(id=SO_XAY_DUNG, name="Sở Xây dựng tỉnh Vĩnh Long", level="province")


def received(text: str, *, at: datetime, **options: Any) -> FeedbackReceived:
    """A sample item that intake published at `at` (not at the wall clock's now)."""
    item = make_received(text, **options)
    return item.model_copy(update={"occurred_at": at, "received_at": at})
