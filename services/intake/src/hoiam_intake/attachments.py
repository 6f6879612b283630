"""Where intake keeps the bytes of the photos citizens attach: the `attachments` collection.

One document per content (`_id` = its SHA-256, so a retried upload is the same document:
insert-first, idempotent), holding the bytes (≤ 5 MB, far under a document's 16 MB), their
type and the items they came with. Kafka records carry only the ids (`Attachment.id`).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, cast
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from hoiam_intake.domain.photos import Photo
from hoiam_shared.mongo import Document, insert_once


@dataclass(frozen=True, slots=True)
class StoredAttachment:
    id: str
    content_type: str
    sha256: str
    data: bytes
    item_ids: tuple[str, ...]


class AttachmentStore(Protocol):
    """The photos' bytes; `tests/fakes.py` holds the in-memory one."""

    async def prepare(self) -> None: ...

    async def keep(self, photo: Photo, *, at: datetime) -> None:
        """Store the bytes under `photo.content_id` unless they are there already."""
        ...

    async def link(self, ids: Sequence[str], item_id: UUID) -> None:
        """Record that the item `item_id` carries these attachments (repeating it is harmless)."""
        ...

    async def get(self, attachment_id: str) -> StoredAttachment | None: ...

    async def forget(self, *, item_ids: Iterable[UUID]) -> int:
        """Erasure: unlink these items; the bytes no other item carries are deleted. Returns
        how many documents were deleted. (A citizen is forgotten through their items.)"""
        ...


class MongoAttachmentStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db["attachments"]

    async def prepare(self) -> None:
        await self._collection.create_index("item_ids")

    async def keep(self, photo: Photo, *, at: datetime) -> None:
        await insert_once(
            self._collection,
            photo.content_id,
            {
                "sha256": photo.sha256,
                "content_type": photo.content_type,
                "size": len(photo.data),
                "data": photo.data,
                "item_ids": [],
                "stored_at": at,
            },
        )

    async def link(self, ids: Sequence[str], item_id: UUID) -> None:
        if ids:
            await self._collection.update_many(
                {"_id": {"$in": list(ids)}}, {"$addToSet": {"item_ids": str(item_id)}}
            )

    async def get(self, attachment_id: str) -> StoredAttachment | None:
        found = await self._collection.find_one({"_id": attachment_id})
        if found is None:
            return None
        return StoredAttachment(
            id=str(found["_id"]),
            content_type=str(found["content_type"]),
            sha256=str(found["sha256"]),
            data=cast(bytes, found["data"]),
            item_ids=tuple(str(i) for i in cast(list[object], found.get("item_ids", []))),
        )

    async def forget(self, *, item_ids: Iterable[UUID]) -> int:
        gone = [str(i) for i in item_ids]
        if not gone:
            return 0
        # Only documents these items carried: a photo kept a moment ago for a submission that
        # is being accepted right now has no item yet and must not be swept with them.
        touched = [
            d["_id"] async for d in self._collection.find({"item_ids": {"$in": gone}}, {"_id": 1})
        ]
        if not touched:
            return 0
        await self._collection.update_many(
            {"_id": {"$in": touched}}, {"$pullAll": {"item_ids": gone}}
        )
        deleted = await self._collection.delete_many({"_id": {"$in": touched}, "item_ids": []})
        return deleted.deleted_count
