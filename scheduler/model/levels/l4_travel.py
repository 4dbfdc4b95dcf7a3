"""L4: total one-way travel minutes from home to site (minimised)."""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.domain import Level
from scheduler.model.levels.base import Objective
from scheduler.model.variables import AssignmentVars


def travel(v: AssignmentVars, item_ids: list[str]) -> cp_model.LinearExprT:
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


LEVEL = Objective(
    level=Level.TRAVEL,
    expression=travel,
    is_constant=lambda v, item_ids: not v.x,
)
