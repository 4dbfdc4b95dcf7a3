"""A greedy planner: highest priority first, nearest free qualified doctor.

Roughly what planners do by hand today. It never breaks a rule (each step
checks R1, R5, R6, R7 and R8 against what is already placed), proves nothing,
and serves two purposes: a first roster to warm-start CP-SAT, and the
baseline that benchmarks compare the optimiser's coverage against.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from scheduler.domain import Assignment, Instance, Triple


def greedy_roster(instance: Instance, triples: Iterable[Triple]) -> list[Assignment]:
    """Fill demand items in (priority desc, id) order from the candidate triples.

    ``triples`` must already satisfy the filter rules (R2, R3, R4, home trips of R7).
    """
    half_days = {h.key: h for h in instance.half_days}
    options: dict[str, list[Triple]] = defaultdict(list)
    for triple in triples:
        options[triple[1]].append(triple)

    def cost(triple: Triple) -> tuple[int, str, str]:
        doctor = instance.doctors[triple[0]]
        site = instance.demand[triple[1]].site_id
        period = half_days[triple[2]].period
        return (
            instance.travel.home_minutes(doctor.hospital_id, site, period),
            triple[2],
            triple[0],
        )

    busy: set[tuple[str, str]] = set()  # (doctor, half-day)   R1
    load: Counter[str] = Counter()  # doctor                   R5
    away: Counter[tuple[str, str, str]] = Counter()  # pool × half-day   R6
    sites_on: dict[tuple[str, str, str], str] = {}  # (doctor, date, period) → site   R7
    used: set[tuple[str, str]] = set()  # (item, half-day)      R8
    roster: list[Assignment] = []
    order = sorted(instance.demand.values(), key=lambda i: (-i.priority, i.id))
    gap = instance.policy.midday_gap_minutes
    for item in order:
        need = item.sessions
        for doctor_id, item_id, key in sorted(options.get(item.id, []), key=cost):
            if need == 0:
                break
            doctor = instance.doctors[doctor_id]
            half_day = half_days[key]
            pool = (doctor.hospital_id, doctor.specialty_id, key)
            if (
                (doctor_id, key) in busy
                or load[doctor_id] >= doctor.weekly_cap
                or away[pool] >= instance.away_limit[(doctor.hospital_id, doctor.specialty_id)]
                or (item_id, key) in used
            ):
                continue
            other = "PM" if half_day.period == "AM" else "AM"
            other_site = sites_on.get((doctor_id, half_day.date.isoformat(), other))
            if (
                other_site is not None
                and instance.travel.midday_minutes(other_site, item.site_id) > gap
            ):
                continue
            busy.add((doctor_id, key))
            load[doctor_id] += 1
            away[pool] += 1
            sites_on[(doctor_id, half_day.date.isoformat(), half_day.period)] = item.site_id
            used.add((item_id, key))
            roster.append(Assignment(doctor_id, item_id, key))
            need -= 1
    return roster
