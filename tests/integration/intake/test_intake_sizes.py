"""Sizes on the real broker: what Kafka refuses is bad input (413, a flagged mail, a truncated
dead letter), never an outage retried forever; what fits goes through, attachments as metadata."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace
from typing import Any

import aioimaplib  # type: ignore[import-untyped]
import pytest
from aiokafka import AIOKafkaConsumer
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry
from pydantic import MongoDsn, SecretStr
from pymongo import AsyncMongoClient

from fakes import intake_settings, intake_world, vault_for
from hoiam_intake.app import build_on_mongo
from hoiam_intake.erasure import open_raw
from hoiam_intake.imap import MongoMailboxState
from hoiam_intake.settings import IntakeSettings
from hoiam_shared.events import (
    Channel,
    DeadLetterRecorded,
    FeedbackReceived,
    RawFeedbackAccepted,
    decode_event,
)
from hoiam_shared.kafka import (
    DeadLetters,
    KafkaEventPublisher,
    RecordTooLargeError,
    ensure_topics,
    make_broker,
)
from hoiam_shared.topics import FEEDBACK_RECEIVED, INTAKE_RAW, dead_letter_topic
from support.clock import TestClock
from support.intake_dovecot import Dovecot, message, running_dovecot
from support.intake_samples import email_with_attachment
from support.stack import Stack

type Mongo = AsyncMongoClient[dict[str, Any]]
MAIL = {"content-type": "message/rfc822"}


def settings_for(stack: Stack, prefix: str, **fields: Any) -> IntakeSettings:
    return intake_settings(
        kafka_bootstrap_servers=stack.kafka,
        kafka_topic_prefix=f"{prefix}.",
        kafka_partitions=1,
        mongo_url=MongoDsn(stack.mongo_url),
        mongo_database=f"{prefix}_intake",
        **fields,
    )


@pytest.fixture
async def broker(stack: Stack, prefix: str) -> AsyncIterator[KafkaBroker]:
    settings = settings_for(stack, prefix)
    await ensure_topics(
        stack.kafka, settings.topics.everything(), partitions=1, replication_factor=1
    )
    kafka = make_broker(settings, service="intake", registry=CollectorRegistry())
    await kafka.start()
    try:
        yield kafka
    finally:
        await kafka.stop()


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server


async def read_all(stack: Stack, topic: str, count: int) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=stack.kafka, auto_offset_reset="earliest",
        enable_auto_commit=False, max_partition_fetch_bytes=4_194_304,
    )  # fmt: skip
    await consumer.start()
    try:
        values: list[bytes] = []
        async with asyncio.timeout(30):
            while len(values) < count:
                batch = await consumer.getmany(timeout_ms=1000)
                values += [r.value for records in batch.values() for r in records if r.value]
        return values
    finally:
        await consumer.stop()


async def test_the_broker_refuses_a_record_over_its_limit_as_bad_input(
    stack: Stack, prefix: str, broker: KafkaBroker
) -> None:
    # Under this test's prefix: the broker fixture created those topics (a fresh broker has no
    # others, and the producer would wait for a topic that never comes instead of refusing).
    settings = settings_for(stack, prefix)
    world = intake_world(publisher=KafkaEventPublisher(broker), **settings.model_dump())
    huge = email_with_attachment(text="Đơn kèm bản scan.", attachment=900_000)
    with pytest.raises(RecordTooLargeError, match="too large for Kafka"):
        await world.parts.acceptor.accept(Channel.EMAIL, huge, "message/rfc822", "<huge@x>")


async def test_an_850_kb_mail_is_413_and_a_720_kb_one_becomes_an_item_of_metadata(
    stack: Stack, prefix: str, broker: KafkaBroker
) -> None:
    settings = settings_for(stack, prefix)
    world = intake_world(publisher=KafkaEventPublisher(broker), **settings.model_dump())
    big = email_with_attachment(text="Xin xem đơn.", attachment=620_000, message_id="<big@x.vn>")
    fits = email_with_attachment(
        text="Đề nghị xem xét đơn của gia đình tôi.", attachment=520_000, message_id="<ok@x.vn>"
    )
    async with world.http() as http:
        refused = await http.post("/v1/intake/email", content=big, headers=MAIL)
        taken = await http.post("/v1/intake/email", content=fits, headers=MAIL)
    assert refused.status_code == 413, refused.text
    assert taken.status_code == 202, taken.text

    [raw_bytes] = await read_all(stack, settings.topics.name(INTAKE_RAW), 1)
    sealed = decode_event(RawFeedbackAccepted, raw_bytes)
    assert fits[:64] not in sealed.payload  # sealed with the sender's data key
    raw = await open_raw(sealed, world.vault)
    assert raw is not None
    assert raw.payload == fits  # the only copy of the bytes, whole
    await world.parts.normalise(sealed)  # publishes the item to the real broker
    [item_bytes] = await read_all(stack, settings.topics.name(FEEDBACK_RECEIVED), 1)
    item = decode_event(FeedbackReceived, item_bytes)
    assert [(a.filename, a.size) for a in item.attachments] == [("don-kien-nghi.pdf", 520_000)]
    assert len(item_bytes) < 5_000


async def test_a_record_whose_letter_is_too_large_is_dead_lettered_truncated(
    stack: Stack, prefix: str, broker: KafkaBroker
) -> None:
    topic = f"{prefix}.intake.raw.v1"
    value = b"x" * 900_000  # fits in a record; its base64 in a letter does not
    record = SimpleNamespace(
        body=value, headers={}, raw_message=SimpleNamespace(key=b"k", partition=0, offset=7)
    )
    letters = DeadLetters(KafkaEventPublisher(broker), service="intake", clock=TestClock.daytime())
    await letters.record(record, ValueError("FeedbackReceived too large"), topic=topic)
    [letter_bytes] = await read_all(stack, dead_letter_topic(topic), 1)
    letter = decode_event(DeadLetterRecorded, letter_bytes)
    assert letter.value_truncated
    assert letter.value_size == 900_000
    assert letter.value == value[: len(letter.value)]
    assert (letter.partition, letter.offset) == (0, 7)


async def flags(dovecot: Dovecot) -> dict[int, str]:
    client = aioimaplib.IMAP4(host="127.0.0.1", port=dovecot.port, timeout=10)
    await client.wait_hello_from_server()
    await client.login(dovecot.user, dovecot.password)
    await client.select("INBOX")
    answer = await client.uid("fetch", "1:*", "(UID FLAGS)")
    await client.logout()
    found: dict[int, str] = {}
    for line in answer.lines:
        text = line.decode() if isinstance(line, bytes | bytearray) else str(line)
        if "UID" in text and "FLAGS" in text:
            uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
            found[uid] = text.split("FLAGS (")[1].split(")")[0]
    return found


@pytest.mark.parametrize(
    "limits",
    [{}, {"max_body_bytes_by_endpoint": {"email": 4_000_000}}],
    ids=["over the email limit", "under the limit but more than Kafka takes"],
)
async def test_the_poller_flags_a_mail_too_large_and_goes_on(
    stack: Stack, prefix: str, broker: KafkaBroker, dovecot: Dovecot, mongo: Mongo,
    limits: dict[str, Any],
) -> None:  # fmt: skip
    big = email_with_attachment(text="Đơn kèm bản scan.", attachment=700_000)
    await dovecot.append(message(1), big, message(3))
    settings = settings_for(
        stack, prefix, imap_host="127.0.0.1", imap_port=dovecot.port, imap_tls=False,
        imap_user=dovecot.user, imap_password=SecretStr(dovecot.password), **limits,
    )  # fmt: skip
    db = mongo[f"{prefix}_intake"]
    marks = MongoMailboxState(db)
    parts = build_on_mongo(
        settings,
        db,
        mailbox_state=marks,
        publisher=KafkaEventPublisher(broker),
        clock=TestClock.shifted(),
        registry=CollectorRegistry(),
        vault=vault_for(TestClock.shifted()),
    )
    assert parts.poller is not None

    assert await parts.poller.poll_once() == 2  # the two small mails; the large one set aside
    assert await parts.poller.poll_once() == 0  # …and not tried again
    mark = await marks.get(parts.poller.mailbox_key)
    assert mark is not None
    assert mark[1] == 3
    raws = [
        decode_event(RawFeedbackAccepted, v)
        for v in await read_all(stack, settings.topics.name(INTAKE_RAW), 2)
    ]
    assert [r.source_ref for r in raws] == ["imap-1@dan.example.vn", "imap-3@dan.example.vn"]
    kept = await flags(dovecot)
    assert "\\Flagged" in kept[2]
    assert "HoiAmTooLarge" in kept[2]
    assert "HoiAmTooLarge" not in kept[1] + kept[3]
    assert parts.metrics.mail_set_aside.labels("too_large")._value.get() == 1
