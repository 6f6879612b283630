"""The ratings store on the real FerretDB: one rating per item, two at once cannot both pass
(the unique `_id` decides), a released claim can be made again."""

import asyncio
from datetime import UTC, datetime
from uuid import UUID

import pytest
from pymongo import AsyncMongoClient

from hoiam_console.domain.public import Rating
from hoiam_console.store import MongoRatings
from hoiam_shared.ids import new_id, new_tracking_code

pytestmark = pytest.mark.integration


def rating(item_id: UUID, score: int) -> Rating:
    return Rating(
        item_id=item_id,
        tracking_code=new_tracking_code(),
        score=score,
        body_id="29341-ubnd-xa",
        rated_at=datetime(2026, 12, 4, tzinfo=UTC),
    )


async def test_two_ratings_at_once_keep_one(
    prefix: str, mongo: AsyncMongoClient[dict[str, object]]
) -> None:
    store = MongoRatings(mongo[f"{prefix}_console"])
    item_id = new_id()
    results = await asyncio.gather(*(store.claim(rating(item_id, s)) for s in (1, 5, 3)))
    assert sorted(results) == [False, False, True]
    [kept] = [r for r in await store.all() if r.item_id == item_id]
    assert kept.score in (1, 5, 3)
    await store.release(item_id)
    assert await store.claim(rating(item_id, 4))
