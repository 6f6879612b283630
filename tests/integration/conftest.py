"""Integration fixtures: the real Kafka and FerretDB (started if needed), per-test names."""

import uuid
from collections.abc import AsyncIterator

import pytest
from pymongo import AsyncMongoClient

from support.stack import Stack, ensure_stack


@pytest.fixture(scope="session")
def stack() -> Stack:
    return ensure_stack()


@pytest.fixture
def prefix() -> str:
    """A unique name for this test's topics, groups and databases."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def mongo(stack: Stack) -> AsyncIterator[AsyncMongoClient[dict[str, object]]]:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        stack.mongo_url, serverSelectionTimeoutMS=10_000, tz_aware=True
    )
    try:
        yield client
    finally:
        await client.close()
