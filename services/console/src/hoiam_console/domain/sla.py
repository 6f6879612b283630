"""The SLA badge of an item (hạn xử lý): due in N working days, due today, or overdue by N."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Literal

import holidays

from hoiam_shared.events import Status

OPEN = frozenset({Status.ROUTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REOPENED})
"""A body is at work: only these have a deadline running (as the router counts overdue)."""


@cache
def _vn_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year))


def vietnam_working_day(day: date) -> bool:
    """No weekend, no Vietnamese public holiday (the maintained `holidays` data, as the router)."""
    return day.weekday() < 5 and day not in _vn_holidays(day.year)


@dataclass(frozen=True, slots=True)
class Badge:
    kind: Literal["due", "today", "overdue"]
    working_days: int


def working_days_between(start: date, end: date, is_working_day: Callable[[date], bool]) -> int:
    """Working days after `start` up to and including `end` (0 when `end` <= `start`)."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def sla_badge(
    status: Status | None,
    due_on: date | None,
    *,
    today: date,
    is_working_day: Callable[[date], bool] = vietnam_working_day,
) -> Badge | None:
    """None when no deadline runs (triage, answered, closed, or no due date)."""
    if due_on is None or status not in OPEN:
        return None
    if due_on == today:
        return Badge("today", 0)
    if due_on > today:
        return Badge("due", working_days_between(today, due_on, is_working_day))
    return Badge("overdue", max(1, working_days_between(due_on, today, is_working_day)))
