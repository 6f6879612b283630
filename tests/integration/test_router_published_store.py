"""The router's store of published answers, one contract for the in-memory fake and MongoDB on
FerretDB: newer wins, a withdrawal stays, the same event twice changes nothing."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from fakes import InMemoryPublishedAnswerStore
from hoiam_router.published import MongoPublishedAnswerStore, PublishedAnswerStore
from hoiam_shared.events import AnswerPublished
from hoiam_shared.ids import new_id

type Mongo = AsyncMongoClient[dict[str, Any]]
AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
ITEM = new_id()


@pytest.fixture(params=["memory", "mongo"])
async def store(
    request: pytest.FixtureRequest, prefix: str, mongo: Mongo
) -> AsyncIterator[PublishedAnswerStore]:
    if request.param == "memory":
        yield InMemoryPublishedAnswerStore()
        return
    adapter = MongoPublishedAnswerStore(mongo[f"{prefix}_router_published"])
    await adapter.prepare()
    yield adapter
    await mongo.drop_database(f"{prefix}_router_published")


def published(
    summary: str = "Đường ấp 3 sạt lở", *, at: datetime = AT, withdrawn: bool = False
) -> AnswerPublished:
    return AnswerPublished(
        occurred_at=at,
        correlation_id=ITEM,
        publication_id=f"pub-{ITEM}",
        item_id=ITEM,
        tracking_code="HA-7K3Q-92",
        summary=summary,
        answer="Đã sửa.",
        province_code="86",
        commune_code="29341",
        approved_by="operator:lan",
        withdrawn=withdrawn,
        published_at=at,
    )


async def test_the_newest_event_of_a_publication_wins(store: PublishedAnswerStore) -> None:
    first = published()
    assert await store.put(first) is True
    assert await store.put(first) is False  # redelivered
    assert await store.current() == [first]
    newer = published("Đường ấp 3 sạt lở, ổ gà", at=AT + timedelta(days=1))
    assert await store.put(newer) is True
    assert await store.put(first) is False  # an older one after the newer
    assert await store.current() == [newer]


async def test_a_withdrawal_takes_the_entry_out_for_good(store: PublishedAnswerStore) -> None:
    await store.put(published())
    assert await store.put(published(at=AT + timedelta(hours=1), withdrawn=True)) is True
    assert await store.current() == []
    assert await store.put(published()) is False
    assert await store.current() == []
