"""Settings every service has (Kafka, MongoDB, HTTP, logging); each service adds its own prefix."""

from typing import Literal

from pydantic import Field, MongoDsn, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from hoiam_shared.topics import (
    ALL_TOPICS,
    CITIZEN_ERASURES,
    FEEDBACK_PUBLISHED,
    INTAKE_RAW,
    Topics,
)

DAY_MS = 24 * 3600 * 1000


class ServiceSettings(BaseSettings):
    """Base of each service's settings; subclasses set `env_prefix` (e.g. ``HOIAM_ROUTER_``)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_topic_prefix: str = Field(
        default="", description="Prepended to every topic name; tests use it to stay apart."
    )
    kafka_partitions: int = Field(default=6, ge=1)
    kafka_replication_factor: int = Field(
        default=1,
        ge=1,
        description="Replicas of every topic: 1 on one local broker, 3 in production.",
    )
    kafka_retention_ms: int = Field(
        default=7 * DAY_MS, ge=-1, description="How long the event topics keep their records."
    )
    kafka_raw_retention_ms: int = Field(
        default=-1,
        ge=-1,
        description="`intake.raw.v1` (and its DLQ) hold the only copy of the bytes citizens sent: "
        "kept until they are archived (-1: never deleted by age or size).",
    )
    kafka_dlq_retention_ms: int = Field(
        default=90 * DAY_MS, ge=-1, description="Dead letters wait this long for a fix and replay."
    )
    kafka_group_id: str = Field(default="", description="Consumer group; empty means the default.")
    kafka_consumers: int = Field(
        default=3,
        ge=1,
        description="Consumers per process in the group; each owns some partitions, so one item's "
        "events stay in order while different partitions are handled at once.",
    )
    kafka_batch_records: int = Field(
        default=200,
        ge=1,
        description="Records a subscriber takes from Kafka at once and commits together, once "
        "all are handled (the partitions of a batch at once, each in order); 1 takes and commits "
        "one record at a time with `kafka_consumers` consumers, as before batching.",
    )
    kafka_linger_ms: int = Field(
        default=2,
        ge=0,
        description="How long the producer waits to put concurrent publishes in one request; a "
        "publish still returns only once the broker has the record (acks=all).",
    )
    kafka_max_record_bytes: int = Field(
        default=1_048_576,
        ge=65_536,
        description="Largest record a service publishes (the producer's max.request.size); "
        "at most the broker's message.max.bytes. A larger one is bad input, not an outage.",
    )
    mongo_url: MongoDsn = MongoDsn("mongodb://127.0.0.1:27017/")
    mongo_database: str = ""
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    person_token_secret: SecretStr | None = Field(
        default=None,
        description="Key of the console's signed person tokens (HS256, at least 32 bytes), the "
        "same in the console, intake and the router; unset: no person token is accepted.",
    )
    vault_database: str = Field(
        default="hoiam_vault",
        description="The one database every service shares: citizens' data keys (issue 12), "
        "on the same server as the service's own (`mongo_url`).",
    )
    vault_secret: SecretStr | None = Field(
        default=None,
        description="Keys the digests of contacts in the vault (HMAC-SHA256, at least 16 bytes), "
        "the same in every service; required: a service refuses to start without it.",
    )
    vault_cache_seconds: float = Field(
        default=60.0, ge=0, description="How long a data key is cached (an erasure evicts it)."
    )
    erasure_settle_seconds: float = Field(
        default=120.0,
        ge=0,
        description="An erasure masks the store twice, this long apart: more than "
        "vault_cache_seconds plus the time an event takes through the service.",
    )
    retry_backoff_seconds: float = Field(
        default=1.0, gt=0, description="Pause before a record is retried after an outage."
    )
    dlq_measure_interval_seconds: float = Field(
        default=60.0, gt=0, description="How often the dead letters waiting in each DLQ are read."
    )

    @property
    def topics(self) -> Topics:
        return Topics(prefix=self.kafka_topic_prefix)

    def topic_configs(self) -> dict[str, dict[str, str]]:
        """Every topic and dead-letter topic (prefixed names) → the configs it is created with."""
        # acks=all only means "on more than one broker" when a write needs more than one
        # in-sync replica; one less than the replicas keeps writes going while one is down.
        quorum = {"min.insync.replicas": str(max(1, self.kafka_replication_factor - 1))}
        kept = {"retention.ms": str(self.kafka_raw_retention_ms), "retention.bytes": "-1"}
        # The archive of published answers is a table, not a stream: the router rebuilds its
        # repeat-petition index from it, so the latest entry per publication is kept for ever.
        table = {"cleanup.policy": "compact", "retention.ms": "-1"}
        configs = {}
        for topic in ALL_TOPICS:
            # Erasures are kept like raw records: a store restored from a backup, or rebuilt
            # by a replay from `intake.raw`, must forget the same people again.
            raw = topic in (INTAKE_RAW, CITIZEN_ERASURES)
            normal = (
                table
                if topic == FEEDBACK_PUBLISHED
                else {"retention.ms": str(self.kafka_retention_ms)}
            )
            letters = {"retention.ms": str(self.kafka_dlq_retention_ms)}
            configs[self.topics.name(topic)] = quorum | (kept if raw else normal)
            configs[self.topics.dlq(topic)] = quorum | (kept if raw else letters)
        return configs
