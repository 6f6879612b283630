"""The router's and the notifier's store commands per item on FerretDB, counted as `make bench`
counts them (`hoiam_mongo_commands_total`): one item alone, and six at once as the partitions of
a consumed batch are handled, which share their first writes (`InsertBatcher`)."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import pytest
from prometheus_client import CollectorRegistry
from pydantic import MongoDsn
from pymongo.asynchronous.database import AsyncDatabase

from fakes import (
    NOTIFIER_SETTINGS,
    InMemoryPublishedAnswerStore,
    InMemorySender,
    RecordingPublisher,
    router_world,
)
from hoiam_notifier.app import build as build_notifier
from hoiam_notifier.domain.notifications import Way
from hoiam_notifier.handlers import Notifier
from hoiam_notifier.repository import MongoStores
from hoiam_notifier.settings import NotifierSettings
from hoiam_router.app import build as build_router
from hoiam_router.handlers import RouteFeedback
from hoiam_router.repository import MongoAssignmentRepository
from hoiam_router.settings import RouterSettings
from hoiam_shared.events import FeedbackReceived, FeedbackRouted
from hoiam_shared.mongo import Document, make_mongo
from hoiam_shared.settings import ServiceSettings
from support.clock import TestClock
from support.router import bundled_directory
from support.samples import make_received
from support.stack import Stack

PLACES = (
    "ấp 3, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh",
    "tỉnh Bến Tre",
    "phường 1, thành phố Vĩnh Long",
)
DAYTIME = datetime(2026, 11, 27, 10)  # a Friday morning in Việt Nam: no quiet hours
TEXTS = ("Đường ấp bị sạt lở, nhiều ổ gà", "Mất điện cả ấp ba ngày", "Rác thải đổ bừa bãi ven sông")


@dataclass
class Counted:
    db: AsyncDatabase[Document]
    registry: CollectorRegistry

    def commands(self) -> Counter[str]:
        found: Counter[str] = Counter()
        for metric in self.registry.collect():
            for sample in metric.samples:
                if sample.name == "hoiam_mongo_commands_total":
                    found[sample.labels["command"]] += int(sample.value)
        return found


@pytest.fixture
async def counted(stack: Stack, prefix: str) -> AsyncIterator[Counted]:
    settings = ServiceSettings(mongo_url=MongoDsn(stack.mongo_url), mongo_database=f"{prefix}_rt")
    registry = CollectorRegistry()
    client, db = make_mongo(settings, registry=registry)
    try:
        yield Counted(db, registry)
    finally:
        await client.drop_database(f"{prefix}_rt")
        await client.close()


def received(n: int) -> FeedbackReceived:
    return make_received(
        f"{TEXTS[n % len(TEXTS)]} ({n})",
        address=PLACES[n % len(PLACES)],
        email=f"petitioner{n}@example.vn",
    )


async def measure[T](
    counted: Counted, handle: Callable[[T], Awaitable[object]], batches: list[list[T]]
) -> list[tuple[float, Counter[str]]]:
    """Commands per item of each batch, its items handled at once, and what they were."""
    figures = []
    for batch in batches:
        before = counted.commands()
        await asyncio.gather(*(handle(x) for x in batch))
        spent = counted.commands() - before
        figures.append((spent.total() / len(batch), spent))
    return figures


async def test_the_router_spends_fewer_commands_per_item_when_partitions_share_them(
    counted: Counted,
) -> None:
    store = MongoAssignmentRepository(counted.db, clock=TestClock.frozen(DAYTIME))
    await store.prepare()
    parts = build_router(
        RouterSettings(fallback_province="86"),
        directory=bundled_directory(),
        assignments=store,
        publisher=RecordingPublisher(),
        clock=TestClock.frozen(DAYTIME),
        registry=CollectorRegistry(),
        published=InMemoryPublishedAnswerStore(),
    )
    route: RouteFeedback = parts.route

    (alone, listed), (together, _) = await measure(
        counted, route, [[received(0)], [received(n) for n in range(1, 7)]]
    )

    print(f"router, one item: {alone:.1f} commands {dict(listed)}; six at once: {together:.1f}")
    # One item: its decision, its case (who opened one here, then its membership), its history.
    assert listed == Counter({"insert": 3, "find": 1})
    assert together < alone


async def test_the_notifier_spends_fewer_commands_per_item_when_partitions_share_them(
    counted: Counted,
) -> None:
    router = router_world(bundled_directory())
    for n in range(7):
        await router.route(received(n))
    routed = router.publisher.of(FeedbackRouted)
    stores = MongoStores.on(counted.db, clock=TestClock.frozen(DAYTIME))
    await stores.prepare()
    notifier: Notifier = build_notifier(
        NotifierSettings.model_validate(NOTIFIER_SETTINGS),
        deliveries=stores.deliveries,
        items=stores.items,
        contacts=stores.contacts,
        queue=stores.queue,
        senders={Way.EMAIL: InMemorySender()},
        publisher=RecordingPublisher(),
        clock=TestClock.frozen(DAYTIME),
        registry=CollectorRegistry(),
    ).notifier

    (alone, listed), (together, _) = await measure(
        counted, notifier.notify_routed, [routed[:1], routed[1:]]
    )

    print(f"notifier, one item: {alone:.1f} commands {dict(listed)}; six at once: {together:.1f}")
    # One item, its body and its petitioner told by email: the item, their reachability, then
    # for both at once the plan, the intent before the send and the outcome after it.
    assert listed == Counter({"insert": 4, "find": 1})
    assert together < alone
