"""The objective levels L1–L5 of SPEC §7 (and a repair's Δ), one module each.

Each module states its level as an :class:`Objective`: the level's code (a
:class:`~scheduler.domain.Level`), its linear expression over a part's
variables, and when that expression is a constant. The search looks each
level of the policy's order up here (``level_expression``); the checker
recomputes each one independently in plain Python (``scheduler.checker``
``LEVEL_CHECKS``, keyed by the same codes — a test says they match). Helper
variables are created only for the levels that need them (unmet counts for
L1, pool maxima for L3). Adding one: docs/dev/adding-an-objective-level.md.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.domain import Level
from scheduler.model.levels.base import Objective
from scheduler.model.levels.delta_changes import LEVEL as CHANGES
from scheduler.model.levels.l1_unmet import LEVEL as L1
from scheduler.model.levels.l2_continuity import LEVEL as L2
from scheduler.model.levels.l3_unfairness import LEVEL as L3
from scheduler.model.levels.l4_travel import LEVEL as L4
from scheduler.model.levels.l5_non_preferred import LEVEL as L5
from scheduler.model.variables import AssignmentVars

LEVELS: dict[Level, Objective] = {o.level: o for o in (L1, L2, L3, L4, L5, CHANGES)}
"""Every level the model can state, by code (the order a policy solves them in is
policy data, ``Instance.policy.level_order``)."""


def level_expression(
    level: Level, v: AssignmentVars, item_ids: list[str]
) -> tuple[cp_model.LinearExprT, bool]:
    """The expression of one level, and whether it is a constant (nothing to decide)."""
    objective = LEVELS[level]
    return objective.expression(v, item_ids), objective.is_constant(v, item_ids)


__all__ = ["LEVELS", "Objective", "level_expression"]
