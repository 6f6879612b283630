"""The shared HTTP shell on the real broker and store: background loops run while the service
does, are cancelled when it stops, and one that dies is reported without stopping the shutdown."""

import asyncio
import logging

import pytest
from prometheus_client import CollectorRegistry
from pydantic import MongoDsn

from hoiam_shared.http import service_app
from hoiam_shared.kafka import make_broker
from hoiam_shared.mongo import make_mongo
from hoiam_shared.settings import ServiceSettings
from support.stack import Stack


async def test_background_loops_live_and_die_with_the_service(
    stack: Stack, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = ServiceSettings(
        kafka_bootstrap_servers=stack.kafka,
        kafka_topic_prefix=f"{prefix}.",
        kafka_partitions=1,
        mongo_url=MongoDsn(stack.mongo_url),
        mongo_database=f"{prefix}_shell",
    )
    registry = CollectorRegistry()
    broker = make_broker(settings, service="shell", registry=registry)
    mongo, _ = make_mongo(settings)
    running, cancelled, closed = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def steady() -> None:
        running.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def broken() -> None:
        raise RuntimeError("a bug in a loop")

    async def close() -> None:
        closed.set()

    async def prepare() -> None:
        return None

    app = service_app(
        name="shell",
        settings=settings,
        broker=broker,
        mongo=mongo,
        registry=registry,
        prepare_store=prepare,
        background=[steady, broken],
        on_stop=[close],
    )
    with caplog.at_level(logging.ERROR, logger="hoiam_shared.http"):
        async with app.router.lifespan_context(app):
            await asyncio.wait_for(running.wait(), 5)
            await asyncio.sleep(0.1)  # the broken loop has ended by now
            assert not cancelled.is_set()
        assert cancelled.is_set()
        assert closed.is_set()  # the dead loop did not stop the shutdown half-way
    [report] = [r for r in caplog.records if r.getMessage() == "background loop stopped"]
    assert report.exc_info is not None
    assert "a bug in a loop" in str(report.exc_info[1])
