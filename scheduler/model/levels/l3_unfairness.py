"""L3: per specialty pool the largest weekly load, summed over pools (minimised)."""

from __future__ import annotations

from collections import Counter, defaultdict

from ortools.sat.python import cp_model

from scheduler.domain import Level
from scheduler.model.levels.base import Objective
from scheduler.model.levels.l1_unmet import unmet_vars
from scheduler.model.variables import AssignmentVars


def unfairness(v: AssignmentVars, item_ids: list[str]) -> cp_model.LinearExprT:
    """L3: per specialty pool the largest weekly load, summed over pools."""
    pools: dict[str, list[str]] = defaultdict(list)
    for doctor_id in v.by_doctor:
        pools[v.instance.doctors[doctor_id].specialty_id].append(doctor_id)
    maxima = []
    for specialty_id, doctor_ids in sorted(pools.items()):
        top = max(len(v.by_doctor[d]) for d in doctor_ids)  # not the cap: R5 may be off
        peak = v.model.new_int_var(0, top, f"max_load[{specialty_id}]")
        for doctor_id in doctor_ids:
            v.model.add(peak >= cp_model.LinearExpr.sum(v.by_doctor[doctor_id]))
        _counting_bound(v, specialty_id, doctor_ids, peak)
        maxima.append(peak)
    return cp_model.LinearExpr.sum(maxima)


def _counting_bound(
    v: AssignmentVars, specialty_id: str, doctor_ids: list[str], peak: cp_model.IntVar
) -> None:
    """Redundant cut: the pool's covered sessions, spread over its doctors.

    When every candidate of the specialty's items is a doctor of the pool (R2
    makes it so), ``len(pool) × peak ≥ Σ covered ≥ Σ (sessions − unmet)``.
    Stated with the unmet counts it propagates as soon as L1 fixes them;
    CP-SAT's search alone finds this bound slowly on large parts.
    """
    pool = set(doctor_ids)
    items = sorted(i for i in v.by_item if v.instance.demand[i].specialty_id == specialty_id)
    if not items:
        return
    wanted = set(items)
    if any(d not in pool for (d, i, _) in v.x if i in wanted):
        return  # only valid when the pool alone serves these items
    unmet = unmet_vars(v, items)
    missing = cp_model.LinearExpr.sum([unmet[i] for i in items])
    sessions = sum(v.instance.demand[i].sessions for i in items)
    v.model.add(len(doctor_ids) * peak + missing >= sessions)
    # Sharper, per threshold k: with peak ≤ k the pool covers at most
    # C(k) = Σ_d min(k, cap_d (R5), half-days d could work (R1)) sessions.
    if not {"R1", "R5"} <= v.rules:
        return
    workable = Counter(d for (d, _) in v.by_doctor_half_day)
    reach = {d: min(v.instance.doctors[d].weekly_cap, workable[d]) for d in doctor_ids}
    for k in range(max(reach.values(), default=0)):
        capacity = sum(min(k, r) for r in reach.values())
        if capacity >= sessions:
            continue
        at_most_k = v.model.new_bool_var(f"max_load[{specialty_id}]<={k}")
        v.model.add(peak <= k).only_enforce_if(at_most_k)
        v.model.add(peak >= k + 1).only_enforce_if(~at_most_k)
        v.model.add(missing >= sessions - capacity).only_enforce_if(at_most_k)


LEVEL = Objective(
    level=Level.UNFAIRNESS,
    expression=unfairness,
    is_constant=lambda v, item_ids: not v.x,
)
