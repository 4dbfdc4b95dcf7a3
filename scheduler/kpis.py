"""Key performance indicators of a roster (SPEC §8), from the instance and roster alone.

Like the checker, this module knows nothing of the solver: every number is
recomputed in plain Python from an ``Instance`` and a list of ``Assignment``s, so
``kpis.json`` can be rebuilt from ``instance.json`` + ``roster.csv`` anywhere.

The result of :func:`compute_kpis` is a JSON-ready dict with a fixed key order::

    {
      "sessions": int,                 # assignments counted
      "ignored_assignments": int,      # assignments naming an unknown doctor/item/half-day
      "coverage": {
        "overall": {required, covered, unmet, percent},
        "by_consortium": [row, ...],   # the item's site → consortium
        "by_specialty":  [row, ...],
        "by_kind":       [row, ...],   # department / clinic / team_support
        "by_side":       [row, ...],   # the item's site → east / west of 中梁山
        "by_hospital":   [row + covered_by_others, ...],
      },
      "load": {doctors, doctors_used, capacity, utilisation_percent,
               distribution: {p50, p90, max, mean}, histogram: {"0": n, "1": n, ...}},
      "travel": {total_minutes, total_hours, mean_minutes_per_session, max_minutes},
      "continuity": {sessions, percent, previous_pairs},
    }

A coverage ``row`` is ``{id, name, required, covered, unmet, percent}``; rows are
sorted by id and every consortium, specialty, kind, side and hospital of the
instance has one, even with nothing required. Percentages are rounded to one
decimal; the coverage percent of a group that requires nothing is 100.0.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from scheduler.domain import Assignment, DemandKind, HalfDay, Instance
from scheduler.labels import SIDE_ZH

log = logging.getLogger(__name__)


PERCENTILES: tuple[tuple[str, float], ...] = (("p50", 0.5), ("p90", 0.9))
"""Load percentiles reported, as (key, fraction)."""


def percent(part: float, whole: float, *, empty: float = 100.0) -> float:
    """``100 × part / whole`` rounded to one decimal; ``empty`` when ``whole`` is 0."""
    if whole == 0:
        return empty
    return round(100.0 * part / whole, 1)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Percentile by linear interpolation between closest ranks (numpy's default).

    ``fraction`` is in [0, 1]. The value at fractional rank ``fraction × (n − 1)``
    of the sorted values, rounded to one decimal; 0.0 for no values.
    """
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    value = ordered[low] + (rank - low) * (ordered[high] - ordered[low])
    return round(value, 1)


@dataclass(frozen=True, slots=True)
class Session:
    """One valid assignment resolved against the instance (what every KPI counts)."""

    assignment: Assignment
    half_day: HalfDay
    travel_minutes: int


def resolve_sessions(
    instance: Instance, assignments: Iterable[Assignment]
) -> tuple[list[Session], int]:
    """Resolve assignments to sessions with their travel minutes.

    Assignments naming an unknown doctor, demand item or half-day cannot be
    measured; they are skipped with a warning (the checker reports them as
    violations) and their number is returned beside the sessions.
    """
    half_days = {h.key: h for h in instance.half_days}
    sessions: list[Session] = []
    ignored = 0
    for a in assignments:
        doctor = instance.doctors.get(a.doctor_id)
        item = instance.demand.get(a.item_id)
        half_day = half_days.get(a.half_day_key)
        if doctor is None or item is None or half_day is None:
            log.warning("KPIs ignore an assignment with an unknown reference: %s", a)
            ignored += 1
            continue
        minutes = instance.travel.home_minutes(doctor.hospital_id, item.site_id, half_day.period)
        sessions.append(Session(a, half_day, minutes))
    return sessions, ignored


def covered_by_item(instance: Instance, sessions: Iterable[Session]) -> dict[str, int]:
    """Covered sessions per demand item (every item, in id order).

    Sessions beyond what an item asks for (an R8 violation) do not count.
    """
    counts = Counter(s.assignment.item_id for s in sessions)
    return {
        item_id: min(counts[item_id], instance.demand[item_id].sessions)
        for item_id in sorted(instance.demand)
    }


@dataclass(slots=True)
class _Tally:
    required: int = 0
    covered: int = 0
    unmet: int = 0
    covered_by_others: int = 0


def _row(id_: str, name: str, tally: _Tally) -> dict[str, Any]:
    return {
        "id": id_,
        "name": name,
        "required": tally.required,
        "covered": tally.covered,
        "unmet": tally.unmet,
        "percent": percent(tally.covered, tally.required),
    }


def _rows(names: dict[str, str], tallies: dict[str, _Tally]) -> list[dict[str, Any]]:
    ids = sorted(set(names) | set(tallies))
    return [_row(i, names.get(i, i), tallies.get(i, _Tally())) for i in ids]


def coverage(instance: Instance, sessions: Sequence[Session]) -> dict[str, Any]:
    """The ``coverage`` block of the KPIs (see the module docstring).

    By consortium, specialty, kind and side, each demand item counts once, in its
    own group, and ``required = covered + unmet``.

    By hospital, a demand item counts for *each* hospital allowed to serve it:
    ``required`` is the sessions of the items the hospital may serve,
    ``covered`` the sessions of those items its own doctors hold,
    ``covered_by_others`` those held by doctors of other hospitals and ``unmet``
    those nobody holds, so ``required = covered + covered_by_others + unmet``
    and ``percent`` is the hospital's own share. Hospital rows therefore do not
    add up to the overall figures when items allow several hospitals.
    """
    covered = covered_by_item(instance, sessions)
    by_hospital_item = Counter(
        (instance.doctors[s.assignment.doctor_id].hospital_id, s.assignment.item_id)
        for s in sessions
    )
    overall = _Tally()
    groups: dict[str, dict[str, _Tally]] = {
        "by_consortium": defaultdict(_Tally),
        "by_specialty": defaultdict(_Tally),
        "by_kind": defaultdict(_Tally),
        "by_side": defaultdict(_Tally),
    }
    hospitals: dict[str, _Tally] = defaultdict(_Tally)
    for item_id, item_covered in covered.items():
        item = instance.demand[item_id]
        site = instance.sites[item.site_id]
        unmet = item.sessions - item_covered
        keys = {
            "by_consortium": site.consortium_id,
            "by_specialty": item.specialty_id,
            "by_kind": item.kind.value,
            "by_side": site.side,
        }
        for tally in (overall, *(groups[g][k] for g, k in keys.items())):
            tally.required += item.sessions
            tally.covered += item_covered
            tally.unmet += unmet
        for hospital_id in item.allowed_hospitals:
            own = min(by_hospital_item[(hospital_id, item_id)], item_covered)
            tally = hospitals[hospital_id]
            tally.required += item.sessions
            tally.covered += own
            tally.covered_by_others += item_covered - own
            tally.unmet += unmet

    names = {
        "by_consortium": {k: c.name for k, c in instance.consortia.items()},
        "by_specialty": {k: s.name for k, s in instance.specialties.items()},
        "by_kind": {k.value: k.zh for k in DemandKind},
        "by_side": {
            side: SIDE_ZH.get(side, side) for side in {s.side for s in instance.sites.values()}
        },
    }
    hospital_names = {k: h.name for k, h in instance.hospitals.items()}
    return {
        "overall": {
            "required": overall.required,
            "covered": overall.covered,
            "unmet": overall.unmet,
            "percent": percent(overall.covered, overall.required),
        },
        **{group: _rows(names[group], groups[group]) for group in groups},
        "by_hospital": [
            {
                **_row(h, hospital_names.get(h, h), hospitals.get(h, _Tally())),
                "covered_by_others": hospitals.get(h, _Tally()).covered_by_others,
            }
            for h in sorted(set(hospital_names) | set(hospitals))
        ],
    }


def load(instance: Instance, sessions: Sequence[Session]) -> dict[str, Any]:
    """The ``load`` block: sessions per doctor over *all* doctors (idle ones count as 0).

    ``utilisation_percent`` is the sessions held over the sum of weekly caps
    (0.0 when there is no capacity). The histogram maps a number of sessions
    (as a string, for JSON) to the number of doctors holding it, from 0 to the
    maximum, zero counts included.
    """
    per_doctor = Counter(s.assignment.doctor_id for s in sessions)
    loads = [per_doctor[d] for d in sorted(instance.doctors)]
    capacity = sum(d.weekly_cap for d in instance.doctors.values())
    held = sum(loads)
    histogram = Counter(loads)
    top = max(loads, default=0)
    return {
        "doctors": len(loads),
        "doctors_used": sum(1 for n in loads if n > 0),
        "capacity": capacity,
        "utilisation_percent": percent(held, capacity, empty=0.0),
        "distribution": {
            **{key: percentile(loads, fraction) for key, fraction in PERCENTILES},
            "max": top,
            "mean": round(held / len(loads), 1) if loads else 0.0,
        },
        "histogram": {str(n): histogram[n] for n in range(top + 1)} if loads else {},
    }


def travel(sessions: Sequence[Session]) -> dict[str, Any]:
    """The ``travel`` block: one-way minutes from the home hospital, as L4 counts them."""
    minutes = [s.travel_minutes for s in sessions]
    total = sum(minutes)
    return {
        "total_minutes": total,
        "total_hours": round(total / 60, 1),
        "mean_minutes_per_session": round(total / len(minutes), 1) if minutes else 0.0,
        "max_minutes": max(minutes, default=0),
    }


def continuity(instance: Instance, sessions: Sequence[Session]) -> dict[str, Any]:
    """The ``continuity`` block: sessions continuing a last-week (doctor, item) pair (L2).

    ``percent`` is their share of all sessions (0.0 for an empty roster).
    """
    continuing = sum(
        1 for s in sessions if (s.assignment.doctor_id, s.assignment.item_id) in instance.previous
    )
    return {
        "sessions": continuing,
        "percent": percent(continuing, len(sessions), empty=0.0),
        "previous_pairs": len(instance.previous),
    }


def compute_kpis(instance: Instance, assignments: Sequence[Assignment]) -> dict[str, Any]:
    """All KPIs of a roster, as the JSON-ready dict described in the module docstring.

    Deterministic: the same instance and roster give the same dict, key order included.
    """
    sessions, ignored = resolve_sessions(instance, assignments)
    return {
        "sessions": len(sessions),
        "ignored_assignments": ignored,
        "coverage": coverage(instance, sessions),
        "load": load(instance, sessions),
        "travel": travel(sessions),
        "continuity": continuity(instance, sessions),
    }
