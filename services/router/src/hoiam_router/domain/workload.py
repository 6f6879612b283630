"""The work on each body's desk (khối lượng việc): its open items, and those past their due date."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from hoiam_router.domain.assignment import Assignment
from hoiam_router.domain.lifecycle import OPEN


@dataclass(frozen=True, slots=True)
class Workload:
    """One body's open items (a body at work on them, `lifecycle.OPEN`) and how many of them are
    past their due date (not on the due date itself)."""

    open: int = 0
    overdue: int = 0


def count_workload(assignments: Iterable[Assignment], *, today: date) -> dict[str, Workload]:
    """Body id → its workload on `today`, for the bodies with at least one open item."""
    open_counts: dict[str, int] = {}
    overdue_counts: dict[str, int] = {}
    for a in assignments:
        if a.status not in OPEN or a.body is None:
            continue
        open_counts[a.body.id] = open_counts.get(a.body.id, 0) + 1
        if a.overdue_since(today) is not None:
            overdue_counts[a.body.id] = overdue_counts.get(a.body.id, 0) + 1
    return combine(open_counts, overdue_counts)


def combine(
    open_counts: Mapping[str, int], overdue_counts: Mapping[str, int]
) -> dict[str, Workload]:
    """The two counts per body (as a store's two aggregations give them) as one workload each."""
    return {
        body: Workload(open=n, overdue=overdue_counts.get(body, 0))
        for body, n in sorted(open_counts.items())
    }


def to_show(shown: Iterable[str], now: Mapping[str, Workload]) -> dict[str, Workload]:
    """What a gauge per body shows after a count: `now`, and zero for every body shown before
    that has no open item left (its last figure would otherwise stay up for ever)."""
    return {body: Workload() for body in shown} | dict(now)
