"""R1: a doctor is in at most one place per half-day."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scheduler.model.rules.base import Rule

if TYPE_CHECKING:
    from scheduler.model.variables import AssignmentVars


def constrain(v: AssignmentVars) -> None:
    """At most one assignment per (doctor, half-day)."""
    for (doctor_id, half_day_key), literals in v.by_doctor_half_day.items():
        if len(literals) > 1:
            v.model.add_at_most_one(literals).with_name(f"R1[{doctor_id},{half_day_key}]")


RULE = Rule("R1", "a doctor is in at most one place per half-day", constrain=constrain)
