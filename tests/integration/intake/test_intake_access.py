"""Intake's door on its real store: what it remembers about who sent what holds across a restart
and across replicas (two `build`s on one FerretDB database are two processes' worth of state)."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from pydantic import SecretStr
from pymongo import AsyncMongoClient

from fakes import RecordingPublisher, intake_settings, vault_for
from hoiam_intake.app import build_on_mongo
from hoiam_intake.store import MongoIntakeStore
from hoiam_shared.events import RawFeedbackAccepted
from support.clock import TestClock
from support.intake_samples import (
    ZALO_APP,
    facebook_message,
    facebook_signed,
    sent_at,
    zalo_signed,
    zalo_text,
)

type Mongo = AsyncMongoClient[dict[str, Any]]
type Start = Callable[..., Awaitable["Process"]]
NOON = datetime(2026, 3, 2, 12, 0)  # naive: Việt Nam time


class Process:
    """One intake process's worth of state on the shared database: its own publisher and app."""

    def __init__(self, mongo: Mongo, database: str, clock: TestClock, **fields: Any) -> None:
        db = mongo[database]
        self.published = RecordingPublisher()
        settings = intake_settings(
            zalo_app_id=ZALO_APP, zalo_oa_secret=SecretStr("oa"),
            facebook_app_secret=SecretStr("app"), **fields,
        )  # fmt: skip
        self.parts = build_on_mongo(
            settings,
            db,
            publisher=self.published,
            clock=clock,
            registry=CollectorRegistry(),
            vault=vault_for(clock),
        )

    async def start(self) -> None:
        await self.parts.wiring.prepare_store()

    def http(self, client_ip: str = "127.0.0.1") -> httpx.AsyncClient:
        app = FastAPI()
        for router in self.parts.wiring.routers:
            app.include_router(router)
        transport = httpx.ASGITransport(app=app, client=(client_ip, 50000))
        return httpx.AsyncClient(transport=transport, base_url="http://intake")

    def raw(self) -> list[RawFeedbackAccepted]:
        return self.published.of(RawFeedbackAccepted)


@pytest.fixture
def processes(mongo: Mongo, prefix: str) -> Start:
    """Start an intake "process" on this test's database (each call: a restart, or a replica)."""

    async def make(clock: TestClock, **fields: Any) -> Process:
        process = Process(mongo, f"{prefix}_intake", clock, **fields)
        await process.start()
        return process

    return make


async def test_a_replayed_webhook_is_not_taken_in_again_after_a_restart(processes: Start) -> None:
    clock = TestClock.frozen(NOON)
    zalo, zalo_headers = zalo_signed(sent_at(zalo_text(), clock()), secret="oa")
    meta, meta_headers = facebook_signed(sent_at(facebook_message(), clock()), secret="app")
    before = await processes(clock)
    async with before.http() as client:
        assert (await client.post("/webhooks/zalo", content=zalo, headers=zalo_headers)).is_success
        answer = await client.post("/webhooks/facebook", content=meta, headers=meta_headers)
        assert answer.is_success
    assert len(before.raw()) == 2

    after = await processes(clock)  # a new process: nothing of the first one's memory
    async with after.http() as client:
        again = await client.post("/webhooks/zalo", content=zalo, headers=zalo_headers)
        assert (again.status_code, again.json()) == (200, {"received": True})
        again = await client.post("/webhooks/facebook", content=meta, headers=meta_headers)
        assert (again.status_code, again.text) == (200, "EVENT_RECEIVED")
    assert after.raw() == []


async def test_replicas_count_one_contact_together(processes: Start) -> None:
    clock = TestClock.frozen(NOON)
    limits = {"rate_window_seconds": 600, "rate_per_ip": 100, "rate_per_contact": 2}
    replicas = [await processes(clock, **limits) for _ in range(3)]
    body = {"email": "nan@example.vn", "text": "Đèn đường tổ 5 hỏng", "consent": True}
    codes = []
    for n, replica in enumerate(replicas):  # a load balancer sends each to another replica
        async with replica.http(client_ip=f"198.51.100.{n}") as client:
            codes.append((await client.post("/v1/intake/web", json=body)).status_code)
    assert codes == [202, 202, 429]
    clock.advance(timedelta(minutes=10))
    async with replicas[0].http() as client:
        assert (await client.post("/v1/intake/web", json=body)).status_code == 202


async def test_the_hit_counter_counts_per_window_across_replicas(mongo: Mongo, prefix: str) -> None:
    # One after another: FerretDB 1.24 applies `$inc` as read-modify-write, so two hits at the
    # same instant may count once there (MongoDB, which production runs, counts both).
    stores = [MongoIntakeStore(mongo[f"{prefix}_intake"]) for _ in range(4)]
    counts = [await s.count_hit("ip:203.0.113.9", 7) for s in stores * 5]
    assert counts == list(range(1, 21))
    # Hits racing to open a window all get an answer (no duplicate-key error escapes), one of
    # them the window's first, and the window then goes on counting.
    opened = await asyncio.gather(*(s.count_hit("ip:203.0.113.10", 7) for s in stores))
    assert min(opened) == 1
    assert await stores[0].count_hit("ip:203.0.113.10", 7) >= 2
    assert await stores[0].count_hit("ip:203.0.113.9", 8) == 1  # a new window starts again
    assert await stores[1].count_hit("ip:203.0.113.9", 8) == 2
    assert await stores[2].count_hit("ip:198.51.100.1", 8) == 1
