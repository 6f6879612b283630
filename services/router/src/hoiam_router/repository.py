"""Where the router keeps its state: a port and its MongoDB adapter (the in-memory fake, which
the same contract suite checks, is in tests/fakes.py).

Collections: `assignments` (one per item, insert-first, the first decision wins; the current
status, body and due date beside it, and the item's outbox: the status changes not yet
published, written by the same single-document update that changes the status, because
FerretDB has no multi-document transactions), `case_members` (one per item, insert-first),
`history` (every published event about an item, for the audit and the operator's view),
`corrections` (operators' triage decisions, learned from), `escalations` (one per case and
due date, so the sweep escalates once), `citizen_messages` (what citizens added to an item, one
per message event, for the operator's view) and `notes` (what the levels of the Front wrote on an
item, one per `NoteAdded`, kept until the broker took it and after, for the item's history).
"""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol, cast
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from hoiam_router.domain.assignment import Assignment
from hoiam_router.domain.cases import CaseMember
from hoiam_router.domain.learned import BodyCorrection, CorrectionKind
from hoiam_router.domain.lifecycle import OPEN
from hoiam_router.domain.workload import Workload, combine
from hoiam_shared.clock import Clock
from hoiam_shared.events import (
    BodyRef,
    FeedbackMessageAdded,
    FeedbackRouted,
    NoteAdded,
    Status,
    StatusChanged,
)
from hoiam_shared.mongo import Document, InsertBatcher, insert_once

type ItemEvent = FeedbackRouted | StatusChanged
"""What an item's history holds: its routings and its status changes."""


@dataclass(frozen=True, slots=True)
class Move:
    """One item's part in a change: a compare-and-set from `expected` to `status`; a field
    given as None stays as it is (`case_id` moves the item to another case)."""

    item_id: UUID
    expected: Status
    status: Status
    body: BodyRef | None = None
    due_on: date | None = None
    category: str | None = None
    case_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A status change waiting in its item's document until the broker took it, with what
    comes with it: the moves of the other members of the case (`follow`, applied again after a
    crash, each a compare-and-set) and the new routings a reassignment publishes (`reroutes`)."""

    event: StatusChanged
    follow: tuple[Move, ...] = ()
    reroutes: tuple[FeedbackRouted, ...] = ()

    @property
    def events(self) -> tuple[ItemEvent, ...]:
        return (self.event, *self.reroutes)


@dataclass(frozen=True, slots=True)
class Overdue:
    """An open item past its due date, as the sweep first reads it: three fields, no event."""

    item_id: UUID
    case_id: UUID
    due_on: date


@dataclass(frozen=True, slots=True)
class Escalation:
    """The sweep's record that an item was reported overdue for one due date (`key`)."""

    key: str
    event: StatusChanged
    published: bool


class AssignmentRepository(Protocol):
    async def prepare(self) -> None:
        """Create what the store needs (indexes) before the service starts."""
        ...

    async def add_once(
        self,
        decision: FeedbackRouted,
        *,
        address: str | None = None,
        province_hint: str | None = None,
    ) -> FeedbackRouted:
        """Store the decision unless the item has one; return the stored one (first write wins)."""
        ...

    async def get(self, item_id: UUID) -> Assignment | None: ...

    async def by_tracking_code(self, tracking_code: str) -> Assignment | None:
        """The item with that tracking code (HA-7K3Q-92), as `get` gives it."""
        ...

    async def move(self, move: Move, *, outbox: tuple[OutboxEntry, ...] = ()) -> bool:
        """Compare-and-set on the status, and the `outbox` entries added to the item in the same
        single-document update: both or neither. False (and nothing written) when the item was
        no longer `move.expected`."""
        ...

    async def in_status(self, statuses: frozenset[Status]) -> list[Assignment]: ...

    async def overdue(self, *, today: date) -> list[Overdue]:
        """The open items past their due date on `today` (not on the due date itself), each with
        its case (its own id when it has none): only those, and only these fields."""
        ...

    async def open_in_cases(self, case_ids: frozenset[UUID]) -> list[Assignment]:
        """The open items of these cases (an item without a case is its own), in full."""
        ...

    async def published_escalations(self, keys: frozenset[str]) -> frozenset[str]:
        """Which of these escalations are recorded as published."""
        ...

    async def workload(self, *, today: date) -> dict[str, Workload]:
        """Body id → its open items and those past their due date on `today`, for the bodies
        with an open item: counted by the store, not by reading the items."""
        ...

    async def case_openers(self, area: str, category: str, since: datetime) -> list[CaseMember]:
        """The member that opened each case of `area` and `category` since `since`: a new item
        is compared with these, one per case, so a case of thousands costs one comparison."""
        ...

    async def join_case_once(self, member: CaseMember) -> CaseMember:
        """The item's case membership: this one, or the one stored before (first write wins)."""
        ...

    async def case_items(self, case_id: UUID) -> list[UUID]: ...

    async def case_assignments(self, case_id: UUID) -> list[Assignment]:
        """The assignments of the case's items, in the order of `case_items` (one read for them
        all, not one per item)."""
        ...

    async def add_history(self, item_id: UUID, event: ItemEvent) -> None:
        """Record a published event about an item once."""
        ...

    async def history(self, item_id: UUID) -> list[ItemEvent]:
        """Every event about the item or its case's change that included it, oldest first."""
        ...

    async def unpublished(self, *, until: datetime) -> list[OutboxEntry]:
        """Outbox entries of changes that occurred until `until` (inclusive) whose publish has
        not been confirmed, oldest first."""
        ...

    async def published(self, entry: OutboxEntry) -> None:
        """The broker took the entry's events: into the history, out of the outbox."""
        ...

    async def add_message_once(self, message: FeedbackMessageAdded) -> None:
        """Record what a citizen added to an item (by event id: a redelivery adds nothing)."""
        ...

    async def messages(self, item_id: UUID) -> list[FeedbackMessageAdded]:
        """What the citizen added to the item, oldest first."""
        ...

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
        """An operator's or body's word on an item: a triage decision or a reassignment (this
        body), a hand-back (not this body)."""
        ...

    async def corrections(self) -> list[tuple[str, str]]:
        """(text, category) of the triage decisions: what the category learns from."""
        ...

    async def body_corrections(self) -> list[BodyCorrection]:
        """Every correction of a body, oldest first: what the body memory learns from."""
        ...

    async def escalate_once(self, key: str, event: StatusChanged) -> Escalation: ...

    async def mark_published(self, key: str) -> None: ...

    async def add_note_once(self, note: NoteAdded) -> None:
        """Record a note on an item, not yet published (by event id: a retry adds nothing)."""
        ...

    async def notes(self, item_id: UUID) -> list[NoteAdded]:
        """The notes on the item, oldest first."""
        ...

    async def unpublished_notes(self, *, until: datetime) -> list[NoteAdded]:
        """Notes written until `until` (inclusive) that the broker has not taken yet."""
        ...

    async def note_published(self, note: NoteAdded) -> None: ...


_KINDS: dict[str, CorrectionKind] = {
    "decision": "decision",
    "reassignment": "reassignment",
    "hand_back": "hand_back",
}


def correction_of(doc: Mapping[str, Any]) -> BodyCorrection:
    """A stored correction as the body memory reads it (the body id's key: `86-so-y-te` →
    `so-y-te`; the province from the id when the record has none)."""
    body_id = str(doc["body_id"])
    prefix, _, key = body_id.partition("-")
    province = doc.get("province") or (prefix if len(prefix) == 2 else "")
    return BodyCorrection(
        kind=_KINDS.get(str(doc.get("kind")), "decision"),
        province=str(province),
        category=str(doc["category"]),
        body_key=key,
        text=str(doc["text"]),
    )


def _event(doc: dict[str, Any]) -> ItemEvent:
    if doc["type"] == FeedbackRouted.TYPE:
        return FeedbackRouted.model_validate(doc)
    return StatusChanged.model_validate(doc)


def _history_items(item_id: UUID, event: ItemEvent) -> list[str]:
    """Whose history an event is in: its item's, and every item of the case it moved."""
    case = event.case_item_ids if isinstance(event, StatusChanged) else ()
    return list(dict.fromkeys(str(i) for i in (item_id, *case)))


def _move_doc(move: Move) -> Document:
    return {
        "item_id": str(move.item_id),
        "expected": move.expected.value,
        "status": move.status.value,
        "body": move.body.model_dump(mode="json") if move.body else None,
        "due_on": move.due_on.isoformat() if move.due_on else None,
        "category": move.category,
        "case_id": str(move.case_id) if move.case_id else None,
    }


def _move(doc: dict[str, Any]) -> Move:
    return Move(
        item_id=UUID(doc["item_id"]),
        expected=Status(doc["expected"]),
        status=Status(doc["status"]),
        body=BodyRef.model_validate(doc["body"]) if doc.get("body") else None,
        due_on=date.fromisoformat(doc["due_on"]) if doc.get("due_on") else None,
        category=doc.get("category"),
        case_id=UUID(doc["case_id"]) if doc.get("case_id") else None,
    )


def _entry_doc(entry: OutboxEntry) -> Document:
    return {
        "event": entry.event.model_dump(mode="json"),
        "follow": [_move_doc(m) for m in entry.follow],
        "reroutes": [r.model_dump(mode="json") for r in entry.reroutes],
    }


def _entry(doc: dict[str, Any]) -> OutboxEntry:
    return OutboxEntry(
        event=StatusChanged.model_validate(doc["event"]),
        follow=tuple(_move(m) for m in doc.get("follow", ())),
        reroutes=tuple(FeedbackRouted.model_validate(r) for r in doc.get("reroutes", ())),
    )


def _member_doc(member: CaseMember) -> Document:
    return {
        "case_id": member.case_id,
        "area": member.area,
        "category": member.category,
        "terms": sorted(member.terms),
        "at": member.at,
        # A case is named after the item that opened it; only openers are compared with.
        "opener": member.case_id == member.item_id,
    }


def _member(item_id: str, doc: dict[str, Any]) -> CaseMember:
    at = doc["at"]
    return CaseMember(
        item_id=item_id,
        case_id=str(doc["case_id"]),
        area=str(doc["area"]),
        category=str(doc["category"]),
        terms=frozenset(doc["terms"]),
        at=at if at.tzinfo else at.replace(tzinfo=UTC),
    )


class MongoAssignmentRepository:
    """One document per item with the published event inside, so a replay republishes it as is
    (same event_id), and the fields operators query on beside it."""

    def __init__(self, db: AsyncDatabase[Document], *, clock: Clock) -> None:
        self._clock = clock  # for the audit fields: when decided, updated, corrected
        self._assignments = db["assignments"]
        self._members = db["case_members"]
        self._history = db["history"]
        self._corrections = db["corrections"]
        self._escalations = db["escalations"]
        self._messages = db["citizen_messages"]
        self._notes = db["notes"]
        # The writes of every routed item: the partitions of a batch share their round trips.
        self._new_assignments = InsertBatcher(self._assignments)
        self._new_members = InsertBatcher(self._members)
        self._new_history = InsertBatcher(self._history)

    async def prepare(self) -> None:
        await self._assignments.create_index("tracking_code", unique=True)
        await self._assignments.create_index([("body_id", 1), ("status", 1)])
        await self._assignments.create_index([("status", 1), ("due_on", 1)])
        await self._members.create_index([("area", 1), ("category", 1), ("opener", 1)])
        await self._members.create_index("case_id")
        await self._history.create_index("item_id")
        await self._history.create_index("items")
        await self._messages.create_index("item_id")
        await self._notes.create_index("item_id")
        await self._notes.create_index([("published", 1), ("at", 1)])

    async def add_once(
        self,
        decision: FeedbackRouted,
        *,
        address: str | None = None,
        province_hint: str | None = None,
    ) -> FeedbackRouted:
        document: Document = {
            "tracking_code": decision.tracking_code,
            "status": decision.status.value,
            "body_id": decision.body.id if decision.body else None,
            "body": decision.body.model_dump(mode="json") if decision.body else None,
            "category": decision.category.code,
            "due_on": decision.due_on.isoformat() if decision.due_on else None,
            "case_id": str(decision.case_id) if decision.case_id else None,
            "address": address,
            "province_hint": province_hint,
            "decided_at": self._clock(),
            "event": decision.model_dump(mode="json"),
        }
        stored, _ = await self._new_assignments.insert_once(str(decision.item_id), document)
        if stored is None:
            raise ValueError(
                f"tracking code {decision.tracking_code} is already used by another item"
            )
        return FeedbackRouted.model_validate(stored["event"])

    @staticmethod
    def _assignment(doc: dict[str, Any]) -> Assignment:
        return Assignment(
            routed=FeedbackRouted.model_validate(doc["event"]),
            status=Status(doc["status"]),
            body=BodyRef.model_validate(doc["body"]) if doc.get("body") else None,
            due_on=date.fromisoformat(doc["due_on"]) if doc.get("due_on") else None,
            case_id=UUID(doc["case_id"]) if doc.get("case_id") else None,
            category=str(doc["category"]),
            address=doc.get("address"),
            province_hint=doc.get("province_hint"),
        )

    async def get(self, item_id: UUID) -> Assignment | None:
        doc = await self._assignments.find_one({"_id": str(item_id)})
        return self._assignment(doc) if doc else None

    async def by_tracking_code(self, tracking_code: str) -> Assignment | None:
        doc = await self._assignments.find_one({"tracking_code": tracking_code})
        return self._assignment(doc) if doc else None

    async def move(self, move: Move, *, outbox: tuple[OutboxEntry, ...] = ()) -> bool:
        changes: Document = {"status": move.status.value, "updated_at": self._clock()}
        if move.body is not None:
            changes |= {"body": move.body.model_dump(mode="json"), "body_id": move.body.id}
        if move.due_on is not None:
            changes["due_on"] = move.due_on.isoformat()
        if move.category is not None:
            changes["category"] = move.category
        if move.case_id is not None:
            changes["case_id"] = str(move.case_id)
        for entry in outbox:
            # One field per entry (a map keyed by event id): FerretDB cannot `$pull` by a
            # condition, but it can `$unset` one field.
            changes[f"outbox.{entry.event.event_id}"] = _entry_doc(entry)
        result = await self._assignments.update_one(
            {"_id": str(move.item_id), "status": move.expected.value}, {"$set": changes}
        )
        if result.modified_count != 1:
            return False
        if move.case_id is not None:
            # The membership follows; a crash before it is repaired when the entry that carries
            # this move is applied again.
            await self._members.update_one(
                {"_id": str(move.item_id)}, {"$set": {"case_id": str(move.case_id)}}
            )
        return True

    async def in_status(self, statuses: frozenset[Status]) -> list[Assignment]:
        cursor = self._assignments.find({"status": {"$in": [s.value for s in statuses]}})
        return [self._assignment(doc) async for doc in cursor]

    async def overdue(self, *, today: date) -> list[Overdue]:
        # One read per open status: FerretDB 1.24 hands an equality on a field to PostgreSQL (an
        # index scan) but reads the whole collection for `$in` (docs/operations.md). Due dates
        # are ISO strings, which sort as the dates do; a missing one is no string. Only three
        # fields come back, and nothing is validated.
        due: Document = {"$lt": today.isoformat()}
        late: list[Overdue] = []
        for status in sorted(s.value for s in OPEN):
            cursor = self._assignments.find(
                {"status": status, "due_on": due}, {"case_id": 1, "due_on": 1}
            )
            late += [
                Overdue(
                    item_id=UUID(str(doc["_id"])),
                    case_id=UUID(str(doc.get("case_id") or doc["_id"])),
                    due_on=date.fromisoformat(str(doc["due_on"])),
                )
                async for doc in cursor
            ]
        return late

    async def open_in_cases(self, case_ids: frozenset[UUID]) -> list[Assignment]:
        # Equalities, each answered by an index on FerretDB too: the members of each case; the
        # item a case is named after is one of them unless it was stored before cases existed
        # (no `case_id`), and only then is it read by its id.
        async def members(case_id: UUID) -> list[dict[str, Any]]:
            found = await self._assignments.find({"case_id": str(case_id)}).to_list()
            if all(str(doc["_id"]) != str(case_id) for doc in found):
                namesake = await self._assignments.find_one({"_id": str(case_id)})
                found += [namesake] if namesake and not namesake.get("case_id") else []
            return found

        read = await asyncio.gather(*(members(case_id) for case_id in sorted(case_ids)))
        held = [self._assignment(doc) for docs in read for doc in docs]
        return [a for a in held if a.status in OPEN and (a.case_id or a.item_id) in case_ids]

    async def published_escalations(self, keys: frozenset[str]) -> frozenset[str]:
        # By `_id`, one each (an index on FerretDB, where `$in` would read every escalation ever
        # recorded): a round asks only about the cases late now.
        found = await asyncio.gather(
            *(self._escalations.find_one({"_id": key}, {"published": 1}) for key in sorted(keys))
        )
        return frozenset(str(doc["_id"]) for doc in found if doc and doc.get("published"))

    async def workload(self, *, today: date) -> dict[str, Workload]:
        open_counts: dict[str, int] = {}
        overdue_counts: dict[str, int] = {}
        # Per open status, as in `overdue`: an equality FerretDB hands to PostgreSQL.
        for status in sorted(s.value for s in OPEN):
            open_items: Document = {"status": status}
            overdue: Document = open_items | {"due_on": {"$lt": today.isoformat()}}
            for counts, match in ((open_counts, open_items), (overdue_counts, overdue)):
                for body, items in (await self._per_body(match)).items():
                    counts[body] = counts.get(body, 0) + items
        return combine(open_counts, overdue_counts)

    async def _per_body(self, match: Document) -> dict[str, int]:
        cursor = await self._assignments.aggregate(
            [{"$match": match}, {"$group": {"_id": "$body_id", "items": {"$sum": 1}}}]
        )
        counts: dict[str, int] = {}
        async for doc in cursor:
            body, items = doc["_id"], doc["items"]
            if body is not None:  # an open item always has a body; a stray one is not counted
                counts[str(body)] = cast(int, items)
        return counts

    async def case_openers(self, area: str, category: str, since: datetime) -> list[CaseMember]:
        cursor = self._members.find(
            {"area": area, "category": category, "opener": True, "at": {"$gte": since}}
        )
        return [_member(str(doc["_id"]), doc) async for doc in cursor]

    async def join_case_once(self, member: CaseMember) -> CaseMember:
        stored, _ = await self._new_members.insert_once(member.item_id, _member_doc(member))
        return _member(member.item_id, stored or _member_doc(member))  # only `_id` is unique

    async def case_items(self, case_id: UUID) -> list[UUID]:
        cursor = self._members.find({"case_id": str(case_id)}, {"_id": 1})
        return sorted([UUID(str(doc["_id"])) async for doc in cursor])

    async def case_assignments(self, case_id: UUID) -> list[Assignment]:
        ids = [str(i) for i in await self.case_items(case_id)]
        found = {doc["_id"]: doc async for doc in self._assignments.find({"_id": {"$in": ids}})}
        return [self._assignment(found[i]) for i in ids if i in found]

    async def add_history(self, item_id: UUID, event: ItemEvent) -> None:
        record: Document = {
            "items": _history_items(item_id, event),
            **event.model_dump(mode="json"),
        }
        await self._new_history.insert_once(str(event.event_id), record)

    async def history(self, item_id: UUID) -> list[ItemEvent]:
        # Records written before `items` existed name only their own item.
        cursor = self._history.find(
            {"$or": [{"items": str(item_id)}, {"item_id": str(item_id)}]},
            {"_id": 0, "items": 0, "published": 0},
        )
        return sorted([_event(doc) async for doc in cursor], key=lambda e: e.occurred_at)

    async def unpublished(self, *, until: datetime) -> list[OutboxEntry]:
        cursor = self._assignments.find({"outbox": {"$exists": True, "$ne": {}}}, {"outbox": 1})
        entries: list[OutboxEntry] = []
        async for doc in cursor:
            held: dict[str, dict[str, Any]] = doc["outbox"]  # type: ignore[assignment]
            entries += [e for raw in held.values() if (e := _entry(raw)).event.occurred_at <= until]
        return sorted(entries, key=lambda e: e.event.occurred_at)

    async def published(self, entry: OutboxEntry) -> None:
        # At once, so the history's writer takes them in one command.
        await asyncio.gather(*(self.add_history(e.item_id, e) for e in entry.events))
        await self._assignments.update_one(
            {"_id": str(entry.event.item_id)},
            {"$unset": {f"outbox.{entry.event.event_id}": ""}},
        )

    async def add_message_once(self, message: FeedbackMessageAdded) -> None:
        record: Document = {
            "item_id": str(message.item_id),
            "event": message.model_dump(mode="json"),
        }
        await insert_once(self._messages, str(message.event_id), record)

    async def messages(self, item_id: UUID) -> list[FeedbackMessageAdded]:
        cursor = self._messages.find({"item_id": str(item_id)})
        found = [FeedbackMessageAdded.model_validate(doc["event"]) async for doc in cursor]
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
        await self._corrections.insert_one(
            {
                "item_id": str(item_id),
                "text": text,
                "category": category,
                "body_id": body_id,
                "kind": kind,
                "province": province,
                "at": self._clock(),
            }
        )

    async def corrections(self) -> list[tuple[str, str]]:
        cursor = self._corrections.find({}, {"text": 1, "category": 1, "kind": 1})
        return [
            (str(doc["text"]), str(doc["category"]))
            async for doc in cursor
            if doc.get("kind", "decision") == "decision"
        ]

    async def body_corrections(self) -> list[BodyCorrection]:
        cursor = self._corrections.find({}).sort([("at", 1), ("_id", 1)])
        return [correction_of(doc) async for doc in cursor]

    async def escalate_once(self, key: str, event: StatusChanged) -> Escalation:
        record: Document = {"event": event.model_dump(mode="json"), "published": False}
        stored, _ = await insert_once(self._escalations, key, record)
        stored = stored or record  # only `_id` is unique here
        return Escalation(
            key, StatusChanged.model_validate(stored["event"]), bool(stored["published"])
        )

    async def mark_published(self, key: str) -> None:
        await self._escalations.update_one({"_id": key}, {"$set": {"published": True}})

    async def add_note_once(self, note: NoteAdded) -> None:
        record: Document = {
            "item_id": str(note.item_id),
            "at": note.occurred_at,
            "published": False,
            "event": note.model_dump(mode="json"),
        }
        await insert_once(self._notes, str(note.event_id), record)

    async def notes(self, item_id: UUID) -> list[NoteAdded]:
        cursor = self._notes.find({"item_id": str(item_id)})
        found = [NoteAdded.model_validate(doc["event"]) async for doc in cursor]
        return sorted(found, key=lambda n: n.occurred_at)

    async def unpublished_notes(self, *, until: datetime) -> list[NoteAdded]:
        cursor = self._notes.find({"published": False, "at": {"$lte": until}})
        found = [NoteAdded.model_validate(doc["event"]) async for doc in cursor]
        return sorted(found, key=lambda n: n.occurred_at)

    async def note_published(self, note: NoteAdded) -> None:
        await self._notes.update_one({"_id": str(note.event_id)}, {"$set": {"published": True}})
