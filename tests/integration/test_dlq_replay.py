"""Every service's dead letters can be replayed, on the real broker, and a filtered replay
leaves what it skipped for a later one (it never commits past a letter it did not replay); the
DLQ gauge counts what waits for the replay, from the broker's offsets."""

import asyncio
import base64
import json
from typing import Any

from aiokafka import AIOKafkaProducer
from prometheus_client import CollectorRegistry

from hoiam_shared.dlq import DLQ_METRIC, DeadLetterBacklog, kafka_offsets, measure_once
from hoiam_shared.events import DeadLetterRecorded
from hoiam_shared.ids import new_id
from hoiam_shared.kafka import ensure_topics
from hoiam_shared.topics import FEEDBACK_RECEIVED, FEEDBACK_STATUS, Topics
from support.intake import read_all
from support.stack import REPO, Stack


def letter(service: str, source: str, value: bytes, error_type: str) -> DeadLetterRecorded:
    item = new_id()
    return DeadLetterRecorded(
        correlation_id=item, service=service, source_topic=source, key=str(item),
        headers={"event-type": "test"}, value=base64.b64encode(value), error_type=error_type,
        error=f"{error_type}: a bug since fixed",
    )  # fmt: skip


async def park(stack: Stack, dlq: str, letters: list[DeadLetterRecorded]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka, acks="all")
    await producer.start()
    try:
        for one in letters:  # one partition: the order below is the order on the topic
            await producer.send_and_wait(dlq, one.to_bytes(), key=b"k", partition=0)
    finally:
        await producer.stop()


async def replay(stack: Stack, service: str, prefix: str, *extra: str) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        str(REPO / ".venv/bin/python"), "-m", f"hoiam_{service}.replay",
        "--bootstrap-servers", stack.kafka, "--topic-prefix", f"{prefix}.",
        "--group", f"{prefix}-{service}-replay", *extra,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    summary: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return summary


async def values(stack: Stack, topic: str, want: int) -> list[bytes]:
    return [r.value for r in await read_all(stack, topic, want=want, within=5)]


async def test_a_filtered_router_replay_leaves_the_skipped_letter_for_the_next(
    stack: Stack, prefix: str
) -> None:
    topics = Topics(prefix=f"{prefix}.")
    source = topics.name(FEEDBACK_RECEIVED)
    dlq = topics.dlq(FEEDBACK_RECEIVED)
    await ensure_topics(stack.kafka, [source, dlq], partitions=1, replication_factor=1)
    a = letter("router", source, b"A", "KeyError")
    b = letter("router", source, b"B", "ValueError")
    c = letter("router", source, b"C", "KeyError")
    theirs = letter("console", source, b"T", "KeyError")  # another reader of the same topic
    await park(stack, dlq, [a, b, theirs, c])

    first = await replay(stack, "router", prefix, "--error-type", "KeyError")
    assert (first["replayed"], first["skipped"], first["others"]) == (2, 1, 1)
    assert first["held"] == {f"{dlq}:0": 1}  # committed only past A
    assert sorted(await values(stack, source, want=2)) == [b"A", b"C"]

    # Without the filter, B is still there; C after it is replayed again (consumers are
    # idempotent), A is not.
    second = await replay(stack, "router", prefix)
    assert (second["replayed"], second["skipped"], second["held"]) == (2, 0, {})
    assert sorted(await values(stack, source, want=4)) == [b"A", b"B", b"C", b"C"]

    assert (await replay(stack, "router", prefix))["replayed"] == 0  # the group remembers


async def test_the_notifier_has_its_replay_too(stack: Stack, prefix: str) -> None:
    topics = Topics(prefix=f"{prefix}.")
    source = topics.name(FEEDBACK_STATUS)
    dlq = topics.dlq(FEEDBACK_STATUS)
    await ensure_topics(stack.kafka, [source, dlq], partitions=1, replication_factor=1)
    await park(stack, dlq, [letter("notifier", source, b"S", "ValidationError")])
    summary = await replay(stack, "notifier", prefix)
    assert summary["replayed"] == 1
    assert dlq in summary["dlqs"]
    assert await values(stack, source, want=1) == [b"S"]


async def test_the_dlq_gauge_counts_what_waits_for_the_replay(stack: Stack, prefix: str) -> None:
    topics = Topics(prefix=f"{prefix}.")
    received = topics.name(FEEDBACK_RECEIVED)
    dlqs = [topics.dlq(FEEDBACK_RECEIVED), topics.dlq(FEEDBACK_STATUS)]
    await ensure_topics(stack.kafka, [received, dlqs[0]], partitions=2, replication_factor=1)
    await park(stack, dlqs[0], [letter("router", received, v, "KeyError") for v in (b"1", b"2")])
    await park(stack, dlqs[0], [letter("router", received, b"3", "ValueError")])
    registry = CollectorRegistry()
    backlog = DeadLetterBacklog(registry)
    group = f"{prefix}-router-replay"
    read = kafka_offsets(stack.kafka)

    def shown(dlq: str) -> float | None:
        return registry.get_sample_value(DLQ_METRIC, {"group": group, "topic": dlq})

    # The DLQ of feedback.status was never created: it shows nothing rather than a guess.
    assert await measure_once(read, dlqs=dlqs, group=group, backlog=backlog) == {dlqs[0]: 3}
    assert (shown(dlqs[0]), shown(dlqs[1])) == (3, None)

    await replay(stack, "router", prefix, "--error-type", "KeyError")  # holds at the ValueError
    assert await measure_once(read, dlqs=dlqs, group=group, backlog=backlog) == {dlqs[0]: 1}
    await replay(stack, "router", prefix)
    await measure_once(read, dlqs=dlqs, group=group, backlog=backlog)
    assert shown(dlqs[0]) == 0
