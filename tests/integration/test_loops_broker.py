"""Issue 10's loops through the real Kafka and FerretDB: what the notifier opens for a person
reaches intake's task list; what a citizen adds by reply reaches the router's history and the body.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from pydantic import MongoDsn, SecretStr

from hoiam_intake.app import create_app as create_intake
from hoiam_intake.settings import IntakeSettings
from hoiam_notifier.app import create_app as create_notifier
from hoiam_notifier.settings import NotifierSettings
from hoiam_shared.events import Channel, Citizen, Event
from hoiam_shared.topics import FEEDBACK_ROUTED, Topics
from support.clock import TestClock
from support.notifier_events import routed
from support.stack import Stack

TOKEN = "loops-operator"
AUTH = {"authorization": f"Bearer {TOKEN}"}


def common(stack: Stack, prefix: str, service: str) -> dict[str, Any]:
    return {
        "kafka_bootstrap_servers": stack.kafka,
        "kafka_topic_prefix": f"{prefix}.",
        "kafka_group_id": f"{prefix}-{service}",
        "kafka_partitions": 2,
        "kafka_consumers": 1,
        "mongo_url": MongoDsn(stack.mongo_url),
        "mongo_database": f"{prefix}_{service}",
        "retry_backoff_seconds": 0.05,
    }


@dataclass
class Site:
    topics: Topics
    producer: AIOKafkaProducer
    intake: httpx.AsyncClient
    clock: TestClock

    async def publish(self, topic: str, event: Event) -> None:
        await self.producer.send_and_wait(
            self.topics.name(topic), event.to_bytes(), key=str(event.correlation_id).encode()
        )


async def eventually[T](
    read: Callable[[], Awaitable[T]], ok: Callable[[T], bool], within: float = 30
) -> T:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        value = await read()
        if ok(value) or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(0.2)


@pytest.fixture
async def site(stack: Stack, prefix: str) -> AsyncIterator[Site]:
    clock = TestClock.daytime()
    intake_settings = IntakeSettings.model_validate(
        common(stack, prefix, "intake")
        | {"id_secret": SecretStr(f"loops-{prefix}"), "operator_token": SecretStr(TOKEN)}
    )
    notifier_settings = NotifierSettings.model_validate(
        common(stack, prefix, "notifier") | {"flush_enabled": False}
    )
    apps: list[FastAPI] = [
        create_intake(intake_settings, clock=clock),
        create_notifier(notifier_settings, clock=clock),
    ]
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka, acks="all")
    async with AsyncExitStack() as running:
        for app in apps:
            await running.enter_async_context(app.router.lifespan_context(app))
        await producer.start()
        running.push_async_callback(producer.stop)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=apps[0]), base_url="http://intake"
        )
        await running.enter_async_context(client)
        yield Site(intake_settings.topics, producer, client, clock)


async def test_a_task_the_notifier_opens_reaches_intakes_task_list(site: Site) -> None:
    # Nobody can reach this citizen: the notifier opens a task for a person.
    nobody = Citizen(name="Cử tri không liên lạc được", preferred_channel=Channel.WEB)
    item = routed(nobody, origin=None, received_at=site.clock(), body=None, status="triage")

    await site.publish(FEEDBACK_ROUTED, item)

    async def listed() -> list[dict[str, Any]]:
        answer = await site.intake.get("/v1/operator/tasks", headers=AUTH)
        assert answer.status_code == 200
        return [t for t in answer.json() if t["item_id"] == str(item.item_id)]

    [task] = await eventually(listed, lambda found: len(found) >= 1)
    assert (task["kind"], task["state"], task["tracking_code"]) == (
        "unreachable_citizen", "open", item.tracking_code,
    )  # fmt: skip
    assert task["opened_at"].endswith("+07:00")

    taken = await site.intake.post(
        f"/v1/operator/tasks/{task['task_id']}/assign", json={"actor": "lan"}, headers=AUTH
    )
    done = await site.intake.post(
        f"/v1/operator/tasks/{task['task_id']}/done", json={"actor": "lan"}, headers=AUTH
    )
    assert (taken.status_code, done.status_code) == (200, 200)
    assert done.json()["done_by"] == "lan"
