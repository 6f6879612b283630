"""Repeat petitions meet their published answer (issue 12): the subscriber of
`feedback.published` and the in-memory index the routing consults for every new item.

Every router process keeps the whole archive's index in memory (matching costs microseconds;
the archive is thousands of entries, not millions). The subscriber updates the store and its own
index; the other processes of the group did not see that event, so each reloads the store every
`repeats_refresh_seconds` (and at start, before it consumes anything).
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from hoiam_router.domain import RoutingDecision
from hoiam_router.domain.repeats import (
    REPEAT_THRESHOLD,
    AnswerIndex,
    Place,
    PublishedAnswer,
    published_answer,
)
from hoiam_router.published import PublishedAnswerStore
from hoiam_shared.events import AnswerPublished, RepeatMatch
from hoiam_shared.kafka import TRANSIENT_ERRORS

log = logging.getLogger(__name__)


def _entry(event: AnswerPublished) -> PublishedAnswer:
    return published_answer(
        publication_id=event.publication_id,
        item_id=event.item_id,
        tracking_code=event.tracking_code,
        province=event.province_code,
        commune=event.commune_code,
        summary=event.summary,
    )


class RepeatFinder:
    """The published answers of every place, in memory, and the bar a new item must pass."""

    def __init__(self, *, threshold: float = REPEAT_THRESHOLD) -> None:
        self._threshold = threshold
        self._index = AnswerIndex()

    def __len__(self) -> int:
        return len(self._index)

    def apply(self, event: AnswerPublished) -> None:
        if event.withdrawn:
            self._index.remove(event.publication_id)
        else:
            self._index.put(_entry(event))

    async def reload(self, store: PublishedAnswerStore) -> None:
        """The index again from the store: what other processes of the group recorded too."""
        index = AnswerIndex(_entry(event) for event in await store.current())
        self._index = index

    def find(self, text: str, decision: RoutingDecision) -> RepeatMatch | None:
        """The published answer the item repeats, for its place: its commune's for a matter of
        the commune, its province's otherwise; None when it has no place or nothing passes."""
        location = decision.location
        place = Place(
            province=location.province.code if location.province else None,
            commune=location.commune.code if location.commune else None,
            commune_matter=decision.level == "commune",
        )
        found = self._index.best(text, place, threshold=self._threshold)
        if found is None:
            return None
        return RepeatMatch(
            item_id=found.answer.item_id,
            tracking_code=found.answer.tracking_code,
            publication_id=found.answer.publication_id,
            score=found.score,
            threshold=found.threshold,
            shared_terms=found.shared_terms,
            place=found.place or None,
            summary=found.answer.summary,
        )


class RecordPublishedAnswer:
    """The subscriber of `feedback.published`: the store first (the other processes and the next
    start read it), then this process's index."""

    def __init__(self, *, store: PublishedAnswerStore, finder: RepeatFinder) -> None:
        self._store = store
        self._finder = finder

    async def __call__(self, event: AnswerPublished) -> None:
        if await self._store.put(event):
            self._finder.apply(event)
        else:
            log.info(
                "older or known publication; kept the stored one",
                extra={"publication_id": event.publication_id},
            )


def reload_periodically(
    finder: RepeatFinder, *, store: PublishedAnswerStore, interval_seconds: float
) -> Callable[[], Coroutine[Any, Any, None]]:
    """The loop keeping this process's index in step with the store; an outage skips a round."""

    async def reload_published_answers() -> None:
        while True:
            try:
                await finder.reload(store)
            except TRANSIENT_ERRORS as error:
                log.warning("published answers not reloaded", extra={"error": str(error)})
            except Exception:
                log.exception("published answers not reloaded; next round as usual")
            await asyncio.sleep(interval_seconds)

    return reload_published_answers
