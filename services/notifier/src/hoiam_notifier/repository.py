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
    """A delivery is two immutable records: the intent (`deliveries`, written before the send)
    and its outcome (`delivery_outcomes`, written after). Both are plain inserts under the
    delivery id, so the hot path needs no lookup; only a redelivered event reads them back."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._deliveries = db["deliveries"]
        self._outcomes = db["delivery_outcomes"]

    async def prepare(self) -> None:
        await self._deliveries.create_index([("item_id", 1), ("created_at", 1)])
        await self._outcomes.create_index("item_id")

    async def begin(self, notification: Notification) -> Delivery:
        document: Document = {
            "item_id": str(notification.item_id),
            "tracking_code": notification.tracking_code,
            "recipient_kind": notification.recipient_kind.value,
            "channel": notification.channel.value,
            "address": notification.address,
            "subject": notification.subject,
            "created_at": datetime.now(UTC),
        }
        _, inserted = await insert_once(self._deliveries, notification.delivery_id, document)
        if inserted:
            return Delivery(notification.delivery_id, "pending", None)
        stored = await self._outcomes.find_one({"_id": notification.delivery_id})
        status = str(stored["status"]) if stored else "pending"
        return Delivery(notification.delivery_id, status, _outcome(stored))

    async def finish(self, delivery_id: str, outcome: Outcome) -> None:
        # The first outcome stands: a second one could only come from a send that raced it.
        await insert_once(
            self._outcomes,
            delivery_id,
            {
                "item_id": str(outcome.item_id),
                "status": "sent" if isinstance(outcome, NotificationSent) else "failed",
                "finished_at": datetime.now(UTC),
                "outcome": outcome.model_dump(mode="json"),
            },
        )
