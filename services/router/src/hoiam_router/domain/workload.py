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


def tally(rows: Iterable[tuple[str, date | None, int]], *, today: date) -> dict[str, Workload]:
    """Body id → its workload on `today`, from (body id, due date, open items) rows, as a store
    groups its open items; overdue is past the due date, as `Assignment.overdue_since` says."""
    found: dict[str, Workload] = {}
    for body, due_on, items in rows:
        late = items if due_on is not None and due_on < today else 0
        was = found.get(body, Workload())
        found[body] = Workload(open=was.open + items, overdue=was.overdue + late)
    return dict(sorted(found.items()))


def count_workload(assignments: Iterable[Assignment], *, today: date) -> dict[str, Workload]:
    """Body id → its workload on `today`, for the bodies with at least one open item."""
    return tally(
        ((a.body.id, a.due_on, 1) for a in assignments if a.status in OPEN and a.body),
        today=today,
    )


def to_show(shown: Iterable[str], now: Mapping[str, Workload]) -> dict[str, Workload]:
    """What a gauge per body shows after a count: `now`, and zero for every body shown before
    that has no open item left (its last figure would otherwise stay up for ever)."""
    return {body: Workload() for body in shown} | dict(now)
