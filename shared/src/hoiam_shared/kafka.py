"""Kafka helpers: the broker every service uses, topic creation, publishing and dead letters.

Delivery is at-least-once: a subscriber commits only after its side effects are done
(`AckPolicy.NACK_ON_ERROR`), once per batch of records (`kafka_batch_records`). `consume_event`
decides what an error means: a record that cannot be decoded, or that the service's rules reject,
goes to `<topic>.dlq` and the consumer moves on; an outage (broker, store, network) is retried
after a pause, so nothing accepted is ever dropped.
"""

import asyncio
import base64
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, cast
from uuid import UUID

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    KafkaError,
    MessageSizeTooLargeError,
    OutOfOrderSequenceNumber,
    TopicAlreadyExistsError,
)
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage as InjectedMessage
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import CollectorRegistry
from pymongo.errors import ConnectionFailure, OperationFailure

from hoiam_shared.clock import Clock
from hoiam_shared.events import DeadLetterRecorded, Event, decode_event
from hoiam_shared.ids import new_id
from hoiam_shared.lag import ConsumerLag
from hoiam_shared.logs import correlation
from hoiam_shared.settings import ServiceSettings
from hoiam_shared.topics import dead_letter_topic

log = logging.getLogger(__name__)

# Errors that say "the world is down for now", not "this record is bad": retried, never
# dead-lettered.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionFailure,
    KafkaError,
    ConnectionError,
    TimeoutError,
)

# What FerretDB answers (code 1, InternalError) when its PostgreSQL cannot be reached, is
# shutting down or still starting (SQLSTATE class 57P: admin/crash shutdown, cannot connect now).
_BACKEND_DOWN = ("failed to connect to", "SQLSTATE 57P0")


class StoreUnavailableError(ConnectionError):
    """The document store answered, but only to say its own backend is down: an outage, retried
    like a lost connection, never a reason to dead-letter the record being handled."""


def backend_unavailable(error: BaseException) -> bool:
    """Whether a store error says "my backend is down for now" rather than "this is wrong"."""
    return isinstance(error, OperationFailure) and any(mark in str(error) for mark in _BACKEND_DOWN)


DEAD_LETTER_VALUE_KEPT = 64 * 1024
"""Bytes of a record kept in its dead letter when the whole record would not fit in one."""


class RecordTooLargeError(ValueError):
    """A record larger than Kafka takes (`kafka_max_record_bytes`): bad input, never an outage.

    aiokafka raises `MessageSizeTooLargeError`, a `KafkaError`, which `TRANSIENT_ERRORS` would
    retry forever (503 to the caller, a stalled partition); the publisher raises this instead, so
    an endpoint answers 413 and a consumer dead-letters the record and moves on.
    """


def make_broker(
    settings: ServiceSettings, *, service: str, registry: CollectorRegistry
) -> KafkaBroker:
    """A broker whose publishes wait for every in-sync replica (acks=all, idempotent producer)."""
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        acks="all",
        enable_idempotence=True,
        client_id=f"hoiam-{service}",
        max_request_size=settings.kafka_max_record_bytes,
        linger_ms=settings.kafka_linger_ms,
        middlewares=[
            KafkaPrometheusMiddleware(registry=registry, app_name=service),
            ConsumerLag(registry).middleware(),
        ],
        logger=logging.getLogger(f"hoiam_{service}.broker"),
    )


async def ensure_topics(
    bootstrap_servers: str,
    names: Iterable[str],
    *,
    partitions: int,
    replication_factor: int,
    configs: Mapping[str, Mapping[str, str]] | None = None,
) -> list[str]:
    """Create the topics that do not exist yet, each with its `configs` (retention...); returns
    the ones it created. Existing topics are left as they are: changing a running topic's
    retention is an operator's decision (`kafka-configs.sh --alter`), see docs/decisions.md."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="hoiam-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in dict.fromkeys(names) if name not in existing]
        if not missing:
            return []
        answer = await admin.create_topics(
            [
                NewTopic(
                    name,
                    partitions,
                    replication_factor,
                    topic_configs=dict((configs or {}).get(name, {})),
                )
                for name in missing
            ]
        )
        created = []
        # The broker answers per topic. "Already exists" is the outcome we wanted: another
        # service created it at the same moment, or the listing above lagged a creation.
        for name, code, *message in answer.topic_errors:
            if code == 0:
                created.append(name)
            elif code != TopicAlreadyExistsError.errno:
                log.error(
                    "topic not created",
                    extra={"topic": name, "error_code": code, "error": "".join(map(str, message))},
                )
        return created
    finally:
        await admin.close()


type Opener = Callable[[Event], Awaitable[Event]]
"""Opens an event's sealed personal fields (`hoiam_shared.sealing.open_event` on a vault)."""


class EventPublisher(Protocol):
    """Port: publish one event to a topic, keyed so one item's events stay in order."""

    async def publish(self, topic: str, event: Event, *, key: UUID | str) -> None: ...


def event_headers(event: Event) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "event-type": event.type,
        "schema-version": str(event.schema_version),
        "correlation-id": str(event.correlation_id),
    }


PRODUCER_STOP_SECONDS = 10.0
"""How long a producer being replaced may take to stop (its batches fail; nothing waits on it)."""


async def renew_producer(broker: KafkaBroker) -> None:
    """Replace the broker's idempotent producer with a new one (a new producer id).

    After an out-of-order sequence answer aiokafka keeps the partition's sequence number past
    the batch the broker never wrote, so every later record to that partition is refused the
    same way until the producer is replaced (aio-libs/aiokafka#1017). FastStream has no public
    call for this; its producer wrapper's `connect` swaps in the fresh client.
    """
    wrapper = broker.config.producer
    previous = getattr(wrapper, "_producer", None)
    fresh = AIOKafkaProducer(**broker._connection_kwargs)
    await wrapper.connect(fresh, serializer=wrapper.serializer, codec=wrapper.codec)  # type: ignore[attr-defined]
    if previous is not None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(previous.stop(), PRODUCER_STOP_SECONDS)


class KafkaEventPublisher:
    """Publishes through a FastStream broker and returns only once the broker has the record.

    A refused sequence number (`OutOfOrderSequenceNumber`, seen after a broker restart with a
    batch in flight) is still an outage for the caller (503, or the record retried), but the
    producer is replaced first, once for all the publishes that failed with it, so the retry
    can succeed instead of failing the same way forever (`renew`, `renew_producer` by default).
    """

    def __init__(
        self, broker: KafkaBroker, *, renew: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        self._broker = broker
        self._renew = renew or (lambda: renew_producer(broker))
        self._renewing = asyncio.Lock()
        self._generation = 0
        self.renewals = 0

    async def publish(self, topic: str, event: Event, *, key: UUID | str) -> None:
        value = event.to_bytes()
        generation = self._generation
        try:
            await self._broker.publish(
                value,
                topic,
                key=str(key).encode(),
                headers=event_headers(event),
                correlation_id=str(event.correlation_id),
            )
        except MessageSizeTooLargeError as error:
            raise RecordTooLargeError(
                f"{event.type} of {len(value)} bytes is too large for Kafka"
            ) from error
        except OutOfOrderSequenceNumber:
            await self._renew_once(generation)
            raise

    async def _renew_once(self, generation: int) -> None:
        async with self._renewing:
            if generation != self._generation:
                return  # another publish that failed with the same producer renewed it
            log.warning("producer sequence refused by the broker; replacing the producer")
            await self._renew()
            self._generation += 1
            self.renewals += 1


class Consumed(Protocol):
    """What `consume_event` and `DeadLetters` read of a record: FastStream's `KafkaMessage`, or
    one record of a batch (`BatchRecord`)."""

    @property
    def body(self) -> Any: ...

    @property
    def headers(self) -> Any: ...

    @property
    def raw_message(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class BatchRecord:
    """One record of a batch, seen as `consume_event` sees a single message."""

    body: bytes
    headers: dict[str, str]
    raw_message: Any

    @classmethod
    def of(cls, record: Any) -> "BatchRecord":
        headers = {k: v.decode(errors="replace") for k, v in (record.headers or ())}
        return cls(body=record.value or b"", headers=headers, raw_message=record)


def _guess_correlation(value: bytes, key: bytes | None) -> UUID:
    """The item id of a bad record if any part of it still says so; a fresh id otherwise."""
    try:
        data = json.loads(value)
        if isinstance(data, dict):
            return UUID(str(data["correlation_id"]))
    except (ValueError, KeyError, TypeError):
        pass
    try:
        return UUID((key or b"").decode())
    except (ValueError, UnicodeDecodeError):
        return new_id()


class DeadLetters:
    """Writes a record that cannot be processed to `<its topic>.dlq`, bytes and cause included."""

    def __init__(self, publisher: EventPublisher, *, service: str, clock: Clock) -> None:
        self._publisher = publisher
        self._service = service
        self._clock = clock

    async def record(
        self, message: Consumed, error: BaseException, *, topic: str
    ) -> DeadLetterRecorded:
        raw = message.raw_message
        key: bytes | None = getattr(raw, "key", None)
        value: bytes = message.body if isinstance(message.body, bytes) else bytes(message.body)
        letter = DeadLetterRecorded(
            occurred_at=self._clock(),
            correlation_id=_guess_correlation(value, key),
            service=self._service,
            source_topic=topic,
            partition=getattr(raw, "partition", None),
            offset=getattr(raw, "offset", None),
            key=key.decode(errors="replace") if key is not None else None,
            headers={k: str(v) for k, v in (message.headers or {}).items()},
            value=base64.b64encode(value),
            error_type=type(error).__name__,
            error=str(error)[:4000],
        )
        letter_key = letter.key or str(letter.correlation_id)
        try:
            await self._publisher.publish(dead_letter_topic(topic), letter, key=letter_key)
        except RecordTooLargeError:
            # The letter of a record near the limit is larger still (base64): keep its start and
            # where the whole record is (topic, partition, offset), so nothing is silently lost.
            letter = letter.model_copy(
                update={
                    "value": value[:DEAD_LETTER_VALUE_KEPT],
                    "value_size": len(value),
                    "value_truncated": True,
                }
            )
            await self._publisher.publish(dead_letter_topic(topic), letter, key=letter_key)
        log.warning(
            "record sent to dead-letter topic",
            extra={
                "topic": topic,
                "offset": letter.offset,
                "error_type": letter.error_type,
                "error": letter.error,
                "correlation_id": str(letter.correlation_id),
            },
        )
        return letter


async def consume_event[E: Event](
    message: Consumed,
    expected: type[E],
    handle: Callable[[E], Awaitable[Any]],
    *,
    topic: str,
    dead_letters: DeadLetters,
    retry_backoff_seconds: float,
    on_dead_letter: Callable[[str], None] | None = None,
    open_sealed: Opener | None = None,
) -> None:
    """Decode one record and handle it: bad input → DLQ, outage → retry, success → commit.

    `open_sealed` opens the event's sealed personal fields (`hoiam_shared.sealing`) before the
    handler sees it; a box that does not open is bad input, a vault outage is an outage.
    """

    async def park(error: Exception) -> None:
        await dead_letters.record(message, error, topic=topic)
        if on_dead_letter:
            on_dead_letter(type(error).__name__)

    raw: bytes = message.body if isinstance(message.body, bytes) else bytes(message.body)
    try:
        try:
            event = decode_event(expected, raw)
            if open_sealed is not None:
                event = cast(E, await open_sealed(event))
        except ValueError as error:
            await park(error)
            return
        with correlation(event.correlation_id):
            try:
                await handle(event)
            except TRANSIENT_ERRORS:
                raise
            except OperationFailure as error:
                # Found by `make chaos`: a PostgreSQL restart under FerretDB dead-lettered every
                # record handled meanwhile, as if each were bad.
                if backend_unavailable(error):
                    raise StoreUnavailableError(str(error)) from error
                await park(error)
            except Exception as error:
                # A bug or a rule that cannot accept this record: park it with the cause so it
                # can be replayed after a fix, and keep the partition moving.
                await park(error)
    except TRANSIENT_ERRORS:
        # Raising makes FastStream seek back to this record, and nothing is committed; the pause
        # keeps an outage (of the store, or of the broker while dead-lettering) from turning into
        # a hot loop of retries.
        log.exception("outage while handling a record; it will be retried", extra={"topic": topic})
        await asyncio.sleep(retry_backoff_seconds)
        raise


async def consume_batch[E: Event](
    records: Iterable[Any],
    expected: type[E],
    handle: Callable[[E], Awaitable[Any]],
    *,
    topic: str,
    dead_letters: DeadLetters,
    retry_backoff_seconds: float,
    on_dead_letter: Callable[[str], None] | None = None,
    open_sealed: Opener | None = None,
) -> None:
    """Handle a batch: its partitions at once, each partition's records in order, one by one
    through `consume_event` (a bad record is parked, the rest of the batch goes on).

    An outage on any partition is raised once every partition has stopped, never while another
    is still handling: the whole batch is then sought back and redelivered (the handlers are
    idempotent), and no record of a partition can overtake an earlier one.
    """
    partitions: dict[tuple[str, int], list[Any]] = {}
    for record in records:
        partitions.setdefault((record.topic, record.partition), []).append(record)

    async def in_order(batch: list[Any]) -> None:
        for record in batch:
            await consume_event(
                BatchRecord.of(record),
                expected,
                handle,
                topic=topic,
                dead_letters=dead_letters,
                retry_backoff_seconds=retry_backoff_seconds,
                on_dead_letter=on_dead_letter,
                open_sealed=open_sealed,
            )

    outcomes = await asyncio.gather(
        *(in_order(batch) for batch in partitions.values()), return_exceptions=True
    )
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome


@dataclass(frozen=True, slots=True)
class Subscription[E: Event]:
    """One subscriber of a service: which topic, which event, which handler, under which name.

    A service's `build()` lists them without touching a broker; `subscribe` puts them on one.
    """

    topic: str
    event: type[E]
    handle: Callable[[E], Awaitable[Any]]
    title: str


def subscription_group(*, group_id: str, title: str) -> str:
    """The consumer group of one subscription of a service."""
    return f"{group_id}.{title}"


def subscribe[E: Event](
    broker: KafkaBroker,
    *,
    topic: str,
    event: type[E],
    handle: Callable[[E], Awaitable[Any]],
    title: str,
    settings: ServiceSettings,
    dead_letters: DeadLetters,
    on_dead_letter: Callable[[str], None],
    open_sealed: Opener | None = None,
) -> None:
    """Subscribe `handle` to `topic` with the delivery rules every service shares.

    The group's offsets are committed only after `handle` returns (NACK_ON_ERROR), once per batch
    of up to `kafka_batch_records`: the partitions of a batch are worked at once while the events
    of one item (one key, one partition) stay in order. With `kafka_batch_records=1` each process
    runs `kafka_consumers` consumers of the group instead, each committing every record.

    Each subscription has its own group, `<kafka_group_id>.<title>`: consumers of one topic then
    never rebalance because another subscription of the same process joined or left
    (docs/decisions.md says how a deployment moves its offsets from the older single group).
    """

    group_id = subscription_group(group_id=settings.kafka_group_id, title=title)
    common: dict[str, Any] = {
        "group_id": group_id,
        "auto_offset_reset": "earliest",
        "ack_policy": AckPolicy.NACK_ON_ERROR,
        "title": title,
    }
    if settings.kafka_batch_records > 1:
        # One consumer takes a batch from all its partitions and commits once for it; FastStream
        # injects the batch's records (`raw_message`, a tuple) by the same annotation.
        async def consume_many(message: InjectedMessage) -> None:
            raw = message.raw_message
            await consume_batch(
                raw if isinstance(raw, (tuple, list)) else (raw,),
                event,
                handle,
                topic=topic,
                dead_letters=dead_letters,
                retry_backoff_seconds=settings.retry_backoff_seconds,
                on_dead_letter=on_dead_letter,
                open_sealed=open_sealed,
            )

        consume_many.__name__ = consume_many.__qualname__ = title
        broker.subscriber(topic, batch=True, max_records=settings.kafka_batch_records, **common)(
            consume_many
        )
        return

    # FastStream injects the raw message (bytes, headers, offsets) by this annotation; decoding is
    # ours, so a record that does not decode is dead-lettered instead of failing inside FastStream.
    async def consume(message: InjectedMessage) -> None:
        await consume_event(
            message,
            event,
            handle,
            topic=topic,
            dead_letters=dead_letters,
            retry_backoff_seconds=settings.retry_backoff_seconds,
            on_dead_letter=on_dead_letter,
            open_sealed=open_sealed,
        )

    consume.__name__ = consume.__qualname__ = title
    broker.subscriber(topic, max_workers=settings.kafka_consumers, **common)(consume)
