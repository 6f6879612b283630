"""The operator's desk, the delegate's list, the Front's levels and the dashboard: one function
per action, called by the JSON API and the pages alike (as `actions.Actions` for the core).
Reads come from the read model through `Actions` (so one scope rule decides); changes go to
intake or the router with the person token; the DLQ is read from Kafka."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import uuid4

from hoiam_console.actions import Actions
from hoiam_console.desk_upstream import (
    CallLogResult,
    CaseResult,
    CitizenSuggestion,
    DeskUpstream,
    KeyedCall,
    ManualCallFields,
)
from hoiam_console.dlq import SERVICES, DeadLetterQueues, QueueBrief, ReplayDone
from hoiam_console.domain.access import ForbiddenError, inbox_scope, may_act, may_read, require
from hoiam_console.domain.dashboard import (
    CommuneFlow,
    Dashboard,
    commune_flows,
    dashboard,
    overdue_first,
)
from hoiam_console.domain.readmodel import ItemRecord
from hoiam_console.ports import ReadModel
from hoiam_console.upstream import UpstreamError
from hoiam_shared.clock import Clock, vietnam_date
from hoiam_shared.events import Channel, NoteKind
from hoiam_shared.identity import Person, Role
from hoiam_shared.topics import ALL_TOPICS

INCOMING_PER_CHANNEL = 20
WHOLE_SCOPE = 5000
"""The dashboard and the Front's counts read this many of the newest items of one's scope."""
KAFKA_SECONDS = 20.0

CALL_LOG_FORMATS = ("asterisk-cdr", "queue-log", "csv")


def is_front(person: Person) -> bool:
    return person.role in (Role.OPERATOR, Role.ADMIN)


def is_commune_front(person: Person) -> bool:
    return person.role is Role.OPERATOR and person.commune_code is not None


def may_write(person: Person, kind: NoteKind) -> bool:
    """A commune's Front forwards up; the province's sends instructions and questions down;
    either writes a plain note (an answer to a question is one); admins everything."""
    if person.role is Role.ADMIN:
        return True
    if person.role is not Role.OPERATOR:
        return False
    if kind is NoteKind.NOTE:
        return True
    if is_commune_front(person):
        return kind is NoteKind.FORWARD
    return kind in (NoteKind.INSTRUCTION, NoteKind.QUESTION)


class NoQueues:
    """Where Kafka is not wired (tests of other pages): the DLQ page says so, a 503."""

    async def queues(self) -> list[QueueBrief]:
        raise UpstreamError(503, "the dead-letter queues are not reachable from here")

    async def replay(self, *, service: str, topic: str) -> ReplayDone:
        raise UpstreamError(503, "the dead-letter queues are not reachable from here")


@dataclass(frozen=True, slots=True)
class FrontView:
    """What a Front operator's page shows: the commune's items on every channel (commune), or
    the communes' flows (province), and the items that carry notes between the levels."""

    level: str
    flows: list[CommuneFlow]
    by_channel: dict[str, list[ItemRecord]]
    exchanged: list[ItemRecord]


class Desk:
    def __init__(
        self,
        *,
        actions: Actions,
        read_model: ReadModel,
        upstream: DeskUpstream,
        queues: DeadLetterQueues,
        clock: Clock,
    ) -> None:
        self._actions = actions
        self._items = read_model
        self._upstream = upstream
        self._queues = queues
        self._clock = clock

    def require_front(self, person: Person, what: str) -> None:
        require(is_front(person), what)

    def today(self) -> date:
        return vietnam_date(self._clock())

    async def _scope(self, person: Person, *, limit: int) -> list[ItemRecord]:
        """Everything `person` may read, newest first: the inbox's query with a larger limit,
        and the same rule (`may_read`) deciding each item."""
        scope = inbox_scope(person)
        communes = (scope.commune_code,) if scope.commune_code is not None else scope.communes
        found = await self._items.find(
            body_id=scope.body_id,
            province_code=scope.province_code if communes is None else None,
            commune_codes=communes,
            limit=limit,
        )
        return [item for item in found if may_read(person, item.scope)]

    # --- incoming, live per channel --------------------------------------------------------

    async def incoming(self, person: Person) -> dict[str, list[ItemRecord]]:
        require(is_front(person), "incoming items are the operators'")
        found = await self._actions.inbox(person)
        return per_channel(found, limit=INCOMING_PER_CHANNEL)

    # --- calls -----------------------------------------------------------------------------

    async def key_call(
        self,
        person: Person,
        *,
        caller: str,
        text: str,
        name: str | None = None,
        address: str | None = None,
        call_id: str | None = None,
    ) -> KeyedCall:
        require(is_front(person), "keying in calls is the operators'")
        if not caller.strip() or len(text.strip()) < 3:
            raise ValueError("a call needs the caller's number and what they said")
        call = ManualCallFields(
            # The form's own id: a double click or a re-sent form is one call, not two.
            call_id=(call_id or "").strip() or f"console-{uuid4()}",
            caller=caller.strip(),
            text=text.strip(),
            name=(name or "").strip() or None,
            address=(address or "").strip() or None,
        )
        return await self._upstream.key_call(person, call)

    async def upload_call_log(
        self, person: Person, content: bytes, *, log_format: str, content_type: str | None
    ) -> CallLogResult:
        require(is_front(person), "call logs are the operators'")
        if log_format not in CALL_LOG_FORMATS:
            raise ValueError(f"the format is one of {', '.join(CALL_LOG_FORMATS)}")
        if not content.strip():
            raise ValueError("the call log is empty")
        kind = (content_type or "").split(";")[0].strip()
        if kind not in ("text/csv", "text/plain"):
            kind = "text/csv"  # browsers name .csv files variously; intake reads the bytes
        return await self._upstream.upload_call_log(
            person, content, log_format=log_format, content_type=f"{kind}; charset=utf-8"
        )

    # --- cases -----------------------------------------------------------------------------

    async def _case_of(self, person: Person, code: str) -> ItemRecord:
        item = await self._actions.item(person, code)
        require(may_act(person, item.scope), "you may follow this item, not change its case")
        return item

    async def merge(self, person: Person, code: str, others: Sequence[str]) -> CaseResult:
        require(is_front(person), "merging cases is the operators'")
        wanted = [o.strip() for o in others if o.strip()]
        if not wanted:
            raise ValueError("name the tracking codes to merge into this case")
        target = await self._case_of(person, code)
        joining = [await self._case_of(person, other) for other in wanted]
        return await self._upstream.merge_cases(
            person,
            target.case_id or target.item_id,
            [i.case_id or i.item_id for i in joining],
        )

    async def split(self, person: Person, code: str, leaving: Sequence[str]) -> CaseResult:
        require(is_front(person), "splitting cases is the operators'")
        wanted = [o.strip() for o in leaving if o.strip()]
        if not wanted:
            raise ValueError("name the tracking codes that leave the case")
        target = await self._case_of(person, code)
        items = [await self._case_of(person, other) for other in wanted]
        return await self._upstream.split_case(
            person, target.case_id or target.item_id, [i.item_id for i in items]
        )

    async def suggestions(self, person: Person) -> list[CitizenSuggestion]:
        require(is_front(person), "citizen records are the operators'")
        return await self._upstream.citizen_suggestions(person)

    # --- dead letters ----------------------------------------------------------------------

    async def dead_letters(self, person: Person) -> list[QueueBrief]:
        require(is_front(person), "the dead-letter queues are the operators'")
        try:
            return await asyncio.wait_for(self._queues.queues(), KAFKA_SECONDS)
        except TimeoutError:
            raise UpstreamError(503, "Kafka did not answer in time; retry") from None

    async def replay(self, person: Person, *, service: str, topic: str) -> ReplayDone:
        require(is_front(person), "replaying dead letters is the operators'")
        if service not in SERVICES:
            raise ValueError(f"the service is one of {', '.join(SERVICES)}")
        if topic not in ALL_TOPICS:
            raise ValueError(f"no topic {topic!r}")
        try:
            return await asyncio.wait_for(
                self._queues.replay(service=service, topic=topic), KAFKA_SECONDS * 3
            )
        except TimeoutError:
            raise UpstreamError(503, "Kafka did not answer in time; retry") from None

    # --- the delegate ----------------------------------------------------------------------

    async def constituency(self, person: Person) -> list[ItemRecord]:
        if person.role not in (Role.DELEGATE, Role.ADMIN):
            raise ForbiddenError("this list is a delegate's constituency")
        found = await self._scope(person, limit=WHOLE_SCOPE)
        return overdue_first(found, today=self.today())

    # --- the Front's levels ----------------------------------------------------------------

    async def front(self, person: Person) -> FrontView:
        require(is_front(person), "the Front's levels are the operators'")
        found = await self._scope(person, limit=WHOLE_SCOPE)
        exchanged = [i for i in found if any(e.kind == "note" for e in i.history)]
        if is_commune_front(person):
            return FrontView(
                level="commune",
                flows=commune_flows(found, today=self.today()),
                by_channel=per_channel(found, limit=WHOLE_SCOPE),
                exchanged=exchanged,
            )
        return FrontView(
            level="province",
            flows=commune_flows(found, today=self.today()),
            by_channel={},
            exchanged=exchanged,
        )

    async def add_note(self, person: Person, code: str, *, kind: str, text: str) -> ItemRecord:
        if kind not in {k.value for k in NoteKind}:
            raise ValueError(f"the kind is one of {', '.join(NoteKind)}")
        chosen = NoteKind(kind)
        require(may_write(person, chosen), f"you may not write a {kind} here")
        if not text.strip():
            raise ValueError("write the note")
        item = await self._actions.item(person, code)
        await self._upstream.add_note(person, item.item_id, kind=chosen, text=text.strip())
        return item

    # --- the dashboard ---------------------------------------------------------------------

    async def dashboard(self, person: Person) -> Dashboard:
        found = await self._scope(person, limit=WHOLE_SCOPE)
        return dashboard(found, today=self.today())


def per_channel(items: Sequence[ItemRecord], *, limit: int) -> dict[str, list[ItemRecord]]:
    """Newest first on each channel, every channel listed (an empty one says so)."""
    grouped: dict[str, list[ItemRecord]] = {channel.value: [] for channel in Channel}
    for item in items:
        if item.channel is not None and len(grouped[item.channel.value]) < limit:
            grouped[item.channel.value].append(item)
    return grouped
