"""One contract per port, run against the in-memory fake and the MongoDB adapter on FerretDB."""

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from hoiam_router.directory import load_directory
from hoiam_router.domain import route
from hoiam_router.handlers import to_event
from hoiam_router.repository import (
    AssignmentRepository,
    InMemoryAssignmentRepository,
    MongoAssignmentRepository,
)
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


assignments_repo = _kinds(InMemoryAssignmentRepository, MongoAssignmentRepository)


async def test_assignments_first_write_wins_even_when_racing(
    assignments_repo: AssignmentRepository,
) -> None:
    directory = load_directory()
    item = make_received("Mất điện cả ấp", address="tỉnh Bến Tre")
    decision = to_event(item, route(item, directory, fallback_province=None))
    other = decision.model_copy(update={"event_id": make_received("x").event_id})
    stored = await asyncio.gather(
        assignments_repo.add_once(decision), assignments_repo.add_once(other)
    )
    assert stored[0] == stored[1]
    assert stored[0].event_id in {decision.event_id, other.event_id}
    assert await assignments_repo.add_once(decision) == stored[0]
