"""One contract per port, run against the in-memory fake and the MongoDB adapter on FerretDB."""

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from hoiam_intake.repository import InMemoryItemRepository, ItemRepository, MongoItemRepository
from support.samples import make_received

type Mongo = AsyncMongoClient[dict[str, Any]]


def _kinds[T](memory: Callable[[], T], make_adapter: Callable[[Any], T]) -> Any:
    """Parametrise a fixture over the fake and the real adapter (on a fresh database)."""

    @pytest.fixture(params=["memory", "mongo"])
    async def repo(request: pytest.FixtureRequest, prefix: str, mongo: Mongo) -> AsyncIterator[T]:
        if request.param == "memory":
            yield memory()
            return
        adapter = make_adapter(mongo[f"{prefix}_contract"])
        await adapter.prepare()
        yield adapter
        await mongo.drop_database(f"{prefix}_contract")

    return repo


items_repo = _kinds(InMemoryItemRepository, MongoItemRepository)


async def test_items_first_write_wins(items_repo: ItemRepository) -> None:
    item = make_received("Đường hỏng")
    assert await items_repo.get(item.item_id) is None
    assert await items_repo.add_once(item) == item
    again = item.model_copy(update={"tracking_code": "HA-0000-0000"})
    assert await items_repo.add_once(again) == item
    assert await items_repo.get(item.item_id) == item
