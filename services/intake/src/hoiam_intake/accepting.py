"""Accepting a submission: its identity, the dedupe claim, and the raw record on Kafka (acks=all).

Used by every HTTP endpoint and by the IMAP poller, so all channels share one rule: a submission
is accepted once its raw bytes are on `intake.raw`; the same (channel, source reference) always
gets the same item id and tracking code.
"""

import logging
import time
from dataclasses import dataclass
from uuid import UUID

from hoiam_intake.domain import items, keys
from hoiam_intake.metrics import IntakeMetrics
from hoiam_intake.store import IntakeStore
from hoiam_shared.clock import Clock
from hoiam_shared.events import Channel
from hoiam_shared.ids import new_id, new_tracking_code
from hoiam_shared.kafka import EventPublisher
from hoiam_shared.logs import correlation
from hoiam_shared.topics import INTAKE_RAW, Topics
from hoiam_shared.vault import Vault

log = logging.getLogger(__name__)


class SourceReusedError(Exception):
    """A source reference (an Idempotency-Key, a Message-ID) arrived again with another content:
    answering it with the first submission's ids would hand them to whoever reused the key."""


def raw_key_id(event_id: UUID) -> str:
    """The data key of one raw record's payload."""
    return f"raw:{event_id}"


@dataclass(frozen=True, slots=True)
class Receipt:
    id: UUID
    tracking_code: str
    duplicate: bool


class Acceptor:
    """Takes a submission in: its identity, its dedupe claim, its raw record stamped by `clock`."""

    def __init__(
        self,
        *,
        publisher: EventPublisher,
        store: IntakeStore,
        topics: Topics,
        metrics: IntakeMetrics,
        secret: str,
        clock: Clock,
        vault: Vault,
    ) -> None:
        self._vault = vault
        self._publisher = publisher
        self._store = store
        self._topics = topics
        self._metrics = metrics
        self._secret = secret
        self._clock = clock

    def identity(self, channel: Channel, source_ref: str | None) -> tuple[UUID, str]:
        if source_ref is None:
            return new_id(), new_tracking_code()
        item_id = keys.item_id_for(channel, source_ref, secret=self._secret)
        return item_id, keys.tracking_code_for(item_id, secret=self._secret)

    async def accept(
        self,
        channel: Channel,
        payload: bytes,
        content_type: str,
        source_ref: str | None,
        *,
        started: float | None = None,
        key: str | None = None,
        fingerprint: str | None = None,
    ) -> Receipt:
        """Put the raw record on `intake.raw`; raises a transient error if Kafka cannot take it.

        `key` overrides the partition key (the item id) so that records which must stay in order
        (one Zalo user's events, one Page's webhooks) share a partition.
        A repeated source is still published (the normaliser's insert-first makes it a no-op):
        if an earlier attempt claimed the key and then failed to publish, this one carries it.
        With a `fingerprint` (a digest of what was submitted), a repeated source whose first
        claim had another fingerprint raises `SourceReusedError` and nothing is published.
        """
        started = time.perf_counter() if started is None else started
        item_id, tracking_code = self.identity(channel, source_ref)
        first = True
        if source_ref is not None and fingerprint is not None:
            claim = keys.source_key(channel, source_ref)
            earlier = await self._store.claim_with(claim, fingerprint)
            first = earlier is None
            # "" is a claim made before fingerprints were kept: it cannot be told apart.
            if earlier and earlier != fingerprint:
                self._metrics.rejected.labels(channel.value, "source_reused").inc()
                raise SourceReusedError(f"{channel.value} source {source_ref!r} reused")
        elif source_ref is not None:
            first = await self._store.claim(keys.source_key(channel, source_ref))
        raw = items.accept_raw(
            item_id=item_id,
            tracking_code=tracking_code,
            channel=channel,
            payload=payload,
            content_type=content_type,
            received_at=self._clock(),
            source_ref=source_ref,
        )
        # The bytes are sealed with a key of their own, created before they are written, so an
        # erasure can make every copy unreadable (docs/erasure.md); the normaliser binds the key
        # to the sender once it has read who that is.
        sealed = await self._vault.seal(raw_key_id(raw.event_id), payload)
        raw = raw.model_copy(update={"payload": sealed.box, "sealed_with": sealed.key_id})
        with correlation(raw.item_id):
            await self._publisher.publish(
                self._topics.name(INTAKE_RAW), raw, key=key or raw.item_id
            )
            log.info(
                "submission accepted", extra={"channel": channel.value, "duplicate": not first}
            )
        if first:
            self._metrics.items_received.labels(channel.value).inc()
        else:
            self._metrics.duplicates.labels(channel.value).inc()
        self._metrics.accept_seconds.labels(channel.value).observe(time.perf_counter() - started)
        return Receipt(id=item_id, tracking_code=tracking_code, duplicate=not first)
