"""Lexicographic CP-SAT solve of an instance, part by part.

For each independent part (``decompose``): build the model once (variables for
admitted triples, the rules' constraints in ``RULES`` order), then for each
objective level in the policy's order: set the level as the objective, solve
with the previous level's solution as a hint, record value, bound and status,
and hold the level at its value (``≤`` / ``≥``) before the next one. No
combined weights. Parts run in local worker processes (``CpModel`` does not
pickle, so each worker builds its own model from the instance).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from scheduler.domain import Assignment, Instance, Level
from scheduler.greedy import greedy_roster
from scheduler.model.decompose import Part, decompose
from scheduler.model.objectives import level_expression
from scheduler.model.rules import ALL_RULES, RULES
from scheduler.model.variables import AssignmentVars, Triple, candidate_triples
from scheduler.result import LevelResult, Result, SolveStatus

log = logging.getLogger(__name__)

_STATUS = {
    cp_model.OPTIMAL: SolveStatus.OPTIMAL,
    cp_model.FEASIBLE: SolveStatus.FEASIBLE,
    cp_model.INFEASIBLE: SolveStatus.INFEASIBLE,
    cp_model.UNKNOWN: SolveStatus.TIMED_OUT,
}


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
    rules: frozenset[str] = ALL_RULES  # tests may leave one out
    hint: tuple[Assignment, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """Plain form for report.json."""
        return {
            "workers": self.workers,
            "time_limit_per_level": self.time_limit_per_level,
            "deterministic_time_per_level": self.deterministic_time_per_level,
            "seed": self.seed,
            "processes": self.processes,
            "linearization_level": self.linearization_level,
            "rules": sorted(self.rules),
        }


@dataclass(frozen=True)
class LevelOutcome:
    """One level of one part."""

    level: Level
    value: int
    bound: int
    status: SolveStatus
    wall_seconds: float


@dataclass(frozen=True)
class PartOutcome:
    """What solving one part produced."""

    index: int
    levels: tuple[LevelOutcome, ...]
    chosen: tuple[Triple, ...]
    variables: int
    wall_seconds: float


@dataclass(frozen=True)
class Progress:
    """Reported after each level of each part (in process) or each finished part."""

    parts_done: int
    parts_total: int
    part_index: int
    level: Level | None = None
    value: int | None = None
    bound: int | None = None
    notes: dict[str, object] = field(default_factory=dict)


ProgressFn = Callable[[Progress], None]


def solve_part(
    instance: Instance,
    part: Part,
    index: int,
    params: SolverParams,
    on_level: Callable[[LevelOutcome], None] | None = None,
) -> PartOutcome:
    """Build and solve one part through every level.

    The greedy roster (or ``params.hint``) warm-starts the first solve. A level
    is not sent to the solver when its optimum is already known: a constant
    expression (e.g. continuity with no pair from last week in the part), or
    L1 when the warm start leaves nothing unmet (0 is a proven lower bound).
    Reported values are those of the final roster; bounds those of each stage.
    """
    started = time.perf_counter()
    model = cp_model.CpModel()
    v = AssignmentVars.create(instance, model, part.triples, params.rules)
    for rule in RULES:
        if rule.constrain is not None and rule.code in params.rules:
            rule.constrain(v)
    if params.hint:
        hinted = {(a.doctor_id, a.item_id, a.half_day_key) for a in params.hint}
    else:
        hinted = {
            (a.doctor_id, a.item_id, a.half_day_key) for a in greedy_roster(instance, part.triples)
        }
    current = {triple: triple in hinted for triple in v.x}
    covered = Counter(i for (_, i, _), on in current.items() if on)
    hint_unmet = sum(
        instance.demand[i].priority * max(0, instance.demand[i].sessions - covered[i])
        for i in part.item_ids
    )

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    solver.parameters.max_time_in_seconds = params.time_limit_per_level
    solver.parameters.max_deterministic_time = params.deterministic_time_per_level
    solver.parameters.linearization_level = params.linearization_level
    solver.parameters.interleave_search = params.interleave
    items = list(part.item_ids)
    stages: list[tuple[Level, cp_model.LinearExprT, int, SolveStatus, float]] = []
    solved_once = False
    for level in instance.policy.level_order:
        expr, constant = level_expression(level, v, items)
        level_start = time.perf_counter()
        known = 0 if constant or (level is Level.UNMET and hint_unmet == 0) else None
        if known is not None and not (constant and solved_once):
            value, bound, status = known, known, SolveStatus.OPTIMAL
        elif constant:
            value = bound = round(solver.value(expr))
            status = SolveStatus.OPTIMAL
        else:
            if level.sense == "max":
                model.maximize(expr)
            else:
                model.minimize(expr)
            model.clear_hints()
            for triple, literal in v.items():
                model.add_hint(literal, current[triple])
            code = solver.solve(model)
            status_or_none = _STATUS.get(code)
            if status_or_none is None:
                raise RuntimeError(f"CP-SAT rejected the model: {solver.status_name(code)}")
            status = status_or_none
            if status in (SolveStatus.INFEASIBLE, SolveStatus.TIMED_OUT):
                raise RuntimeError(
                    f"part {index} level {level.value}: {status.value} (the empty roster is "
                    f"always feasible, so this is a bug or a too-short time limit)"
                )
            solved_once = True
            value = round(solver.objective_value)
            bound = round(solver.best_objective_bound)
            current = {triple: solver.boolean_value(lit) for triple, lit in v.items()}
        elapsed = time.perf_counter() - level_start
        stages.append((level, expr, bound, status, elapsed))
        if on_level is not None:
            on_level(LevelOutcome(level, value, bound, status, elapsed))
        model.add(expr >= value if level.sense == "max" else expr <= value)

    outcomes = []
    for level, expr, bound, status, elapsed in stages:
        final = round(solver.value(expr)) if solved_once else bound
        outcomes.append(LevelOutcome(level, final, bound, status, elapsed))
    chosen = tuple(t for t, on in current.items() if on)
    return PartOutcome(index, tuple(outcomes), chosen, len(v.x), time.perf_counter() - started)


_WORKER_INSTANCE: Instance | None = None
_WORKER_EVENTS: Any = None  # a multiprocessing queue of (part index, LevelOutcome)


def _init_worker(instance: Instance, events: Any) -> None:
    global _WORKER_INSTANCE, _WORKER_EVENTS  # one read-only copy per worker process
    _WORKER_INSTANCE = instance
    _WORKER_EVENTS = events


def _solve_in_worker(part: Part, index: int, params: SolverParams) -> PartOutcome:
    assert _WORKER_INSTANCE is not None

    def report(outcome: LevelOutcome) -> None:
        if _WORKER_EVENTS is not None:
            _WORKER_EVENTS.put((index, outcome))

    return solve_part(_WORKER_INSTANCE, part, index, params, report)


def solve_instance(
    instance: Instance, params: SolverParams | None = None, progress: ProgressFn | None = None
) -> Result:
    """Solve every part through every level; assemble the week's result.

    The roster depends only on the instance and ``params`` (same seed, same
    roster), never on how many processes ran the parts.
    """
    from scheduler.reasons import explain_unmet  # plain Python, no solver

    params = params or SolverParams()
    started = time.perf_counter()
    triples = candidate_triples(instance, params.rules)
    parts, orphans = decompose(instance, triples)
    log.info("%d candidate assignments in %d parts", len(triples), len(parts))
    processes = params.processes or (os.cpu_count() or 1)
    processes = max(1, min(processes, len(parts)))
    outcomes: list[PartOutcome] = []
    total = len(parts)
    if processes == 1:
        for index, part in enumerate(parts):

            def report(outcome: LevelOutcome, index: int = index) -> None:
                if progress:
                    progress(
                        Progress(
                            len(outcomes), total, index, outcome.level, outcome.value, outcome.bound
                        )
                    )

            outcomes.append(solve_part(instance, part, index, params, report))
            if progress:
                progress(Progress(len(outcomes), total, index))
    else:
        # Largest parts first so the pool stays busy; results re-ordered by index.
        order = sorted(range(total), key=lambda k: -len(parts[k].triples))
        with multiprocessing.Manager() as manager:
            events = manager.Queue() if progress else None
            with ProcessPoolExecutor(
                max_workers=processes, initializer=_init_worker, initargs=(instance, events)
            ) as pool:
                pending = {pool.submit(_solve_in_worker, parts[k], k, params) for k in order}
                while pending:
                    done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                    while events is not None and not events.empty():
                        index, level = events.get()
                        assert progress is not None
                        progress(
                            Progress(
                                len(outcomes), total, index, level.level, level.value, level.bound
                            )
                        )
                    for future in sorted(done, key=lambda f: f.result().index):
                        outcomes.append(future.result())
                        if progress:
                            progress(Progress(len(outcomes), total, outcomes[-1].index))
        outcomes.sort(key=lambda o: o.index)

    levels = _sum_levels(instance, outcomes, orphans)
    assignments = tuple(
        sorted(
            (Assignment(d, h, i) for o in outcomes for (d, i, h) in o.chosen),
            key=lambda a: (a.doctor_id, a.half_day_key, a.item_id),
        )
    )
    unmet = explain_unmet(instance, assignments)
    return Result(
        week=instance.week,
        status=SolveStatus.combine([lv.status for lv in levels]),
        levels=levels,
        assignments=assignments,
        unmet=tuple(unmet),
        wall_seconds=time.perf_counter() - started,
        seed=params.seed,
        components=len(parts),
        parameters={
            **params.as_dict(),
            "variables": len(triples),
            "orphan_items": len(orphans),
        },
    )


def _sum_levels(
    instance: Instance, outcomes: list[PartOutcome], orphans: list[str]
) -> tuple[LevelResult, ...]:
    results = []
    for k, level in enumerate(instance.policy.level_order):
        per_part = [o.levels[k] for o in outcomes]
        value = sum(p.value for p in per_part)
        bound = sum(p.bound for p in per_part)
        if level is Level.UNMET:
            # Items nobody can serve: wholly unmet, known without search.
            extra = sum(instance.demand[i].priority * instance.demand[i].sessions for i in orphans)
            value += extra
            bound += extra
        results.append(
            LevelResult(
                level=level,
                value=value,
                bound=bound,
                status=SolveStatus.combine([p.status for p in per_part]),
                wall_seconds=sum(p.wall_seconds for p in per_part),
            )
        )
    return tuple(results)
