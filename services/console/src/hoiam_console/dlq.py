"""The dead-letter queues as operators see them: each `<topic>.dlq`'s size and its last letters'
error types, read from Kafka without a consumer group (reading moves no one's place), and the
replay of one service's letters of one topic by the same code as `make replay-dlq`
(`hoiam_shared.replay`, the same consumer group, so the command and the button share a place)."""

import asyncio
from dataclasses import asdict
from datetime import datetime
from typing import Protocol

from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import BaseModel, ConfigDict

from hoiam_shared import replay
from hoiam_shared.events import DeadLetterRecorded
from hoiam_shared.topics import ALL_TOPICS, Topics

SERVICES = ("intake", "router", "notifier", "console")
"""Services that write dead letters; a replay names one (its letters only are re-fed)."""
LAST_LETTERS = 5


class LetterBrief(BaseModel):
    model_config = ConfigDict(frozen=True)

    partition: int
    offset: int
    service: str | None
    error_type: str
    error: str
    at: datetime | None


class QueueBrief(BaseModel):
    """One dead-letter topic: how many letters it holds (retention permitting), the last ones."""

    model_config = ConfigDict(frozen=True)

    topic: str
    source_topic: str
    size: int
    last: list[LetterBrief]


class ReplayDone(BaseModel):
    """What one replay did (`hoiam_shared.replay.Summary`)."""

    dlqs: list[str]
    replayed: int
    skipped: int
    unreadable: int
    others: int
    held: dict[str, int]


class DeadLetterQueues(Protocol):
    async def queues(self) -> list[QueueBrief]: ...

    async def replay(self, *, service: str, topic: str) -> ReplayDone:
        """Re-feed `service`'s letters of `topic` (unprefixed, one of `ALL_TOPICS`)."""
        ...


def letter_brief(partition: int, offset: int, value: bytes | None) -> LetterBrief:
    try:
        letter = DeadLetterRecorded.model_validate_json(value or b"")
    except ValueError:
        return LetterBrief(
            partition=partition,
            offset=offset,
            service=None,
            error_type="unreadable",
            error="not a DeadLetterRecorded",
            at=None,
        )
    return LetterBrief(
        partition=partition,
        offset=offset,
        service=letter.service,
        error_type=letter.error_type,
        error=letter.error[:300],
        at=letter.occurred_at,
    )


class KafkaDeadLetterQueues:
    def __init__(
        self,
        *,
        bootstrap_servers: str,
        topics: Topics,
        group_prefix: str = "hoiam",
        timeout_ms: int = 2000,
    ) -> None:
        self._servers = bootstrap_servers
        self._topics = topics
        self._group_prefix = group_prefix
        self._timeout_ms = timeout_ms

    async def queues(self) -> list[QueueBrief]:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._servers, group_id=None, enable_auto_commit=False
        )
        await consumer.start()
        try:
            existing = await consumer.topics()
            return [await self._one(consumer, topic, existing) for topic in ALL_TOPICS]
        finally:
            await consumer.stop()

    async def _one(self, consumer: AIOKafkaConsumer, source: str, existing: set[str]) -> QueueBrief:
        name = self._topics.dlq(source)
        if name not in existing:
            return QueueBrief(topic=name, source_topic=source, size=0, last=[])
        partitions = [TopicPartition(name, p) for p in await _partitions(consumer, name)]
        if not partitions:
            return QueueBrief(topic=name, source_topic=source, size=0, last=[])
        consumer.assign(partitions)
        starts = await consumer.beginning_offsets(partitions)
        ends = await consumer.end_offsets(partitions)
        letters: list[LetterBrief] = []
        for tp in partitions:
            first = max(starts[tp], ends[tp] - LAST_LETTERS)
            if first >= ends[tp]:
                continue
            consumer.seek(tp, first)
            while await consumer.position(tp) < ends[tp]:
                batch = await consumer.getmany(tp, timeout_ms=self._timeout_ms)
                records = batch.get(tp, [])
                if not records:
                    break  # a compacted or lagging partition: show what was read
                letters += [
                    letter_brief(r.partition, r.offset, r.value)
                    for r in records
                    if r.offset < ends[tp]
                ]
        letters.sort(key=lambda letter: (letter.at is None, letter.at), reverse=True)
        return QueueBrief(
            topic=name,
            source_topic=source,
            size=sum(ends[tp] - starts[tp] for tp in partitions),
            last=letters[:LAST_LETTERS],
        )

    async def replay(self, *, service: str, topic: str) -> ReplayDone:
        done = await replay.replay(
            bootstrap_servers=self._servers,
            service=service,
            sources=[self._topics.name(topic)],
            # The command's default group: the button and `make replay-dlq` share one place.
            group=f"{self._group_prefix}-{service}-replay",
        )
        return ReplayDone(**asdict(done))


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[int]:
    """The partitions of a topic the broker listed: the consumer's metadata names a topic's
    partitions only once it asked for them (as `hoiam_shared.replay` waits for them)."""
    for _ in range(20):
        found = consumer.partitions_for_topic(topic)
        if found:
            return sorted(found)
        await consumer._client.force_metadata_update()
        await asyncio.sleep(0.1)
    return []
