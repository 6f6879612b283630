"""Moving a service from one shared consumer group to a group per subscription, on the real broker:
the new groups resume exactly where the old one stopped, and a moved group is not overwritten."""

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from hoiam_shared.groups import GroupNotEmptyError, main, move_offsets
from hoiam_shared.kafka import ensure_topics, subscription_group
from support.stack import Stack


async def _produce(stack: Stack, topic: str, values: list[str]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka, acks="all")
    await producer.start()
    try:
        for i, value in enumerate(values):
            await producer.send_and_wait(topic, value.encode(), key=f"k{i % 5}".encode())
    finally:
        await producer.stop()


async def _read(stack: Stack, topic: str, group: str, *, count: int, commit: bool) -> list[str]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=stack.kafka,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen: list[str] = []
    try:
        for _ in range(30):
            batch = await consumer.getmany(timeout_ms=1000)
            seen.extend(r.value.decode() for records in batch.values() for r in records)
            if len(seen) >= count:
                break
        if commit:
            await consumer.commit()
    finally:
        await consumer.stop()
    return seen


async def test_each_new_group_starts_where_the_old_group_stopped(stack: Stack, prefix: str) -> None:
    routed, status = f"{prefix}.routed", f"{prefix}.status"
    await ensure_topics(stack.kafka, [routed, status], partitions=3, replication_factor=1)
    await _produce(stack, routed, [f"r{i}" for i in range(9)])
    await _produce(stack, status, [f"s{i}" for i in range(4)])
    old = f"{prefix}-notifier"
    # The old deployment: one group read everything so far and committed.
    assert len(await _read(stack, routed, old, count=9, commit=True)) == 9
    assert len(await _read(stack, status, old, count=4, commit=True)) == 4
    # Arrive while the service is stopped, before the move.
    await _produce(stack, routed, ["r-new"])
    await _produce(stack, status, ["s-new"])

    moves = {
        routed: subscription_group(group_id=old, title="notify_routed"),
        status: subscription_group(group_id=old, title="notify_status"),
    }
    plan = await move_offsets(stack.kafka, old_group=old, moves=moves)

    assert {m.group: sum(m.offsets.values()) for m in plan} == {
        moves[routed]: 9,
        moves[status]: 4,
    }
    # The new groups read only what came after the old group's last commit (a group that
    # started from the earliest record would read r0… and s0… first).
    assert await _read(stack, routed, moves[routed], count=1, commit=False) == ["r-new"]
    assert await _read(stack, status, moves[status], count=1, commit=False) == ["s-new"]


async def test_a_group_that_has_offsets_is_not_overwritten_without_force(
    stack: Stack, prefix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    topic = f"{prefix}.routed"
    await ensure_topics(stack.kafka, [topic], partitions=2, replication_factor=1)
    await _produce(stack, topic, ["a", "b", "c"])
    old, new = f"{prefix}-old", f"{prefix}-old.notify_routed"
    await _read(stack, topic, old, count=3, commit=True)
    await move_offsets(stack.kafka, old_group=old, moves={topic: new})

    with pytest.raises(GroupNotEmptyError):
        await move_offsets(stack.kafka, old_group=old, moves={topic: new})
    # The command line says so in one line and exits 1; --dry-run moves nothing and says so.
    args = ["--bootstrap", stack.kafka, "--from", old, "--move", f"{topic}={new}"]
    assert await _main(args) == 1
    assert "has committed offsets already" in capsys.readouterr().err
    assert await _main([*args, "--force", "--dry-run"]) == 0
    assert "would copy" in capsys.readouterr().out


async def _main(args: list[str]) -> int:
    # main() runs its own event loop, so it is run in a thread, as a shell would run it.
    return await asyncio.to_thread(main, args)
