"""The console's view of the dead-letter queues on the real broker: sizes and the last letters'
error types read without moving anyone's place, and the replay button doing what
`make replay-dlq` does (one service's letters re-fed, the place remembered)."""

import base64

from aiokafka import AIOKafkaProducer

from hoiam_console.dlq import KafkaDeadLetterQueues
from hoiam_shared.events import DeadLetterRecorded
from hoiam_shared.ids import new_id
from hoiam_shared.kafka import ensure_topics
from hoiam_shared.topics import FEEDBACK_RECEIVED, FEEDBACK_STATUS, Topics
from support.intake import read_all
from support.stack import Stack


def letter(service: str, source: str, value: bytes, error_type: str) -> DeadLetterRecorded:
    item = new_id()
    return DeadLetterRecorded(
        correlation_id=item,
        service=service,
        source_topic=source,
        key=str(item),
        value=base64.b64encode(value),
        error_type=error_type,
        error=f"{error_type}: a bug since fixed",
    )


async def test_the_queues_are_listed_and_one_services_letters_replayed(
    stack: Stack, prefix: str
) -> None:
    topics = Topics(prefix=f"{prefix}.")
    source = topics.name(FEEDBACK_RECEIVED)
    dlq = topics.dlq(FEEDBACK_RECEIVED)
    await ensure_topics(
        stack.kafka, [source, dlq, topics.dlq(FEEDBACK_STATUS)], partitions=1, replication_factor=1
    )
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka, acks="all")
    await producer.start()
    try:
        for one in (
            letter("router", source, b"A", "KeyError"),
            letter("console", source, b"T", "ValidationError"),
            letter("router", source, b"B", "ValueError"),
        ):
            await producer.send_and_wait(dlq, one.to_bytes(), partition=0)
        await producer.send_and_wait(dlq, b"not a letter", partition=0)
    finally:
        await producer.stop()
    queues = KafkaDeadLetterQueues(
        bootstrap_servers=stack.kafka, topics=topics, group_prefix=prefix
    )

    listed = {q.source_topic: q for q in await queues.queues()}
    received = listed[FEEDBACK_RECEIVED]
    assert (received.topic, received.size) == (dlq, 4)
    assert sorted(letter.error_type for letter in received.last) == [
        "KeyError",
        "ValidationError",
        "ValueError",
        "unreadable",
    ]
    assert listed[FEEDBACK_STATUS].size == 0
    again = {q.source_topic: q.size for q in await queues.queues()}
    assert again[FEEDBACK_RECEIVED] == 4  # reading moved nothing, removed nothing

    done = await queues.replay(service="router", topic=FEEDBACK_RECEIVED)
    assert (done.replayed, done.others, done.unreadable) == (2, 1, 1)
    assert sorted(r.value for r in await read_all(stack, source, want=2, within=5)) == [
        b"A",
        b"B",
    ]
    second = await queues.replay(service="router", topic=FEEDBACK_RECEIVED)
    assert second.replayed == 0  # the group remembers, as the command's does
