"""The real broker does what the design relies on: groups, commits, rebalances, acks=all."""

import asyncio

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from hoiam_shared.kafka import ensure_topics
from support.stack import Stack


async def _produce(stack: Stack, topic: str, count: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for i in range(count):
            await producer.send_and_wait(topic, f"m{i}".encode(), key=f"k{i % 7}".encode())
    finally:
        await producer.stop()


def _consumer(stack: Stack, topic: str, group: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        topic,
        bootstrap_servers=stack.kafka,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )


async def test_topics_are_created_once_with_the_partitions_asked(stack: Stack, prefix: str) -> None:
    names = [f"{prefix}.a", f"{prefix}.b"]
    assert await ensure_topics(stack.kafka, names, partitions=6, replication_factor=1) == names
    assert await ensure_topics(stack.kafka, names, partitions=6, replication_factor=1) == []
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.kafka)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        assert len(consumer.partitions_for_topic(names[0]) or ()) == 6
    finally:
        await consumer.stop()


async def test_a_group_resumes_after_its_last_commit_without_loss_or_repeat(
    stack: Stack, prefix: str
) -> None:
    topic = f"{prefix}.resume"
    await ensure_topics(stack.kafka, [topic], partitions=6, replication_factor=1)
    await _produce(stack, topic, 30)

    first = _consumer(stack, topic, f"{prefix}-g")
    await first.start()
    seen: list[bytes] = []
    try:
        while len(seen) < 12:
            batch = await first.getmany(timeout_ms=2000, max_records=12 - len(seen))
            for records in batch.values():
                seen.extend(r.value for r in records)
        await first.commit()
    finally:
        await first.stop()

    second = _consumer(stack, topic, f"{prefix}-g")
    await second.start()
    rest: list[bytes] = []
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while len(seen) + len(rest) < 30 and asyncio.get_running_loop().time() < deadline:
            batch = await second.getmany(timeout_ms=1000)
            for records in batch.values():
                rest.extend(r.value for r in records)
    finally:
        await second.stop()

    assert sorted(seen + rest) == sorted(f"m{i}".encode() for i in range(30))
    assert not set(seen) & set(rest)


async def test_two_members_of_a_group_share_the_partitions_after_a_rebalance(
    stack: Stack, prefix: str
) -> None:
    topic = f"{prefix}.rebalance"
    await ensure_topics(stack.kafka, [topic], partitions=6, replication_factor=1)
    one, two = _consumer(stack, topic, f"{prefix}-g"), _consumer(stack, topic, f"{prefix}-g")
    await one.start()
    try:
        await one.getmany(timeout_ms=3000)
        assert len(one.assignment()) == 6
        await two.start()
        try:
            deadline = asyncio.get_running_loop().time() + 60
            while asyncio.get_running_loop().time() < deadline:
                # Both must keep polling for the group to finish rebalancing.
                await asyncio.gather(one.getmany(timeout_ms=500), two.getmany(timeout_ms=500))
                if (
                    one.assignment()
                    and two.assignment()
                    and len(one.assignment()) + len(two.assignment()) == 6
                ):
                    break
            mine, theirs = set(one.assignment()), set(two.assignment())
            assert mine
            assert theirs
            assert not mine & theirs
            assert mine | theirs == {TopicPartition(topic, p) for p in range(6)}
        finally:
            await two.stop()
    finally:
        await one.stop()
