"""Independent roster checker: rules R1–R8 and objective levels L1–L5.

Works from an instance and a list of assignments alone — no solver, no model
code, no candidate filters: every rule is re-implemented here in plain Python
from the spec's wording, so a bug in the model cannot hide itself.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from scheduler.domain import Assignment, Instance, Level


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


def check_roster(instance: Instance, assignments: Iterable[Assignment]) -> CheckReport:
    """Check every rule and recompute every level."""
    roster = list(assignments)
    report = CheckReport(sessions=len(roster))
    bad = report.violations.append
    half_days = {h.key: h for h in instance.half_days}
    valid: list[Assignment] = []
    for a in roster:
        if a.doctor_id not in instance.doctors:
            bad(Violation("R0", f"unknown doctor {a.doctor_id!r}"))
        elif a.item_id not in instance.demand:
            bad(Violation("R0", f"unknown demand item {a.item_id!r}"))
        elif a.half_day_key not in half_days:
            bad(Violation("R4", f"{a.doctor_id} on {a.half_day_key}, not an open half-day"))
        else:
            valid.append(a)

    per_doctor_half_day = Counter((a.doctor_id, a.half_day_key) for a in valid)
    for (doctor_id, key), count in sorted(per_doctor_half_day.items()):
        if count > 1:
            bad(Violation("R1", f"{doctor_id} is in {count} places on {key}"))

    for a in valid:
        doctor = instance.doctors[a.doctor_id]
        item = instance.demand[a.item_id]
        half_day = half_days[a.half_day_key]
        site = instance.sites[item.site_id]
        where = f"{a.doctor_id} → {a.item_id} on {a.half_day_key}"
        if doctor.specialty_id != item.specialty_id:
            bad(Violation("R2", f"{where}: specialty {doctor.specialty_id} ≠ {item.specialty_id}"))
        if doctor.hospital_id not in item.allowed_hospitals:
            bad(Violation("R2", f"{where}: hospital {doctor.hospital_id} may not serve it"))
        if doctor.title < item.min_title:
            bad(Violation("R3", f"{where}: title {doctor.title.code} < {item.min_title.code}"))
        if a.half_day_key in doctor.unavailable:
            bad(Violation("R4", f"{where}: doctor unavailable"))
        if half_day.date.isoformat() in instance.holidays:
            bad(Violation("R4", f"{where}: public holiday"))
        if a.half_day_key in site.closed:
            bad(Violation("R4", f"{where}: site {site.id} closed"))
        minutes = instance.travel.home_minutes(doctor.hospital_id, site.id, half_day.period)
        if minutes > instance.policy.travel_limit_minutes:
            bad(Violation("R7", f"{where}: {minutes} min from home > limit"))

    load = Counter(a.doctor_id for a in valid)
    for doctor_id, count in sorted(load.items()):
        cap = instance.doctors[doctor_id].weekly_cap
        if count > cap:
            bad(Violation("R5", f"{doctor_id} has {count} sessions, cap {cap}"))

    headcount = Counter((d.hospital_id, d.specialty_id) for d in instance.doctors.values())
    away: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for a in valid:
        doctor = instance.doctors[a.doctor_id]
        away[(doctor.hospital_id, doctor.specialty_id, a.half_day_key)].add(a.doctor_id)
    for (hospital_id, specialty_id, key), doctors in sorted(away.items()):
        share = instance.hospitals[hospital_id].max_away_share
        limit = math.floor(share * headcount[(hospital_id, specialty_id)] + 1e-9)
        if len(doctors) > limit:
            bad(
                Violation(
                    "R6",
                    f"{len(doctors)} of {hospital_id}/{specialty_id} away on {key}, limit {limit}",
                )
            )

    by_doctor_day: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(
        lambda: {"AM": [], "PM": []}
    )
    for a in valid:
        half_day = half_days[a.half_day_key]
        site_id = instance.demand[a.item_id].site_id
        by_doctor_day[(a.doctor_id, half_day.date.isoformat())][half_day.period].append(site_id)
    gap = instance.policy.midday_gap_minutes
    for (doctor_id, day), periods in sorted(by_doctor_day.items()):
        for am_site in periods["AM"]:
            for pm_site in periods["PM"]:
                minutes = instance.travel.midday_minutes(am_site, pm_site)
                if minutes > gap:
                    bad(
                        Violation(
                            "R7",
                            f"{doctor_id} on {day}: {am_site} → {pm_site} takes {minutes} min "
                            f"> midday gap {gap}",
                        )
                    )

    per_item_half_day = Counter((a.item_id, a.half_day_key) for a in valid)
    for (item_id, key), count in sorted(per_item_half_day.items()):
        if count > 1:
            bad(Violation("R8", f"{item_id} has {count} sessions on {key}"))
    covered = Counter(a.item_id for a in valid)
    for item_id, count in sorted(covered.items()):
        if count > instance.demand[item_id].sessions:
            bad(
                Violation(
                    "R8",
                    f"{item_id} gets {count} sessions, asks {instance.demand[item_id].sessions}",
                )
            )

    # P1 (repairs only): pinned assignments kept; nothing else on a frozen half-day.
    made = {(a.doctor_id, a.item_id, a.half_day_key) for a in valid}
    for doctor_id, item_id, key in sorted(instance.pinned - made):
        bad(Violation("P1", f"pinned {doctor_id} → {item_id} on {key} is missing"))
    for a in valid:
        triple = (a.doctor_id, a.item_id, a.half_day_key)
        if a.half_day_key in instance.frozen and triple not in instance.pinned:
            bad(Violation("P1", f"{a.doctor_id} → {a.item_id} on {a.half_day_key}: frozen"))

    report.levels = recompute_levels(instance, valid)
    report.unmet_sessions = sum(
        max(0, item.sessions - covered[item.id]) for item in instance.demand.values()
    )
    return report


def recompute_levels(instance: Instance, roster: list[Assignment]) -> dict[Level, int]:
    """L1–L5 of a roster, from the spec's definitions (and a repair's Δ)."""
    half_days = {h.key: h for h in instance.half_days}
    covered = Counter(a.item_id for a in roster)
    unmet = sum(
        item.priority * max(0, item.sessions - covered[item.id])
        for item in instance.demand.values()
    )
    continuity = sum(1 for a in roster if (a.doctor_id, a.item_id) in instance.previous)
    load = Counter(a.doctor_id for a in roster)
    pool_max: dict[str, int] = defaultdict(int)
    for doctor in instance.doctors.values():
        pool_max[doctor.specialty_id] = max(pool_max[doctor.specialty_id], load[doctor.id])
    travel = sum(
        instance.travel.home_minutes(
            instance.doctors[a.doctor_id].hospital_id,
            instance.demand[a.item_id].site_id,
            half_days[a.half_day_key].period,
        )
        for a in roster
    )
    non_preferred = 0
    for a in roster:
        preferred = instance.doctors[a.doctor_id].preferred_weekdays
        if preferred and half_days[a.half_day_key].weekday not in preferred:
            non_preferred += 1
    levels = {
        Level.UNMET: unmet,
        Level.CONTINUITY: continuity,
        Level.UNFAIRNESS: sum(pool_max.values()),
        Level.TRAVEL: travel,
        Level.NON_PREFERRED: non_preferred,
    }
    if Level.CHANGES in instance.policy.level_order:  # a repair
        made = {(a.doctor_id, a.item_id, a.half_day_key) for a in roster}
        levels[Level.CHANGES] = len(made ^ instance.reference)
    return levels
