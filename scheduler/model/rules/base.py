"""The interface every rule module implements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scheduler.domain import DemandItem, Doctor, HalfDay, Instance

if TYPE_CHECKING:
    from scheduler.model.variables import AssignmentVars

Admits = Callable[[Instance, Doctor, DemandItem, HalfDay], bool]
Constrain = Callable[["AssignmentVars"], None]


@dataclass(frozen=True)
class Rule:
    """One hard rule: a code (``R1``...), a description, a filter and/or constraints."""

    code: str
    description: str
    admits: Admits | None = None
    constrain: Constrain | None = None
    # ``admits`` ignores its half-day argument: checked once per (doctor, item).
    admits_any_half_day: bool = False
    # False where the rule has nothing to say about an instance (its filter is
    # then not asked, millions of times on a city's week).
    applies: Callable[[Instance], bool] = lambda instance: True
