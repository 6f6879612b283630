"""A producer whose sequence the broker refuses is replaced, so the retry of the record succeeds.

Found by `make chaos`: a Kafka restart with a batch in flight left intake's idempotent producer
one sequence number past what the broker had written on a partition; every later record to that
partition got `OutOfOrderSequenceNumber` (aio-libs/aiokafka#1017), so the raw records behind it
were retried forever and the items never reached the router. Here the same state is made on
purpose (the client's sequence for the partition moved past the broker's), against the real
broker.
"""

import json

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry

from hoiam_shared.kafka import TRANSIENT_ERRORS, KafkaEventPublisher, ensure_topics, make_broker
from hoiam_shared.settings import ServiceSettings
from support.samples import make_received
from support.stack import Stack


def desynchronise(broker: KafkaBroker, tp: TopicPartition) -> None:
    """What a batch lost in a broker restart leaves: the client's next sequence number ahead of
    the one the broker expects for this producer and partition."""
    producer = broker.config.producer._producer.producer  # type: ignore[attr-defined]
    producer._txn_manager.increment_sequence_number(tp, 3)


async def read_items(stack: Stack, topic: str) -> list[str]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=stack.kafka, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=5000)
        return [json.loads(r.value or b"{}")["item_id"] for rs in batch.values() for r in rs]
    finally:
        await consumer.stop()


async def test_a_refused_sequence_renews_the_producer_and_the_retry_is_written(
    stack: Stack, prefix: str
) -> None:
    topic = f"{prefix}.sequence"
    await ensure_topics(stack.kafka, [topic], partitions=1, replication_factor=1)
    settings = ServiceSettings(kafka_bootstrap_servers=stack.kafka)
    broker = make_broker(settings, service="test", registry=CollectorRegistry())
    await broker.start()
    try:
        publisher = KafkaEventPublisher(broker)
        first, second = make_received("Đèn đường hỏng."), make_received("Cống bị tắc.")
        await publisher.publish(topic, first, key=first.item_id)
        desynchronise(broker, TopicPartition(topic, 0))

        with pytest.raises(KafkaError) as refused:
            await publisher.publish(topic, second, key=second.item_id)
        assert isinstance(refused.value, TRANSIENT_ERRORS)  # the caller retries (503, seek back)
        await publisher.publish(topic, second, key=second.item_id)  # the retry is written

        assert publisher.renewals == 1
        assert await read_items(stack, topic) == [str(first.item_id), str(second.item_id)]
    finally:
        await broker.stop()
