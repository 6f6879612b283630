"""The Mongo adapters of the console's ports (accounts, sessions, failed sign-ins, read model,
ratings, compilations, the archive of published answers).

Several subscribers (routes, statuses, notifications) write one item's record at the same
time; `MongoReadModel` says how none of their changes is lost.
"""

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from hoiam_console.domain.accounts import Account
from hoiam_console.domain.compiling import Adjusted, LockEvent
from hoiam_console.domain.public import Rating
from hoiam_console.domain.publication import ArchiveEntry, ArchivePage, ArchiveQuery, Facet
from hoiam_console.domain.readmodel import Change, ItemRecord, apply_change, record_of
from hoiam_console.domain.results import Evaluation
from hoiam_console.domain.sessions import Session
from hoiam_shared.events import Status
from hoiam_shared.mongo import Document, DuplicateKeyError


def _plain(document: Document | None) -> dict[str, Any] | None:
    if document is None:
        return None
    return {k: v for k, v in document.items() if k != "_id"}


class MongoAccounts:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._accounts = db["accounts"]

    async def get(self, username: str) -> Account | None:
        found = _plain(await self._accounts.find_one({"_id": username}))
        return Account.model_validate(found) if found else None

    async def add(self, account: Account) -> bool:
        try:
            await self._accounts.insert_one(
                {"_id": account.username, **account.model_dump(mode="json")}
            )
        except DuplicateKeyError:
            return False
        return True

    async def all(self) -> list[Account]:
        return [
            Account.model_validate(_plain(doc))
            async for doc in self._accounts.find({}).sort("_id", ASCENDING)
        ]

    async def set_password(self, username: str, password_hash: str) -> bool:
        done = await self._accounts.update_one(
            {"_id": username}, {"$set": {"password_hash": password_hash}}
        )
        return done.matched_count == 1


class MongoSessions:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._sessions = db["sessions"]

    async def put(self, session: Session) -> None:
        await self._sessions.insert_one({"_id": session.token_hash, **session.model_dump()})

    async def get(self, token_hash: str) -> Session | None:
        found = _plain(await self._sessions.find_one({"_id": token_hash}))
        return Session.model_validate(found) if found else None

    async def delete(self, token_hash: str) -> None:
        await self._sessions.delete_one({"_id": token_hash})


class MongoFailures:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._failures = db["login_failures"]

    async def add(self, key: str, at: datetime) -> None:
        await self._failures.insert_one({"key": key, "at": at})

    async def since(self, key: str, since: datetime) -> list[datetime]:
        found = self._failures.find({"key": key, "at": {"$gt": since}})
        return [doc["at"] async for doc in found if isinstance(doc["at"], datetime)]


class MongoReadModel:
    """Changes are kept append-only, one document per (item, event): inserting one is atomic on
    the unique `_id`, so a redelivered event is refused by the index itself. An item's record is
    the fold of its changes (`apply_change`, in time order), the same rule the in-memory store
    applies; `items` keeps that fold with the fields the inbox queries, refreshed after each
    change under a per-item lock (FerretDB runs an update as read-then-write, so two subscribers
    updating one document at once could lose one's change; two inserts cannot)."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._db = db
        self._changes = db["item_changes"]
        self._items = db["items"]
        self._locks: dict[str, asyncio.Lock] = {}

    async def prepare(self) -> None:
        await self._changes.create_index([("item_id", ASCENDING)])
        await self._items.create_index([("tracking_code", ASCENDING)])
        await self._items.create_index([("body_id", ASCENDING)])
        await self._items.create_index([("session_id", ASCENDING)])
        await self._db["login_failures"].create_index([("key", ASCENDING)])

    async def apply(self, change: Change) -> bool:
        key = str(change.item_id)
        try:
            await self._changes.insert_one(
                {
                    "_id": f"{key}:{change.event_id}",
                    "item_id": key,
                    "change": change.model_dump(mode="json"),
                }
            )
        except DuplicateKeyError:
            return False  # this event was applied to this item already
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            await self._refresh(key)
        if not lock.locked():
            self._locks.pop(key, None)
        return True

    async def _fold(self, key: str) -> dict[str, Any] | None:
        changes = [
            Change.model_validate(doc["change"])
            async for doc in self._changes.find({"item_id": key})
        ]
        if not changes:
            return None
        record: dict[str, Any] = {}
        for change in sorted(changes, key=lambda c: (c.at, str(c.event_id))):
            record = apply_change(record, change) or record
        return record

    async def _refresh(self, key: str) -> None:
        folded = await self._fold(key)
        if folded is None:
            return
        item = record_of(folded)
        await self._items.replace_one(
            {"_id": key},
            {
                "tracking_code": item.tracking_code,
                "body_id": item.body_id,
                "status": item.status.value if item.status else None,
                "province_code": item.province_code,
                "commune_code": item.commune_code,
                "received_at": item.received_at,
                "session_id": item.session_id,
                "record": item.model_dump(mode="json"),
            },
            upsert=True,
        )

    async def get(self, item_id: UUID) -> ItemRecord | None:
        folded = await self._fold(str(item_id))
        return record_of(folded) if folded else None

    async def by_tracking_code(self, tracking_code: str) -> ItemRecord | None:
        found = await self._items.find_one({"tracking_code": tracking_code})
        return await self.get(UUID(str(found["_id"]))) if found else None

    async def find(
        self,
        *,
        body_id: str | None = None,
        province_code: str | None = None,
        commune_codes: Sequence[str] | None = None,
        statuses: Sequence[Status] | None = None,
        limit: int = 200,
    ) -> list[ItemRecord]:
        query: dict[str, Any] = {}
        if body_id is not None:
            query["body_id"] = body_id
        if province_code is not None:
            query["province_code"] = {"$in": [province_code, None]}
        if commune_codes is not None:
            query["commune_code"] = {"$in": list(commune_codes)}
        if statuses is not None:
            query["status"] = {"$in": [s.value for s in statuses]}
        found = self._items.find(query).sort("received_at", DESCENDING).limit(limit)
        return [ItemRecord.model_validate(doc["record"]) async for doc in found]

    async def of_session(self, session_id: str) -> list[ItemRecord]:
        """Every item of a voters' meeting of `session_id`, in no particular order."""
        found = self._items.find({"session_id": session_id})
        return [ItemRecord.model_validate(doc["record"]) async for doc in found]

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
        query: dict[str, Any] = {"received_at": {"$gte": received_from, "$lte": received_to}}
        if category_codes is not None:
            query["record.category_code"] = {"$in": list(category_codes)}
        if statuses is not None:
            query["status"] = {"$in": [s.value for s in statuses]}
        if published_only:
            query["record.publication_consent"] = True
        # Ties on the time are ordered by id, so pages neither repeat nor skip an item.
        found = (
            self._items.find(query)
            .sort([("received_at", DESCENDING), ("_id", ASCENDING)])
            .skip(skip)
            .limit(limit)
        )
        return [ItemRecord.model_validate(doc["record"]) async for doc in found]


class MongoRatings:
    """One document per rated item, `_id` the item: a second rating is refused by the index."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._ratings = db["ratings"]

    async def claim(self, rating: Rating) -> bool:
        try:
            await self._ratings.insert_one(
                {"_id": str(rating.item_id), **rating.model_dump(mode="json")}
            )
        except DuplicateKeyError:
            return False
        return True

    async def release(self, item_id: UUID) -> None:
        await self._ratings.delete_one({"_id": str(item_id)})

    async def all(self) -> list[Rating]:
        return [Rating.model_validate(_plain(doc)) async for doc in self._ratings.find({})]


class MongoCompilations:
    """A session's compilation log in three append-only collections (adjustments, locks,
    evaluations), one document per (session, seq) under a unique `_id`: two operators writing
    at once cannot both take one number, and the loser reads again (FerretDB could lose one of
    two concurrent in-place updates of a single document; two inserts it cannot)."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._adjustments = db["compilation_adjustments"]
        self._locks = db["compilation_locks"]
        self._evaluations = db["compilation_evaluations"]

    async def prepare(self) -> None:
        for collection in (self._adjustments, self._locks, self._evaluations):
            await collection.create_index([("session_id", ASCENDING), ("seq", ASCENDING)])

    @staticmethod
    async def _insert(collection: Any, session_id: str, seq: int, value: dict[str, Any]) -> bool:
        try:
            await collection.insert_one(
                {"_id": f"{session_id}:{seq:08d}", "session_id": session_id, "seq": seq,
                 "value": value}
            )  # fmt: skip
        except DuplicateKeyError:
            return False
        return True

    @staticmethod
    async def _values(collection: Any, session_id: str) -> list[dict[str, Any]]:
        found = collection.find({"session_id": session_id}).sort("seq", ASCENDING)
        return [doc["value"] async for doc in found]

    async def adjustments(self, session_id: str) -> list[Adjusted]:
        values = await self._values(self._adjustments, session_id)
        return [Adjusted.model_validate(v) for v in values]

    async def add_adjustment(self, session_id: str, adjusted: Adjusted) -> bool:
        value = adjusted.model_dump(mode="json")
        return await self._insert(self._adjustments, session_id, adjusted.seq, value)

    async def lock_events(self, session_id: str) -> list[LockEvent]:
        return [LockEvent.model_validate(v) for v in await self._values(self._locks, session_id)]

    async def add_lock_event(self, session_id: str, event: LockEvent) -> bool:
        return await self._insert(self._locks, session_id, event.seq, event.model_dump(mode="json"))

    async def evaluations(self, session_id: str) -> list[Evaluation]:
        values = await self._values(self._evaluations, session_id)
        return [Evaluation.model_validate(v) for v in values]

    async def add_evaluation(self, session_id: str, evaluation: Evaluation) -> bool:
        value = evaluation.model_dump(mode="json")
        return await self._insert(self._evaluations, session_id, evaluation.seq, value)


class MongoArchive:
    """One document per publication, `_id` its id. `put` is one replace whose filter only
    matches an older entry: with no entry it inserts; with this one or a later one, the insert
    it falls back to meets the `_id` and is refused, so the last event of a publication wins
    whatever order they arrive in (one consumer per partition, keyed by publication, writes a
    publication's events one at a time)."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._archive = db["archive"]

    async def prepare(self) -> None:
        await self._archive.create_index([("withdrawn", ASCENDING), ("answered_on", DESCENDING)])
        await self._archive.create_index([("item_id", ASCENDING)])
        await self._archive.create_index([("words", ASCENDING)])

    async def put(self, entry: ArchiveEntry) -> bool:
        document = entry.model_dump(mode="json")
        try:
            done = await self._archive.replace_one(
                {"_id": entry.publication_id, "order": {"$lt": entry.order}},
                document,
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # this event or a later one of the publication is there already
        return done.modified_count == 1 or done.upserted_id is not None

    @staticmethod
    def _entry(document: Document) -> ArchiveEntry:
        return ArchiveEntry.model_validate(_plain(document))

    async def get(self, publication_id: str) -> ArchiveEntry | None:
        found = await self._archive.find_one({"_id": publication_id, "withdrawn": False})
        return self._entry(found) if found else None

    async def of_items(self, item_ids: Sequence[UUID]) -> dict[UUID, ArchiveEntry]:
        found = self._archive.find(
            {"item_id": {"$in": [str(i) for i in item_ids]}, "withdrawn": False}
        )
        entries = [self._entry(doc) async for doc in found]
        return {entry.item_id: entry for entry in entries}

    async def search(self, query: ArchiveQuery) -> ArchivePage:
        wanted: dict[str, Any] = {"withdrawn": False}
        if query.words:
            wanted["words"] = {"$all": list(query.words)}
        if query.province_code is not None:
            wanted["province_code"] = query.province_code
        if query.commune_codes is not None:
            wanted["commune_code"] = {"$in": list(query.commune_codes)}
        if query.category_code is not None:
            wanted["category_code"] = query.category_code
        if query.session_id is not None:
            wanted["session_id"] = query.session_id
        total = await self._archive.count_documents(wanted)
        found = (
            self._archive.find(wanted)
            .sort([("answered_on", DESCENDING), ("order", DESCENDING)])
            .skip(query.skip)
            .limit(query.page_size)
        )
        return ArchivePage(
            entries=tuple([self._entry(doc) async for doc in found]),
            total=total,
            page=query.page,
            page_size=query.page_size,
        )

    async def facets(self) -> tuple[list[Facet], list[str]]:
        groups = await self._archive.aggregate(
            [
                {"$match": {"withdrawn": False}},
                {
                    "$group": {
                        "_id": {
                            "code": "$category_code",
                            "name": "$category_name",
                            "session": "$session_id",
                        }
                    }
                },
            ]
        )
        categories: dict[str, str] = {}
        sessions: set[str] = set()
        async for group in groups:
            key = group["_id"]
            if not isinstance(key, dict):
                continue
            code, name, session = key.get("code"), key.get("name"), key.get("session")
            if isinstance(code, str) and code:
                categories[code] = name if isinstance(name, str) and name else code
            if isinstance(session, str) and session:
                sessions.add(session)
        return (
            [Facet(code=c, name=n) for c, n in sorted(categories.items(), key=lambda x: x[1])],
            sorted(sessions, reverse=True),
        )
