"""Due dates (hạn xử lý) in working days: no weekends, no Vietnamese public holidays.

The holidays come from the maintained `holidays` library (country "VN": Tết Nguyên Đán, Giỗ Tổ
Hùng Vương, 30/4, 1/5, Quốc khánh 2/9 and the days added around them, and the compensatory
days off the government declares), not from a hand-written list.
"""

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The day `days` working days after `start` (weekends and public holidays skipped)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current
