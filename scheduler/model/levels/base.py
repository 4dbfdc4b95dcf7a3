"""The interface every objective level's module implements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from scheduler.domain import Level

if TYPE_CHECKING:
    from scheduler.model.variables import AssignmentVars

Expression = Callable[["AssignmentVars", list[str]], cp_model.LinearExprT]
IsConstant = Callable[["AssignmentVars", list[str]], bool]


@dataclass(frozen=True)
class Objective:
    """One objective level as the model states it.

    ``expression(v, item_ids)`` is the level's linear expression in its natural
    sense (``level.sense``) over the variables of one part (``item_ids``: the
    part's demand items); it may add helper variables, once each.
    ``is_constant(v, item_ids)`` says when the expression can only take one
    value in this part (nothing to decide: the search does not solve it).
    """

    level: Level
    expression: Expression
    is_constant: IsConstant
