"""Where a minutes review waits between upload and commit: its port and the Mongo adapter.

FerretDB has no TTL index, so a draft carries its `expires_at`; a read ignores an expired one
and every new draft sweeps the expired away. Each save names the version it replaces: two tabs
editing one review cannot silently undo each other (the second is told to reload).
"""

from datetime import datetime
from typing import Any, Protocol

from bson import Binary
from pymongo.asynchronous.database import AsyncDatabase

from hoiam_console.domain.review import Draft
from hoiam_console.upstream import UpstreamError
from hoiam_shared.mongo import Document, DuplicateKeyError


class ReviewConflictError(Exception):
    """The draft changed since it was read (another tab or operator saved it)."""


class ReviewStore(Protocol):
    async def add(self, draft: Draft) -> Draft:
        """Keep a new draft; an existing one of the same id (the same file) is returned as is."""
        ...

    async def get(self, draft_id: str) -> Draft | None: ...

    async def replace(self, draft: Draft) -> None:
        """Save `draft` over its version − 1, or raise `ReviewConflictError`."""
        ...

    async def delete(self, draft_id: str) -> None: ...

    async def sweep(self, now: datetime) -> int:
        """Delete the drafts expired at `now`; how many."""
        ...


def _document(draft: Draft) -> Document:
    # JSON mode for the dates BSON cannot hold (a meeting's `held_on`); the two moments stay
    # datetimes so the sweep compares them as such, and the file stays bytes.
    document = draft.model_dump(mode="json", exclude={"file"})
    document["created_at"], document["expires_at"] = draft.created_at, draft.expires_at
    document["file"] = draft.file.model_dump(exclude={"content"}) | {
        "content": Binary(draft.file.content)
    }
    return {"_id": draft.id, **document}


def _draft(document: Document) -> Draft:
    found: dict[str, Any] = {k: v for k, v in document.items() if k != "_id"}
    file: dict[str, Any] = dict(found["file"])
    found["file"] = file | {"content": bytes(file["content"])}
    return Draft.model_validate(found)


class MongoReviews:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._drafts = db["meeting_reviews"]

    async def add(self, draft: Draft) -> Draft:
        try:
            await self._drafts.insert_one(_document(draft))
        except DuplicateKeyError:
            found = await self.get(draft.id)
            if found is not None:
                return found
            # Expired between the insert and the read: this one takes its place.
            await self._drafts.replace_one({"_id": draft.id}, _document(draft), upsert=True)
        return draft

    async def get(self, draft_id: str) -> Draft | None:
        found = await self._drafts.find_one({"_id": draft_id})
        return _draft(found) if found is not None else None

    async def replace(self, draft: Draft) -> None:
        done = await self._drafts.replace_one(
            {"_id": draft.id, "version": draft.version - 1}, _document(draft)
        )
        if done.matched_count != 1:
            raise ReviewConflictError(draft.id)

    async def delete(self, draft_id: str) -> None:
        await self._drafts.delete_one({"_id": draft_id})

    async def sweep(self, now: datetime) -> int:
        done = await self._drafts.delete_many({"expires_at": {"$lte": now}})
        return done.deleted_count


class NoReviews:
    """Where no store was handed to `build`: a review cannot start (503 with the reason)."""

    def _refuse(self) -> Exception:
        return UpstreamError(503, "the console has no store for minutes reviews wired")

    async def add(self, draft: Draft) -> Draft:
        raise self._refuse()

    async def get(self, draft_id: str) -> Draft | None:
        return None

    async def replace(self, draft: Draft) -> None:
        raise self._refuse()

    async def delete(self, draft_id: str) -> None:
        return None

    async def sweep(self, now: datetime) -> int:
        return 0
