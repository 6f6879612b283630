"""Re-feed dead-lettered raw records to `intake.raw` after a fix: ``python -m hoiam_intake.replay``.

Reads `intake.raw.v1.dlq` up to where it ends when the command starts (letters that fail again
land after that point, so one run never loops), republishes each letter's original bytes, key
and headers to the topic it came from (acks=all), and commits its place in a consumer group, so
the next run starts after it. Replaying is idempotent: a record's item id comes from its
(channel, source reference), so a record that already became an item becomes the same item.
"""

import argparse
import asyncio
import json
import sys
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from hoiam_intake.settings import IntakeSettings
from hoiam_shared.events import DeadLetterRecorded
from hoiam_shared.settings import ServiceSettings
from hoiam_shared.topics import INTAKE_RAW, Topics


async def replay(
    *,
    bootstrap_servers: str,
    topics: Topics,
    group: str,
    error_type: str | None = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    source = topics.name(INTAKE_RAW)
    dlq = topics.dlq(INTAKE_RAW)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, group_id=group, enable_auto_commit=False
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers, acks="all", enable_idempotence=True
    )
    await consumer.start()
    await producer.start()
    summary: dict[str, Any] = {"dlq": dlq, "replayed": 0, "skipped": 0, "unreadable": 0}
    try:
        partitions = [TopicPartition(dlq, p) for p in await _partitions(consumer, dlq)]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        for tp in partitions:
            committed = await consumer.committed(tp)
            if committed is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, committed)
        for tp in partitions:
            while await consumer.position(tp) < ends[tp]:
                batch = await consumer.getmany(tp, timeout_ms=2000, max_records=500)
                for record in batch.get(tp, []):
                    if record.offset >= ends[tp]:
                        break
                    await _one(record, producer, source, error_type, dry_run, summary)
                    if not dry_run:
                        await consumer.commit({tp: OffsetAndMetadata(record.offset + 1, "")})
    finally:
        await producer.stop()
        await consumer.stop()
    return summary


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[int]:
    for _ in range(50):
        found = consumer.partitions_for_topic(topic)
        if found:
            return sorted(found)
        await consumer._client.force_metadata_update()
        await asyncio.sleep(0.1)
    return []


async def _one(
    record: Any,
    producer: AIOKafkaProducer,
    source: str,
    error_type: str | None,
    dry_run: bool,
    summary: dict[str, Any],
) -> None:
    try:
        letter = DeadLetterRecorded.model_validate_json(record.value)
    except ValueError:
        summary["unreadable"] += 1
        return
    if letter.source_topic != source or (error_type and letter.error_type != error_type):
        summary["skipped"] += 1
        return
    if not dry_run:
        headers = [(k, v.encode()) for k, v in letter.headers.items()]
        headers.append(
            ("replayed-from", f"{record.topic}:{record.partition}:{record.offset}".encode())
        )
        await producer.send_and_wait(
            source, letter.value, key=letter.key.encode() if letter.key else None, headers=headers
        )
    summary["replayed"] += 1


def main(argv: list[str] | None = None) -> int:
    # Only intake's Kafka settings: replaying moves bytes and derives no ids, so it needs no secret.
    settings = ServiceSettings(_env_prefix=IntakeSettings.model_config.get("env_prefix"))
    parser = argparse.ArgumentParser(prog="python -m hoiam_intake.replay", description=__doc__)
    parser.add_argument("--bootstrap-servers", default=settings.kafka_bootstrap_servers)
    parser.add_argument("--topic-prefix", default=settings.kafka_topic_prefix)
    parser.add_argument("--group", default="hoiam-intake-replay", help="remembers what was done")
    parser.add_argument("--error-type", help="only letters with this error type (e.g. KeyError)")
    parser.add_argument("--dry-run", action="store_true", help="count, publish nothing")
    args = parser.parse_args(argv)
    summary = asyncio.run(
        replay(
            bootstrap_servers=args.bootstrap_servers,
            topics=Topics(prefix=args.topic_prefix),
            group=args.group,
            error_type=args.error_type,
            dry_run=args.dry_run,
        )
    )
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
