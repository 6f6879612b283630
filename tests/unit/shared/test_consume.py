"""What `consume_event` does with each kind of failure: park it on the DLQ, or retry it."""

import asyncio
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest
from aiokafka.errors import KafkaConnectionError
from pymongo.errors import OperationFailure, ServerSelectionTimeoutError

from fakes import RecordingPublisher
from hoiam_shared.events import DeadLetterRecorded, Status, StatusChanged, decode_event
from hoiam_shared.ids import new_id
from hoiam_shared.kafka import DeadLetters, StoreUnavailableError, consume_batch, consume_event
from support.clock import TestClock

CLOCK = TestClock.frozen(datetime(2026, 3, 2, 9, 0))


def record(value: bytes) -> Any:
    """The parts of FastStream's KafkaMessage that consume_event reads."""
    raw = SimpleNamespace(key=b"k", partition=2, offset=41)
    return SimpleNamespace(
        body=value, headers={"content-type": "application/json"}, raw_message=raw
    )


def status_event() -> bytes:
    item = new_id()
    return StatusChanged(
        correlation_id=item, item_id=item, tracking_code="HA-0000-0000", status=Status.RESOLVED
    ).to_bytes()


async def run(value: bytes, handle: Any, publisher: RecordingPublisher) -> list[str]:
    kinds: list[str] = []
    await consume_event(
        record(value),
        StatusChanged,
        handle,
        topic="x.feedback.status.v1",
        dead_letters=DeadLetters(publisher, service="test", clock=CLOCK),
        retry_backoff_seconds=0,
        on_dead_letter=kinds.append,
    )
    return kinds


async def test_a_handled_event_publishes_no_dead_letter() -> None:
    seen: list[StatusChanged] = []

    async def handle(event: StatusChanged) -> None:
        seen.append(event)

    publisher = RecordingPublisher()
    assert await run(status_event(), handle, publisher) == []
    assert len(seen) == 1
    assert publisher.published == []


async def test_a_rule_violation_is_parked_with_its_cause_and_position() -> None:
    async def handle(event: StatusChanged) -> None:
        raise ValueError("tracking code already used")

    publisher = RecordingPublisher()
    value = status_event()
    assert await run(value, handle, publisher) == ["ValueError"]
    [(topic, letter)] = publisher.published
    assert topic == "x.feedback.status.v1.dlq"
    assert isinstance(letter, DeadLetterRecorded)
    assert (letter.value, letter.offset, letter.partition, letter.key) == (value, 41, 2, "k")
    assert letter.error == "tracking code already used"
    assert letter.occurred_at == CLOCK()  # the service's clock, not the wall's


@pytest.mark.parametrize(
    "outage",
    [ServerSelectionTimeoutError("no primary"), KafkaConnectionError(), ConnectionRefusedError()],
)
async def test_an_outage_is_raised_for_a_retry_and_never_dead_lettered(outage: Exception) -> None:
    async def handle(event: StatusChanged) -> None:
        raise outage

    publisher = RecordingPublisher()
    with pytest.raises(type(outage)):
        await run(status_event(), handle, publisher)
    assert publisher.published == []


async def test_a_broker_outage_while_dead_lettering_is_retried_too() -> None:
    publisher = RecordingPublisher(fail_with=KafkaConnectionError())
    with pytest.raises(KafkaConnectionError):
        await run(b"not json", None, publisher)


# What FerretDB 1.24 answered while `make chaos` restarted the PostgreSQL under it (code 1).
BACKEND_DOWN = [
    "[msg_insert.go:168 handler.(*Handler).MsgInsert] failed to connect to `user=postgres "
    "database=ferretdb`: dial tcp 127.0.0.1:5434: connect: connection refused",
    "[msg_insert.go:168 handler.(*Handler).MsgInsert] FATAL: terminating connection due to "
    "administrator command (SQLSTATE 57P01)",
    "server error: FATAL: the database system is starting up (SQLSTATE 57P03)",
]


@pytest.mark.parametrize("message", BACKEND_DOWN)
async def test_a_store_whose_backend_is_down_is_an_outage_not_a_bad_record(message: str) -> None:
    async def handle(event: StatusChanged) -> None:
        raise OperationFailure(message, code=1)

    publisher = RecordingPublisher()
    with pytest.raises(StoreUnavailableError):
        await run(status_event(), handle, publisher)
    assert publisher.published == []


async def test_a_store_refusing_the_record_itself_is_still_parked() -> None:
    async def handle(event: StatusChanged) -> None:
        raise OperationFailure("document too large", code=10334)

    publisher = RecordingPublisher()
    assert await run(status_event(), handle, publisher) == ["OperationFailure"]


def consumer_record(partition: int, offset: int, value: bytes) -> Any:
    """The parts of aiokafka's ConsumerRecord that a batch is made of."""
    return SimpleNamespace(
        topic="x.feedback.status.v1", partition=partition, offset=offset, key=b"k",
        value=value, headers=[("content-type", b"application/json")],
    )  # fmt: skip


async def run_batch(records: list[Any], handle: Any, publisher: RecordingPublisher) -> list[str]:
    kinds: list[str] = []
    await consume_batch(
        records,
        StatusChanged,
        handle,
        topic="x.feedback.status.v1",
        dead_letters=DeadLetters(publisher, service="test", clock=CLOCK),
        retry_backoff_seconds=0,
        on_dead_letter=kinds.append,
    )
    return kinds


async def test_a_batch_keeps_each_partitions_order_and_parks_only_its_bad_record() -> None:
    events = [status_event() for _ in range(4)]
    batch = [
        consumer_record(0, 10, events[0]),
        consumer_record(1, 5, events[1]),
        consumer_record(0, 11, b"not json"),
        consumer_record(0, 12, events[2]),
        consumer_record(1, 6, events[3]),
    ]
    items = [decode_event(StatusChanged, e).item_id for e in events]
    seen: list[UUID] = []

    async def handle(event: StatusChanged) -> None:
        await asyncio.sleep(0)  # let the other partition run in between
        seen.append(event.item_id)

    publisher = RecordingPublisher()
    assert await run_batch(batch, handle, publisher) == ["JSONDecodeError"]
    assert sorted(seen) == sorted(items)
    assert [i for i in seen if i in (items[0], items[2])] == [items[0], items[2]]
    assert [i for i in seen if i in (items[1], items[3])] == [items[1], items[3]]
    [(_, letter)] = publisher.published
    assert isinstance(letter, DeadLetterRecorded)
    assert (letter.partition, letter.offset, letter.value) == (0, 11, b"not json")
    assert letter.headers == {"content-type": "application/json"}


async def test_an_outage_in_a_batch_is_raised_once_every_partition_has_stopped() -> None:
    events = [status_event() for _ in range(3)]
    batch = [
        consumer_record(0, 1, events[0]),
        consumer_record(1, 1, events[1]),
        consumer_record(1, 2, events[2]),
    ]
    handled: list[UUID] = []
    broken = decode_event(StatusChanged, events[0]).item_id

    async def handle(event: StatusChanged) -> None:
        if event.item_id == broken:
            raise KafkaConnectionError()
        await asyncio.sleep(0)
        handled.append(event.item_id)

    publisher = RecordingPublisher()
    with pytest.raises(KafkaConnectionError):
        await run_batch(batch, handle, publisher)
    # The other partition finished before the outage was raised: nothing still runs while the
    # batch is sought back and delivered again.
    assert handled == [decode_event(StatusChanged, e).item_id for e in events[1:]]
    assert publisher.published == []
