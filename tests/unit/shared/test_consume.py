"""What `consume_event` does with each kind of failure: park it on the DLQ, or retry it."""

from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka.errors import KafkaConnectionError
from pymongo.errors import OperationFailure, ServerSelectionTimeoutError

from fakes import RecordingPublisher
from hoiam_shared.events import DeadLetterRecorded, Status, StatusChanged
from hoiam_shared.ids import new_id
from hoiam_shared.kafka import DeadLetters, StoreUnavailableError, consume_event
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
