"""The console's read model on the real FerretDB and Kafka: the Mongo store gives the in-memory
rules' answers (one contract, both adapters), and the console's subscribers build it from events
published on real topics, a redelivery changing nothing."""

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from pydantic import MongoDsn, SecretStr
from pymongo import AsyncMongoClient

from hoiam_console.app import create_app
from hoiam_console.domain.readmodel import Change, changes_of
from hoiam_console.ports import ReadModel
from hoiam_console.settings import ConsoleSettings
from hoiam_console.store import MongoReadModel
from hoiam_shared.events import (
    Channel,
    Event,
    FeedbackMessageAdded,
    FeedbackReceived,
    FeedbackText,
    NotificationSent,
    RecipientKind,
    Status,
)
from hoiam_shared.topics import (
    FEEDBACK_MESSAGES,
    FEEDBACK_RECEIVED,
    FEEDBACK_ROUTED,
    FEEDBACK_STATUS,
    NOTIFICATION_SENT,
    Topics,
)
from support.clock import TestClock
from support.console import (
    SO_XAY_DUNG_BODY,
    TIEU_CAN_BODY,
    InMemoryReadModel,
    received,
    routed,
    status_changed,
)
from support.services import VAULT_SECRET, vault_database
from support.stack import Stack

T0 = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def story() -> tuple[list[Event], list[FeedbackReceived]]:
    """Two items of one case, their events in an unhelpful order: late, repeated, out of turn."""
    lead, other = received("Đường hư nặng.", at=T0), received("Đường hư, ổ gà.", at=T0)
    reply = FeedbackMessageAdded(
        occurred_at=T0 + timedelta(hours=2),
        correlation_id=lead.item_id,
        item_id=lead.item_id,
        tracking_code=lead.tracking_code,
        channel=Channel.EMAIL,
        kind="reply",
        received_at=T0 + timedelta(hours=2),
        text=FeedbackText(original="Rất nguy hiểm", normalised="Rất nguy hiểm"),
    )
    resolved = status_changed(
        lead,
        Status.RESOLVED,
        at=T0 + timedelta(hours=4),
        answer="Đã sửa cả tuyến.",
        case_item_ids=[lead.item_id, other.item_id],
    )
    sent = NotificationSent(
        occurred_at=T0 + timedelta(hours=5),
        correlation_id=other.item_id,
        item_id=other.item_id,
        tracking_code=other.tracking_code,
        delivery_id="d-other",
        recipient_kind=RecipientKind.CITIZEN,
        channel=Channel.EMAIL,
        attempts=1,
    )
    events: list[Event] = [
        resolved,  # the newest first
        routed(lead, body=TIEU_CAN_BODY, at=T0 + timedelta(hours=1)),
        status_changed(
            other, Status.ROUTED, at=T0 + timedelta(hours=3), body=SO_XAY_DUNG_BODY
        ),  # reassigned
        routed(other, body=TIEU_CAN_BODY, at=T0 + timedelta(hours=1)),  # late, older
        lead,
        other,
        reply,
        resolved,  # redelivered
        sent,
        reply,  # redelivered
    ]
    return events, [lead, other]


async def apply_all(model: ReadModel, events: list[Event]) -> list[bool]:
    results = []
    for event in events:
        for change in changes_of(event):
            results.append(await model.apply(change))
    return results


@pytest.fixture
async def database(prefix: str, mongo: AsyncMongoClient[dict[str, object]]) -> MongoReadModel:
    model = MongoReadModel(mongo[f"{prefix}_console"])
    await model.prepare()
    return model


async def test_the_mongo_read_model_answers_as_the_rules_do(database: MongoReadModel) -> None:
    events, items = story()
    memory = InMemoryReadModel()
    assert await apply_all(database, events) == await apply_all(memory, events)
    for item in items:
        real, expected = await database.get(item.item_id), await memory.get(item.item_id)
        assert real == expected
        assert real is not None
        assert real.status is Status.RESOLVED
        assert real.answer == "Đã sửa cả tuyến."
    other = await database.get(items[1].item_id)
    assert other is not None
    assert other.body_id == SO_XAY_DUNG_BODY.id  # the late routing did not undo the reassignment
    for query in (
        {"body_id": TIEU_CAN_BODY.id},
        {"province_code": "86"},
        {"commune_codes": ["29341"]},
        {"statuses": [Status.RESOLVED]},
    ):
        real_found = [r.item_id for r in await database.find(**query)]
        memory_found = [r.item_id for r in await memory.find(**query)]
        assert sorted(real_found) == sorted(memory_found), query
    by_code = await database.by_tracking_code(items[0].tracking_code)
    assert by_code is not None
    assert by_code.item_id == items[0].item_id


async def test_open311_queries_answer_alike_on_both_stores(database: MongoReadModel) -> None:
    """`find_requests` (Open311's `GET requests`): the same pages, in the same order, from both."""
    memory = InMemoryReadModel()
    events: list[Event] = []
    for hours in (0, 1, 1, 2, 30):  # two at the same time: the order must still be one
        item = received("Đường hư, ổ gà.", at=T0 - timedelta(hours=hours))
        consent = item.citizen.model_copy(update={"publication_consent": hours != 2})
        item = item.model_copy(update={"citizen": consent})
        events += [item, routed(item, body=TIEU_CAN_BODY, at=item.received_at)]
        if hours == 1:
            events.append(status_changed(item, Status.RESOLVED, at=T0, answer="Đã sửa."))
    await apply_all(database, events)
    await apply_all(memory, events)
    window: dict[str, Any] = {"received_from": T0 - timedelta(hours=10), "received_to": T0}
    queries: list[dict[str, Any]] = [
        {},
        {"published_only": True},
        {"statuses": [Status.RESOLVED]},
        {"category_codes": ["transport"], "published_only": True},
        {"category_codes": ["water"]},
        {"skip": 1, "limit": 2},
        {"skip": 3, "limit": 2},
    ]
    for query in queries:
        real = [r.item_id for r in await database.find_requests(**window, **query)]
        expected = [r.item_id for r in await memory.find_requests(**window, **query)]
        assert real == expected, query
    assert len(await database.find_requests(**window)) == 4
    assert len(await database.find_requests(**window, published_only=True)) == 3


async def test_concurrent_changes_of_one_item_all_land(database: MongoReadModel) -> None:
    """Several subscribers write one record at once: no entry is lost to another's write."""
    item = received("Mất nước.", at=T0)
    changes: list[Change] = [
        change
        for event in [
            item,
            routed(item, body=TIEU_CAN_BODY, at=T0 + timedelta(minutes=1)),
            *[
                status_changed(item, Status.IN_PROGRESS, at=T0 + timedelta(minutes=2 + n))
                for n in range(8)
            ],
        ]
        for change in changes_of(event)
    ]
    await asyncio.gather(*(database.apply(c) for c in changes))
    record = await database.get(item.item_id)
    assert record is not None
    assert len(record.history) == len(changes)
    assert record.status is Status.IN_PROGRESS
    assert record.body_id == TIEU_CAN_BODY.id


async def test_the_console_builds_its_read_model_from_the_topics(
    stack: Stack, prefix: str, mongo: AsyncMongoClient[dict[str, object]]
) -> None:
    settings = ConsoleSettings(
        kafka_bootstrap_servers=stack.kafka,
        kafka_topic_prefix=f"{prefix}.",
        kafka_group_id=f"{prefix}-console",
        mongo_url=MongoDsn(stack.mongo_url),
        mongo_database=f"{prefix}_console",
        person_token_secret=SecretStr("console-integration-secret-of-32-bytes!"),
        retry_backoff_seconds=0.2,
        vault_secret=SecretStr(VAULT_SECRET),
        vault_database=vault_database(prefix),
    )
    app = create_app(settings, clock=TestClock.daytime())
    topics = Topics(prefix=f"{prefix}.")
    events, items = story()
    where = {
        "FeedbackReceived": FEEDBACK_RECEIVED,
        "FeedbackRouted": FEEDBACK_ROUTED,
        "StatusChanged": FEEDBACK_STATUS,
        "FeedbackMessageAdded": FEEDBACK_MESSAGES,
        "NotificationSent": NOTIFICATION_SENT,
    }
    model = MongoReadModel(mongo[f"{prefix}_console"])
    async with app.router.lifespan_context(app):
        producer = AIOKafkaProducer(bootstrap_servers=stack.kafka, acks="all")
        await producer.start()
        try:
            for event in events:
                await producer.send_and_wait(
                    topics.name(where[event.type]),
                    event.to_bytes(),
                    key=str(event.correlation_id).encode(),
                )
        finally:
            await producer.stop()
        # Every event of both items reached the record: 5 entries each (the lead: received,
        # routed, reply, resolved; the other: received, routed, reassigned, resolved, sent).
        deadline = time.monotonic() + 60
        while True:
            records = [await model.get(item.item_id) for item in items]
            counts = [len(r.history) if r else 0 for r in records]
            if counts == [4, 5] or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.3)
    assert counts == [4, 5]
    lead, other = records
    assert lead is not None
    assert other is not None
    assert (lead.status, other.status) == (Status.RESOLVED, Status.RESOLVED)
    assert other.body_id == SO_XAY_DUNG_BODY.id
    assert [e.delivered for e in other.history if e.kind == "notification"] == [True]
