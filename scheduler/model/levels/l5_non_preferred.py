"""L5: sessions on a weekday the doctor does not prefer (minimised)."""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.domain import Level
from scheduler.model.levels.base import Objective
from scheduler.model.variables import AssignmentVars


def non_preferred(v: AssignmentVars, item_ids: list[str]) -> cp_model.LinearExprT:
    """L5: sessions on a weekday the doctor does not prefer (no preference = all preferred)."""
    half_days = {h.key: h for h in v.instance.half_days}
    literals = []
    for (doctor_id, _, key), literal in v.items():
        preferred = v.instance.doctors[doctor_id].preferred_weekdays
        if preferred and half_days[key].weekday not in preferred:
            literals.append(literal)
    return cp_model.LinearExpr.sum(literals)


def no_preference(v: AssignmentVars, item_ids: list[str]) -> bool:
    """No doctor of the part states a preference: every session is preferred."""
    return not any(v.instance.doctors[d].preferred_weekdays for d in v.by_doctor)


LEVEL = Objective(
    level=Level.NON_PREFERRED,
    expression=non_preferred,
    is_constant=no_preference,
)
