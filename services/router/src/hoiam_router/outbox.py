"""The one way the router publishes: record the event in the item's history, then publish it.

The history entry is written first with `published: false` (the outbox) and marked published
once the broker took the event. If the broker is away, the caller is not failed: the event is
already stored, and the sweep publishes what the outbox holds (`republish`). So an operator's
change or a routing decision is never lost once the store has it; the same event id may then
reach the topic twice (at-least-once; consumers dedupe by event id).

The sweep leaves alone the entries younger than `SETTLING`: those are still on their way
through the path that wrote them, and taking them too would publish most events twice.
"""

import logging
from datetime import timedelta

from hoiam_router.repository import AssignmentRepository, ItemEvent
from hoiam_shared.clock import Clock
from hoiam_shared.events import FeedbackRouted
from hoiam_shared.kafka import TRANSIENT_ERRORS, EventPublisher
from hoiam_shared.topics import FEEDBACK_ROUTED, FEEDBACK_STATUS, Topics

log = logging.getLogger(__name__)

SETTLING = timedelta(seconds=30)
"""How long an unconfirmed entry is left to the path that wrote it before the sweep takes it."""


class Outbox:
    def __init__(
        self,
        *,
        store: AssignmentRepository,
        publisher: EventPublisher,
        topics: Topics,
        clock: Clock,
    ) -> None:
        self._store = store
        self._publisher = publisher
        self._topics = topics
        self._clock = clock

    def topic_of(self, event: ItemEvent) -> str:
        return self._topics.name(
            FEEDBACK_ROUTED if isinstance(event, FeedbackRouted) else FEEDBACK_STATUS
        )

    async def publish(self, event: ItemEvent) -> bool:
        """Record, publish, mark; False when the broker was away (the sweep publishes it)."""
        await self._store.add_history(event.item_id, event, published=False)
        try:
            await self._send(event)
        except TRANSIENT_ERRORS as error:
            log.warning(
                "publish failed; the sweep will retry from the outbox",
                extra={"event_id": str(event.event_id), "error": str(error)},
            )
            return False
        return True

    async def republish(self) -> int:
        """Publish what the broker did not take at the time, oldest first; how many."""
        done = 0
        for event in await self._store.unpublished(until=self._clock() - SETTLING):
            await self._send(event)
            done += 1
        return done

    async def _send(self, event: ItemEvent) -> None:
        await self._publisher.publish(self.topic_of(event), event, key=event.item_id)
        await self._store.mark_history_published(event.event_id)
