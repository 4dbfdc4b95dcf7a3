"""The objective levels L1–L5 (SPEC §7), and a repair's Δ, as linear expressions.

Each function returns the level's expression in its natural sense (L2 is to be
maximised, the others minimised). Helper variables are created only for the
levels that need them (unmet counts for L1, pool maxima for L3).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from ortools.sat.python import cp_model

from scheduler.domain import Level
from scheduler.model.variables import AssignmentVars


def unmet_vars(v: AssignmentVars, item_ids: list[str]) -> dict[str, cp_model.IntVar]:
    """``unmet[i] ≥ sessions − covered``, ``unmet[i] ≥ 0``; created once per item."""
    out = {}
    for item_id in item_ids:
        if item_id in v.unmet:
            out[item_id] = v.unmet[item_id]
            continue
        sessions = v.instance.demand[item_id].sessions
        unmet = v.model.new_int_var(0, sessions, f"unmet[{item_id}]")
        covered = v.by_item.get(item_id, [])
        v.model.add(unmet + cp_model.LinearExpr.sum(covered) >= sessions)
        v.unmet[item_id] = unmet
        out[item_id] = unmet
    return out


def unmet(v: AssignmentVars, item_ids: list[str]) -> cp_model.LinearExprT:
    """L1: priority-weighted unmet sessions."""
    helpers = unmet_vars(v, item_ids)
    weights = [v.instance.demand[i].priority for i in helpers]
    return cp_model.LinearExpr.weighted_sum(list(helpers.values()), weights)


def continuity(v: AssignmentVars) -> cp_model.LinearExprT:
    """L2: sessions whose (doctor, item) pair also served last week."""
    previous = v.instance.previous
    literals = [lit for (d, i, _), lit in v.items() if (d, i) in previous]
    return cp_model.LinearExpr.sum(literals)


def unfairness(v: AssignmentVars) -> cp_model.LinearExprT:
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


def travel(v: AssignmentVars) -> cp_model.LinearExprT:
    """L4: total one-way travel minutes from home to site."""
    literals, minutes = [], []
    half_days = {h.key: h for h in v.instance.half_days}
    for (doctor_id, item_id, key), literal in v.items():
        doctor = v.instance.doctors[doctor_id]
        site_id = v.instance.demand[item_id].site_id
        literals.append(literal)
        minutes.append(
            v.instance.travel.home_minutes(doctor.hospital_id, site_id, half_days[key].period)
        )
    return cp_model.LinearExpr.weighted_sum(literals, minutes)


def non_preferred(v: AssignmentVars) -> cp_model.LinearExprT:
    """L5: sessions on a weekday the doctor does not prefer (no preference = all preferred)."""
    half_days = {h.key: h for h in v.instance.half_days}
    literals = []
    for (doctor_id, _, key), literal in v.items():
        preferred = v.instance.doctors[doctor_id].preferred_weekdays
        if preferred and half_days[key].weekday not in preferred:
            literals.append(literal)
    return cp_model.LinearExpr.sum(literals)


def changes(v: AssignmentVars, item_ids: list[str]) -> cp_model.LinearExprT:
    """Δ (a repair's second level): assignments of these items that differ from the
    roster being repaired — its assignments not kept, plus assignments it had not.
    Those it had that no variable can keep (an absent doctor's) are a constant."""
    reference = v.instance.reference
    mine = set(item_ids)
    kept = [lit for triple, lit in v.items() if triple in reference]
    new = [lit for triple, lit in v.items() if triple not in reference]
    lost = sum(1 for triple in reference if triple[1] in mine and triple not in v.x)
    return len(kept) + lost - cp_model.LinearExpr.sum(kept) + cp_model.LinearExpr.sum(new)


def level_expression(
    level: Level, v: AssignmentVars, item_ids: list[str]
) -> tuple[cp_model.LinearExprT, bool]:
    """The expression of one level, and whether it is a constant (nothing to decide)."""
    if level is Level.UNMET:
        return unmet(v, item_ids), not item_ids
    if level is Level.CONTINUITY:
        previous = v.instance.previous
        return continuity(v), not any((d, i) in previous for (d, i, _) in v.x)
    if level is Level.UNFAIRNESS:
        return unfairness(v), not v.x
    if level is Level.TRAVEL:
        return travel(v), not v.x
    if level is Level.CHANGES:
        return changes(v, item_ids), not v.x
    expr = non_preferred(v)
    return expr, not any(v.instance.doctors[d].preferred_weekdays for d in v.by_doctor)
