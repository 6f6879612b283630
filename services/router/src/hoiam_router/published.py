"""Where the router keeps the published answers it matches new items against: a port and its
MongoDB adapter (the in-memory fake, checked by the same contract suite, is in tests/fakes.py).

Collection `published_answers`: one document per publication, the latest `AnswerPublished`
inside (a withdrawal included, so an older approval redelivered after it cannot bring the entry
back). Newer wins by `published_at`; the same event twice changes nothing.
"""

from typing import Protocol

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from hoiam_shared.events import AnswerPublished
from hoiam_shared.mongo import Document


class PublishedAnswerStore(Protocol):
    async def prepare(self) -> None: ...

    async def put(self, event: AnswerPublished) -> bool:
        """Keep `event` unless the publication has one as new or newer; True when kept."""
        ...

    async def current(self) -> list[AnswerPublished]:
        """Every publication's latest event that is not a withdrawal."""
        ...


class MongoPublishedAnswerStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._answers = db["published_answers"]

    async def prepare(self) -> None:
        await self._answers.create_index("withdrawn")

    async def put(self, event: AnswerPublished) -> bool:
        document: Document = {
            "published_at": event.published_at,
            "withdrawn": event.withdrawn,
            "event": event.model_dump(mode="json"),
        }
        try:
            # Only over an older event (or none: the upsert inserts). A stored newer or equal
            # one makes the filter miss, and the upsert's insert then hits the unique `_id`.
            result = await self._answers.update_one(
                {"_id": event.publication_id, "published_at": {"$lt": event.published_at}},
                {"$set": document},
                upsert=True,
            )
        except DuplicateKeyError:
            return False
        return result.modified_count == 1 or result.upserted_id is not None

    async def current(self) -> list[AnswerPublished]:
        return [
            AnswerPublished.model_validate(doc["event"])
            async for doc in self._answers.find({"withdrawn": False})
        ]
