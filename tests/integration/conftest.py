"""Integration fixtures: the real Kafka and FerretDB (started if needed), per-test names."""

import uuid
from collections.abc import AsyncIterator

import pytest
from pymongo import AsyncMongoClient

from support.stack import Stack, ensure_stack, remove_test_leftovers


@pytest.fixture(scope="session")
def stack() -> Stack:
    return ensure_stack()


@pytest.fixture
async def prefix(stack: Stack) -> AsyncIterator[str]:
    """A unique name for this test's topics, groups and databases, removed afterwards."""
    name = f"t{uuid.uuid4().hex[:10]}"
    yield name
    await remove_test_leftovers(stack, name)


@pytest.fixture
async def mongo(stack: Stack) -> AsyncIterator[AsyncMongoClient[dict[str, object]]]:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        stack.mongo_url, serverSelectionTimeoutMS=10_000, tz_aware=True
    )
    try:
        yield client
    finally:
        await client.close()
