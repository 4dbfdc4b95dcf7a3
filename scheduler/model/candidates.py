"""Candidate triples: the (doctor, demand item, half-day) triples a model gets a
variable for — those every enabled filter rule admits (``rules.RULES``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from scheduler.domain import DemandItem, Doctor, Instance, Triple
from scheduler.model.rules import RULES
from scheduler.model.rules.base import Admits


def candidate_triples(
    instance: Instance,
    rules: frozenset[str],
    doctors: Iterable[Doctor] | None = None,
    items: Iterable[DemandItem] | None = None,
) -> list[Triple]:
    """Triples every enabled filter rule admits, in a deterministic order."""
    enabled = [r for r in RULES if r.admits is not None and r.code in rules and r.applies(instance)]
    pair_admits = _all_of([r.admits for r in enabled if r.admits_any_half_day and r.admits])
    slot_admits = _all_of([r.admits for r in enabled if not r.admits_any_half_day and r.admits])
    doctor_list = sorted(doctors if doctors is not None else instance.doctors.values(), key=_id)
    item_list = sorted(items if items is not None else instance.demand.values(), key=_id)
    by_specialty: dict[str, list[Doctor]] = defaultdict(list)
    for doctor in doctor_list:
        by_specialty[doctor.specialty_id].append(doctor)
    half_days = instance.half_days
    out: list[Triple] = []
    for item in item_list:
        # R2 is also applied as a filter below; grouping by specialty only saves time.
        pool = by_specialty.get(item.specialty_id, []) if "R2" in rules else doctor_list
        for doctor in pool:
            if doctor.weekly_cap <= 0 or not half_days:
                continue
            if not pair_admits(instance, doctor, item, half_days[0]):
                continue
            out.extend(
                [
                    (doctor.id, item.id, half_day.key)
                    for half_day in half_days
                    if slot_admits(instance, doctor, item, half_day)
                ]
            )
    return out


def _all_of(filters: list[Admits]) -> Admits:
    """One filter admitting what every one of ``filters`` admits (a city's week
    asks millions of times: no generator per question)."""
    if not filters:
        return lambda instance, doctor, item, half_day: True
    if len(filters) == 1:
        return filters[0]
    if len(filters) == 2:
        first, second = filters
        return lambda instance, doctor, item, half_day: (
            first(instance, doctor, item, half_day) and second(instance, doctor, item, half_day)
        )
    return lambda instance, doctor, item, half_day: all(
        admits(instance, doctor, item, half_day) for admits in filters
    )


def _id(obj: Doctor | DemandItem) -> str:
    return obj.id
