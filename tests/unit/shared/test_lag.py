"""Consumer lag: the gauge follows the high watermark past each handled record, errors included."""

from types import SimpleNamespace
from typing import Any, cast

import pytest
from aiokafka import TopicPartition
from faststream import ContextRepo
from faststream.message import StreamMessage
from prometheus_client import CollectorRegistry

from hoiam_shared.lag import LAG_METRIC, ConsumerLag


class Consumer:
    """Stands for an aiokafka consumer: a group and the watermarks of its last fetch."""

    def __init__(self, group: str, highwater: dict[TopicPartition, int]) -> None:
        self._group_id = group
        self._highwater = highwater

    def highwater(self, partition: TopicPartition) -> int | None:
        return self._highwater.get(partition)


def record(consumer: object, *, topic: str, partition: int, offset: int) -> StreamMessage[Any]:
    raw = SimpleNamespace(topic=topic, partition=partition, offset=offset)
    return cast(StreamMessage[Any], SimpleNamespace(raw_message=raw, consumer=consumer))


def lag(registry: CollectorRegistry, **labels: str) -> float | None:
    return registry.get_sample_value(LAG_METRIC, labels)


def test_lag_is_the_records_past_the_one_handled() -> None:
    registry = CollectorRegistry()
    gauge = ConsumerLag(registry)
    consumer = Consumer("g.route", {TopicPartition("t", 2): 110})
    gauge.observe(record(consumer, topic="t", partition=2, offset=99))
    assert lag(registry, group="g.route", topic="t", partition="2") == 10
    gauge.observe(record(consumer, topic="t", partition=2, offset=109))
    assert lag(registry, group="g.route", topic="t", partition="2") == 0


def test_nothing_is_measured_without_a_watermark() -> None:
    registry = CollectorRegistry()
    gauge = ConsumerLag(registry)
    gauge.observe(record(Consumer("g", {}), topic="t", partition=0, offset=5))
    gauge.observe(record(object(), topic="t", partition=0, offset=5))
    assert lag(registry, group="g", topic="t", partition="0") is None


async def test_the_middleware_measures_a_record_whose_handling_failed() -> None:
    registry = CollectorRegistry()
    gauge = ConsumerLag(registry)
    message = record(Consumer("g", {TopicPartition("t", 0): 50}), topic="t", partition=0, offset=9)
    middleware = gauge.middleware()(message, context=ContextRepo())

    async def outage(_: StreamMessage[Any]) -> None:
        raise ConnectionError("store down")

    with pytest.raises(ConnectionError):
        await middleware.consume_scope(outage, message)
    assert lag(registry, group="g", topic="t", partition="0") == 40


def test_a_batch_is_measured_by_the_last_record_of_each_partition() -> None:
    registry = CollectorRegistry()
    gauge = ConsumerLag(registry)
    consumer = Consumer("g", {TopicPartition("t", 0): 100, TopicPartition("t", 1): 20})
    batch = tuple(
        SimpleNamespace(topic="t", partition=p, offset=o) for p, o in [(0, 90), (1, 7), (0, 95)]
    )
    gauge.observe(cast(StreamMessage[Any], SimpleNamespace(raw_message=batch, consumer=consumer)))
    assert lag(registry, group="g", topic="t", partition="0") == 4
    assert lag(registry, group="g", topic="t", partition="1") == 12
