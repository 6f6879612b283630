"""Time as every service reads it: an injected clock, and the day as it is in Việt Nam.

Services never call `datetime.now` themselves; they are handed a `Clock`, so tests can say which
moment it is (a weekday morning, a night, a holiday) instead of depending on when they run.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

# Việt Nam has kept UTC+7 without daylight saving since 1975; a fixed offset needs no tz database.
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")

type Clock = Callable[[], datetime]
"""Returns the current moment, timezone-aware (UTC)."""


def system_clock() -> datetime:
    """The real clock, for production wiring only."""
    return datetime.now(UTC)


def vietnam_date(at: datetime) -> date:
    """The calendar day `at` falls on in Việt Nam (deadlines and digests count in local days)."""
    return at.astimezone(VIETNAM_TIME).date()
