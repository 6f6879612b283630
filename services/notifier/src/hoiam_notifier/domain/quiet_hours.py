"""Quiet hours and digests: when a message that is not urgent may go out (Việt Nam time)."""

from datetime import UTC, date, datetime, time, timedelta

from hoiam_notifier.domain.knowledge import Policy
from hoiam_notifier.domain.notifications import Way
from hoiam_shared.clock import VIETNAM_TIME

QUIET_WAYS = frozenset({Way.SMS, Way.ZALO_CS, Way.ZALO_ZNS})


def quiet_until(way: Way, at: datetime, *, urgent: bool, policy: Policy) -> datetime | None:
    """When a non-urgent SMS or Zalo message falling in quiet hours (local time) may go out."""
    if urgent or way not in QUIET_WAYS or policy.quiet_start == policy.quiet_end:
        return None  # equal start and end: no quiet hours
    local = at.astimezone(VIETNAM_TIME)
    time_of_day = local.time()
    if policy.quiet_start <= time_of_day or time_of_day < policy.quiet_end:
        day = local.date() if time_of_day < policy.quiet_end else local.date() + timedelta(days=1)
        return datetime.combine(day, policy.quiet_end, tzinfo=VIETNAM_TIME).astimezone(UTC)
    return None


def digest_due(day: date, policy: Policy) -> datetime:
    """The moment a day's digest goes out (local `digest_hour`)."""
    return datetime.combine(day, time(policy.digest_hour), tzinfo=VIETNAM_TIME).astimezone(UTC)
