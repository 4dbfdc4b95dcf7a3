"""Solver settings (chosen by measurement, see docs/benchmarks.md)."""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.domain import Assignment
from scheduler.model.rules import ALL_RULES


@dataclass(frozen=True)
class SolverParams:
    """Solver settings (chosen by measurement, see docs/benchmarks.md)."""

    workers: int = 1  # CP-SAT search workers per part
    time_limit_per_level: float = 300.0  # wall seconds per level per part (a safety net)
    # The limit that normally stops a level: CP-SAT's deterministic time, so that
    # a level cut short is cut at the same point on any machine (same roster).
    deterministic_time_per_level: float = 60.0
    seed: int = 0
    processes: int = 0  # worker processes for parts; 0 = one per core
    interleave: bool = False  # deterministic multi-worker search
    linearization_level: int = 2  # LP relaxation strength (2 proves L3–L5 far sooner)
    lp_bounds: bool = True  # start each level from GLOP's LP bound (see _LevelSearch)
    neighbourhood_deterministic_time: float = 5.0  # per attempt to meet the LP bound
    rules: frozenset[str] = ALL_RULES  # tests may leave one out
    hint: tuple[Assignment, ...] = ()
    split_pools: bool = True  # a fairness pool may span several parts (decompose, Stage)
    executor: str = "local"  # where parts run: "local" processes or "ray" (executors.py)
    ray_address: str | None = None  # a Ray cluster; None starts a local Ray instance

    def as_dict(self) -> dict[str, object]:
        """Plain form for report.json."""
        return {
            "workers": self.workers,
            "time_limit_per_level": self.time_limit_per_level,
            "deterministic_time_per_level": self.deterministic_time_per_level,
            "seed": self.seed,
            "processes": self.processes,
            "linearization_level": self.linearization_level,
            "lp_bounds": self.lp_bounds,
            "neighbourhood_deterministic_time": self.neighbourhood_deterministic_time,
            "rules": sorted(self.rules),
            "split_pools": self.split_pools,
            "executor": self.executor,
        }
