"""Login throttling: after too many failed sign-ins within a window, refuse for a while.

Counted per username (someone guessing one account's password) and per client address (someone
trying many accounts); either one over the limit refuses, even with the right password, so a
guesser learns nothing from a late success.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta


def refused_until(
    failures: Sequence[datetime], *, now: datetime, allowed: int, window: timedelta
) -> datetime | None:
    """When sign-in opens again, or None when it is open: `allowed` failures within `window`
    close it until the oldest of those falls out of the window."""
    recent = sorted(at for at in failures if now - window < at <= now)
    if len(recent) < allowed:
        return None
    return recent[-allowed] + window
