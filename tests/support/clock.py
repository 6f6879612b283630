"""The clocks tests hand to services: never the bare wall clock, always a moment chosen on purpose.

`HOIAM_TEST_CLOCK_SHIFT_HOURS=N` (default 0) moves by N hours every clock made here that stands
for "now" (`shifted()`, and a process handed none), and the day `daytime()` falls on, so one
machine can check in one afternoon that the suite does not care at which hour CI runs it
(`make test` passes at N = 0, 8 and 16: three points eight hours apart, one of them always
inside the night). A test that needs a particular time of day says so (`daytime`, `at`,
`frozen`) and gets exactly that; only tests about quiet hours, windows and deadlines pick a
night, a weekend or a holiday.

A clock ticks at the wall clock's speed from the moment it was set (retries, timeouts and Kafka
still run in real time), unless it is frozen. A service started as a process gets the same clock
through `env()`: the offset from the wall clock travels, so every process reads the same time.
"""

import os
from datetime import UTC, datetime, time, timedelta

from hoiam_shared.clock import VIETNAM_TIME

SHIFT_VARIABLE = "HOIAM_TEST_CLOCK_SHIFT_HOURS"
OFFSET_VARIABLE = "HOIAM_TEST_CLOCK_OFFSET_SECONDS"


def shift() -> timedelta:
    """How far the suite is asked to move its clocks (`HOIAM_TEST_CLOCK_SHIFT_HOURS`)."""
    return timedelta(hours=float(os.environ.get(SHIFT_VARIABLE) or 0))


def _wall() -> datetime:
    return datetime.now(UTC)


class TestClock:
    """A service's clock in tests: `clock()` is the current (aware, UTC) moment."""

    __test__ = False  # not a test class, whatever its name says to pytest

    def __init__(self, offset: timedelta, *, frozen_at: datetime | None = None) -> None:
        self._offset = offset
        self._frozen_at = frozen_at

    # --- making one -----------------------------------------------------------------------------

    @classmethod
    def shifted(cls) -> "TestClock":
        """Now, moved by the suite's shift: for tests that must not care what time it is."""
        return cls(shift())

    @classmethod
    def daytime(cls, hour: int = 10) -> "TestClock":
        """`hour`:00 in Việt Nam on the (shifted) day the test runs: outside quiet hours."""
        local = (_wall() + shift()).astimezone(VIETNAM_TIME)
        start = datetime.combine(local.date(), time(hour), tzinfo=VIETNAM_TIME)
        return cls(start - _wall())

    @classmethod
    def at(cls, moment: datetime) -> "TestClock":
        """Exactly `moment` (naive means Việt Nam time), ticking from there."""
        return cls(_aware(moment) - _wall())

    @classmethod
    def frozen(cls, moment: datetime) -> "TestClock":
        """Always `moment` (naive means Việt Nam time) until it is moved: for unit tests."""
        return cls(timedelta(0), frozen_at=_aware(moment))

    @classmethod
    def from_env(cls) -> "TestClock":
        """The clock a test handed to this process through `env()` (the shifted now if none)."""
        seconds = os.environ.get(OFFSET_VARIABLE)
        return cls(timedelta(seconds=float(seconds))) if seconds else cls.shifted()

    # --- reading and moving it ------------------------------------------------------------------

    def __call__(self) -> datetime:
        if self._frozen_at is not None:
            return self._frozen_at
        return _wall() + self._offset

    def set(self, moment: datetime) -> None:
        """Jump to `moment` (naive means Việt Nam time); a frozen clock stays frozen there."""
        if self._frozen_at is not None:
            self._frozen_at = _aware(moment)
        else:
            self._offset = _aware(moment) - _wall()

    def advance(self, by: timedelta) -> None:
        self.set(self() + by)

    def local(self) -> datetime:
        """The current moment in Việt Nam time."""
        return self().astimezone(VIETNAM_TIME)

    def env(self) -> dict[str, str]:
        """Environment that gives a service process this clock (see `support.apps`).

        A frozen clock cannot cross a process boundary; the process gets one ticking from it.
        """
        offset = (self() - _wall()) if self._frozen_at is not None else self._offset
        return {OFFSET_VARIABLE: repr(offset.total_seconds())}


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=VIETNAM_TIME) if moment.tzinfo is None else moment
