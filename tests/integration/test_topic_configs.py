"""Topics are created as the design needs them, read back from the real broker: the raw topic
(the only copy of what citizens sent) is kept until archived, the others for the normal time,
each with the replication factor the settings ask for."""

from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from hoiam_shared.kafka import ensure_topics
from hoiam_shared.settings import ServiceSettings
from hoiam_shared.topics import FEEDBACK_RECEIVED, FEEDBACK_ROUTED, INTAKE_RAW
from support.stack import Stack

DAY_MS = 24 * 3600 * 1000


async def described(stack: Stack, names: list[str]) -> dict[str, dict[str, str]]:
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka)
    await admin.start()
    try:
        answers: Any = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
        )
        found: dict[str, dict[str, str]] = {}
        for answer in answers:
            for _error, _message, _type, name, entries in answer.resources:
                found[name] = {entry[0]: entry[1] for entry in entries}
        return found
    finally:
        await admin.close()


async def replicas(stack: Stack, name: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka)
    await admin.start()
    try:
        [topic] = await admin.describe_topics([name])
        return len(topic["partitions"][0]["replicas"])
    finally:
        await admin.close()


async def test_the_raw_topic_is_kept_and_the_others_have_their_retention(
    stack: Stack, prefix: str
) -> None:
    settings = ServiceSettings(
        kafka_bootstrap_servers=stack.kafka,
        kafka_topic_prefix=f"{prefix}.",
        kafka_retention_ms=7 * DAY_MS,
        kafka_dlq_retention_ms=90 * DAY_MS,
    )
    created = await ensure_topics(
        stack.kafka,
        settings.topics.everything(),
        partitions=2,
        replication_factor=settings.kafka_replication_factor,
        configs=settings.topic_configs(),
    )
    topics = settings.topics
    raw, routed = topics.name(INTAKE_RAW), topics.name(FEEDBACK_ROUTED)
    assert raw in created
    configs = await described(
        stack, [raw, topics.dlq(INTAKE_RAW), topics.name(FEEDBACK_RECEIVED), routed,
                topics.dlq(FEEDBACK_ROUTED)],
    )  # fmt: skip
    assert configs[raw]["retention.ms"] == "-1"  # until archived: nothing deletes it by age
    assert configs[raw]["retention.bytes"] == "-1"
    assert configs[topics.dlq(INTAKE_RAW)]["retention.ms"] == "-1"  # its letters hold raw bytes
    assert configs[topics.name(FEEDBACK_RECEIVED)]["retention.ms"] == str(7 * DAY_MS)
    assert configs[routed]["retention.ms"] == str(7 * DAY_MS)
    assert configs[topics.dlq(FEEDBACK_ROUTED)]["retention.ms"] == str(90 * DAY_MS)
    assert configs[routed]["min.insync.replicas"] == "1"  # one replica here: it is the quorum
    assert await replicas(stack, raw) == settings.kafka_replication_factor == 1


def test_replication_and_the_quorum_follow_the_settings() -> None:
    three = ServiceSettings(kafka_replication_factor=3).topic_configs()
    assert {c["min.insync.replicas"] for c in three.values()} == {"2"}  # acks=all survives one loss
    raw = ServiceSettings(kafka_raw_retention_ms=400 * DAY_MS).topic_configs()
    assert raw[INTAKE_RAW]["retention.ms"] == str(400 * DAY_MS)
