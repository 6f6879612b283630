"""Where intake keeps each normalised item: the port and its MongoDB adapter (fake: tests)."""

from typing import Protocol
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from hoiam_shared.events import FeedbackReceived
from hoiam_shared.mongo import Document, insert_once


class ItemRepository(Protocol):
    async def prepare(self) -> None:
        """Create what the store needs (indexes) before the first write."""
        ...

    async def add_once(self, item: FeedbackReceived) -> FeedbackReceived:
        """Store the item unless it is there already; return the stored one (first write wins)."""
        ...

    async def get(self, item_id: UUID) -> FeedbackReceived | None: ...

    async def find_by_tracking_code(self, code: str) -> FeedbackReceived | None: ...


class MongoItemRepository:
    """One document per item, keyed by item id; the event is kept whole so a replay republishes
    exactly the same event (same event_id), which is what makes downstream dedupe work."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._items = db["items"]

    async def prepare(self) -> None:
        await self._items.create_index("tracking_code", unique=True)

    async def add_once(self, item: FeedbackReceived) -> FeedbackReceived:
        document: Document = {
            "tracking_code": item.tracking_code,
            "channel": item.channel.value,
            "received_at": item.received_at,
            "event": item.model_dump(mode="json"),
        }
        stored, _ = await insert_once(self._items, str(item.item_id), document)
        if stored is None:
            # Only a different item holding the same tracking code gets here (40 random bits make
            # that about one in a million); the record is dead-lettered with this cause.
            raise ValueError(f"tracking code {item.tracking_code} is already used by another item")
        return FeedbackReceived.model_validate(stored["event"])

    async def get(self, item_id: UUID) -> FeedbackReceived | None:
        stored = await self._items.find_one({"_id": str(item_id)})
        return FeedbackReceived.model_validate(stored["event"]) if stored else None

    async def find_by_tracking_code(self, code: str) -> FeedbackReceived | None:
        stored = await self._items.find_one({"tracking_code": code})
        return FeedbackReceived.model_validate(stored["event"]) if stored else None
