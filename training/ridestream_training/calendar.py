"""US federal holidays as New York observes them, by rule (no table to go stale). The same rules as
libs/features/src/calendar.ts; the golden file holds rides on holidays to prove the two agree."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd

MONDAY, THURSDAY = 0, 3


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based) `weekday` (0 = Monday) of a month; n = -1 for the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    """A fixed-date holiday on a Saturday is observed the Friday before, on a Sunday the Monday after."""
    return day + timedelta(days={5: -1, 6: 1}.get(day.weekday(), 0))


@lru_cache(maxsize=256)
def holidays_of(year: int) -> frozenset[date]:
    days = {
        _observed(date(year, 1, 1)),
        _nth_weekday(year, 1, MONDAY, 3),  # Martin Luther King Jr. Day
        _nth_weekday(year, 2, MONDAY, 3),  # Washington's Birthday
        _nth_weekday(year, 5, MONDAY, -1),  # Memorial Day
        _observed(date(year, 7, 4)),
        _nth_weekday(year, 9, MONDAY, 1),  # Labor Day
        _nth_weekday(year, 10, MONDAY, 2),  # Columbus Day
        _observed(date(year, 11, 11)),
        _nth_weekday(year, 11, THURSDAY, 4),  # Thanksgiving
        _observed(date(year, 12, 25)),
        # A Saturday New Year's Day is observed on Friday 31 December of the year before.
        _observed(date(year + 1, 1, 1)),
    }
    if year >= 2021:
        days.add(_observed(date(year, 6, 19)))  # Juneteenth, federal since 2021
    return frozenset(d for d in days if d.year == year)


def is_us_holiday(day: date) -> bool:
    return day in holidays_of(day.year)


def holiday_flags(local: pd.Series) -> np.ndarray:
    """1.0 where a tz-aware New York timestamp falls on a holiday (its local date), else 0.0."""
    dates = local.dt.tz_localize(None).dt.normalize()
    years = sorted(set(dates.dt.year.dropna().astype(int)))
    wanted = [pd.Timestamp(d) for y in years for d in holidays_of(y)]
    return dates.isin(wanted).to_numpy(dtype=np.float64)
