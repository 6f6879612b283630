"""Deliveries: `pending` before a send, `sent`/`failed` after; port, Mongo adapter, fake."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from pymongo.asynchronous.database import AsyncDatabase

from hoiam_notifier.domain import Notification
from hoiam_shared.events import NotificationFailed, NotificationSent
from hoiam_shared.mongo import Document, insert_once

type Outcome = NotificationSent | NotificationFailed


@dataclass(frozen=True, slots=True)
class Delivery:
    delivery_id: str
    status: str
    outcome: Outcome | None


def _outcome(document: Document | None) -> Outcome | None:
    raw = document.get("outcome") if document else None
    if not isinstance(raw, dict):
        return None
    return (
        NotificationSent.model_validate(raw)
        if raw["type"] == NotificationSent.TYPE
        else (NotificationFailed.model_validate(raw))
    )


class DeliveryRepository(Protocol):
    async def begin(self, notification: Notification) -> Delivery:
        """Record the delivery as pending unless it exists; return what is stored."""
        ...

    async def finish(self, delivery_id: str, outcome: Outcome) -> None: ...


class InMemoryDeliveryRepository:
    def __init__(self) -> None:
        self.deliveries: dict[str, Delivery] = {}

    async def begin(self, notification: Notification) -> Delivery:
        return self.deliveries.setdefault(
            notification.delivery_id, Delivery(notification.delivery_id, "pending", None)
        )

    async def finish(self, delivery_id: str, outcome: Outcome) -> None:
        status = "sent" if isinstance(outcome, NotificationSent) else "failed"
        self.deliveries[delivery_id] = Delivery(delivery_id, status, outcome)


class MongoDeliveryRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._deliveries = db["deliveries"]

    async def prepare(self) -> None:
        await self._deliveries.create_index([("item_id", 1), ("created_at", 1)])
        await self._deliveries.create_index("status")

    async def begin(self, notification: Notification) -> Delivery:
        document: Document = {
            "status": "pending",
            "item_id": str(notification.item_id),
            "tracking_code": notification.tracking_code,
            "recipient_kind": notification.recipient_kind.value,
            "channel": notification.channel.value,
            "address": notification.address,
            "subject": notification.subject,
            "created_at": datetime.now(UTC),
        }
        stored = await insert_once(self._deliveries, notification.delivery_id, document)
        status = str(stored["status"]) if stored else "pending"
        return Delivery(notification.delivery_id, status, _outcome(stored))

    async def finish(self, delivery_id: str, outcome: Outcome) -> None:
        await self._deliveries.update_one(
            {"_id": delivery_id},
            {
                "$set": {
                    "status": "sent" if isinstance(outcome, NotificationSent) else "failed",
                    "finished_at": datetime.now(UTC),
                    "outcome": outcome.model_dump(mode="json"),
                }
            },
        )
