"""The router's unit fixtures: one directory for the whole session, the operator API's client."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from fakes import RouterWorld
from hoiam_router.domain.directory import Directory
from support.router import bundled_directory


@pytest.fixture(scope="session")
def directory() -> Directory:
    return bundled_directory()


@pytest.fixture
async def client(world: RouterWorld) -> AsyncIterator[httpx.AsyncClient]:
    """The operator API of the module's `world` (each module says how its world is set up)."""
    app = FastAPI()
    for router in world.parts.wiring.routers:
        app.include_router(router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://router") as http:
        yield http
