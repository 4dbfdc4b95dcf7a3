"""Assignment variables and the queries rules and objectives make of them.

Variables exist only for (doctor, demand item, half-day) triples that every
enabled filter rule admits. ``AssignmentVars`` keeps them with indices by
doctor, item, half-day and their combinations, so rule modules never do raw
tuple lookups of their own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.domain import DemandItem, Doctor, Instance
from scheduler.model.rules import ALL_RULES, RULES
from scheduler.model.rules.base import Admits

Triple = tuple[str, str, str]  # (doctor_id, item_id, half_day_key)


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


@dataclass
class AssignmentVars:
    """The model, its assignment literals and their indices."""

    instance: Instance
    model: cp_model.CpModel
    x: dict[Triple, cp_model.IntVar] = field(default_factory=dict)
    by_doctor: dict[str, list[cp_model.IntVar]] = field(default_factory=lambda: defaultdict(list))
    by_item: dict[str, list[cp_model.IntVar]] = field(default_factory=lambda: defaultdict(list))
    by_doctor_half_day: dict[tuple[str, str], list[cp_model.IntVar]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_item_half_day: dict[tuple[str, str], list[cp_model.IntVar]] = field(
        default_factory=lambda: defaultdict(list)
    )
    unmet: dict[str, cp_model.IntVar] = field(default_factory=dict)  # helper vars of L1
    rules: frozenset[str] = ALL_RULES  # the rules the model enforces (redundant cuts rely on them)

    @classmethod
    def create(
        cls,
        instance: Instance,
        model: cp_model.CpModel,
        triples: Iterable[Triple],
        rules: frozenset[str] = ALL_RULES,
    ) -> AssignmentVars:
        """One Boolean per triple, named ``x[doctor,item,half_day]`` for debugging."""
        v = cls(instance, model, rules=rules)
        for triple in triples:
            doctor_id, item_id, half_day_key = triple
            literal = model.new_bool_var(f"x[{doctor_id},{item_id},{half_day_key}]")
            v.x[triple] = literal
            v.by_doctor[doctor_id].append(literal)
            v.by_item[item_id].append(literal)
            v.by_doctor_half_day[(doctor_id, half_day_key)].append(literal)
            v.by_item_half_day[(item_id, half_day_key)].append(literal)
        return v

    def items(self) -> Iterator[tuple[Triple, cp_model.IntVar]]:
        """All (triple, literal) pairs in creation order."""
        return iter(self.x.items())

    def doctor_days(
        self,
    ) -> dict[
        str, dict[str, tuple[list[tuple[str, cp_model.IntVar]], list[tuple[str, cp_model.IntVar]]]]
    ]:
        """Per doctor and date: (morning options, afternoon options) as (item, literal)."""
        slot = {h.key: (h.date.isoformat(), h.period == "AM") for h in self.instance.half_days}
        out: dict[
            str,
            dict[str, tuple[list[tuple[str, cp_model.IntVar]], list[tuple[str, cp_model.IntVar]]]],
        ] = {}
        for (doctor_id, item_id, key), literal in self.x.items():
            date_iso, morning = slot[key]
            days = out.setdefault(doctor_id, {})
            mornings, afternoons = days.setdefault(date_iso, ([], []))
            (mornings if morning else afternoons).append((item_id, literal))
        return out
