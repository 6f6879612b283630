"""The notifier's store ports, one contract each, run against the fakes and MongoDB on FerretDB."""

from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from pymongo import AsyncMongoClient

from fakes import (
    InMemoryContactRepository,
    InMemoryDeliveryRepository,
    InMemoryNotifierItems,
    InMemoryQueueRepository,
    InMemoryTokenStore,
)
from hoiam_notifier.channels.zalo import TokenStore, ZaloToken
from hoiam_notifier.domain.deliveries import DeliveryStatus, Held, Queued
from hoiam_notifier.domain.knowledge import ContactFact, ItemRecord, fold
from hoiam_notifier.domain.notifications import Notification, Target, Way
from hoiam_notifier.repository import (
    ContactRepository,
    DeliveryRepository,
    ItemRepository,
    MongoContactRepository,
    MongoDeliveryRepository,
    MongoItemRepository,
    MongoQueueRepository,
    MongoTokenStore,
    QueueRepository,
)
from hoiam_shared.events import BodyRef, Channel, Citizen, NotificationSent, RecipientKind, Status
from support.clock import TestClock

type Mongo = AsyncMongoClient[dict[str, Any]]
NOW = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)
CLOCK = TestClock.frozen(NOW)  # when the Mongo adapters stamp a record


def _kinds[T](memory: Callable[[], T], make_adapter: Callable[[Any], T]) -> Any:
    @pytest.fixture(params=["memory", "mongo"])
    async def repo(request: pytest.FixtureRequest, prefix: str, mongo: Mongo) -> AsyncIterator[T]:
        if request.param == "memory":
            yield memory()
            return
        adapter = make_adapter(mongo[f"{prefix}_notifier_contract"])
        await adapter.prepare()  # type: ignore[attr-defined]
        yield adapter
        await mongo.drop_database(f"{prefix}_notifier_contract")

    return repo


deliveries = _kinds(InMemoryDeliveryRepository, lambda db: MongoDeliveryRepository(db, clock=CLOCK))
items = _kinds(InMemoryNotifierItems, MongoItemRepository)
contacts = _kinds(InMemoryContactRepository, MongoContactRepository)
queue = _kinds(InMemoryQueueRepository, MongoQueueRepository)
tokens = _kinds(InMemoryTokenStore, lambda db: MongoTokenStore(db, clock=CLOCK))

NOTE = Notification(
    event_id=UUID(int=1),
    item_id=UUID(int=2),
    tracking_code="HA-AAAA-BBBB",
    recipient_kind=RecipientKind.CITIZEN,
    recipient="citizen:2",
    subject="s",
    text="t",
    html="<p>t</p>",
    short_text="t",
    targets=(Target(way=Way.ZALO_CS, address="z"), Target(way=Way.ZALO_ZNS, address="+849")),
)


async def test_the_first_plan_and_the_first_outcome_stand(deliveries: DeliveryRepository) -> None:
    later = NOTE.model_copy(update={"targets": (Target(way=Way.SMS, address="+849"),)})
    assert await deliveries.claim(NOTE) == NOTE
    assert await deliveries.claim(later) == NOTE

    target = NOTE.targets[0]
    delivery = NOTE.delivery_id(target)
    first = await deliveries.begin(delivery, NOTE, target)
    again = await deliveries.begin(delivery, NOTE, target)
    assert (first.fresh, first.status) == (True, DeliveryStatus.PENDING)
    assert (again.fresh, again.status, again.outcome) == (False, DeliveryStatus.PENDING, None)

    sent = NotificationSent(
        correlation_id=NOTE.item_id,
        item_id=NOTE.item_id,
        tracking_code=NOTE.tracking_code,
        delivery_id=delivery,
        recipient_kind=NOTE.recipient_kind,
        channel=Channel.ZALO,
        provider_message_id="zmid1",
        attempts=1,
    )
    await deliveries.finish(
        delivery, item_id=NOTE.item_id, status=DeliveryStatus.SENT, outcome=sent
    )
    await deliveries.finish(
        delivery, item_id=NOTE.item_id, status=DeliveryStatus.FAILED, outcome=None
    )
    done = await deliveries.begin(delivery, NOTE, target)
    assert (done.status, done.outcome) == (DeliveryStatus.SENT, sent)
    assert await deliveries.outcomes(NOTE.item_id) == [(delivery, DeliveryStatus.SENT)]


async def test_items_are_found_by_id_first_write_wins(items: ItemRepository) -> None:
    def record(n: int, name: str) -> ItemRecord:
        return ItemRecord(
            item_id=UUID(int=n),
            tracking_code=f"HA-{n}",
            channel=Channel.EMAIL,
            citizen=Citizen(name=name, preferred_channel=Channel.EMAIL),
        )

    await items.remember(record(1, "An"))
    await items.remember(record(1, "Changed"))
    await items.remember(record(2, "Bình"))

    found = await items.find((UUID(int=2), UUID(int=1), UUID(int=3)))
    assert [(r.item_id, r.citizen.name) for r in found] == [
        (UUID(int=2), "Bình"),
        (UUID(int=1), "An"),
    ]


async def test_a_later_routing_replaces_body_category_and_case_only(
    items: ItemRepository,
) -> None:
    first = ItemRecord(
        item_id=UUID(int=1),
        tracking_code="HA-1",
        channel=Channel.EMAIL,
        citizen=Citizen(name="An", preferred_channel=Channel.EMAIL),
        category="Điện",
        routed_at=NOW,
    )
    assert await items.remember(first) == first
    body = BodyRef(id="b2", name="Công ty Cấp nước", level="utility")
    later = first.model_copy(
        update={
            "body": body,
            "category": "Nước",
            "citizen": Citizen(name="Other", preferred_channel=Channel.WEB),
            "routed_at": NOW + timedelta(days=1),
        }
    )
    assert await items.remember(later) == first  # first write wins

    await items.rerouted(later)

    [found] = await items.find((UUID(int=1),))
    assert (found.body, found.category, found.routed_at) == (body, "Nước", NOW + timedelta(days=1))
    assert found.citizen == first.citizen


async def test_an_item_moves_to_its_latest_status_and_keeps_its_body(
    items: ItemRepository,
) -> None:
    # Issue 10: "you already sent it" says where the first item stands now; the body is the
    # routings' to change, never a status change's.
    body = BodyRef(id="dl", name="Điện lực", level="utility")
    record = ItemRecord(
        item_id=UUID(int=7), tracking_code="HA-7", channel=Channel.ZALO,
        citizen=Citizen(preferred_channel=Channel.ZALO), status=Status.ROUTED, body=body,
    )  # fmt: skip
    await items.remember(record)
    await items.moved({UUID(int=7): Status.IN_PROGRESS, UUID(int=8): Status.IN_PROGRESS})
    await items.moved({UUID(int=7): Status.RESOLVED})
    [found] = await items.find((UUID(int=7),))
    assert (found.status, found.body) == (Status.RESOLVED, body)
    assert await items.find((UUID(int=8),)) == []  # never routed here: nothing made up


async def test_the_latest_reachability_wins_and_inbound_times_are_kept(
    contacts: ContactRepository,
) -> None:
    zalo = (Channel.ZALO, "z1")
    await contacts.record(ContactFact("e1", *zalo, at=NOW, reachable=False, reason="unfollowed"))
    await contacts.record(ContactFact("e1", *zalo, at=NOW, reachable=False))  # redelivered
    await contacts.record(ContactFact("e2", Channel.EMAIL, "a@x", at=NOW, reachable=False))
    await contacts.record(ContactFact("e3", *zalo, at=NOW - timedelta(hours=1)))  # a message
    await contacts.record(ContactFact("e4", Channel.EMAIL, "other@x", at=NOW, reachable=False))

    facts = await contacts.facts([zalo, (Channel.EMAIL, "a@x")])
    assert sorted(f.key for f in facts) == ["e1", "e2", "e3"]
    reach = fold(facts)
    assert not reach.reachable(*zalo)
    assert reach.last_inbound[zalo] == NOW - timedelta(hours=1)

    await contacts.record(ContactFact("e5", *zalo, at=NOW + timedelta(days=1), reachable=True))
    assert fold(await contacts.facts([zalo])).reachable(*zalo)


async def test_queued_sends_come_out_when_due_once(queue: QueueRepository) -> None:
    night = Queued(key="k1", kind=Held.QUIET, due_at=NOW, notification=NOTE)
    digest = Queued(
        key="k2",
        kind=Held.DIGEST,
        due_at=NOW + timedelta(hours=5),
        notification=NOTE,
        day=date(2026, 11, 27),
    )
    await queue.put(night)
    await queue.put(night)
    await queue.put(digest)

    assert [q.key for q in await queue.due(NOW - timedelta(minutes=1))] == []
    [due] = await queue.due(NOW)
    assert (due.key, due.kind, due.notification) == ("k1", Held.QUIET, NOTE)
    assert [q.key for q in await queue.due(NOW + timedelta(hours=6))] == ["k1", "k2"]
    await queue.remove("k1")
    assert [q.day for q in await queue.due(NOW + timedelta(hours=6))] == [date(2026, 11, 27)]


async def test_the_newest_zalo_token_is_the_one_loaded(tokens: TokenStore) -> None:
    assert await tokens.load() is None
    first = ZaloToken("a1", "r1", NOW)
    second = ZaloToken("a2", "r2", NOW + timedelta(hours=25))
    await tokens.save(first)
    await tokens.save(second)
    assert await tokens.load() == second
