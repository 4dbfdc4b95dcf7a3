"""R8: at most one session per demand item per half-day, never more than it asks for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from scheduler.model.rules.base import Rule

if TYPE_CHECKING:
    from scheduler.model.variables import AssignmentVars


def constrain(v: AssignmentVars) -> None:
    """Per (item, half-day) at most one doctor; per item at most ``sessions``."""
    for (item_id, half_day_key), literals in v.by_item_half_day.items():
        if len(literals) > 1:
            v.model.add_at_most_one(literals).with_name(f"R8[{item_id},{half_day_key}]")
    for item_id, literals in v.by_item.items():
        sessions = v.instance.demand[item_id].sessions
        if len(literals) > sessions:
            v.model.add(cp_model.LinearExpr.sum(literals) <= sessions).with_name(f"R8[{item_id}]")


RULE = Rule(
    "R8", "one session per item per half-day, at most the sessions asked", constrain=constrain
)
