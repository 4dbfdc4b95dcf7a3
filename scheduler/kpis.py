"""Key performance indicators of a roster (SPEC §8), from the instance and roster alone.

Like the checker, this module knows nothing of the solver: every number is
recomputed in plain Python from an ``Instance`` and a list of ``Assignment``s, so
``kpis.json`` can be rebuilt from ``instance.json`` + ``roster.csv`` anywhere.

The result of :func:`compute_kpis` is a :class:`Kpis` (frozen dataclasses, one per
block); its ``to_dict()`` is the JSON of ``kpis.json``, with a fixed key order::

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

import dataclasses
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from scheduler.domain import Assignment, DemandKind, HalfDay, Instance
from scheduler.labels import SIDE_ZH

log = logging.getLogger(__name__)


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


COVERAGE_GROUPS: tuple[str, ...] = (
    "by_consortium",
    "by_specialty",
    "by_kind",
    "by_side",
    "by_hospital",
)
"""The coverage breakdowns, in ``kpis.json`` order (each a tuple of rows)."""


@dataclass(frozen=True, slots=True)
class CoverageTotal:
    """Sessions required, covered and unmet, and the covered percent (one decimal)."""

    required: int
    covered: int
    unmet: int
    percent: float

    def to_dict(self) -> dict[str, Any]:
        """As ``kpis.json`` holds it."""
        return {
            "required": self.required,
            "covered": self.covered,
            "unmet": self.unmet,
            "percent": self.percent,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> CoverageTotal:
        """Read :meth:`to_dict`'s output back."""
        return cls(raw["required"], raw["covered"], raw["unmet"], raw["percent"])


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """One group of a coverage breakdown (a consortium, specialty, kind, side or hospital).

    ``covered_by_others`` is set on hospital rows only (sessions of the items the
    hospital may serve, held by doctors of other hospitals); ``None`` elsewhere,
    and then absent from the dict.
    """

    id: str
    name: str
    required: int
    covered: int
    unmet: int
    percent: float
    covered_by_others: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """As ``kpis.json`` holds it."""
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "required": self.required,
            "covered": self.covered,
            "unmet": self.unmet,
            "percent": self.percent,
        }
        if self.covered_by_others is not None:
            out["covered_by_others"] = self.covered_by_others
        return out

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> CoverageRow:
        """Read :meth:`to_dict`'s output back."""
        return cls(
            raw["id"],
            raw["name"],
            raw["required"],
            raw["covered"],
            raw["unmet"],
            raw["percent"],
            raw.get("covered_by_others"),
        )


@dataclass(frozen=True, slots=True)
class Coverage:
    """The ``coverage`` block: overall, then one breakdown per group (rows by id)."""

    overall: CoverageTotal
    by_consortium: tuple[CoverageRow, ...]
    by_specialty: tuple[CoverageRow, ...]
    by_kind: tuple[CoverageRow, ...]
    by_side: tuple[CoverageRow, ...]
    by_hospital: tuple[CoverageRow, ...]

    def group(self, name: str) -> tuple[CoverageRow, ...]:
        """The rows of the breakdown ``name`` (one of :data:`COVERAGE_GROUPS`)."""
        if name not in COVERAGE_GROUPS:
            raise KeyError(name)
        rows: tuple[CoverageRow, ...] = getattr(self, name)
        return rows

    def to_dict(self) -> dict[str, Any]:
        """As ``kpis.json`` holds it."""
        return {
            "overall": self.overall.to_dict(),
            **{name: [row.to_dict() for row in self.group(name)] for name in COVERAGE_GROUPS},
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Coverage:
        """Read :meth:`to_dict`'s output back."""
        rows = {
            name: tuple(CoverageRow.from_dict(row) for row in raw[name]) for name in COVERAGE_GROUPS
        }
        return cls(
            CoverageTotal.from_dict(raw["overall"]),
            rows["by_consortium"],
            rows["by_specialty"],
            rows["by_kind"],
            rows["by_side"],
            rows["by_hospital"],
        )


@dataclass(frozen=True, slots=True)
class LoadDistribution:
    """Sessions per doctor: median, 90th percentile, maximum and mean."""

    p50: float
    p90: float
    max: int
    mean: float

    def to_dict(self) -> dict[str, Any]:
        """As ``kpis.json`` holds it."""
        return {"p50": self.p50, "p90": self.p90, "max": self.max, "mean": self.mean}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> LoadDistribution:
        """Read :meth:`to_dict`'s output back."""
        return cls(raw["p50"], raw["p90"], raw["max"], raw["mean"])


@dataclass(frozen=True, slots=True)
class Load:
    """The ``load`` block (see :func:`load`).

    ``histogram[n]`` is the number of doctors holding ``n`` sessions, for ``n``
    from 0 to the maximum (empty when there are no doctors); in JSON its keys
    are the numbers as strings.
    """

    doctors: int
    doctors_used: int
    capacity: int
    utilisation_percent: float
    distribution: LoadDistribution
    histogram: tuple[int, ...]

    def histogram_dict(self) -> dict[str, int]:
        """The histogram as ``kpis.json`` holds it: ``{"0": n, "1": n, ...}``."""
        return {str(n): count for n, count in enumerate(self.histogram)}

    def to_dict(self) -> dict[str, Any]:
        """As ``kpis.json`` holds it."""
        return {
            "doctors": self.doctors,
            "doctors_used": self.doctors_used,
            "capacity": self.capacity,
            "utilisation_percent": self.utilisation_percent,
            "distribution": self.distribution.to_dict(),
            "histogram": self.histogram_dict(),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Load:
        """Read :meth:`to_dict`'s output back."""
        histogram: dict[str, int] = raw["histogram"]
        return cls(
            raw["doctors"],
            raw["doctors_used"],
            raw["capacity"],
            raw["utilisation_percent"],
            LoadDistribution.from_dict(raw["distribution"]),
            tuple(histogram[str(n)] for n in range(len(histogram))),
        )


@dataclass(frozen=True, slots=True)
class Travel:
    """The ``travel`` block: one-way minutes from the home hospital."""

    total_minutes: int
    total_hours: float
    mean_minutes_per_session: float
    max_minutes: int

    def to_dict(self) -> dict[str, Any]:
        """As ``kpis.json`` holds it."""
        return {
            "total_minutes": self.total_minutes,
            "total_hours": self.total_hours,
            "mean_minutes_per_session": self.mean_minutes_per_session,
            "max_minutes": self.max_minutes,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Travel:
        """Read :meth:`to_dict`'s output back."""
        return cls(
            raw["total_minutes"],
            raw["total_hours"],
            raw["mean_minutes_per_session"],
            raw["max_minutes"],
        )


@dataclass(frozen=True, slots=True)
class Continuity:
    """The ``continuity`` block: sessions continuing a last-week pair (L2)."""

    sessions: int
    percent: float
    previous_pairs: int

    def to_dict(self) -> dict[str, Any]:
        """As ``kpis.json`` holds it."""
        return {
            "sessions": self.sessions,
            "percent": self.percent,
            "previous_pairs": self.previous_pairs,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Continuity:
        """Read :meth:`to_dict`'s output back."""
        return cls(raw["sessions"], raw["percent"], raw["previous_pairs"])


@dataclass(frozen=True, slots=True)
class Kpis:
    """All KPIs of a roster (what :func:`compute_kpis` returns).

    ``to_dict()`` is ``kpis.json``'s content (key order included), and
    ``from_dict()`` reads it back: ``Kpis.from_dict(k.to_dict()) == k``.
    """

    sessions: int
    ignored_assignments: int
    coverage: Coverage
    load: Load
    travel: Travel
    continuity: Continuity

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready dict of the module docstring (``kpis.json``, the runs table)."""
        return {
            "sessions": self.sessions,
            "ignored_assignments": self.ignored_assignments,
            "coverage": self.coverage.to_dict(),
            "load": self.load.to_dict(),
            "travel": self.travel.to_dict(),
            "continuity": self.continuity.to_dict(),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Kpis:
        """Read :meth:`to_dict`'s output back (a stored ``kpis.json`` or runs row).

        A missing key or a value of the wrong shape is a ``KeyError``/``TypeError``.
        """
        return cls(
            raw["sessions"],
            raw["ignored_assignments"],
            Coverage.from_dict(raw["coverage"]),
            Load.from_dict(raw["load"]),
            Travel.from_dict(raw["travel"]),
            Continuity.from_dict(raw["continuity"]),
        )


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


def _row(id_: str, name: str, tally: _Tally) -> CoverageRow:
    return CoverageRow(
        id_,
        name,
        tally.required,
        tally.covered,
        tally.unmet,
        percent(tally.covered, tally.required),
    )


def _rows(names: dict[str, str], tallies: dict[str, _Tally]) -> tuple[CoverageRow, ...]:
    ids = sorted(set(names) | set(tallies))
    return tuple(_row(i, names.get(i, i), tallies.get(i, _Tally())) for i in ids)


def coverage(instance: Instance, sessions: Sequence[Session]) -> Coverage:
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
    return Coverage(
        overall=CoverageTotal(
            overall.required,
            overall.covered,
            overall.unmet,
            percent(overall.covered, overall.required),
        ),
        by_consortium=_rows(names["by_consortium"], groups["by_consortium"]),
        by_specialty=_rows(names["by_specialty"], groups["by_specialty"]),
        by_kind=_rows(names["by_kind"], groups["by_kind"]),
        by_side=_rows(names["by_side"], groups["by_side"]),
        by_hospital=tuple(
            dataclasses.replace(
                _row(h, hospital_names.get(h, h), hospitals.get(h, _Tally())),
                covered_by_others=hospitals.get(h, _Tally()).covered_by_others,
            )
            for h in sorted(set(hospital_names) | set(hospitals))
        ),
    )


def load(instance: Instance, sessions: Sequence[Session]) -> Load:
    """The ``load`` block: sessions per doctor over *all* doctors (idle ones count as 0).

    ``utilisation_percent`` is the sessions held over the sum of weekly caps
    (0.0 when there is no capacity). The histogram counts the doctors holding
    each number of sessions, from 0 to the maximum, zero counts included.
    """
    per_doctor = Counter(s.assignment.doctor_id for s in sessions)
    loads = [per_doctor[d] for d in sorted(instance.doctors)]
    capacity = sum(d.weekly_cap for d in instance.doctors.values())
    held = sum(loads)
    histogram = Counter(loads)
    top = max(loads, default=0)
    return Load(
        doctors=len(loads),
        doctors_used=sum(1 for n in loads if n > 0),
        capacity=capacity,
        utilisation_percent=percent(held, capacity, empty=0.0),
        distribution=LoadDistribution(
            p50=percentile(loads, 0.5),
            p90=percentile(loads, 0.9),
            max=top,
            mean=round(held / len(loads), 1) if loads else 0.0,
        ),
        histogram=tuple(histogram[n] for n in range(top + 1)) if loads else (),
    )


def travel(sessions: Sequence[Session]) -> Travel:
    """The ``travel`` block: one-way minutes from the home hospital, as L4 counts them."""
    minutes = [s.travel_minutes for s in sessions]
    total = sum(minutes)
    return Travel(
        total_minutes=total,
        total_hours=round(total / 60, 1),
        mean_minutes_per_session=round(total / len(minutes), 1) if minutes else 0.0,
        max_minutes=max(minutes, default=0),
    )


def continuity(instance: Instance, sessions: Sequence[Session]) -> Continuity:
    """The ``continuity`` block: sessions continuing a last-week (doctor, item) pair (L2).

    ``percent`` is their share of all sessions (0.0 for an empty roster).
    """
    continuing = sum(
        1 for s in sessions if (s.assignment.doctor_id, s.assignment.item_id) in instance.previous
    )
    return Continuity(
        sessions=continuing,
        percent=percent(continuing, len(sessions), empty=0.0),
        previous_pairs=len(instance.previous),
    )


def compute_kpis(instance: Instance, assignments: Sequence[Assignment]) -> Kpis:
    """All KPIs of a roster; ``.to_dict()`` is the JSON of the module docstring.

    Deterministic: the same instance and roster give the same KPIs (and dict, key
    order included).
    """
    sessions, ignored = resolve_sessions(instance, assignments)
    return Kpis(
        sessions=len(sessions),
        ignored_assignments=ignored,
        coverage=coverage(instance, sessions),
        load=load(instance, sessions),
        travel=travel(sessions),
        continuity=continuity(instance, sessions),
    )
