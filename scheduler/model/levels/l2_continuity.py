"""L2: sessions continuing last week's (doctor, item) pairs (maximised)."""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.domain import Level
from scheduler.model.levels.base import Objective
from scheduler.model.variables import AssignmentVars


def continuity(v: AssignmentVars, item_ids: list[str]) -> cp_model.LinearExprT:
    """L2: sessions whose (doctor, item) pair also served last week."""
    previous = v.instance.previous
    literals = [lit for (d, i, _), lit in v.items() if (d, i) in previous]
    return cp_model.LinearExpr.sum(literals)


def no_pair_from_last_week(v: AssignmentVars, item_ids: list[str]) -> bool:
    """No variable of the part continues a pair: the level is 0 whatever is chosen."""
    previous = v.instance.previous
    return not any((d, i) in previous for (d, i, _) in v.x)


LEVEL = Objective(
    level=Level.CONTINUITY,
    expression=continuity,
    is_constant=no_pair_from_last_week,
)
