"""The one way the router publishes an event about an item, and records it in the item's history.

Three kinds of change reach it, and each has its outbox:
- An operator's change (`deliver`) has no Kafka record behind it that would be delivered again.
  The store wrote the change and its outbox entry in one update of the item's document (both or
  neither: FerretDB has no multi-document transactions); `deliver` then moves the other members
  of the case, publishes, and records the events in the history as it empties the entry. If the
  broker is away the caller is not failed, and the sweep delivers what the outbox holds
  (`republish`); a crash anywhere after the store's update is repaired the same way.
- A routing decision (`publish_handled`) is made while handling a `feedback.received` record,
  which is committed only once the handler returns: that record is the outbox. The event is
  published, then recorded as published; an outage is raised, the record is redelivered after
  the consumer's short back-off, and the redelivery publishes the same stored decision again.
- The sweep's escalation (`publish_recorded`) is stored first in its escalation record, which
  says whether it went; the next round publishes what did not.
- A note between levels of the Front (`deliver_note`) is stored first, marked unpublished, and
  marked published once the broker took it; the sweep publishes what was not.
Either way nothing is lost once the store has the change; the same event id may reach the topic
twice (at-least-once; consumers dedupe by event id).

The sweep leaves alone the entries younger than `SETTLING`: those are still on their way
through the path that wrote them, and taking them too would publish most events twice.
"""

import logging
from datetime import timedelta

from hoiam_router.repository import AssignmentRepository, ItemEvent, OutboxEntry
from hoiam_shared.clock import Clock
from hoiam_shared.events import FeedbackRouted, NoteAdded
from hoiam_shared.kafka import TRANSIENT_ERRORS, EventPublisher
from hoiam_shared.topics import FEEDBACK_NOTES, FEEDBACK_ROUTED, FEEDBACK_STATUS, Topics

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

    async def deliver(self, entry: OutboxEntry) -> bool:
        """Move the case's other members, publish, empty the entry; False when the broker or the
        store was away (the entry stays, and the sweep delivers it)."""
        try:
            for move in entry.follow:
                # A compare-and-set: done already (a second delivery), or a member that moved
                # meanwhile, and it is left where it is.
                await self._store.move(move)
            for event in entry.events:
                await self._publisher.publish(self.topic_of(event), event, key=event.item_id)
            await self._store.published(entry)
        except TRANSIENT_ERRORS as error:
            log.warning(
                "delivery failed; the sweep will retry from the outbox",
                extra={"event_id": str(entry.event.event_id), "error": str(error)},
            )
            return False
        return True

    async def publish_handled(self, event: ItemEvent) -> None:
        """Publish an event decided while handling a Kafka record, then record it as published.

        Outages are raised on purpose: the record being handled is this event's outbox.
        """
        await self._publisher.publish(self.topic_of(event), event, key=event.item_id)
        await self._store.add_history(event.item_id, event)

    async def publish_recorded(self, event: ItemEvent) -> bool:
        """Publish an event its caller keeps a record of; False when the broker was away."""
        try:
            await self.publish_handled(event)
        except TRANSIENT_ERRORS as error:
            log.warning(
                "publish failed; retried next round",
                extra={"event_id": str(event.event_id), "error": str(error)},
            )
            return False
        return True

    async def deliver_note(self, note: NoteAdded) -> bool:
        """Publish a stored note and mark it published; False when the broker or the store was
        away (the note is kept, and the sweep publishes it)."""
        try:
            await self._publisher.publish(self._topics.name(FEEDBACK_NOTES), note, key=note.item_id)
            await self._store.note_published(note)
        except TRANSIENT_ERRORS as error:
            log.warning(
                "note not published; the sweep will retry",
                extra={"event_id": str(note.event_id), "error": str(error)},
            )
            return False
        return True

    async def republish(self) -> int:
        """Deliver what the broker did not take at the time, oldest first; how many went.

        An entry that fails is left for the next round and does not hold up the ones after it.
        """
        done = 0
        until = self._clock() - SETTLING
        for entry in await self._store.unpublished(until=until):
            if await self.deliver(entry):
                done += 1
        for note in await self._store.unpublished_notes(until=until):
            if await self.deliver_note(note):
                done += 1
        return done
