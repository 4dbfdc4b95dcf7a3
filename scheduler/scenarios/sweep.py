"""Many scenarios at once: a directory of scenario files, or a parameter grid.

A grid file is a scenario file whose variants are the cartesian product of
axes; each axis is a change with one field varied::

    name: 内分泌需求 × 外派上限
    base: {week: 2026-W49, data: ../data}
    grid:
      - change: {type: scale_demand, specialty: ENDO}
        vary: {factor: [1.0, 1.1, 1.2, 1.3, 1.4]}
      - change: {type: weekly_cap, specialty: ENDO}
        vary: {value: [1, 2, 3, 4]}

gives 20 variants named ``factor=1.1 · value=2`` and so on. Scenarios that
share a base (week, data, last week, seed) share one baseline solve; all their
variants then run in local worker processes with the baseline's parts at hand
(``scheduler.scenarios.run.solve_variants``).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

from scheduler.errors import InputError
from scheduler.io.load import load_dataset
from scheduler.model.executors import worker_pool
from scheduler.model.outcomes import PartOutcome
from scheduler.model.params import Deployment, SolverParams
from scheduler.pipeline import previous_pairs
from scheduler.scenarios.comparison import SweepRow
from scheduler.scenarios.run import (
    WORKER_MODULES,
    Solved,
    VariantTask,
    kpi_row,
    resolve_base,
    solve_baseline,
    solve_variants,
)
from scheduler.scenarios.spec import (
    Base,
    Scenario,
    _Model,
    load_scenario,
    parse_scenario,
    read_document,
    validated,
)


class Axis(_Model):
    """One axis of a grid: a change, with one field taking each value in turn."""

    change: dict[str, Any]
    vary: dict[str, list[Any]] = Field(min_length=1, max_length=1)

    @model_validator(mode="after")
    def _values(self) -> Axis:
        (values,) = self.vary.values()
        if not values:
            raise ValueError("vary needs at least one value")
        return self


class Grid(_Model):
    name: str = Field(min_length=1, max_length=120)
    description: str = ""
    base: Base
    grid: list[Axis] = Field(min_length=1, max_length=4)

    def scenario(self, file: str) -> Scenario:
        """The grid as an ordinary scenario (its variants validated like any other)."""
        variants = []
        axes = [(axis.change, *next(iter(axis.vary.items()))) for axis in self.grid]
        for combo in itertools.product(*(values for _, _, values in axes)):
            changes = [
                {**change, name: value}
                for (change, name, _), value in zip(axes, combo, strict=True)
            ]
            label = " · ".join(
                f"{name}={value:g}" if isinstance(value, float) else f"{name}={value}"
                for (_, name, _), value in zip(axes, combo, strict=True)
            )
            variants.append({"name": label, "changes": changes})
        if len(variants) > 100:
            raise InputError(
                f"the grid has {len(variants)} variants (at most 100)", file=file, field="grid"
            )
        document = {
            "name": self.name,
            "description": self.description,
            "base": self.base.model_dump(by_alias=True),
            "variants": variants,
        }
        return validated(Scenario, document, file=file)


def load_sweep(path: Path) -> list[tuple[Path, Scenario]]:
    """The scenarios of a directory (``*.yaml``, ``*.yml``, ``*.json``) or of one grid file."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
        if not files:
            raise InputError("no scenario files (*.yaml, *.json) in the directory", file=str(path))
        return [(f, load_scenario(f)) for f in files]
    if not path.is_file():
        raise InputError("no such file or directory", file=str(path))
    document = read_document(path)
    if isinstance(document, dict) and "grid" in document:
        grid = validated(Grid, document, file=str(path))
        return [(path, grid.scenario(str(path)))]
    return [(path, parse_scenario(document, file=str(path)))]


@dataclass
class SweepResult:
    """Every solved variant of a sweep, baselines included, with the wall time."""

    title: str
    rows: list[SweepRow] = field(default_factory=list)  # the baseline of each base first
    seconds: float = 0.0


def run_sweep(
    path: Path,
    *,
    default_data: Path,
    params: SolverParams | None = None,
    deployment: Deployment | None = None,
    on_done: Callable[[Solved], None] | None = None,
) -> SweepResult:
    """Solve every scenario of ``path``: one baseline per distinct base, variants in parallel."""
    started = time.perf_counter()
    params = params or SolverParams()
    deployment = (deployment or Deployment()).resolved()
    scenarios = load_sweep(path)
    groups: dict[tuple[Path, str, Path | None, int], list[tuple[Path, Scenario]]] = {}
    for file, scenario in scenarios:
        data_dir, _ = resolve_base(scenario, file.parent, default_data)
        last_week = file.parent / scenario.base.previous_run if scenario.base.previous_run else None
        key = (data_dir.resolve(), scenario.base.week, last_week, scenario.base.seed)
        groups.setdefault(key, []).append((file, scenario))
    result = SweepResult(title=path.stem if path.is_file() else path.name)
    with worker_pool(deployment, preload=WORKER_MODULES):  # one pool for every solve
        for (data_dir, week, last_week, seed), members in groups.items():
            data = load_dataset(data_dir)
            previous = frozenset(previous_pairs(last_week, week=week)) if last_week else frozenset()
            seeded = replace(params, seed=seed)
            cache: dict[str, PartOutcome] = {}
            baseline = solve_baseline(
                data,
                week,
                previous=previous,
                params=seeded,
                deployment=deployment,
                cache=cache,
                on_done=on_done,
            )
            label = f"{week} {data_dir.name}"
            result.rows.append(SweepRow(label, kpi_row(baseline)))
            tasks: list[tuple[str, VariantTask]] = []
            for file, scenario in members:
                for k, variant in enumerate(scenario.variants):
                    tasks.append(
                        (
                            scenario.name,
                            VariantTask(
                                variant.name,
                                variant.description,
                                tuple(variant.changes),
                                f"variants[{k}].changes",
                                str(file),
                            ),
                        )
                    )
            solved = solve_variants(
                data,
                week,
                [t for _, t in tasks],
                previous=previous,
                params=seeded,
                deployment=deployment,
                cache=cache,
                on_done=on_done,
            )
            for (scenario_name, _), one in zip(tasks, solved, strict=True):
                result.rows.append(SweepRow(scenario_name, kpi_row(one), tuple(one.notes)))
    result.seconds = round(time.perf_counter() - started, 3)
    return result
