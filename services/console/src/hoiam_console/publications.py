"""Operators publish answered items to the public archive, for the pages and the JSON API alike:
the masked draft, the approval (`AnswerPublished` on `feedback.published.v1`) and withdrawal."""

import logging
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter

from hoiam_console.actions import Actions
from hoiam_console.domain.access import may_publish, require
from hoiam_console.domain.publication import (
    ArchiveEntry,
    Draft,
    PublicationRefusedError,
    approved,
    draft_of,
    withdrawal,
)
from hoiam_console.domain.readmodel import ItemRecord
from hoiam_console.ports import ArchiveStore
from hoiam_shared.clock import Clock
from hoiam_shared.events import AnswerPublished, Status
from hoiam_shared.identity import Person
from hoiam_shared.kafka import EventPublisher
from hoiam_shared.topics import FEEDBACK_PUBLISHED, Topics

log = logging.getLogger(__name__)

__all__ = ["Answered", "PublicationRefusedError", "Publications", "Unpublishable"]


class Unpublishable(Exception):
    """The event could not be published (the broker is down): nothing changed, try again."""


@dataclass(frozen=True, slots=True)
class Answered:
    """An answered item in the operator's list, with its entry once published."""

    item: ItemRecord
    entry: ArchiveEntry | None


class Publications:
    def __init__(
        self,
        *,
        actions: Actions,
        archive: ArchiveStore,
        publisher: EventPublisher,
        topics: Topics,
        clock: Clock,
        registry: CollectorRegistry,
    ) -> None:
        self._actions = actions
        self.archive = archive
        self._publisher = publisher
        self._topics = topics
        self._clock = clock
        self._published = Counter(
            "console_publications_total",
            "Answers operators approved for the public archive, or withdrew, by what was done",
            ["action"],
            registry=registry,
        )

    async def answered(self, person: Person) -> list[Answered]:
        """The answered items of the person's area, published or not (not yet first)."""
        require(may_publish(person), "publishing answers is the operators'")
        items = await self._actions.inbox(person, statuses=[Status.RESOLVED, Status.CLOSED])
        entries = await self.archive.of_items([item.item_id for item in items])
        found = [Answered(item, entries.get(item.item_id)) for item in items]
        return sorted(found, key=lambda a: a.entry is not None)

    async def _item(self, person: Person, tracking_code: str) -> ItemRecord:
        require(may_publish(person), "publishing answers is the operators'")
        return await self._actions.item(person, tracking_code)

    async def draft(
        self, person: Person, tracking_code: str
    ) -> tuple[ItemRecord, Draft, ArchiveEntry | None]:
        """The item, its masked draft and its entry when it is published already."""
        item = await self._item(person, tracking_code)
        entries = await self.archive.of_items([item.item_id])
        return item, draft_of(item), entries.get(item.item_id)

    async def approve(
        self, person: Person, tracking_code: str, *, summary: str, answer: str
    ) -> ArchiveEntry:
        item = await self._item(person, tracking_code)
        event = approved(
            item, summary=summary, answer=answer, approved_by=person.actor, at=self._clock()
        )
        entry = await self._publish(event)
        self._published.labels("approved").inc()
        return entry

    async def withdraw(self, person: Person, tracking_code: str) -> ArchiveEntry:
        item = await self._item(person, tracking_code)
        if not await self.archive.of_items([item.item_id]):
            raise PublicationRefusedError("not_published")
        entry = await self._publish(withdrawal(item, withdrawn_by=person.actor, at=self._clock()))
        self._published.labels("withdrawn").inc()
        return entry

    async def _publish(self, event: AnswerPublished) -> ArchiveEntry:
        try:
            await self._publisher.publish(
                self._topics.name(FEEDBACK_PUBLISHED), event, key=event.publication_id
            )
        except Exception as error:
            log.warning("publication not published", extra={"error": repr(error)})
            raise Unpublishable from error
        # The console reads the topic too; keeping it now shows it on the next page. The event
        # is out already: if the store fails now, the subscription keeps it a moment later.
        entry = ArchiveEntry.of(event)
        try:
            await self.archive.put(entry)
        except Exception as error:
            log.warning("publication kept by the subscription only", extra={"error": repr(error)})
        return entry
