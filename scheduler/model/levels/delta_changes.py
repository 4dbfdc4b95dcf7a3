"""Δ: a repair's second level — assignments that differ from the roster being
repaired (minimised). Not a level of an ordinary solve (no policy order has it)."""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.domain import Level
from scheduler.model.levels.base import Objective
from scheduler.model.variables import AssignmentVars


def changes(v: AssignmentVars, item_ids: list[str]) -> cp_model.LinearExprT:
    """Δ: assignments of these items that differ from the roster being repaired —
    its assignments not kept, plus assignments it had not. Those it had that no
    variable can keep (an absent doctor's) are a constant."""
    reference = v.instance.reference
    mine = set(item_ids)
    kept = [lit for triple, lit in v.items() if triple in reference]
    new = [lit for triple, lit in v.items() if triple not in reference]
    lost = sum(1 for triple in reference if triple[1] in mine and triple not in v.x)
    return len(kept) + lost - cp_model.LinearExpr.sum(kept) + cp_model.LinearExpr.sum(new)


LEVEL = Objective(
    level=Level.CHANGES,
    expression=changes,
    is_constant=lambda v, item_ids: not v.x,
)
