"""The AsyncAPI documents: committed as the wirings give them, every topic in one, each payload
its event's schema, and each service serving its own at /docs/asyncapi."""

import json
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient

from fakes import vault_for
from hoiam_shared.asyncapi import asyncapi_document
from hoiam_shared.events import DeadLetterRecorded
from hoiam_shared.kafka import make_broker
from hoiam_shared.service import serve
from hoiam_shared.topics import ALL_TOPICS, dead_letter_topic
from hoiam_shared.vault import MongoKeyStore
from support.asyncapi import ASYNCAPI_DIR, rendered, wirings
from support.clock import TestClock

REGENERATE = "AsyncAPI documents are stale: run `make asyncapi` and commit docs/asyncapi/"


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    return {name: json.loads(text) for name, text in rendered().items()}


def test_the_committed_documents_are_exactly_the_rendered_ones() -> None:
    committed = {p.name: p.read_text("utf-8") for p in ASYNCAPI_DIR.glob("*.asyncapi.json")}
    assert committed == rendered(), REGENERATE


def addresses(document: dict[str, Any]) -> set[str]:
    return {channel["address"] for channel in document["channels"].values()}


def test_every_topic_is_documented_by_a_service_that_writes_it(
    documents: dict[str, dict[str, Any]],
) -> None:
    written = set().union(
        *(
            {
                document["channels"][op["channel"]["$ref"].rsplit("/", 1)[1]]["address"]
                for op in document["operations"].values()
                if op["action"] == "send"
            }
            for document in documents.values()
        )
    )
    assert set(ALL_TOPICS) <= written


def payload(document: dict[str, Any], channel: str) -> str:
    (ref,) = document["channels"][channel]["messages"].values()
    message = document["components"]["messages"][ref["$ref"].rsplit("/", 1)[1]]
    return str(message["payload"]["$ref"]).rsplit("/", 1)[1]


def test_each_subscription_and_dead_letter_topic_carries_its_event() -> None:
    for wiring, settings in wirings().values():
        document = asyncapi_document(wiring, settings)
        for sub in wiring.subscriptions:
            assert payload(document, sub.title) == sub.event.__name__
            assert payload(document, f"{dead_letter_topic(sub.topic)}:publish") == (
                DeadLetterRecorded.__name__
            )
        for topic, event in wiring.publishes.items():
            assert payload(document, f"{topic}:publish") == event.__name__


@pytest.mark.parametrize("service", ["intake", "router", "notifier"])
async def test_each_service_serves_its_document(service: str) -> None:
    wiring, settings = wirings()[service]
    registry = CollectorRegistry()
    # Neither client connects before the app starts, and this app is never started.
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        str(settings.mongo_url), connect=False
    )
    app = serve(
        wiring,
        settings=settings,
        broker=make_broker(settings, service=service, registry=registry),
        mongo=mongo,
        registry=registry,
        vault=vault_for(TestClock.daytime()),
        keys=MongoKeyStore(mongo["vault"]),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://svc"
    ) as client:
        answer = await client.get("/docs/asyncapi")
    await mongo.close()
    assert answer.status_code == 200
    assert answer.json() == json.loads(rendered()[f"{service}.asyncapi.json"])
