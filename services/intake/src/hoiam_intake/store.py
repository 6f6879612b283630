"""Intake's records beside the items: claims, citizens, threads, rate counts, suggestions, events.

Every write is insert-first under a natural key (FerretDB scans on lookups; see
docs/decisions.md), so concurrent or repeated writers end with one record and read the winner.
"""

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from pydantic import AwareDatetime, BaseModel
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from hoiam_intake.domain.items import Earlier
from hoiam_shared.events import Event
from hoiam_shared.mongo import Document, insert_all_once, insert_once

NAMESAKES = 10
"""At most this many other citizens of the same name are suggested for one new citizen."""


class Suggestion(BaseModel):
    """Two citizen records that may be one person: for an operator to decide, never merged here."""

    id: str
    citizen_ids: tuple[str, str]
    reason: str
    detail: str
    created_at: AwareDatetime


class IntakeStore(Protocol):
    """Intake's records beside the items; `tests/fakes.py` holds the in-memory one."""

    async def prepare(self) -> None:
        """Create what the store needs (indexes) before the first write."""
        ...

    async def claim(self, key: str) -> bool:
        """True the first time `key` is claimed, False ever after (across restarts)."""
        ...

    async def claim_with(self, key: str, fingerprint: str) -> str | None:
        """Claim `key` for the submission `fingerprint`: None the first time, else the
        fingerprint of the first claim ("" for a claim made without one)."""
        ...

    async def claimed(self, key: str) -> bool:
        """Whether `key` was claimed (a look, not a claim)."""
        ...

    async def find_contacts(self, keys: Sequence[str]) -> dict[str, str]:
        """Contact key → citizen id, for the keys already bound."""
        ...

    async def bind_contact(self, key: str, citizen_id: str) -> str:
        """Bind `key` to `citizen_id` unless bound; return the citizen it is bound to."""
        ...

    async def bind_contacts(self, keys: Sequence[str], citizen_id: str) -> dict[str, str]:
        """Bind each of `keys` to `citizen_id` unless bound, in one round trip; return the
        citizen each key that was bound already is bound to (the others are `citizen_id`'s now)."""
        ...

    async def add_name(self, name_key: str, citizen_id: str) -> list[str]:
        """Record a citizen's name; return up to `NAMESAKES` other citizens with the same key."""
        ...

    async def suggest(self, suggestion: Suggestion) -> None: ...

    async def suggest_all(self, suggestions: Sequence[Suggestion]) -> None:
        """`suggest` each, in one round trip."""
        ...

    async def suggestions(self, limit: int = 100) -> list[Suggestion]: ...

    async def index_message_ids(self, ids: Sequence[str], item: Earlier) -> None: ...

    async def find_message(self, ids: Sequence[str]) -> Earlier | None:
        """The item one of these email Message-IDs belongs to."""
        ...

    async def count_hit(self, key: str, window: int) -> int:
        """Count one more hit on `key` in fixed window `window`; return the hits in it so far
        (a later window starts again from one)."""
        ...

    async def record_event[E: Event](self, kind: str, key: str, event: E) -> E:
        """Keep `event` under (`kind`, `key`), first write wins; return the stored one."""
        ...

    async def events[E: Event](self, kind: str, model: type[E], limit: int = 100) -> list[E]: ...

    async def events_of_item[E: Event](
        self, kind: str, model: type[E], item_id: UUID, limit: int = 1000
    ) -> list[E]:
        """The events of `kind` about one item (their `item_id`), oldest first."""
        ...


class MongoIntakeStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._db = db

    async def prepare(self) -> None:
        await self._db["names"].create_index("name_key")
        await self._db["suggestions"].create_index("created_at")
        await self._db["messages"].create_index("event.item_id")

    async def claim(self, key: str) -> bool:
        _, inserted = await insert_once(self._db["claims"], key, {})
        return inserted

    async def claim_with(self, key: str, fingerprint: str) -> str | None:
        stored, inserted = await insert_once(self._db["claims"], key, {"fingerprint": fingerprint})
        return None if inserted else str((stored or {}).get("fingerprint", ""))

    async def claimed(self, key: str) -> bool:
        return await self._db["claims"].find_one({"_id": key}, {"_id": 1}) is not None

    async def find_contacts(self, keys: Sequence[str]) -> dict[str, str]:
        if not keys:
            return {}
        # One equality lookup per key (a person has one to four): FerretDB 1.24 does not push
        # `$in` down to PostgreSQL, so an `$in` reads the whole collection (docs/decisions.md).
        found = {}
        for key in dict.fromkeys(keys):
            document = await self._db["contacts"].find_one({"_id": key})
            if document is not None:
                found[key] = str(document["citizen_id"])
        return found

    async def bind_contact(self, key: str, citizen_id: str) -> str:
        stored, _ = await insert_once(self._db["contacts"], key, {"citizen_id": citizen_id})
        return str((stored or {}).get("citizen_id", citizen_id))

    async def bind_contacts(self, keys: Sequence[str], citizen_id: str) -> dict[str, str]:
        taken = await insert_all_once(
            self._db["contacts"], {key: {"citizen_id": citizen_id} for key in dict.fromkeys(keys)}
        )
        # Read back only what another message bound first (rare for a new person's contacts).
        return await self.find_contacts([key for key in keys if key in taken])

    async def add_name(self, name_key: str, citizen_id: str) -> list[str]:
        # Not read back when there: the document holds nothing the key does not say.
        await insert_all_once(
            self._db["names"],
            {f"{name_key}|{citizen_id}": {"name_key": name_key, "citizen_id": citizen_id}},
        )
        # A common name is shared by many people: suggest a few, not every namesake ever seen.
        others = self._db["names"].find({"name_key": name_key}).limit(NAMESAKES + 1)
        found = [str(d["citizen_id"]) async for d in others]
        return [other for other in found if other != citizen_id][:NAMESAKES]

    async def suggest(self, suggestion: Suggestion) -> None:
        await insert_once(
            self._db["suggestions"], suggestion.id, suggestion.model_dump(exclude={"id"})
        )

    async def suggest_all(self, suggestions: Sequence[Suggestion]) -> None:
        await insert_all_once(
            self._db["suggestions"], {s.id: s.model_dump(exclude={"id"}) for s in suggestions}
        )

    async def suggestions(self, limit: int = 100) -> list[Suggestion]:
        found = self._db["suggestions"].find({}).sort("created_at", -1).limit(limit)
        return [Suggestion.model_validate({**d, "id": d["_id"]}) async for d in found]

    async def index_message_ids(self, ids: Sequence[str], item: Earlier) -> None:
        for message_id in ids:
            await insert_once(self._db["message_ids"], message_id, item.model_dump(mode="json"))

    async def find_message(self, ids: Sequence[str]) -> Earlier | None:
        if not ids:
            return None
        for message_id in ids:  # equality lookups: FerretDB scans for `$in`
            found = await self._db["message_ids"].find_one({"_id": message_id})
            if found is not None:
                return Earlier.model_validate(found)
        return None

    async def count_hit(self, key: str, window: int) -> int:
        # One document per key, so the collection grows with the senders seen, not with time.
        # Both steps are single-document updates; a racing writer at most costs a retry. On
        # MongoDB `$inc` is atomic; FerretDB 1.24 reads and writes, so hits at the same instant
        # may count once there (a limit overshoots by at most the concurrency).
        hits = self._db["hits"]
        for _ in range(5):
            counted = await hits.find_one_and_update(
                {"_id": key, "window": window},
                {"$inc": {"count": 1}},
                return_document=ReturnDocument.AFTER,
            )
            if counted is not None:
                return _count(counted["count"])
            try:
                await hits.update_one(
                    {"_id": key, "window": {"$ne": window}},
                    {"$set": {"window": window, "count": 1}},
                    upsert=True,
                )
            except DuplicateKeyError:
                continue  # another replica opened this window first: count on it
            return 1
        raise RuntimeError(f"hit counter for {key!r} kept changing under us")

    async def record_event[E: Event](self, kind: str, key: str, event: E) -> E:
        stored, _ = await insert_once(
            self._db[kind], key, {"at": event.occurred_at, "event": event.model_dump(mode="json")}
        )
        return type(event).model_validate((stored or {})["event"])

    async def events[E: Event](self, kind: str, model: type[E], limit: int = 100) -> list[E]:
        found = self._db[kind].find({}).sort("at", -1).limit(limit)
        return [model.model_validate(d["event"]) async for d in found]

    async def events_of_item[E: Event](
        self, kind: str, model: type[E], item_id: UUID, limit: int = 1000
    ) -> list[E]:
        found = self._db[kind].find({"event.item_id": str(item_id)}).sort("at", 1).limit(limit)
        return [model.model_validate(d["event"]) async for d in found]


def _count(value: object) -> int:
    if not isinstance(value, int):
        raise TypeError(f"expected a count, got {type(value).__name__}")
    return value
