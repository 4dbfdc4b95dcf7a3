"""R5: at most the doctor's weekly cap of outreach sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from scheduler.model.rules.base import Rule

if TYPE_CHECKING:
    from scheduler.model.variables import AssignmentVars


def constrain(v: AssignmentVars) -> None:
    """Sum of a doctor's assignments ≤ weekly cap."""
    for doctor_id, literals in v.by_doctor.items():
        cap = v.instance.doctors[doctor_id].weekly_cap
        if len(literals) > cap:
            v.model.add(cp_model.LinearExpr.sum(literals) <= cap).with_name(f"R5[{doctor_id}]")


RULE = Rule("R5", "at most the weekly cap of sessions", constrain=constrain)
