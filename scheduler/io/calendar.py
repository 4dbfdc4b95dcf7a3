"""Per-doctor iCalendar files (``calendars/<doctor_id>.ics``) a doctor can subscribe to.

Each session is one VEVENT in local time (TZID ``Asia/Shanghai``, with a
VTIMEZONE built offline from the tz database): mornings 08:30–12:00, afternoons
14:00–17:30. Everything is derived from the week, never from the clock: UIDs are
``<week>-<doctor_id>-<half-day key>@roster.spb`` (unique, and stable across
re-solves so a subscribed calendar updates events in place) and DTSTAMP is
00:00 UTC on the Monday of the week, so the same roster gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from scheduler.domain import Assignment, Doctor, Instance
from scheduler.errors import InputError
from scheduler.ids import check_id
from scheduler.labels import CALENDAR
from scheduler.week import week_monday

log = logging.getLogger(__name__)

TZID = "Asia/Shanghai"
PRODID = "-//Shapingba Health Bureau//Consortium Roster//ZH"
UID_DOMAIN = "roster.spb"
SUMMARY_PREFIX = CALENDAR.summary_prefix

AM_START = dt.time(8, 30)
AM_END = dt.time(12, 0)
PM_START = dt.time(14, 0)
PM_END = dt.time(17, 30)
SESSION_TIMES: dict[str, tuple[dt.time, dt.time]] = {
    "AM": (AM_START, AM_END),
    "PM": (PM_START, PM_END),
}
"""Local start and end of a session per period."""


def dtstamp(week: str) -> dt.datetime:
    """The fixed DTSTAMP of every event of ``week``: Monday 00:00 UTC."""
    return dt.datetime.combine(week_monday(week), dt.time(), tzinfo=dt.UTC)


def event_uid(week: str, doctor_id: str, half_day_key: str) -> str:
    """Stable, unique UID of a doctor's session (a doctor has one per half-day, R1)."""
    return f"{week}-{doctor_id}-{half_day_key}@{UID_DOMAIN}"


@cache
def _vtimezone(first: dt.date, last: dt.date) -> Timezone | None:
    """VTIMEZONE for TZID covering [first, last], or None if the tz database lacks it."""
    try:
        return Timezone.from_tzid(TZID, first_date=first, last_date=last)
    except (ValueError, AttributeError) as exc:  # unknown zone / icalendar < 6.1
        log.warning("no VTIMEZONE for %s: %s", TZID, exc)
        return None


def _events(instance: Instance, doctor: Doctor, assignments: Iterable[Assignment]) -> list[Event]:
    zone = ZoneInfo(TZID)
    half_days = {h.key: h for h in instance.half_days}
    hospital = instance.hospitals[doctor.hospital_id]
    stamp = dtstamp(instance.week)
    events = []
    ordered = sorted(assignments, key=lambda a: (a.half_day_key, a.item_id))
    for a in ordered:
        half_day = half_days.get(a.half_day_key)
        item = instance.demand.get(a.item_id)
        if half_day is None or item is None:
            log.warning("calendar skips an assignment with an unknown reference: %s", a)
            continue
        site = instance.sites[item.site_id]
        specialty = instance.specialties[item.specialty_id]
        minutes = instance.travel.home_minutes(doctor.hospital_id, site.id, half_day.period)
        start, end = SESSION_TIMES[half_day.period]
        event = Event()
        event.add("uid", event_uid(instance.week, doctor.id, half_day.key))
        event.add("dtstamp", stamp)
        event.add("dtstart", dt.datetime.combine(half_day.date, start, tzinfo=zone))
        event.add("dtend", dt.datetime.combine(half_day.date, end, tzinfo=zone))
        event.add("summary", f"{SUMMARY_PREFIX} · {site.name} · {specialty.name}")
        event.add("location", site.name)
        event.add(
            "description",
            "\n".join(
                (
                    CALENDAR.item.format(name=item.name, id=item.id),
                    CALENDAR.kind.format(kind=item.kind.zh),
                    CALENDAR.specialty.format(specialty=specialty.name),
                    CALENDAR.consortium.format(
                        consortium=instance.consortia[site.consortium_id].name
                    ),
                    CALENDAR.travel.format(minutes=minutes, hospital=hospital.name, site=site.name),
                    CALENDAR.half_day.format(half_day=half_day.zh),
                )
            ),
        )
        event.add("categories", [item.kind.zh])
        event.add("transp", "OPAQUE")
        events.append(event)
    return events


def _calendar(name: str, first: dt.date | None, last: dt.date | None) -> Calendar:
    """An empty calendar with our headers and, for a date span, its VTIMEZONE."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", TZID)
    if first is not None and last is not None:
        timezone = _vtimezone(first, last)
        if timezone is not None:
            calendar.add_component(timezone)
    return calendar


def doctor_calendar(instance: Instance, doctor_id: str, assignments: Iterable[Assignment]) -> bytes:
    """The iCalendar bytes of one doctor's sessions this week.

    ``assignments`` may be the whole roster; only the doctor's own sessions are
    used. A doctor without sessions gets a valid calendar with no events (a
    subscription feed must not fail). Raises ``KeyError`` for an unknown doctor.
    """
    doctor = instance.doctors[doctor_id]
    own = [a for a in assignments if a.doctor_id == doctor_id]
    monday = week_monday(instance.week)
    calendar = _calendar(
        f"{doctor.name} · {SUMMARY_PREFIX} {instance.week}", monday, monday + dt.timedelta(days=7)
    )
    for event in _events(instance, doctor, own):
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data


def calendar_path(directory: Path, doctor_id: str) -> Path:
    """``directory/<doctor_id>.ics``, refusing an id that could name anything else.

    The loader already refuses such ids (``scheduler.ids``); this is the second
    line, for instances that reach here another way (``instance.json``, a
    scenario): a doctor id is never a path out of the calendars directory.
    """
    check_id(doctor_id, column="doctor_id")
    path = directory / f"{doctor_id}.ics"
    if path.parent != directory:  # cannot happen for a valid id; never write elsewhere
        raise InputError(f"doctor id {doctor_id!r} is not a file name", column="doctor_id")
    return path


def write_calendars(directory: Path, instance: Instance, assignments: Sequence[Assignment]) -> int:
    """Write ``<doctor_id>.ics`` for every doctor with at least one session.

    Returns the number of files written. Assignments naming an unknown doctor
    are skipped with a warning (the checker reports them). A doctor id that is
    not a valid id (``scheduler.ids``) stops the writing before any file is
    made, with an :class:`~scheduler.errors.InputError`.
    """
    directory = Path(directory)
    by_doctor: dict[str, list[Assignment]] = defaultdict(list)
    for a in assignments:
        if a.doctor_id in instance.doctors:
            by_doctor[a.doctor_id].append(a)
        else:
            log.warning("calendar skips an assignment of unknown doctor %r", a.doctor_id)
    paths = {doctor_id: calendar_path(directory, doctor_id) for doctor_id in sorted(by_doctor)}
    directory.mkdir(parents=True, exist_ok=True)
    for doctor_id, path in paths.items():
        path.write_bytes(doctor_calendar(instance, doctor_id, by_doctor[doctor_id]))
    log.info("wrote %d calendars to %s", len(by_doctor), directory)
    return len(by_doctor)


def doctor_feed(
    doctor_id: str, weeks: Sequence[tuple[Instance, Sequence[Assignment]]], *, name: str
) -> bytes:
    """One calendar of a doctor's sessions over several weeks (a subscription feed).

    ``weeks`` pairs each week's instance with the doctor's assignments of that
    week (the published roster). Weeks whose instance lacks the doctor are
    skipped; an empty feed is still a valid calendar.
    """
    ordered = sorted(weeks, key=lambda pair: pair[0].week)
    span = (
        (week_monday(ordered[0][0].week), week_monday(ordered[-1][0].week) + dt.timedelta(days=7))
        if ordered
        else None
    )
    calendar = _calendar(f"{name} · {SUMMARY_PREFIX}", *(span or (None, None)))
    for instance, assignments in ordered:
        doctor = instance.doctors.get(doctor_id)
        if doctor is None:
            continue
        own = [a for a in assignments if a.doctor_id == doctor_id]
        for event in _events(instance, doctor, own):
            calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data
