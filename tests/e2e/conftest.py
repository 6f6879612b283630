"""E2E fixtures: the real stack, a real SMTP server and the three services as processes."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from support.clock import TestClock
from support.services import Running, running_services
from support.smtp import SmtpServer
from support.stack import Stack, ensure_stack, free_port, remove_test_leftovers


@pytest.fixture(scope="session")
def stack() -> Stack:
    return ensure_stack()


@pytest.fixture(scope="session")
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer(free_port()) as server:
        yield server


@pytest.fixture(scope="session")
def services(
    stack: Stack, smtp: SmtpServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Running]:
    log_dir: Path = tmp_path_factory.mktemp("service-logs")
    prefix = f"e{uuid.uuid4().hex[:10]}"
    with running_services(
        stack=stack,
        prefix=prefix,
        smtp_port=smtp.port,
        log_dir=log_dir,
        # Answers reach citizens at once only outside quiet hours: the e2e tests follow them.
        clock=TestClock.daytime(),
    ) as running:
        yield running
    asyncio.run(remove_test_leftovers(stack, prefix))


@pytest.fixture
async def mongo(stack: Stack) -> AsyncIterator[AsyncMongoClient[dict[str, object]]]:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    try:
        yield client
    finally:
        await client.close()
