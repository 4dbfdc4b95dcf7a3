"""L1: priority-weighted unmet sessions (minimised)."""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.domain import Level
from scheduler.model.levels.base import Objective
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


LEVEL = Objective(
    level=Level.UNMET,
    expression=unmet,
    is_constant=lambda v, item_ids: not item_ids,
)
