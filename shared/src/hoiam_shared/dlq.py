"""Dead letters waiting in each `<topic>.dlq` of a service, measured from the broker's offsets.

A service dead-letters into the DLQ of each topic it consumes; its replay command
(`python -m hoiam_<service>.replay`, hoiam_shared.replay) commits its place in the replay group
past the letters it is done with. What still waits is, per partition, the end offset minus that
place, or minus the partition's first offset (retention may have deleted the oldest letters)
while the group has none. A letter another service wrote to the same DLQ counts until this
service's replay has passed it (it commits past others' letters).

The figure is broker-wide: every replica of a service reports the same one, so queries take
`max`, never `sum`, across instances. It is read every `dlq_measure_interval_seconds` by a
background loop with its own short-lived clients (three offset requests a round, however many
letters wait); an outage is counted and the next round tries again, the gauge keeping the last
figure it read.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import CollectorRegistry, Counter, Gauge

log = logging.getLogger(__name__)

DLQ_METRIC = "hoiam_dlq_records"

ROUND_TIMEOUT_SECONDS = 30.0
"""A round that the broker does not answer in this time is an outage (aiokafka's offset
requests can otherwise wait for a partition's leader without end)."""


@dataclass(frozen=True, slots=True)
class DlqOffsets:
    """What the broker says of some DLQ partitions: first and end offsets, and the replay
    group's committed place where it has one."""

    starts: Mapping[TopicPartition, int]
    ends: Mapping[TopicPartition, int]
    committed: Mapping[TopicPartition, int]


def waiting(offsets: DlqOffsets) -> dict[str, int]:
    """Letters not yet passed by the replay group, per DLQ topic (all partitions together)."""
    totals: dict[str, int] = {}
    for tp, end in offsets.ends.items():
        start = offsets.starts.get(tp, 0)
        # A place before the first offset points at letters retention deleted: none wait there.
        place = max(start, offsets.committed.get(tp, start))
        totals[tp.topic] = totals.get(tp.topic, 0) + max(0, end - place)
    return totals


class DeadLetterBacklog:
    """The DLQ gauge of one service, and the count of rounds that could not read it."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.records = Gauge(
            DLQ_METRIC,
            "Dead letters waiting in a DLQ topic: its end offsets minus the replay group's "
            "committed place (or the first offset while it has none), all partitions together. "
            "Broker-wide: every replica reports the same figure.",
            ["group", "topic"],
            registry=registry,
        )
        self.failures = Counter(
            "hoiam_dlq_measure_failures_total",
            "Rounds of the DLQ measurement that could not read the broker, per error type.",
            ["error_type"],
            registry=registry,
        )

    def show(self, group: str, counts: Mapping[str, int]) -> None:
        for topic, count in counts.items():
            self.records.labels(group, topic).set(count)


type ReadOffsets = Callable[[Sequence[str], str], Awaitable[DlqOffsets]]
"""Port: the offsets of these DLQ topics' partitions, and this group's places on them."""


def kafka_offsets(bootstrap_servers: str) -> ReadOffsets:
    """Reads offsets from the broker with a consumer in no group (it never joins or commits)
    and an admin client for the partitions and the replay group's places."""

    async def read(topics: Sequence[str], group: str) -> DlqOffsets:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers, enable_auto_commit=False, client_id="hoiam-dlq"
        )
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="hoiam-dlq")
        try:  # both are closed whatever happens, even if they never started
            await consumer.start()
            await admin.start()
            # Every topic's metadata: asking for named ones could make a broker that
            # auto-creates topics create a DLQ that does not exist.
            wanted = set(topics)
            partitions = sorted(
                TopicPartition(described["topic"], p["partition"])
                for described in await admin.describe_topics()
                if described["topic"] in wanted and described["error_code"] == 0
                for p in described["partitions"]
            )
            if not partitions:
                return DlqOffsets({}, {}, {})
            places = await admin.list_consumer_group_offsets(group, partitions=partitions)
            return DlqOffsets(
                starts=await consumer.beginning_offsets(partitions),
                ends=await consumer.end_offsets(partitions),
                # -1: the group has no place on that partition.
                committed={tp: m.offset for tp, m in places.items() if m.offset >= 0},
            )
        finally:
            await admin.close()
            await consumer.stop()

    return read


async def measure_once(
    read: ReadOffsets, *, dlqs: Sequence[str], group: str, backlog: DeadLetterBacklog
) -> dict[str, int]:
    """One round: read the offsets, show what waits per DLQ (topics not there yet: nothing)."""
    counts = waiting(await asyncio.wait_for(read(dlqs, group), ROUND_TIMEOUT_SECONDS))
    backlog.show(group, counts)
    return counts


def measure_periodically(
    read: ReadOffsets,
    *,
    dlqs: Sequence[str],
    group: str,
    backlog: DeadLetterBacklog,
    interval_seconds: float,
) -> Callable[[], Coroutine[Any, Any, None]]:
    """The background loop: a round every `interval_seconds`, whatever the last one met."""

    async def measure_dead_letters() -> None:
        while True:
            try:
                await measure_once(read, dlqs=dlqs, group=group, backlog=backlog)
            except Exception as error:
                # An outage (or anything else) must not end the loop; the gauge keeps the last
                # figure read, and the counter says the reading is stale.
                backlog.failures.labels(type(error).__name__).inc()
                log.warning(
                    "DLQ measurement failed, retrying next round", extra={"error": repr(error)}
                )
            await asyncio.sleep(interval_seconds)

    return measure_dead_letters
