"""Move committed offsets from a service's old consumer group to its per-subscription groups.

Until issue 9 a service's subscriptions shared one group (`hoiam-notifier`); now each has its own
(`hoiam-notifier.notify_routed`, see `hoiam_shared.kafka.subscribe`). A new group with no
committed offset would start from the earliest record (`auto_offset_reset="earliest"`) and
handle everything again: the handlers are idempotent, so nothing would be sent twice, but a busy
deployment would spend hours re-reading. This one-off command copies each topic's committed
offsets from the old group to the new group of the subscription that reads that topic.

Run it with the service stopped (Kafka refuses commits to a group that has live members, and a
running old group would move on after the copy):

    python -m hoiam_shared.groups --bootstrap kafka:9092 --from hoiam-notifier \\
        --move feedback.routed.v1=hoiam-notifier.notify_routed ...

It refuses to overwrite a new group that has offsets already, unless `--force`.
"""

import argparse
import asyncio
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import OffsetAndMetadata


@dataclass(frozen=True, slots=True)
class Moved:
    """What was copied to one new group: its topic's partitions and their offsets."""

    group: str
    topic: str
    offsets: dict[int, int]


class GroupNotEmptyError(RuntimeError):
    """The new group has committed offsets already; copying would move it back or forth."""


async def committed(admin: AIOKafkaAdminClient, group: str) -> dict[TopicPartition, int]:
    found = await admin.list_consumer_group_offsets(group)
    # -1 is Kafka's "nothing committed" for a partition the group knows of.
    return {tp: meta.offset for tp, meta in found.items() if meta.offset >= 0}


async def move_offsets(
    bootstrap_servers: str,
    *,
    old_group: str,
    moves: Mapping[str, str],
    force: bool = False,
    dry_run: bool = False,
) -> list[Moved]:
    """Copy `old_group`'s committed offsets of each topic in `moves` to the group it maps to."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="hoiam-groups")
    await admin.start()
    try:
        old = await committed(admin, old_group)
        plan: list[Moved] = []
        for topic, group in moves.items():
            offsets = {tp.partition: offset for tp, offset in old.items() if tp.topic == topic}
            if not offsets:
                continue
            if not force and await committed(admin, group):
                raise GroupNotEmptyError(
                    f"group {group} has committed offsets already; pass --force to overwrite"
                )
            plan.append(Moved(group=group, topic=topic, offsets=offsets))
    finally:
        await admin.close()
    if not dry_run:
        for moved in plan:
            await _commit(bootstrap_servers, moved)
    return plan


async def _commit(bootstrap_servers: str, moved: Moved) -> None:
    # A consumer with the group's id and a manual assignment commits without joining the group,
    # which Kafka accepts only while the group has no members: the service must be stopped.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=moved.group,
        enable_auto_commit=False,
        client_id="hoiam-groups",
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(moved.topic, p) for p in moved.offsets]
        consumer.assign(partitions)
        await consumer.commit(
            {
                TopicPartition(moved.topic, p): OffsetAndMetadata(offset, "")
                for p, offset in moved.offsets.items()
            }
        )
    finally:
        await consumer.stop()


def _pair(text: str) -> tuple[str, str]:
    topic, sep, group = text.partition("=")
    if not (sep and topic and group):
        raise argparse.ArgumentTypeError(f"expected TOPIC=GROUP, got {text!r}")
    return topic, group


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--from", dest="old_group", required=True, help="the old, shared group")
    parser.add_argument("--move", type=_pair, action="append", required=True, metavar="TOPIC=GROUP")
    parser.add_argument("--force", action="store_true", help="overwrite groups with offsets")
    parser.add_argument("--dry-run", action="store_true", help="say what would move, move nothing")
    args = parser.parse_args(argv)
    try:
        plan = asyncio.run(
            move_offsets(
                args.bootstrap,
                old_group=args.old_group,
                moves=dict(args.move),
                force=args.force,
                dry_run=args.dry_run,
            )
        )
    except GroupNotEmptyError as error:
        print(f"groups: {error}", file=sys.stderr)
        return 1
    verb = "would copy" if args.dry_run else "copied"
    for moved in plan:
        print(f"groups: {verb} {moved.topic} {sorted(moved.offsets.items())} → {moved.group}")
    if not plan:
        print(f"groups: {args.old_group} has no committed offsets on those topics; nothing to do")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
