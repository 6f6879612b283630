"""Vietnam's calendar day, and the clocks the test support hands to services."""

from datetime import UTC, datetime, time, timedelta

import pytest

from hoiam_shared.clock import VIETNAM_TIME, vietnam_date
from support.clock import OFFSET_VARIABLE, SHIFT_VARIABLE, TestClock


def test_the_day_is_counted_in_vietnam_not_in_utc() -> None:
    # 17:30 UTC on 31 Dec is already New Year's Day in Việt Nam (UTC+7).
    assert vietnam_date(datetime(2026, 12, 31, 17, 30, tzinfo=UTC)).isoformat() == "2027-01-01"
    assert vietnam_date(datetime(2026, 12, 31, 16, 59, tzinfo=UTC)).isoformat() == "2026-12-31"


def test_a_frozen_clock_stays_until_it_is_moved() -> None:
    clock = TestClock.frozen(datetime(2026, 3, 2, 22, 0))  # naive: Việt Nam time
    assert clock() == datetime(2026, 3, 2, 15, 0, tzinfo=UTC) == clock()
    clock.advance(timedelta(hours=9, minutes=1))
    assert clock.local().time() == time(7, 1)


def test_daytime_is_ten_in_the_morning_in_vietnam_and_ticks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for shift in ("0", "8", "16", "-5.5"):
        monkeypatch.setenv(SHIFT_VARIABLE, shift)
        clock = TestClock.daytime()
        first = clock.local()
        assert (first.hour, first.minute) == (10, 0)
        assert clock() >= first


def test_the_shift_moves_the_default_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SHIFT_VARIABLE, "16")
    moved = TestClock.shifted()() - datetime.now(UTC)
    assert timedelta(hours=15, minutes=59) < moved < timedelta(hours=16, minutes=1)


def test_a_process_reads_the_same_clock_the_test_chose(monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = TestClock.at(datetime(2026, 2, 17, 23, 30, tzinfo=VIETNAM_TIME))  # Tết, at night
    for name, value in chosen.env().items():
        monkeypatch.setenv(name, value)
    assert abs(TestClock.from_env()() - chosen()) < timedelta(seconds=1)
    monkeypatch.delenv(OFFSET_VARIABLE)
    monkeypatch.setenv(SHIFT_VARIABLE, "8")
    assert TestClock.from_env()() - datetime.now(UTC) > timedelta(hours=7, minutes=59)
