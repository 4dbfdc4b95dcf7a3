"""Absences and pins as planners write them: ``DATE[:AM|PM]`` moments.

``--from 2026-12-01`` starts in the morning, ``--from 2026-12-01:PM`` in the
afternoon; ``--to 2026-12-02`` ends in the afternoon, ``--to 2026-12-02:AM``
at midday; no ``--to``: the rest of the week. A pin names a doctor and
optionally a half-day: ``H01-CARD-01`` keeps all of the doctor's published
sessions, ``H01-CARD-01@2026-12-02:AM`` the one on that half-day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from scheduler.domain import Instance
from scheduler.errors import InputError

_MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})(?::(AM|PM))?$")


@dataclass(frozen=True)
class Absence:
    """A doctor away from the half-day ``first`` to ``last`` (keys, inclusive)."""

    doctor_id: str
    first: str
    last: str

    def covers(self, key: str) -> bool:
        """The half-day ``key`` falls in the absence (keys sort in time order)."""
        return self.first <= key <= self.last


@dataclass(frozen=True)
class Pin:
    """Keep a doctor's published session on ``half_day`` (or all of them: None)."""

    doctor_id: str
    half_day: str | None = None


def parse_moment(text: str, *, default_period: str, field: str, file: str | None) -> str:
    """``DATE[:AM|PM]`` as a half-day key (``2026-12-01_PM``)."""
    match = _MOMENT.match(text.strip())
    if match is None:
        raise InputError(
            f"{text!r} is not DATE[:AM|PM], e.g. 2026-12-01:PM", file=file, field=field
        )
    try:
        dt.date.fromisoformat(match.group(1))
    except ValueError:
        raise InputError(f"{match.group(1)!r} is not a date", file=file, field=field) from None
    return f"{match.group(1)}_{match.group(2) or default_period}"


def _week_bounds(instance: Instance) -> tuple[str, str]:
    keys = [h.key for h in instance.half_days]
    return min(keys), max(keys)


def make_absence(
    instance: Instance,
    doctor_id: str,
    start: str,
    end: str | None,
    *,
    where: str = "",
    file: str | None = None,
) -> Absence:
    """An absence, checked against the week: a known doctor, dates in the week."""
    if doctor_id not in instance.doctors:
        raise InputError(f"unknown doctor {doctor_id!r}", file=file, field=f"{where}doctor_id")
    first = parse_moment(start, default_period="AM", field=f"{where}from", file=file)
    week_first, week_last = _week_bounds(instance)
    last = week_last
    if end is not None:
        last = parse_moment(end, default_period="PM", field=f"{where}to", file=file)
    if first > week_last or last < week_first:
        raise InputError(
            f"{start}–{end or 'end of week'} is outside week {instance.week} "
            f"({week_first[:10]} to {week_last[:10]})",
            file=file,
            field=f"{where}from",
        )
    if last < first:
        raise InputError(f"{end} is before {start}", file=file, field=f"{where}to")
    return Absence(doctor_id, max(first, week_first), min(last, week_last))


def parse_pin(instance: Instance, text: str, *, field: str, file: str | None) -> Pin:
    """``DOCTOR`` or ``DOCTOR@DATE:AM|PM``."""
    doctor_id, _, moment = text.strip().partition("@")
    if doctor_id not in instance.doctors:
        raise InputError(f"unknown doctor {doctor_id!r}", file=file, field=field)
    if not moment:
        return Pin(doctor_id)
    if ":" not in moment:
        raise InputError(f"{text!r}: give the half-day, e.g. {doctor_id}@2026-12-02:AM",
                         file=file, field=field)  # fmt: skip
    return Pin(doctor_id, parse_moment(moment, default_period="AM", field=field, file=file))
