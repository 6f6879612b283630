"""The Mongo adapters of the console's ports (accounts, sessions, failed sign-ins, read model).

The read model applies a change with two atomic updates instead of read-modify-write, because
several subscribers (routes, statuses, notifications) write one item's record at the same time:
the first pushes the history entry only if the event is not among the record's `seen` ids (an
upsert, so the record is made by whichever event comes first; a duplicate key means this event
was applied), the second sets each time-ordered group only if the stored one is not newer.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from hoiam_console.domain.accounts import Account
from hoiam_console.domain.readmodel import Change, ItemRecord, record_of
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
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._db = db
        self._items = db["items"]

    async def prepare(self) -> None:
        await self._items.create_index([("tracking_code", ASCENDING)])
        await self._items.create_index([("body_id", ASCENDING)])
        await self._db["login_failures"].create_index([("key", ASCENDING)])

    async def apply(self, change: Change) -> bool:
        key = str(change.item_id)
        event = str(change.event_id)
        facts = {k: v for k, v in change.facts.items() if v is not None}
        try:
            await self._items.update_one(
                {"_id": key, "seen": {"$ne": event}},
                {
                    "$set": {"item_id": key, **facts},
                    "$push": {"history": change.entry.model_dump(mode="json"), "seen": event},
                },
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # the record exists and has seen this event
        for group, fields in change.groups.items():
            stamp = f"{group}_at"
            await self._items.update_one(
                {
                    "_id": key,
                    "$or": [{stamp: {"$exists": False}}, {stamp: {"$lte": change.at}}],
                },
                {"$set": {**fields, stamp: change.at}},
            )
        return True

    async def get(self, item_id: UUID) -> ItemRecord | None:
        found = await self._items.find_one({"_id": str(item_id)})
        return record_of(found) if found else None

    async def by_tracking_code(self, tracking_code: str) -> ItemRecord | None:
        found = await self._items.find_one({"tracking_code": tracking_code})
        return record_of(found) if found else None

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
        return [record_of(doc) async for doc in found]
