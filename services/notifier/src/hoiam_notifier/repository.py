"""What the notifier keeps: deliveries (intent, then outcome), items, reachability, queued sends.

Each store is a `Protocol` with a Mongo adapter (its in-memory fake lives in `tests/fakes.py`,
and one contract suite runs against both). Every write is an insert under a natural key
(insert-first, `insert_once`), because FerretDB 1.24 scans on any lookup by `_id`; reads by field
go through a separate indexed field (`item_id`, `contact`, `due_at`).
"""

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from hoiam_notifier.channels.zalo import ZaloToken
from hoiam_notifier.domain.deliveries import DeliveryStatus, Held, Queued
from hoiam_notifier.domain.knowledge import ROUTING_FIELDS, ContactFact, ItemRecord
from hoiam_notifier.domain.notifications import Notification, Target
from hoiam_shared.clock import Clock
from hoiam_shared.events import EVENT_TYPES, Channel, Event, Status
from hoiam_shared.mongo import Document, FindBatcher, InsertBatcher, insert_once


@dataclass(frozen=True, slots=True)
class Delivery:
    """What is stored for one delivery: its status, and the event its outcome published."""

    delivery_id: str
    status: DeliveryStatus
    outcome: Event | None = None
    fresh: bool = False  # this call recorded the intent: nobody has tried to send it yet


def _event(raw: object) -> Event | None:
    if not isinstance(raw, dict):
        return None
    kind = EVENT_TYPES.get(str(raw.get("type")))
    return kind.model_validate(raw) if kind else None


def _moment(value: object) -> datetime:
    """A time this module stored (the client is tz-aware, so it comes back aware)."""
    if not isinstance(value, datetime):
        raise TypeError(f"stored time is not a date: {value!r}")
    return value


def plan_key(notification: Notification) -> str:
    return f"{notification.event_id}|{notification.recipient}"


class DeliveryRepository(Protocol):
    async def claim(self, notification: Notification) -> Notification:
        """Keep the first plan for (event, recipient) and return it: a redelivered event walks the
        same targets in the same order, even if windows or reachability changed meanwhile."""
        ...

    async def begin(self, delivery_id: str, notification: Notification, target: Target) -> Delivery:
        """Record the intent unless it exists; return what is stored."""
        ...

    async def finish(
        self, delivery_id: str, *, item_id: UUID, status: DeliveryStatus, outcome: Event | None
    ) -> None:
        """Record the outcome; the first one stands."""
        ...

    async def outcomes(self, item_id: UUID) -> list[tuple[str, DeliveryStatus]]:
        """(delivery id, status) of every finished delivery of an item, for operators and tests."""
        ...


class MongoDeliveryRepository:
    """Two immutable records per delivery: the intent (`deliveries`, before the send) and its
    outcome (`delivery_outcomes`, after). Plain inserts; only a redelivered event reads back."""

    def __init__(self, db: AsyncDatabase[Document], *, clock: Clock) -> None:
        self._deliveries = db["deliveries"]
        self._outcomes = db["delivery_outcomes"]
        self._plans = db["delivery_plans"]
        self._clock = clock
        # Every notification writes a plan, an intent and an outcome: the recipients of an event
        # and the partitions of a batch, handled at once, share those round trips.
        self._new_plans = InsertBatcher(self._plans)
        self._new_deliveries = InsertBatcher(self._deliveries)
        self._new_outcomes = InsertBatcher(self._outcomes)

    async def prepare(self) -> None:
        await self._plans.create_index("item_id")
        await self._deliveries.create_index([("item_id", 1), ("created_at", 1)])
        await self._outcomes.create_index("item_id")
        await self._outcomes.create_index("delivery_id", unique=True)

    async def claim(self, notification: Notification) -> Notification:
        stored, inserted = await self._new_plans.insert_once(
            plan_key(notification),
            {
                "item_id": str(notification.item_id),
                "notification": notification.model_dump(mode="json"),
            },
        )
        if inserted or stored is None:
            return notification
        return Notification.model_validate(stored["notification"])

    async def begin(self, delivery_id: str, notification: Notification, target: Target) -> Delivery:
        document: Document = {
            "item_id": str(notification.item_id),
            "tracking_code": notification.tracking_code,
            "recipient_kind": notification.recipient_kind.value,
            "recipient": notification.recipient,
            "way": target.way.value,
            "channel": target.way.channel.value,
            "address": target.address,
            "subject": notification.subject,
            "created_at": self._clock(),
        }
        _, inserted = await self._new_deliveries.insert_once(delivery_id, document)
        if inserted:
            return Delivery(delivery_id, DeliveryStatus.PENDING, None, fresh=True)
        stored = await self._outcomes.find_one({"delivery_id": delivery_id})
        if stored is None:
            return Delivery(delivery_id, DeliveryStatus.PENDING)
        return Delivery(
            delivery_id, DeliveryStatus(str(stored["status"])), _event(stored.get("outcome"))
        )

    async def finish(
        self, delivery_id: str, *, item_id: UUID, status: DeliveryStatus, outcome: Event | None
    ) -> None:
        await self._new_outcomes.insert_once(
            delivery_id,
            {
                "delivery_id": delivery_id,
                "item_id": str(item_id),
                "status": status.value,
                "finished_at": self._clock(),
                "outcome": outcome.model_dump(mode="json") if outcome else None,
            },
        )

    async def outcomes(self, item_id: UUID) -> list[tuple[str, DeliveryStatus]]:
        cursor = self._outcomes.find({"item_id": str(item_id)}, {"delivery_id": 1, "status": 1})
        return [(str(d["delivery_id"]), DeliveryStatus(str(d["status"]))) async for d in cursor]


# --- items --------------------------------------------------------------------------------------


class ItemRepository(Protocol):
    async def remember(self, record: ItemRecord) -> ItemRecord:
        """Keep what the first routed event said about an item (first write wins); return the
        stored record."""
        ...

    async def rerouted(self, record: ItemRecord) -> None:
        """A newer routing of a known item: its body, category, case and time replace the
        stored ones (the citizen and the thread stay as first routed)."""
        ...

    async def find(self, item_ids: tuple[UUID, ...]) -> list[ItemRecord]: ...

    async def moved(self, statuses: Mapping[UUID, Status]) -> None:
        """Where these items stand now (their status only: the body is the routings')."""
        ...


class MongoItemRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._items = db["items"]
        self._new_items = InsertBatcher(self._items)

    async def prepare(self) -> None:
        await self._items.create_index("item_id", unique=True)

    async def remember(self, record: ItemRecord) -> ItemRecord:
        document = record.model_dump(mode="json")
        stored, _ = await self._new_items.insert_once(str(record.item_id), document)
        return ItemRecord.model_validate(stored or document)

    async def rerouted(self, record: ItemRecord) -> None:
        routing = record.model_dump(mode="json", include=set(ROUTING_FIELDS))
        await self._items.update_one({"_id": str(record.item_id)}, {"$set": routing})

    async def find(self, item_ids: tuple[UUID, ...]) -> list[ItemRecord]:
        wanted = [str(i) for i in item_ids]
        cursor = self._items.find({"item_id": {"$in": wanted}})
        found = {str(d["item_id"]): ItemRecord.model_validate(d) async for d in cursor}
        return [found[i] for i in wanted if i in found]

    async def moved(self, statuses: Mapping[UUID, Status]) -> None:
        if not statuses:
            return
        # One command for the case, still one indexed equality per item (FerretDB scans `$in`).
        await self._items.bulk_write(
            [
                UpdateOne({"item_id": str(item_id)}, {"$set": {"status": status.value}})
                for item_id, status in statuses.items()
            ],
            ordered=False,
        )


# --- reachability and last inbound messages -----------------------------------------------------


def contact_key(channel: Channel, address: str) -> str:
    return f"{channel.value}:{address}"


class ContactRepository(Protocol):
    async def record(self, fact: ContactFact) -> None: ...

    async def facts(self, contacts: list[tuple[Channel, str]]) -> list[ContactFact]: ...


class MongoContactRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._facts = db["contact_facts"]
        self._by_contact = FindBatcher(self._facts, "contact")

    async def prepare(self) -> None:
        await self._facts.create_index([("contact", ASCENDING), ("at", DESCENDING)])

    async def record(self, fact: ContactFact) -> None:
        await insert_once(
            self._facts,
            fact.key,
            {
                "contact": contact_key(fact.channel, fact.address),
                "channel": fact.channel.value,
                "address": fact.address,
                "at": fact.at,
                "reachable": fact.reachable,
                "reason": fact.reason,
            },
        )

    async def facts(self, contacts: list[tuple[Channel, str]]) -> list[ContactFact]:
        if not contacts:
            return []
        # Every routed item reads its citizen's: the items handled at once share one read.
        found = await self._by_contact.find_in(contact_key(c, a) for c, a in contacts)
        return [
            ContactFact(
                key=str(d["_id"]),
                channel=Channel(str(d["channel"])),
                address=str(d["address"]),
                at=_moment(d["at"]),
                reachable=flag if isinstance(flag := d.get("reachable"), bool) else None,
                reason=str(d["reason"]) if d.get("reason") else None,
            )
            for d in found
        ]


# --- queued sends: quiet hours and digests ------------------------------------------------------


class QueueRepository(Protocol):
    async def put(self, queued: Queued) -> None:
        """Queue once per key (a redelivered event queues nothing new)."""
        ...

    async def due(self, now: datetime) -> list[Queued]: ...

    async def remove(self, key: str) -> None: ...


class MongoQueueRepository:
    """Small by nature (a night's SMS/Zalo, a day's digests): removal by `_id` scans, cheaply."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._queue = db["queued"]

    async def prepare(self) -> None:
        await self._queue.create_index("due_at")

    async def put(self, queued: Queued) -> None:
        await insert_once(
            self._queue,
            queued.key,
            {
                "kind": queued.kind.value,
                "due_at": queued.due_at,
                "day": queued.day.isoformat() if queued.day else None,
                "notification": queued.notification.model_dump(mode="json"),
            },
        )

    async def due(self, now: datetime) -> list[Queued]:
        cursor = self._queue.find({"due_at": {"$lte": now}}).sort("due_at", ASCENDING)
        return [
            Queued(
                key=str(d["_id"]),
                kind=Held(str(d["kind"])),
                due_at=_moment(d["due_at"]),
                notification=Notification.model_validate(d["notification"]),
                day=date.fromisoformat(str(d["day"])) if d.get("day") else None,
            )
            async for d in cursor
        ]

    async def remove(self, key: str) -> None:
        await self._queue.delete_one({"_id": key})


# --- Zalo tokens --------------------------------------------------------------------------------


class MongoTokenStore:
    """Every refreshed token pair is a new record; the newest is the one in use."""

    def __init__(self, db: AsyncDatabase[Document], *, clock: Clock) -> None:
        self._tokens = db["zalo_tokens"]
        self._clock = clock

    async def prepare(self) -> None:
        await self._tokens.create_index("seq")

    async def load(self) -> ZaloToken | None:
        cursor = self._tokens.find().sort("seq", DESCENDING).limit(1)
        async for d in cursor:
            return ZaloToken(
                access_token=str(d["access_token"]),
                refresh_token=str(d["refresh_token"]),
                expires_at=_moment(d["expires_at"]),
            )
        return None

    async def save(self, token: ZaloToken) -> None:
        await self._tokens.insert_one(
            {
                # Nanoseconds, not the BSON date (milliseconds): two refreshes stay ordered.
                "seq": time.time_ns(),
                "refreshed_at": self._clock(),
                "access_token": token.access_token,
                "refresh_token": token.refresh_token,
                "expires_at": token.expires_at,
            }
        )


@dataclass(frozen=True)
class MongoStores:
    """Every store of the notifier on one database, and the indexes they need."""

    deliveries: MongoDeliveryRepository
    items: MongoItemRepository
    contacts: MongoContactRepository
    queue: MongoQueueRepository
    tokens: MongoTokenStore

    @classmethod
    def on(cls, db: AsyncDatabase[Document], *, clock: Clock) -> "MongoStores":
        return cls(
            deliveries=MongoDeliveryRepository(db, clock=clock),
            items=MongoItemRepository(db),
            contacts=MongoContactRepository(db),
            queue=MongoQueueRepository(db),
            tokens=MongoTokenStore(db, clock=clock),
        )

    async def prepare(self) -> None:
        for store in (self.deliveries, self.items, self.contacts, self.queue, self.tokens):
            await store.prepare()
