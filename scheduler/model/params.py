"""Solver settings (chosen by measurement, see docs/benchmarks.md) and where the work
runs (``Deployment``): two types, because only the first can change a roster."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class SolverParams:
    """Solver settings (chosen by measurement, see docs/benchmarks.md).

    Everything here may change a part's solve, so all of it is in the part's
    fingerprint (``reuse``). Where the parts run is a :class:`Deployment`; a
    warm start is ``solve(hint=...)``; a rule set left short (tests) is
    ``solve(rules=...)``.
    """

    workers: int = 1  # CP-SAT search workers per part
    time_limit_per_level: float = 300.0  # wall seconds per level per part (a safety net)
    # The limit that normally stops a level: CP-SAT's deterministic time, so that
    # a level cut short is cut at the same point on any machine (same roster).
    deterministic_time_per_level: float = 60.0
    seed: int = 0
    interleave: bool = False  # deterministic multi-worker search
    linearization_level: int = 2  # LP relaxation strength (2 proves L3–L5 far sooner)
    lp_bounds: bool = True  # start each level from GLOP's LP bound (see _LevelSearch)
    neighbourhood_deterministic_time: float = 5.0  # per attempt to meet the LP bound
    split_pools: bool = True  # a fairness pool may span several parts (decompose, Stage)

    def as_dict(self) -> dict[str, object]:
        """Plain form for report.json (and the part fingerprint)."""
        return {
            "workers": self.workers,
            "time_limit_per_level": self.time_limit_per_level,
            "deterministic_time_per_level": self.deterministic_time_per_level,
            "seed": self.seed,
            "linearization_level": self.linearization_level,
            "lp_bounds": self.lp_bounds,
            "neighbourhood_deterministic_time": self.neighbourhood_deterministic_time,
            "split_pools": self.split_pools,
        }


EXECUTORS: tuple[str, ...] = ("local", "ray")


@dataclass(frozen=True)
class Deployment:
    """Where the work of a solve (its parts) or of a scenario (its variants) runs
    (``executors.run_tasks``). Never changes a roster (tested), so never in a
    part's fingerprint."""

    executor: str = "local"  # "local" processes or "ray"
    processes: int = 0  # local worker processes; 0 = one per core
    ray_address: str | None = None  # a Ray cluster; None starts a local Ray instance

    def resolved(self) -> Deployment:
        """The same, ``processes`` 0 (one per core) spelled as the number of cores."""
        return replace(self, processes=self.processes or (os.cpu_count() or 1))

    def processes_for(self, tasks: int) -> int:
        """Local processes for ``tasks`` tasks: ``processes`` (all cores when 0), at
        most one per task, at least one."""
        return max(1, min(self.processes or (os.cpu_count() or 1), tasks))

    def as_dict(self) -> dict[str, object]:
        """Plain form for report.json."""
        return {"processes": self.processes, "executor": self.executor}
