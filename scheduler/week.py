"""ISO weeks and the half-days in them. Dates come from the week argument, never the clock."""

from __future__ import annotations

import datetime as dt
import re

from scheduler.domain import PERIODS, WEEKDAYS, HalfDay
from scheduler.errors import InputError

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(text: str, *, field: str = "week") -> tuple[int, int]:
    """Parse ``YYYY-Www`` into (year, week), rejecting weeks that do not exist."""
    match = _WEEK.match(text.strip())
    if not match:
        raise InputError(f"bad ISO week {text!r}: expected YYYY-Www, e.g. 2026-W49", column=field)
    year, week = int(match.group(1)), int(match.group(2))
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise InputError(f"week {text!r} does not exist in {year}", column=field) from None
    return year, week


def week_monday(text: str) -> dt.date:
    """Monday of an ISO week."""
    year, week = parse_week(text)
    return dt.date.fromisocalendar(year, week, 1)


def week_of(date: dt.date) -> str:
    """ISO week string of a date."""
    year, week, _ = date.isocalendar()
    return f"{year}-W{week:02d}"


def shift_week(text: str, weeks: int) -> str:
    """The ISO week ``weeks`` after (or before, if negative) ``text``."""
    return week_of(week_monday(text) + dt.timedelta(weeks=weeks))


def half_days(week: str, open_tokens: tuple[str, ...]) -> tuple[HalfDay, ...]:
    """The half-days of ``week`` whose token (``MON_AM``...) is in ``open_tokens``, in order."""
    monday = week_monday(week)
    wanted = set(open_tokens)
    out = []
    for offset, weekday in enumerate(WEEKDAYS):
        for period in PERIODS:
            if f"{weekday}_{period}" in wanted:
                out.append(HalfDay(monday + dt.timedelta(days=offset), period))
    return tuple(out)


def is_half_day_token(text: str) -> bool:
    """True for tokens like ``MON_AM``."""
    parts = text.split("_")
    return len(parts) == 2 and parts[0] in WEEKDAYS and parts[1] in PERIODS
