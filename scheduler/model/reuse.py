"""Reuse solved parts between instances that share them (scenarios, sweeps).

A part's model is a function of the part's content only: its candidate
triples in order, its doctors and demand items, the sites, travel minutes,
home-staffing limits and last-week pairs they touch, the policy, the week's
half-days and the solver settings. :func:`part_fingerprint` hashes exactly
that, in a canonical form (sets sorted, so the hash is the same in every
process). Two parts with the same fingerprint build the same CP-SAT model and
get the same solve, so a variant may take the baseline's outcome for every
part a change did not touch.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import MutableMapping
from enum import Enum
from typing import TYPE_CHECKING, Any

from scheduler.domain import Instance
from scheduler.model.decompose import Part

if TYPE_CHECKING:
    from scheduler.model.solve import PartOutcome, SolverParams

PartCache = MutableMapping[str, "PartOutcome"]


def _canon(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            tuple((f.name, _canon(getattr(value, f.name))) for f in dataclasses.fields(value)),
        )
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return tuple(sorted((_canon(v) for v in value), key=repr))
    if isinstance(value, dict):
        return tuple(sorted(((_canon(k), _canon(v)) for k, v in value.items()), key=repr))
    if isinstance(value, (list, tuple)):
        return tuple(_canon(v) for v in value)
    return value


def part_fingerprint(instance: Instance, part: Part, params: SolverParams) -> str:
    """A hash of everything the part's model and solve depend on."""
    doctors = [instance.doctors[d] for d in part.doctor_ids]
    items = [instance.demand[i] for i in part.item_ids]
    site_ids = sorted({item.site_id for item in items})
    hospitals = sorted({d.hospital_id for d in doctors})
    travel_home = {
        (h, s, p): instance.travel.home[(h, s, p)]
        for h in hospitals
        for s in site_ids
        for p in ("AM", "PM")
        if (h, s, p) in instance.travel.home
    }
    travel_between = {
        pair: minutes
        for pair, minutes in instance.travel.between.items()
        if pair[0] in site_ids and pair[1] in site_ids
    }
    pools = {(d.hospital_id, d.specialty_id) for d in doctors}
    doctor_set, item_set = set(part.doctor_ids), set(part.item_ids)
    # Where the part runs does not change its solve.
    settings = {k: v for k, v in params.as_dict().items() if k not in ("processes", "executor")}
    content = (
        part.triples,
        doctors,
        items,
        [instance.sites[s] for s in site_ids],
        travel_home,
        travel_between,
        {pool: instance.away_limit.get(pool) for pool in pools},
        {(d, i) for d, i in instance.previous if d in doctor_set and i in item_set},
        instance.policy,
        instance.half_days,
        instance.holidays,
        settings,
        params.hint,
    )
    return hashlib.sha256(repr(_canon(content)).encode()).hexdigest()
