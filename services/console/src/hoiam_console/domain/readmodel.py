"""How events become the console's read model: one record per item, built from what the other
services publish (items, routes, statuses, citizens' messages, notifications, tasks).

Each event becomes one `Change` per item it concerns (a case's StatusChanged concerns every item
listed in `case_item_ids`). A store applies a change once per (item, event): a redelivered event
changes nothing. Facts that never change (text, channel) are simply set; what does change
(status, body, due date, routing, case) lives in groups stamped with the event's time, and a
group is only overwritten by a change at least as recent, so an older status delivered late is
not restored, while the body a late routing names still lands if nothing newer named one.
"""

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hoiam_console.domain.access import ItemScope
from hoiam_shared.events import (
    Attachment,
    Channel,
    Event,
    FeedbackMessageAdded,
    FeedbackReceived,
    FeedbackRouted,
    ItemRated,
    MeetingPetition,
    NoteAdded,
    NotificationFailed,
    NotificationSent,
    OperatorTaskOpened,
    RecipientKind,
    RepeatMatch,
    Status,
    StatusChanged,
)

type EntryKind = Literal[
    "received", "routed", "status", "message", "notification", "task", "note", "rated"
]

GROUPS = ("status", "assignment", "due", "routing", "case", "rating")
"""The groups of fields that change over time, each ordered by its own event time."""


class BodyChoice(BaseModel):
    """A body as the console shows and offers it (a triage candidate, a reassignment target)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    level: str = ""


class Entry(BaseModel):
    """One line of an item's history, in the words the pages show."""

    model_config = ConfigDict(frozen=True)

    event_id: UUID
    at: AwareDatetime
    kind: EntryKind
    status: Status | None = None
    change: str | None = None
    actor: str | None = None
    body_name: str | None = None
    text: str | None = None
    reason: str | None = None
    message_kind: str | None = None
    recipient_kind: RecipientKind | None = None
    channel: Channel | None = None
    delivered: bool | None = None
    delivery_id: str | None = None


class ItemRecord(BaseModel):
    """An item as the console knows it (one record of the read model)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    item_id: UUID
    tracking_code: str | None = None
    channel: Channel | None = None
    received_at: AwareDatetime | None = None
    citizen_name: str | None = None
    citizen_id: str | None = None
    publication_consent: bool = False
    subject: str | None = None
    text: str | None = None
    raw_address: str | None = None
    photos: tuple[Attachment, ...] = ()
    """The photos intake stored for the item (web form): staff see them, the public never."""
    # a voters' meeting's item (issue 13): its session and meeting, what the minutes said of it
    session_id: str | None = None
    meeting_id: str | None = None
    meeting: MeetingPetition | None = None
    # status group
    status: Status | None = None
    answer: str | None = None
    # assignment and due groups
    body_id: str | None = None
    body_name: str | None = None
    body_level: str | None = None
    due_on: date | None = None
    # routing group
    category_code: str | None = None
    category_name: str | None = None
    confidence: float | None = None
    reasons: tuple[str, ...] = ()
    candidates: tuple[BodyChoice, ...] = ()
    province_code: str | None = None
    province_name: str | None = None
    commune_code: str | None = None
    commune_name: str | None = None
    triage_reason: str | None = None
    repeat_of: RepeatMatch | None = None
    """A published answer of the same place this item repeats (the router's match)."""
    level: str | None = None
    # case group
    case_id: UUID | None = None
    # rating group (the citizen's rating of the answer, from the public page)
    rating_score: int | None = None
    rating_reason: str | None = None
    history: tuple[Entry, ...] = Field(default=())

    @property
    def scope(self) -> ItemScope:
        return ItemScope(
            body_id=self.body_id, province_code=self.province_code, commune_code=self.commune_code
        )

    def sorted_history(self) -> list[Entry]:
        return sorted(self.history, key=lambda e: e.at)


class Change(BaseModel):
    """What one event does to one item's record."""

    model_config = ConfigDict(frozen=True)

    item_id: UUID
    event_id: UUID
    at: AwareDatetime
    facts: dict[str, Any] = Field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = Field(default_factory=dict)
    entry: Entry


def _entry_change(
    item_id: UUID, event: Event, entry: Entry, facts: dict[str, Any] | None = None
) -> Change:
    """The one change of an event that adds an entry to one item's history."""
    return Change(
        item_id=item_id, event_id=event.event_id, at=event.occurred_at, facts=facts or {},
        entry=entry,
    )  # fmt: skip


def _day(day: date | None) -> str | None:
    """Days are kept as ISO text: BSON has datetimes, not dates."""
    return day.isoformat() if day is not None else None


def _body(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    return {"body_id": body.id, "body_name": body.name, "body_level": body.level}


def _meeting_facts(event: FeedbackReceived | FeedbackRouted) -> dict[str, Any]:
    """The session and meeting an item of a voters' meeting came from (none for other items)."""
    origin = event.origin
    if origin is None or (origin.session_id is None and origin.meeting_id is None):
        return {}
    return {"session_id": origin.session_id, "meeting_id": origin.meeting_id}


def _received(event: FeedbackReceived) -> list[Change]:
    facts = {
        "tracking_code": event.tracking_code,
        "channel": event.channel.value,
        "received_at": event.received_at,
        "citizen_name": event.citizen.name,
        # Kept beside the name so an erasure finds what is this citizen's (issue 12).
        "citizen_id": event.citizen.citizen_id,
        "publication_consent": event.citizen.publication_consent,
        "subject": event.text.subject,
        "text": event.text.normalised,
        "raw_address": event.location.raw_address,
        "photos": [a.model_dump(mode="json") for a in event.attachments if a.id is not None],
        **_meeting_facts(event),
    }
    if event.meeting is not None:
        facts["meeting"] = event.meeting.model_dump(mode="json")
    entry = Entry(event_id=event.event_id, at=event.occurred_at, kind="received", text=None)
    return [
        Change(
            item_id=event.item_id,
            event_id=event.event_id,
            at=event.occurred_at,
            facts=facts,
            groups={"status": {"status": Status.RECEIVED.value}},
            entry=entry,
        )
    ]


def _routed(event: FeedbackRouted) -> list[Change]:
    location = event.location
    facts: dict[str, Any] = {
        "tracking_code": event.tracking_code,
        "channel": event.channel.value,
        "citizen_name": event.citizen.name,
        # Kept beside the name so an erasure finds what is this citizen's (issue 12).
        "citizen_id": event.citizen.citizen_id,
        "publication_consent": event.citizen.publication_consent,
        "subject": event.subject,
        "text": event.text,
        **_meeting_facts(event),
    }
    if event.received_at is not None:
        facts["received_at"] = event.received_at
    routing: dict[str, Any] = {
        "category_code": event.category.code,
        "category_name": event.category.name,
        "confidence": event.confidence,
        "reasons": list(event.reasons),
        "candidates": [{"id": b.id, "name": b.name, "level": b.level} for b in event.candidates],
        "province_code": location.province.code if location and location.province else None,
        "province_name": location.province.name if location and location.province else None,
        "commune_code": location.commune.code if location and location.commune else None,
        "commune_name": location.commune.name if location and location.commune else None,
        "triage_reason": event.triage_reason,
        "repeat_of": event.repeat_of.model_dump(mode="json") if event.repeat_of else None,
        "level": event.level,
    }
    groups = {
        "status": {"status": event.status.value},
        "assignment": _body(event.body) or {"body_id": None, "body_name": None, "body_level": None},
        "due": {"due_on": _day(event.due_on)},
        "routing": routing,
    }
    if event.case_id is not None:
        groups["case"] = {"case_id": str(event.case_id)}
    entry = Entry(
        event_id=event.event_id,
        at=event.occurred_at,
        kind="routed",
        status=event.status,
        body_name=event.body.name if event.body else None,
        reason="; ".join(event.reasons[:3]) or None,
    )
    return [
        Change(
            item_id=event.item_id,
            event_id=event.event_id,
            at=event.occurred_at,
            facts=facts,
            groups=groups,
            entry=entry,
        )
    ]


def _status(event: StatusChanged) -> list[Change]:
    status: dict[str, Any] = {"status": event.status.value}
    if event.answer:
        status["answer"] = event.answer
    groups = {"status": status}
    if event.body is not None:
        groups["assignment"] = _body(event.body)
    if event.due_on is not None:
        groups["due"] = {"due_on": _day(event.due_on)}
    if event.case_id is not None:
        groups["case"] = {"case_id": str(event.case_id)}
    entry = Entry(
        event_id=event.event_id,
        at=event.occurred_at,
        kind="status",
        status=event.status,
        change=event.change.value,
        actor=event.actor,
        body_name=event.body.name if event.body else None,
        text=event.answer,
        reason=event.reason,
    )
    # A case moves as one: the event names its lead item and lists every member.
    targets = dict.fromkeys([event.item_id, *event.case_item_ids])
    return [
        Change(
            item_id=target,
            event_id=event.event_id,
            at=event.occurred_at,
            facts={"tracking_code": event.tracking_code} if target == event.item_id else {},
            groups=groups,
            entry=entry,
        )
        for target in targets
    ]


def _message(event: FeedbackMessageAdded) -> list[Change]:
    entry = Entry(
        event_id=event.event_id,
        at=event.occurred_at,
        kind="message",
        message_kind=event.kind,
        channel=event.channel,
        text=event.text.normalised if event.text else None,
    )
    return [_entry_change(event.item_id, event, entry, {"tracking_code": event.tracking_code})]


def _notification(event: NotificationSent | NotificationFailed) -> list[Change]:
    failed = isinstance(event, NotificationFailed)
    entry = Entry(
        event_id=event.event_id,
        at=event.occurred_at,
        kind="notification",
        recipient_kind=event.recipient_kind,
        channel=event.channel,
        delivered=not failed,
        delivery_id=event.delivery_id,
        reason=event.error if isinstance(event, NotificationFailed) else None,
    )
    return [_entry_change(event.item_id, event, entry, {"tracking_code": event.tracking_code})]


def _task(event: OperatorTaskOpened) -> list[Change]:
    if event.item_id is None:
        return []  # a missed call with no item yet: only the tasks page lists it
    entry = Entry(
        event_id=event.event_id,
        at=event.occurred_at,
        kind="task",
        change=event.kind,
        reason=event.reason,
        text=event.details,
    )
    facts = {"tracking_code": event.tracking_code} if event.tracking_code else {}
    return [
        Change(
            item_id=event.item_id,
            event_id=event.event_id,
            at=event.occurred_at,
            facts=facts,
            entry=entry,
        )
    ]


def _note(event: NoteAdded) -> list[Change]:
    """A note between levels of the Front: its kind in `change`, the levels it went between in
    `message_kind` (``commune province``, or one level for a plain note)."""
    way = " ".join(level.value for level in (event.from_level, event.to_level) if level)
    entry = Entry(
        event_id=event.event_id,
        at=event.occurred_at,
        kind="note",
        change=event.kind.value,
        actor=event.actor,
        text=event.text,
        message_kind=way,
    )
    return [_entry_change(event.item_id, event, entry, {"tracking_code": event.tracking_code})]


def _rated(event: ItemRated) -> list[Change]:
    entry = Entry(
        event_id=event.event_id,
        at=event.occurred_at,
        kind="rated",
        change=str(event.score),
        reason=event.reason,
    )
    return [
        Change(
            item_id=event.item_id,
            event_id=event.event_id,
            at=event.occurred_at,
            facts={"tracking_code": event.tracking_code},
            groups={"rating": {"rating_score": event.score, "rating_reason": event.reason}},
            entry=entry,
        )
    ]


def changes_of(event: Event) -> list[Change]:
    """What `event` does to the read model: one change per item it concerns."""
    if isinstance(event, FeedbackReceived):
        return _received(event)
    if isinstance(event, FeedbackRouted):
        return _routed(event)
    if isinstance(event, StatusChanged):
        return _status(event)
    if isinstance(event, FeedbackMessageAdded):
        return _message(event)
    if isinstance(event, NotificationSent | NotificationFailed):
        return _notification(event)
    if isinstance(event, OperatorTaskOpened):
        return _task(event)
    if isinstance(event, NoteAdded):
        return _note(event)
    if isinstance(event, ItemRated):
        return _rated(event)
    raise TypeError(f"the console does not project {type(event).__name__}")


def apply_change(record: dict[str, Any], change: Change) -> dict[str, Any] | None:
    """The record after `change`, or None when it was already applied (the in-memory rule the
    Mongo store reproduces with atomic updates; both are held equal by one contract suite)."""
    seen: list[str] = record.get("seen", [])
    key = str(change.event_id)
    if key in seen:
        return None
    updated = dict(record) | {"item_id": str(change.item_id)}
    updated |= {k: v for k, v in change.facts.items() if v is not None}
    updated["seen"] = [*seen, key]
    updated["history"] = [*record.get("history", []), change.entry.model_dump(mode="json")]
    for group, fields in change.groups.items():
        stamp = f"{group}_at"
        current: datetime | None = record.get(stamp)
        if current is None or current <= change.at:
            updated |= fields | {stamp: change.at}
    return updated


def record_of(document: dict[str, Any]) -> ItemRecord:
    """The record of a stored document, its history in time order (whatever order the events
    were applied in)."""
    record = ItemRecord.model_validate(document)
    return record.model_copy(
        update={"history": tuple(sorted(record.history, key=lambda e: (e.at, str(e.event_id))))}
    )
