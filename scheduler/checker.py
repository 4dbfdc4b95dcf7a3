"""Independent roster checker: rules R1–R8 (and P1) and objective levels L1–L5.

Works from an instance and a list of assignments alone — no solver, no model
code, no candidate filters: every rule is re-implemented here in plain Python
from the spec's wording, so a bug in the model cannot hide itself. One
function per rule (``check_r1`` … ``check_p1``), listed by code in ``CHECKS``
beside the model's ``RULES``.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from scheduler.domain import STANDARD_LEVELS, Assignment, Instance, Level


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule."""

    rule: str  # R0 (unknown reference) .. R8
    message: str


@dataclass
class CheckReport:
    """Violations found and the recomputed objective levels."""

    violations: list[Violation] = field(default_factory=list)
    levels: dict[Level, int] = field(default_factory=dict)
    unmet_sessions: int = 0
    sessions: int = 0

    @property
    def ok(self) -> bool:
        """True when no rule is broken."""
        return not self.violations

    def by_rule(self) -> Counter[str]:
        """Number of violations per rule code."""
        return Counter(v.rule for v in self.violations)


Check = Callable[[Instance, list[Assignment]], Iterator[Violation]]
"""A rule's check: the violations of a roster (whose references are all known)."""


def check_roster(instance: Instance, assignments: Iterable[Assignment]) -> CheckReport:
    """Check every rule (``CHECKS``, in code order) and recompute every level."""
    roster = list(assignments)
    report = CheckReport(sessions=len(roster))
    valid = _known(instance, roster, report.violations)
    for check in CHECKS.values():
        report.violations.extend(check(instance, valid))
    report.levels = recompute_levels(instance, valid)
    covered = Counter(a.item_id for a in valid)
    report.unmet_sessions = sum(
        max(0, item.sessions - covered[item.id]) for item in instance.demand.values()
    )
    return report


def _known(instance: Instance, roster: list[Assignment], bad: list[Violation]) -> list[Assignment]:
    """The assignments whose doctor, item and half-day exist (R0: unknown reference;
    an assignment on a half-day that is not open breaks R4)."""
    half_days = {h.key for h in instance.half_days}
    valid: list[Assignment] = []
    for a in roster:
        if a.doctor_id not in instance.doctors:
            bad.append(Violation("R0", f"unknown doctor {a.doctor_id!r}"))
        elif a.item_id not in instance.demand:
            bad.append(Violation("R0", f"unknown demand item {a.item_id!r}"))
        elif a.half_day_key not in half_days:
            bad.append(Violation("R4", f"{a.doctor_id} on {a.half_day_key}, not an open half-day"))
        else:
            valid.append(a)
    return valid


def _where(a: Assignment) -> str:
    return f"{a.doctor_id} → {a.item_id} on {a.half_day_key}"


def check_r1(instance: Instance, roster: list[Assignment]) -> Iterator[Violation]:
    """R1: a doctor is in at most one place per half-day."""
    per_doctor_half_day = Counter((a.doctor_id, a.half_day_key) for a in roster)
    for (doctor_id, key), count in sorted(per_doctor_half_day.items()):
        if count > 1:
            yield Violation("R1", f"{doctor_id} is in {count} places on {key}")


def check_r2(instance: Instance, roster: list[Assignment]) -> Iterator[Violation]:
    """R2: only demand of the doctor's own specialty, from an allowed hospital."""
    for a in roster:
        doctor, item = instance.doctors[a.doctor_id], instance.demand[a.item_id]
        if doctor.specialty_id != item.specialty_id:
            yield Violation(
                "R2", f"{_where(a)}: specialty {doctor.specialty_id} ≠ {item.specialty_id}"
            )
        if doctor.hospital_id not in item.allowed_hospitals:
            yield Violation("R2", f"{_where(a)}: hospital {doctor.hospital_id} may not serve it")


def check_r3(instance: Instance, roster: list[Assignment]) -> Iterator[Violation]:
    """R3: title at least the demand's minimum title."""
    for a in roster:
        doctor, item = instance.doctors[a.doctor_id], instance.demand[a.item_id]
        if doctor.title < item.min_title:
            yield Violation("R3", f"{_where(a)}: title {doctor.title.code} < {item.min_title.code}")


def check_r4(instance: Instance, roster: list[Assignment]) -> Iterator[Violation]:
    """R4: never on an unavailable half-day, a holiday, or a half-day the site is closed."""
    half_days = {h.key: h for h in instance.half_days}
    for a in roster:
        doctor, item = instance.doctors[a.doctor_id], instance.demand[a.item_id]
        site = instance.sites[item.site_id]
        if a.half_day_key in doctor.unavailable:
            yield Violation("R4", f"{_where(a)}: doctor unavailable")
        if half_days[a.half_day_key].date.isoformat() in instance.holidays:
            yield Violation("R4", f"{_where(a)}: public holiday")
        if a.half_day_key in site.closed:
            yield Violation("R4", f"{_where(a)}: site {site.id} closed")


def check_r5(instance: Instance, roster: list[Assignment]) -> Iterator[Violation]:
    """R5: at most the doctor's weekly cap of sessions."""
    load = Counter(a.doctor_id for a in roster)
    for doctor_id, count in sorted(load.items()):
        cap = instance.doctors[doctor_id].weekly_cap
        if count > cap:
            yield Violation("R5", f"{doctor_id} has {count} sessions, cap {cap}")


def check_r6(instance: Instance, roster: list[Assignment]) -> Iterator[Violation]:
    """R6: in every half-day, at most floor(max_away_share × headcount) of each
    (hospital, specialty) away."""
    headcount = Counter((d.hospital_id, d.specialty_id) for d in instance.doctors.values())
    away: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for a in roster:
        doctor = instance.doctors[a.doctor_id]
        away[(doctor.hospital_id, doctor.specialty_id, a.half_day_key)].add(a.doctor_id)
    for (hospital_id, specialty_id, key), doctors in sorted(away.items()):
        share = instance.hospitals[hospital_id].max_away_share
        limit = math.floor(share * headcount[(hospital_id, specialty_id)] + 1e-9)
        if len(doctors) > limit:
            yield Violation(
                "R6", f"{len(doctors)} of {hospital_id}/{specialty_id} away on {key}, limit {limit}"
            )


def check_r7(instance: Instance, roster: list[Assignment]) -> Iterator[Violation]:
    """R7: home → site within the travel limit; AM site → a different PM site within
    the midday gap."""
    half_days = {h.key: h for h in instance.half_days}
    for a in roster:
        doctor, item = instance.doctors[a.doctor_id], instance.demand[a.item_id]
        period = half_days[a.half_day_key].period
        minutes = instance.travel.home_minutes(doctor.hospital_id, item.site_id, period)
        if minutes > instance.policy.travel_limit_minutes:
            yield Violation("R7", f"{_where(a)}: {minutes} min from home > limit")
    by_doctor_day: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(
        lambda: {"AM": [], "PM": []}
    )
    for a in roster:
        half_day = half_days[a.half_day_key]
        site_id = instance.demand[a.item_id].site_id
        by_doctor_day[(a.doctor_id, half_day.date.isoformat())][half_day.period].append(site_id)
    gap = instance.policy.midday_gap_minutes
    for (doctor_id, day), periods in sorted(by_doctor_day.items()):
        for am_site in periods["AM"]:
            for pm_site in periods["PM"]:
                minutes = instance.travel.midday_minutes(am_site, pm_site)
                if minutes > gap:
                    yield Violation(
                        "R7",
                        f"{doctor_id} on {day}: {am_site} → {pm_site} takes {minutes} min "
                        f"> midday gap {gap}",
                    )


def check_r8(instance: Instance, roster: list[Assignment]) -> Iterator[Violation]:
    """R8: at most one session per demand item per half-day, never more than it asks."""
    per_item_half_day = Counter((a.item_id, a.half_day_key) for a in roster)
    for (item_id, key), count in sorted(per_item_half_day.items()):
        if count > 1:
            yield Violation("R8", f"{item_id} has {count} sessions on {key}")
    covered = Counter(a.item_id for a in roster)
    for item_id, count in sorted(covered.items()):
        asked = instance.demand[item_id].sessions
        if count > asked:
            yield Violation("R8", f"{item_id} gets {count} sessions, asks {asked}")


def check_p1(instance: Instance, roster: list[Assignment]) -> Iterator[Violation]:
    """P1 (repairs): pinned assignments kept; nothing else on a frozen half-day."""
    made = set(roster)
    for doctor_id, item_id, key in sorted(instance.pinned - made):
        yield Violation("P1", f"pinned {doctor_id} → {item_id} on {key} is missing")
    for a in roster:
        if a.half_day_key in instance.frozen and a not in instance.pinned:
            yield Violation("P1", f"{_where(a)}: frozen")


CHECKS: dict[str, Check] = {
    "R1": check_r1,
    "R2": check_r2,
    "R3": check_r3,
    "R4": check_r4,
    "R5": check_r5,
    "R6": check_r6,
    "R7": check_r7,
    "R8": check_r8,
    "P1": check_p1,
}
"""Each rule's independent check, keyed by the rule's code — the same codes as the
model's ``RULES`` (a test says so), so every rule has its twin here."""


LevelCheck = Callable[[Instance, list[Assignment]], int]
"""A level's recomputation: its value on a roster (whose references are all known)."""


def level_unmet(instance: Instance, roster: list[Assignment]) -> int:
    """L1: sessions short of each item's demand, weighted by the item's priority."""
    covered = Counter(a.item_id for a in roster)
    return sum(
        item.priority * max(0, item.sessions - covered[item.id])
        for item in instance.demand.values()
    )


def level_continuity(instance: Instance, roster: list[Assignment]) -> int:
    """L2: sessions of a (doctor, item) pair that also served last week."""
    return sum(1 for a in roster if (a.doctor_id, a.item_id) in instance.previous)


def level_unfairness(instance: Instance, roster: list[Assignment]) -> int:
    """L3: per specialty pool the largest weekly load, summed over pools."""
    load = Counter(a.doctor_id for a in roster)
    pool_max: dict[str, int] = defaultdict(int)
    for doctor in instance.doctors.values():
        pool_max[doctor.specialty_id] = max(pool_max[doctor.specialty_id], load[doctor.id])
    return sum(pool_max.values())


def level_travel(instance: Instance, roster: list[Assignment]) -> int:
    """L4: one-way minutes from each doctor's hospital to the session's site."""
    half_days = {h.key: h for h in instance.half_days}
    return sum(
        instance.travel.home_minutes(
            instance.doctors[a.doctor_id].hospital_id,
            instance.demand[a.item_id].site_id,
            half_days[a.half_day_key].period,
        )
        for a in roster
    )


def level_non_preferred(instance: Instance, roster: list[Assignment]) -> int:
    """L5: sessions on a weekday the doctor does not prefer (no preference = all preferred)."""
    half_days = {h.key: h for h in instance.half_days}
    non_preferred = 0
    for a in roster:
        preferred = instance.doctors[a.doctor_id].preferred_weekdays
        if preferred and half_days[a.half_day_key].weekday not in preferred:
            non_preferred += 1
    return non_preferred


def level_changes(instance: Instance, roster: list[Assignment]) -> int:
    """Δ (a repair): assignments made or dropped relative to the roster being repaired."""
    made = set(roster)
    return len(made ^ instance.reference)


LEVEL_CHECKS: dict[Level, LevelCheck] = {
    Level.UNMET: level_unmet,
    Level.CONTINUITY: level_continuity,
    Level.UNFAIRNESS: level_unfairness,
    Level.TRAVEL: level_travel,
    Level.NON_PREFERRED: level_non_preferred,
    Level.CHANGES: level_changes,
}
"""Each level's independent recomputation, keyed by the level's code — the same
codes as the model's ``LEVELS`` (a test says so), so every level has its twin here."""


def recompute_levels(instance: Instance, roster: list[Assignment]) -> dict[Level, int]:
    """L1–L5 of a roster, from the spec's definitions, and any other level of the
    policy's order (a repair's Δ)."""
    order = instance.policy.level_order
    return {
        level: recompute(instance, roster)
        for level, recompute in LEVEL_CHECKS.items()
        if level in STANDARD_LEVELS or level in order
    }
