"""DLQ sizes: what waits past the replay group's place, and a loop that outlives outages."""

import asyncio
from collections.abc import Sequence

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import KafkaConnectionError
from prometheus_client import CollectorRegistry

from hoiam_shared.dlq import (
    DLQ_METRIC,
    DeadLetterBacklog,
    DlqOffsets,
    kafka_offsets,
    measure_once,
    measure_periodically,
    waiting,
)

A0, A1, B0 = TopicPartition("a.dlq", 0), TopicPartition("a.dlq", 1), TopicPartition("b.dlq", 0)


def test_what_waits_is_the_end_minus_the_replay_groups_place() -> None:
    offsets = DlqOffsets(starts={A0: 0, A1: 0}, ends={A0: 10, A1: 4}, committed={A0: 7, A1: 4})
    assert waiting(offsets) == {"a.dlq": 3}


def test_without_a_place_every_letter_still_kept_waits() -> None:
    # Retention deleted the first 5 letters of a.dlq:0; b.dlq was never written to.
    offsets = DlqOffsets(starts={A0: 5, B0: 0}, ends={A0: 12, B0: 0}, committed={})
    assert waiting(offsets) == {"a.dlq": 7, "b.dlq": 0}


def test_a_place_before_what_retention_kept_counts_only_the_kept_letters() -> None:
    offsets = DlqOffsets(starts={A0: 50}, ends={A0: 60}, committed={A0: 20})
    assert waiting(offsets) == {"a.dlq": 10}


def records(registry: CollectorRegistry, topic: str) -> float | None:
    return registry.get_sample_value(DLQ_METRIC, {"group": "g-replay", "topic": topic})


class Broker:
    """Stands for the broker's offsets; `down` makes every read fail as in an outage."""

    def __init__(self, offsets: DlqOffsets) -> None:
        self.offsets = offsets
        self.down = False
        self.asked: list[tuple[tuple[str, ...], str]] = []

    async def read(self, topics: Sequence[str], group: str) -> DlqOffsets:
        self.asked.append((tuple(topics), group))
        if self.down:
            raise KafkaConnectionError("broker down")
        return self.offsets


async def test_a_round_shows_each_dlq_of_the_group() -> None:
    registry = CollectorRegistry()
    broker = Broker(DlqOffsets(starts={A0: 0, B0: 0}, ends={A0: 3, B0: 0}, committed={A0: 1}))
    await measure_once(
        broker.read, dlqs=["a.dlq", "b.dlq"], group="g-replay", backlog=DeadLetterBacklog(registry)
    )
    assert broker.asked == [(("a.dlq", "b.dlq"), "g-replay")]
    assert (records(registry, "a.dlq"), records(registry, "b.dlq")) == (2, 0)


async def test_the_loop_outlives_an_outage_and_keeps_the_last_figure() -> None:
    registry = CollectorRegistry()
    broker = Broker(DlqOffsets(starts={A0: 0}, ends={A0: 4}, committed={}))
    after_outage: list[float | None] = []
    fourth_round = asyncio.Event()  # begins once the third has shown its figure

    async def read(topics: Sequence[str], group: str) -> DlqOffsets:
        # Round 1 reads 4 waiting, round 2 meets an outage, round 3 finds them replayed.
        broker.down = len(broker.asked) == 1
        if len(broker.asked) == 2:
            after_outage.append(records(registry, "a.dlq"))
            broker.offsets = DlqOffsets(starts={A0: 0}, ends={A0: 4}, committed={A0: 4})
        if len(broker.asked) == 3:
            fourth_round.set()
        return await broker.read(topics, group)

    loop = asyncio.create_task(
        measure_periodically(
            read,
            dlqs=["a.dlq"],
            group="g-replay",
            backlog=DeadLetterBacklog(registry),
            interval_seconds=0.001,
        )()
    )
    await fourth_round.wait()
    loop.cancel()
    with pytest.raises(asyncio.CancelledError):
        await loop
    assert after_outage == [4]
    assert records(registry, "a.dlq") == 0
    failures = registry.get_sample_value(
        "hoiam_dlq_measure_failures_total", {"error_type": "KafkaConnectionError"}
    )
    assert failures == 1


async def test_a_broker_that_is_not_there_is_an_error_for_the_loop_to_count() -> None:
    # Nothing listens on port 9 (discard) here: the clients fail to bootstrap, and are closed.
    with pytest.raises(KafkaConnectionError):
        await kafka_offsets("127.0.0.1:9")(["a.dlq"], "g-replay")
