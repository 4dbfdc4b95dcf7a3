"""ISO weeks and the half-days in them. Dates come from the week argument, never the clock.

A week is written one way everywhere it is stored or shown: ASCII ``YYYY-Www``
(``2026-W49``). :func:`canonical_week` is the one place that says so, for the
command line, the API, the console, scenario files and the data. What a person
types may also be the full-width form a Chinese IME produces
(``２０２６－Ｗ４９``: full-width digits, hyphen or W, in any mix); it is
normalised (Unicode NFKC) to that same ASCII week, never kept as a second,
different-looking week that ``/weeks/2026-W49`` would not show. Anything else
(other scripts' digits, which ``\\d`` would match, other dashes, a lower-case
``w``) is refused in one line.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from scheduler.domain import PERIODS, WEEKDAYS, HalfDay
from scheduler.errors import InputError

WEEK_PATTERN = r"^[0-9]{4}-W[0-9]{2}$"
"""The canonical week: ASCII only (``[0-9]``; ``\\d`` matches any script's digits)."""
WEEK_INPUT_PATTERN = r"^[0-9０-９]{4}[-－][WＷ][0-9０-９]{2}$"
"""What is read as a week: the canonical form, or its full-width letters in any mix
(also the OpenAPI ``pattern`` of week parameters)."""
_WEEK_INPUT = re.compile(WEEK_INPUT_PATTERN)

SUPPORTED_YEARS = range(2000, 2100)
"""The years a week may be in. Outside them outputs break late — the Excel
workbook (a zip file) cannot hold a date before 1980, after the whole solve —
so such a week is refused when it is read, in one line."""


def canonical_week(text: str, *, field: str = "week") -> str:
    """The canonical ASCII ``YYYY-Www`` of ``text`` (surrounding spaces dropped,
    full-width forms normalised).

    Only the form is checked here; :func:`parse_week` also checks that the week
    exists. Raises :class:`InputError` naming ``field`` for anything else.
    """
    typed = text.strip()
    if _WEEK_INPUT.fullmatch(typed) is None:
        raise InputError(f"bad ISO week {text!r}: expected YYYY-Www, e.g. 2026-W49", column=field)
    week = unicodedata.normalize("NFKC", typed)
    assert re.fullmatch(WEEK_PATTERN, week), week  # NFKC maps each full-width form to ASCII
    return week


def parse_week(text: str, *, field: str = "week") -> tuple[int, int]:
    """Parse ``YYYY-Www`` (see :func:`canonical_week`) into (year, week),
    rejecting weeks that do not exist."""
    week_text = canonical_week(text, field=field)
    year, week = int(week_text[:4]), int(week_text[6:])
    if year not in SUPPORTED_YEARS:
        raise InputError(
            f"week {text!r} is outside the supported years "
            f"{SUPPORTED_YEARS.start}–{SUPPORTED_YEARS.stop - 1}",
            column=field,
        )
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
