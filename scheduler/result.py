"""The outcome of a solve: status per objective level, the roster, unmet demand.

Solver statuses are the project's own enum; raw CP-SAT statuses never leave
``scheduler.model``. A level is called ``optimal`` only when proven.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from scheduler.domain import Assignment, Level


class SolveStatus(StrEnum):
    """Status of one objective level (or of the whole solve)."""

    OPTIMAL = "optimal"  # proven
    FEASIBLE = "feasible"  # a roster, bound not closed
    INFEASIBLE = "infeasible"
    TIMED_OUT = "timed_out"  # no roster found in time

    @staticmethod
    def combine(statuses: list[SolveStatus]) -> SolveStatus:
        """The weakest of several statuses (optimal only if all are)."""
        order = [
            SolveStatus.INFEASIBLE,
            SolveStatus.TIMED_OUT,
            SolveStatus.FEASIBLE,
            SolveStatus.OPTIMAL,
        ]
        if not statuses:
            return SolveStatus.OPTIMAL
        return min(statuses, key=order.index)


@dataclass(frozen=True, slots=True)
class LevelResult:
    """Value, bound and status of one objective level, summed over components."""

    level: Level
    value: int
    bound: int
    status: SolveStatus
    wall_seconds: float

    @property
    def gap(self) -> int:
        """Absolute gap between value and bound (0 when proven)."""
        return abs(self.value - self.bound)


@dataclass(frozen=True, slots=True)
class UnmetItem:
    """Sessions of one demand item that the roster leaves uncovered, with the reason."""

    item_id: str
    missing: int
    reason_code: str
    reason: str


@dataclass(frozen=True, slots=True)
class Result:
    """A solved week."""

    week: str
    status: SolveStatus
    levels: tuple[LevelResult, ...]
    assignments: tuple[Assignment, ...]
    unmet: tuple[UnmetItem, ...]
    wall_seconds: float
    seed: int
    components: int
    parameters: dict[str, object] = field(default_factory=dict)

    def level(self, level: Level) -> LevelResult:
        """The result of one level."""
        for result in self.levels:
            if result.level is level:
                return result
        raise KeyError(level)
