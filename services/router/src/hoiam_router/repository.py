"""Where the router keeps each decision: a port, its MongoDB adapter and an in-memory fake."""

from datetime import UTC, datetime
from typing import Protocol
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from hoiam_shared.events import FeedbackRouted
from hoiam_shared.mongo import Document, insert_once


class AssignmentRepository(Protocol):
    async def add_once(self, decision: FeedbackRouted) -> FeedbackRouted:
        """Store the decision unless the item has one; return the stored one (first write wins)."""
        ...


class InMemoryAssignmentRepository:
    def __init__(self) -> None:
        self.assignments: dict[UUID, FeedbackRouted] = {}

    async def add_once(self, decision: FeedbackRouted) -> FeedbackRouted:
        return self.assignments.setdefault(decision.item_id, decision)


class MongoAssignmentRepository:
    """One document per item with the published event inside, so a replay republishes it as is
    (same event_id), and the fields operators query on beside it."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._assignments = db["assignments"]

    async def prepare(self) -> None:
        await self._assignments.create_index("tracking_code", unique=True)
        await self._assignments.create_index([("body_id", 1), ("status", 1)])

    async def add_once(self, decision: FeedbackRouted) -> FeedbackRouted:
        document: Document = {
            "tracking_code": decision.tracking_code,
            "status": decision.status.value,
            "body_id": decision.body.id if decision.body else None,
            "category": decision.category.code,
            "due_on": decision.due_on.isoformat() if decision.due_on else None,
            "decided_at": datetime.now(UTC),
            "event": decision.model_dump(mode="json"),
        }
        stored, _ = await insert_once(self._assignments, str(decision.item_id), document)
        if stored is None:
            raise ValueError(
                f"tracking code {decision.tracking_code} is already used by another item"
            )
        return FeedbackRouted.model_validate(stored["event"])
