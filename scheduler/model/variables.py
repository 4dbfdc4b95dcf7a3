"""Assignment variables and the queries rules and objectives make of them.

Variables exist only for (doctor, demand item, half-day) triples that every
enabled filter rule admits (``candidates.candidate_triples``).
``AssignmentVars`` keeps them with indices by doctor, item, half-day and their
combinations, so rule modules never do raw tuple lookups of their own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.domain import Instance, Triple


@dataclass
class AssignmentVars:
    """The model, its assignment literals and their indices."""

    instance: Instance
    model: cp_model.CpModel
    rules: frozenset[str]  # the rules the model enforces (redundant cuts rely on them)
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

    @classmethod
    def create(
        cls,
        instance: Instance,
        model: cp_model.CpModel,
        triples: Iterable[Triple],
        rules: frozenset[str],
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
