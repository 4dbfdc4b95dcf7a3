"""Lexicographic CP-SAT solve of an instance, part by part.

For each independent part (``decompose``): build the model once (variables for
admitted triples, the rules' constraints in ``RULES`` order), then for each
objective level in the policy's order: set the level as the objective, solve
with the previous level's solution as a hint, record value, bound and status,
and hold the level at its value (``≤`` / ``≥``) before the next one. No
combined weights. A part of a fairness pool split over several parts is solved
through every level with its own largest load held, and again (``Stage``:
the levels after L3, with the pool's largest load as a cap) only where that
cap gives one of its doctors room. Parts run where the ``Deployment`` says
(``executors.run_tasks``: this process, local worker processes or Ray);
``CpModel`` does not pickle, so each worker builds its own model from its
part's instance (``PartTask``).

:func:`solve` is the one entry: a week (``pipeline``), a scenario's variants
(``scheduler.scenarios``) and a repair's touched parts (``scheduler.repair``)
all call it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scheduler.domain import Assignment, Instance, Level
from scheduler.model.candidates import candidate_triples
from scheduler.model.decompose import Part, decompose, part_instance
from scheduler.model.executors import emit, run_tasks
from scheduler.model.outcomes import LevelOutcome, PartOutcome, Progress, ProgressFn, Stage
from scheduler.model.params import Deployment, SolverParams
from scheduler.model.reuse import PartCache, part_fingerprint
from scheduler.model.rules import ALL_RULES
from scheduler.model.search import solve_part
from scheduler.result import LevelResult, Result, SolveStatus

log = logging.getLogger(__name__)


def solve(
    instance: Instance,
    params: SolverParams | None = None,
    *,
    deployment: Deployment | None = None,
    hint: Sequence[Assignment] = (),
    only_parts: Callable[[Part], bool] | None = None,
    progress: ProgressFn | None = None,
    reuse: PartCache | None = None,
    rules: frozenset[str] = ALL_RULES,
) -> Result:
    """Solve every part through every level; assemble the week's result.

    The roster depends only on the instance, ``params``, ``hint`` and ``rules``
    (same seed, same roster), never on ``deployment`` (where the parts ran).

    * ``hint``: a roster to warm-start every part from (instead of the greedy one);
    * ``only_parts``: solve only the parts it accepts; the result then holds only
      theirs (assignments, level totals; ``parameters["parts_solved"]``);
    * ``progress``: called after each level of each part (in process) and each part;
    * ``reuse``: a mapping of part fingerprints to outcomes
      (``scheduler.model.reuse``); parts found there are not solved again, and
      parts solved are added to it;
    * ``rules``: the rules the model is built from — all of them, except in
      tests that leave one out.
    """
    from scheduler.reasons import explain_unmet  # plain Python, no solver

    params = params or SolverParams()
    deployment = deployment or Deployment()
    started = time.perf_counter()
    triples = candidate_triples(instance, rules)
    parts, orphans = decompose(instance, triples, split_pools=params.split_pools and "R2" in rules)
    log.info("%d candidate assignments in %d parts", len(triples), len(parts))
    selected = [k for k, part in enumerate(parts) if only_parts is None or only_parts(part)]
    week = _WeekSolve(
        instance, parts, orphans, params, deployment, rules, tuple(hint), progress, len(selected)
    )
    fingerprints: list[str] = []
    todo = selected
    if reuse is not None:
        fingerprints = _fingerprints(instance, parts, params, rules, week.hint)
        todo = week.take_reused(selected, fingerprints, reuse)
    reused = len(week.outcomes)
    week.run(todo)
    outcomes = week.outcomes
    if reuse is not None:
        for outcome in outcomes:
            reuse.setdefault(fingerprints[outcome.index], outcome)

    levels = _sum_levels(instance, outcomes, orphans, week.pools)
    assignments = tuple(
        sorted(
            (Assignment._make(t) for o in outcomes for t in o.chosen),
            key=lambda a: (a.doctor_id, a.half_day_key, a.item_id),
        )
    )
    counts = {"parts_solved": len(selected)} if only_parts is not None else {}
    return Result(
        week=instance.week,
        status=SolveStatus.combine([lv.status for lv in levels]),
        levels=levels,
        assignments=assignments,
        unmet=tuple(explain_unmet(instance, assignments)),
        wall_seconds=time.perf_counter() - started,
        seed=params.seed,
        components=len(parts),
        parameters={
            **report_parameters(params, deployment, rules),
            "variables": len(triples),
            "orphan_items": len(orphans),
            "parts_reused": reused,
            "parts_solved_twice": len(week.second),
            **counts,
        },
    )


def report_parameters(
    params: SolverParams, deployment: Deployment, rules: frozenset[str] = ALL_RULES
) -> dict[str, object]:
    """The settings of a solve as report.json lists them."""
    return {**params.as_dict(), "rules": sorted(rules), **deployment.as_dict()}


@dataclass(frozen=True)
class PartTask:
    """What a worker needs to solve one part: the part's own instance
    (``part_instance``, small where the week's is large) and the settings."""

    instance: Instance
    part: Part
    index: int
    params: SolverParams
    rules: frozenset[str]
    hint: tuple[Assignment, ...]
    stage: Stage | None


def solve_part_task(task: PartTask) -> PartOutcome:
    """A part's solve wherever it runs (``run_tasks``); each level's outcome is
    emitted as ``(part index, LevelOutcome)``. ``ROSTER_FAULT_PART=<index>`` in
    the environment makes the process solving that part exit abruptly
    (fault injection for tests)."""
    if os.environ.get("ROSTER_FAULT_PART") == str(task.index):
        log.error("ROSTER_FAULT_PART=%d: this worker exits now", task.index)
        os._exit(70)

    def report(outcome: LevelOutcome) -> None:
        emit((task.index, outcome))

    return solve_part(
        task.instance,
        task.part,
        task.index,
        task.params,
        rules=task.rules,
        hint=task.hint,
        on_level=report,
        stage=task.stage,
    )


class _WeekSolve:
    """The parts of one solve as they come in.

    Pools split over parts (see ``Stage``): every part is first solved through
    every level with its own largest load held; once all of a pool's parts are
    in, the pool's largest load M is known, and a part is solved again (its
    later levels, loads capped at M) only where M gives it more room.
    """

    def __init__(
        self,
        instance: Instance,
        parts: list[Part],
        orphans: list[str],
        params: SolverParams,
        deployment: Deployment,
        rules: frozenset[str],
        hint: tuple[Assignment, ...],
        progress: ProgressFn | None,
        total: int,
    ) -> None:
        self.instance, self.parts, self.orphans = instance, parts, orphans
        self.params, self.deployment, self.rules, self.hint = params, deployment, rules, hint
        self.progress, self.total = progress, total
        self.pools = [part.pool for part in parts]
        order = instance.policy.level_order
        self.position = (
            order.index(Level.UNFAIRNESS) if Level.UNFAIRNESS in order else len(order) - 1
        )
        self.two_stages = self.position < len(order) - 1
        self.outcomes: list[PartOutcome] = []
        self.pending: dict[str, list[PartOutcome]] = {}
        self.pool_size: Counter[str | None] = Counter()
        self.second: dict[int, Stage] = {}
        self.first_stage: dict[int, PartOutcome] = {}

    def take_reused(
        self, selected: list[int], fingerprints: list[str], reuse: PartCache
    ) -> list[int]:
        """Take the outcomes of the ``selected`` parts found in ``reuse``; the
        parts left to solve."""
        self.outcomes = [
            dataclasses.replace(reuse[fingerprints[k]], index=k)
            for k in selected
            if fingerprints[k] in reuse
        ]
        return [k for k in selected if fingerprints[k] not in reuse]

    def run(self, todo: list[int]) -> None:
        """Solve the parts of ``todo`` (and again those a pool's cap gives room)."""
        self.pool_size = Counter(self.pools[k] for k in todo if self.pools[k] is not None)
        self._run(todo, {})
        if self.second:
            log.info("%d parts solved again with their pool's largest load", len(self.second))
            self._run(sorted(self.second), self.second)
        self.outcomes.sort(key=lambda o: o.index)

    def _run(self, todo: list[int], stages: dict[int, Stage]) -> None:
        parts = self.parts
        tasks = [
            PartTask(
                part_instance(self.instance, parts[k]),
                parts[k],
                k,
                self.params,
                self.rules,
                self.hint,
                stages.get(k),
            )
            for k in todo
        ]
        run_tasks(
            solve_part_task,
            tasks,
            self.deployment,
            describe=lambda j: f"part {todo[j]} ({parts[todo[j]].name})",
            first=lambda j: -len(parts[todo[j]].triples),  # largest first: the pool stays busy
            cpus_per_task=self.params.workers,
            on_result=lambda _, outcome: self._on_part(outcome),
            on_event=self._on_level if self.progress else None,
        )

    def _on_level(self, event: tuple[int, LevelOutcome]) -> None:
        index, outcome = event
        assert self.progress is not None
        self.progress(
            Progress(
                len(self.outcomes),
                self.total,
                index,
                outcome.level,
                outcome.value,
                outcome.bound,
            )
        )

    def _finish(self, outcome: PartOutcome) -> None:
        if outcome.index in self.first_stage:  # the second stage: count both stages' time
            outcome = dataclasses.replace(
                outcome,
                wall_seconds=outcome.wall_seconds + self.first_stage[outcome.index].wall_seconds,
            )
        self.outcomes.append(outcome)
        if self.progress:
            self.progress(
                Progress(
                    len(self.outcomes),
                    self.total,
                    outcome.index,
                    so_far=_so_far(self.instance, self.outcomes, self.orphans, self.pools),
                )
            )

    def _on_part(self, outcome: PartOutcome) -> None:
        pool = self.pools[outcome.index]
        if not self.two_stages or pool is None or outcome.index in self.first_stage:
            self._finish(outcome)
            return
        members = self.pending.setdefault(pool, [])
        members.append(outcome)
        if len(members) < self.pool_size[pool]:
            return
        position = self.position
        peak = max(o.levels[position].value for o in members)
        for member in sorted(members, key=lambda o: o.index):
            part = self.parts[member.index]
            if _cap_gives_room(self.instance, part, member, position, peak, self.rules):
                self.first_stage[member.index] = member
                self.second[member.index] = Stage(
                    done=member.levels[: position + 1], load_cap=peak, hint=member.chosen
                )
            else:
                self._finish(member)


def _cap_gives_room(
    instance: Instance,
    part: Part,
    outcome: PartOutcome,
    position: int,
    peak: int,
    rules: frozenset[str],
) -> bool:
    """Would capping loads at the pool's ``peak`` (instead of the part's own largest
    load, held when its later levels were solved) let any doctor of the part work
    more? Not when the part's load is the peak, nor when every doctor's weekly cap
    (R5) is at most the part's own largest load: then the model is the same."""
    own = outcome.levels[position].value
    if own >= peak:
        return False
    if "R5" not in rules:
        return True
    doctors = {doctor_id for doctor_id, _, _ in part.triples}
    return any(min(instance.doctors[d].weekly_cap, peak) > own for d in doctors)


def _fingerprints(
    instance: Instance,
    parts: list[Part],
    params: SolverParams,
    rules: frozenset[str],
    hint: tuple[Assignment, ...],
) -> list[str]:
    """Each part's fingerprint; a part of a split pool also carries its pool's parts'
    (its second stage depends on all of them)."""
    own = [part_fingerprint(instance, part, params, rules=rules, hint=hint) for part in parts]
    by_pool: dict[str, list[str]] = {}
    for part, fp in zip(parts, own, strict=True):
        if part.pool is not None:
            by_pool.setdefault(part.pool, []).append(fp)
    out = []
    for part, fp in zip(parts, own, strict=True):
        if part.pool is not None:
            fp = hashlib.sha256("|".join([fp, *sorted(by_pool[part.pool])]).encode()).hexdigest()
        out.append(fp)
    return out


def _so_far(
    instance: Instance,
    outcomes: list[PartOutcome],
    orphans: list[str],
    pools: list[str | None],
) -> dict[str, tuple[int, int]]:
    return {
        lv.level.value: (lv.value, lv.bound)
        for lv in _sum_levels(instance, outcomes, orphans, pools)
    }


def _level_sum(
    level: Level, per_part: list[LevelOutcome], part_pools: list[str | None], attribute: str
) -> int:
    """A level's total over parts; L3 of a split pool is the maximum over its parts."""
    if level is not Level.UNFAIRNESS:
        return sum(int(getattr(p, attribute)) for p in per_part)
    total, peaks = 0, dict[str, int]()
    for outcome, pool in zip(per_part, part_pools, strict=True):
        amount = int(getattr(outcome, attribute))
        if pool is None:
            total += amount
        else:
            peaks[pool] = max(peaks.get(pool, 0), amount)
    return total + sum(peaks.values())


def _sum_levels(
    instance: Instance,
    outcomes: list[PartOutcome],
    orphans: list[str],
    pools: list[str | None],
) -> tuple[LevelResult, ...]:
    results = []
    part_pools = [pools[o.index] for o in outcomes]
    for k, level in enumerate(instance.policy.level_order):
        per_part = [o.levels[k] for o in outcomes]
        value = _level_sum(level, per_part, part_pools, "value")
        bound = _level_sum(level, per_part, part_pools, "bound")
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
