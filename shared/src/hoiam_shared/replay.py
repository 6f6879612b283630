"""Re-feed a service's dead letters to the topics they came from, after a fix.

Each service has a thin entry point (`python -m hoiam_<service>.replay`) naming the topics it
consumes. For each of their `<topic>.dlq` the command reads up to where the topic ends when it
starts (letters that fail again land after that point, so one run never loops), republishes the
original bytes, key and headers of every letter its service wrote to the topic it came from
(acks=all), and commits its place in the replay consumer group, so the next run starts after it.

The place is committed only past letters that are done with: replayed, unreadable, or written
by another service (whose own replay command has its own group). A letter left out by
`--error-type` stops the commit in its partition, so a later run without the filter still finds
it; letters replayed after it in that run are then replayed again, which every consumer absorbs
(each is idempotent, DESIGN §3).
"""

import argparse
import asyncio
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from hoiam_shared.events import DeadLetterRecorded
from hoiam_shared.settings import ServiceSettings
from hoiam_shared.topics import Topics, dead_letter_topic


def replay_group(service: str) -> str:
    """The consumer group whose committed place says which of `service`'s letters are done with
    (hoiam_shared.dlq measures what waits past it)."""
    return f"hoiam-{service}-replay"


@dataclass
class Summary:
    """What one run did, printed as JSON."""

    dlqs: list[str]
    replayed: int = 0
    skipped: int = 0
    unreadable: int = 0
    others: int = 0
    held: dict[str, int] = field(default_factory=dict)
    """DLQ partition → the offset its commit stopped at (the first skipped letter)."""


async def replay(
    *,
    bootstrap_servers: str,
    service: str,
    sources: Sequence[str],
    group: str,
    error_type: str | None = None,
    dry_run: bool = False,
) -> Summary:
    """Replay `service`'s letters of the `sources` topics (full names, prefix included)."""
    dlq_of = {dead_letter_topic(source): source for source in sources}
    summary = Summary(dlqs=list(dlq_of))
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, group_id=group, enable_auto_commit=False
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers, acks="all", enable_idempotence=True
    )
    await consumer.start()
    await producer.start()
    try:
        partitions = [
            TopicPartition(dlq, p) for dlq in dlq_of for p in await _partitions(consumer, dlq)
        ]
        if not partitions:
            return summary
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        for tp in partitions:
            committed = await consumer.committed(tp)
            if committed is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, committed)
        for tp in partitions:
            held = False
            while await consumer.position(tp) < ends[tp]:
                batch = await consumer.getmany(tp, timeout_ms=2000, max_records=500)
                for record in batch.get(tp, []):
                    if record.offset >= ends[tp]:
                        break
                    done = await _one(
                        record, producer, service=service, source=dlq_of[tp.topic],
                        error_type=error_type, dry_run=dry_run, summary=summary,
                    )  # fmt: skip
                    if not done and not held:
                        held = True
                        summary.held[f"{tp.topic}:{tp.partition}"] = record.offset
                    if not (dry_run or held):
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
    record: ConsumerRecord[bytes, bytes],
    producer: AIOKafkaProducer,
    *,
    service: str,
    source: str,
    error_type: str | None,
    dry_run: bool,
    summary: Summary,
) -> bool:
    """Replay one letter if it is ours and wanted; False when it is left for a later run."""
    try:
        letter = DeadLetterRecorded.model_validate_json(record.value or b"")
    except ValueError:
        summary.unreadable += 1  # nothing to replay, ever: not worth holding the partition
        return True
    if letter.service != service or letter.source_topic != source:
        summary.others += 1
        return True
    if error_type and letter.error_type != error_type:
        summary.skipped += 1
        return False
    if not dry_run:
        headers = [(k, v.encode()) for k, v in letter.headers.items()]
        headers.append(
            ("replayed-from", f"{record.topic}:{record.partition}:{record.offset}".encode())
        )
        await producer.send_and_wait(
            source, letter.value, key=letter.key.encode() if letter.key else None, headers=headers
        )
    summary.replayed += 1
    return True


def main(
    argv: Sequence[str] | None, *, service: str, env_prefix: str, sources: Sequence[str]
) -> int:
    """The command line of a service's replay (`sources`: the topics it consumes, unprefixed)."""
    # Only the service's Kafka settings: replaying moves bytes and needs none of its secrets.
    settings = ServiceSettings(_env_prefix=env_prefix)
    parser = argparse.ArgumentParser(
        prog=f"python -m hoiam_{service}.replay",
        description=f"Re-feed {service}'s dead letters ({', '.join(sources)}) after a fix.",
    )
    parser.add_argument("--bootstrap-servers", default=settings.kafka_bootstrap_servers)
    parser.add_argument("--topic-prefix", default=settings.kafka_topic_prefix)
    parser.add_argument("--group", default=replay_group(service), help="remembers what was done")
    parser.add_argument(
        "--error-type",
        help="only letters with this error type (e.g. KeyError); the others stay for later",
    )
    parser.add_argument("--dry-run", action="store_true", help="count, publish nothing")
    args = parser.parse_args(argv)
    topics = Topics(prefix=args.topic_prefix)
    summary = asyncio.run(
        replay(
            bootstrap_servers=args.bootstrap_servers,
            service=service,
            sources=[topics.name(source) for source in sources],
            group=args.group,
            error_type=args.error_type,
            dry_run=args.dry_run,
        )
    )
    print(json.dumps(asdict(summary)))
    return 0
