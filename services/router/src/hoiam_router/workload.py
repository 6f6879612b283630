"""Open and overdue items per body, counted in the store every five minutes for the gauges.

Two aggregations a round, however many items come and go: the figure is the store's, so every
router replica shows the same one (queries take `max` across instances, never `sum`). An outage
of the store leaves the last figures up, counted in `router_workload_failures_total`; the next
round tries again.
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from hoiam_router.domain.workload import Workload, to_show
from hoiam_router.metrics import RouterMetrics
from hoiam_router.repository import AssignmentRepository
from hoiam_shared.clock import Clock, vietnam_date
from hoiam_shared.kafka import TRANSIENT_ERRORS

log = logging.getLogger(__name__)


class MeasureWorkload:
    """One count of the store's open and overdue items per body, shown on the gauges."""

    def __init__(
        self, *, assignments: AssignmentRepository, metrics: RouterMetrics, clock: Clock
    ) -> None:
        self._store = assignments
        self._metrics = metrics
        self._clock = clock
        self._shown: set[str] = set()

    async def __call__(self) -> dict[str, Workload]:
        # Overdue as the sweep sees it: past the due date in Việt Nam.
        counted = await self._store.workload(today=vietnam_date(self._clock()))
        shown = to_show(self._shown, counted)
        for body, workload in shown.items():
            self._metrics.open_items.labels(body).set(workload.open)
            self._metrics.overdue_items.labels(body).set(workload.overdue)
        self._shown = set(shown)
        return counted


def measure_periodically(
    measure: MeasureWorkload, *, metrics: RouterMetrics, interval_seconds: float
) -> Callable[[], Coroutine[Any, Any, None]]:
    """The loop counting every `interval_seconds`; it outlives any error of a round."""

    async def measure_workload() -> None:
        while True:
            try:
                await measure()
            except TRANSIENT_ERRORS as error:  # the store is away: the next round tries again
                metrics.workload_failures.labels(type(error).__name__).inc()
                log.warning(
                    "workload count failed, retrying next round", extra={"error": str(error)}
                )
            except Exception:
                metrics.workload_failures.labels("unexpected").inc()
                log.exception("workload count failed unexpectedly; next round as usual")
            await asyncio.sleep(interval_seconds)

    return measure_workload
