"""The console's unit fixtures: the console built with fakes, and an HTTP client on it."""

from collections.abc import AsyncIterator

import httpx
import pytest

from support.console import Console, make_console


@pytest.fixture
async def console() -> Console:
    return await make_console()


@pytest.fixture
async def client(console: Console) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=console.app, client=("198.51.100.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as client:
        yield client
