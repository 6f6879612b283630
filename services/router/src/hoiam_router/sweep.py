"""The overdue sweep: items past their due date are reported and escalated to the parent body,
once per item and due date; the outbox is emptied on the way."""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from hoiam_router.corrections import LearnedCorrections
from hoiam_router.domain.directory import Directory
from hoiam_router.domain.events import status_changed
from hoiam_router.domain.lifecycle import OPEN
from hoiam_router.metrics import RouterMetrics
from hoiam_router.outbox import Outbox
from hoiam_router.repository import AssignmentRepository
from hoiam_shared.clock import Clock, vietnam_date
from hoiam_shared.events import BodyRef, StatusChange, StatusChanged
from hoiam_shared.kafka import TRANSIENT_ERRORS

log = logging.getLogger(__name__)


class SweepOverdue:
    """Flags items past their due date (in Việt Nam, by the clock) and escalates them to the
    parent body, once per item and due date: the escalation record is inserted first with the
    event inside, so a crash between recording and publishing republishes the same event."""

    def __init__(
        self,
        *,
        directory: Directory,
        assignments: AssignmentRepository,
        outbox: Outbox,
        metrics: RouterMetrics,
        clock: Clock,
    ) -> None:
        self._directory = directory
        self._store = assignments
        self._outbox = outbox
        self._metrics = metrics
        self._clock = clock

    async def __call__(self) -> list[StatusChanged]:
        await self._outbox.republish()
        today = vietnam_date(self._clock())
        reported = []
        for assignment in await self._store.in_status(OPEN):
            if (due_on := assignment.overdue_since(today)) is None:
                continue
            parent = self._parent(assignment.body)
            candidate = status_changed(
                before=assignment,
                after=assignment,
                at=self._clock(),
                case_item_ids=(
                    tuple(await self._store.case_items(assignment.case_id))
                    if assignment.case_id
                    else (assignment.item_id,)
                ),
                change=StatusChange.ESCALATED if parent else StatusChange.OVERDUE,
                reason=f"overdue since {due_on.isoformat()}",
                escalated_to=parent,
            )
            key = f"{assignment.item_id}:{due_on.isoformat()}"
            escalation = await self._store.escalate_once(key, candidate)
            if escalation.published:
                continue
            if not await self._outbox.publish(escalation.event):
                continue  # in the outbox: the next round publishes it and marks it then
            await self._store.mark_published(key)
            self._metrics.escalations.labels(escalation.event.change.value).inc()
            reported.append(escalation.event)
        return reported

    def _parent(self, body: BodyRef | None) -> BodyRef | None:
        if body is None:
            return None
        found = self._directory.find(body.id)
        if found is None or found.parent is None:
            return None
        return self._directory.body(found.parent).ref()


def sweep_periodically(
    sweep: SweepOverdue,
    *,
    corrections: LearnedCorrections,
    store: AssignmentRepository,
    interval_seconds: float,
) -> Callable[[], Coroutine[Any, Any, None]]:
    """The background loop of the service: the sweep, and the corrections other router
    processes stored, every `interval_seconds`."""

    async def sweep_overdue_items() -> None:
        while True:
            try:
                await corrections.refresh(store)
                await sweep()
            except TRANSIENT_ERRORS as error:  # an outage: the next round tries again
                log.warning("sweep failed, retrying next round", extra={"error": str(error)})
            await asyncio.sleep(interval_seconds)

    return sweep_overdue_items
