"""The overdue sweep: cases past their due date are reported and escalated to the parent body,
once per case and due date (one event naming every open item of the case, so each petitioner
and the body hear of it once); the outbox is emptied on the way."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import date
from typing import Any
from uuid import UUID

from hoiam_router.corrections import LearnedCorrections
from hoiam_router.domain.assignment import Assignment
from hoiam_router.domain.directory import Directory
from hoiam_router.domain.events import status_changed
from hoiam_router.metrics import RouterMetrics
from hoiam_router.outbox import Outbox
from hoiam_router.repository import AssignmentRepository
from hoiam_shared.clock import Clock, vietnam_date
from hoiam_shared.events import BodyRef, StatusChange, StatusChanged
from hoiam_shared.kafka import TRANSIENT_ERRORS

log = logging.getLogger(__name__)


class SweepOverdue:
    """Flags cases past their due date (in Việt Nam, by the clock) and escalates them to the
    parent body, once per case and due date: the escalation record is inserted first with the
    event inside, so a crash between recording and publishing republishes the same event.

    A case is as late as its earliest open item; its other open items are told with it."""

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
        # Only what is due is read, three fields an item: a round costs the late items, not the
        # open ones. A case is as late as its earliest open item, so its key is known already.
        earliest: dict[UUID, date] = {}
        for item in await self._store.overdue(today=today):
            earliest[item.case_id] = min(earliest.get(item.case_id, item.due_on), item.due_on)
        keys = {case_id: _key(case_id, due_on) for case_id, due_on in earliest.items()}
        done = await self._store.published_escalations(frozenset(keys.values()))
        waiting = frozenset(case_id for case_id, key in keys.items() if key not in done)
        # The cases still to tell, in full: every open item of each is named in its event.
        cases: dict[UUID, list[Assignment]] = {}
        for assignment in await self._store.open_in_cases(waiting):
            cases.setdefault(assignment.case_id or assignment.item_id, []).append(assignment)
        reported = []
        for case_id, members in sorted(cases.items()):
            late = [(due, a) for a in members if (due := a.overdue_since(today)) is not None]
            if not late:
                continue  # it moved on between the two reads
            due_on, lead = min(late, key=lambda pair: (pair[0], str(pair[1].item_id)))
            parent = self._parent(lead.body)
            candidate = status_changed(
                before=lead,
                after=lead,
                at=self._clock(),
                case_item_ids=tuple(sorted(a.item_id for a in members)),
                change=StatusChange.ESCALATED if parent else StatusChange.OVERDUE,
                reason=f"overdue since {due_on.isoformat()}",
                escalated_to=parent,
            )
            key = _key(case_id, due_on)
            escalation = await self._store.escalate_once(key, candidate)
            if escalation.published:
                continue
            if not await self._outbox.publish_recorded(escalation.event):
                continue  # recorded as unpublished: the next round publishes it
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


def _key(case_id: UUID, due_on: date) -> str:
    """An escalation's key: a case is named after its first item, so a one-item case keeps the
    key it had when escalations were per item."""
    return f"{case_id}:{due_on.isoformat()}"


def sweep_periodically(
    sweep: Callable[[], Awaitable[object]],
    *,
    corrections: LearnedCorrections,
    store: AssignmentRepository,
    metrics: RouterMetrics,
    interval_seconds: float,
) -> Callable[[], Coroutine[Any, Any, None]]:
    """The background loop of the service: the sweep, and the corrections other router
    processes stored, every `interval_seconds`. It outlives any error of a round: an outage
    or a bug is logged and counted, and the next round runs as usual."""

    async def sweep_overdue_items() -> None:
        while True:
            try:
                await corrections.refresh(store)
                await sweep()
            except TRANSIENT_ERRORS as error:  # an outage: the next round tries again
                metrics.sweep_failures.labels(type(error).__name__).inc()
                log.warning("sweep failed, retrying next round", extra={"error": str(error)})
            except Exception:
                # A bug (or a record the sweep cannot read) must not stop escalations and the
                # outbox until a restart; it is loud in the log and in the metric.
                metrics.sweep_failures.labels("unexpected").inc()
                log.exception("sweep failed unexpectedly; next round as usual")
            await asyncio.sleep(interval_seconds)

    return sweep_overdue_items
