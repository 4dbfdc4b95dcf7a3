"""Lexicographic CP-SAT solve of an instance, part by part.

For each independent part (``decompose``): build the model once (variables for
admitted triples, the rules' constraints in ``RULES`` order), then for each
objective level in the policy's order: set the level as the objective, solve
with the previous level's solution as a hint, record value, bound and status,
and hold the level at its value (``≤`` / ``≥``) before the next one. No
combined weights. A part of a fairness pool split over several parts is solved
through every level with its own largest load held, and again (``Stage``:
the levels after L3, with the pool's largest load as a cap) only where that
cap gives one of its doctors room. Parts run where ``executors.run_parts`` sends them (local worker
processes or Ray); ``CpModel`` does not pickle, so each worker builds its own
model from its part's instance.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.sat import sat_parameters_pb2
from ortools.sat.python import cp_model

from scheduler.domain import Assignment, Instance, Level
from scheduler.greedy import greedy_roster
from scheduler.model.decompose import Part, decompose
from scheduler.model.executors import run_parts
from scheduler.model.objectives import level_expression
from scheduler.model.relaxation import LinearRelaxation, LpSolution
from scheduler.model.reuse import PartCache, part_fingerprint
from scheduler.model.rules import ALL_RULES, RULES
from scheduler.model.variables import AssignmentVars, Triple, candidate_triples
from scheduler.result import LevelResult, Result, SolveStatus

log = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_DEFAULTS = sat_parameters_pb2.SatParameters()

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
    # Per level (in policy order): value and bound summed over the parts done so far.
    so_far: dict[str, tuple[int, int]] = field(default_factory=dict)


ProgressFn = Callable[[Progress], None]


@dataclass(frozen=True)
class Stage:
    """A second solve of a part of a pool split over several parts (``decompose``).

    Each such part is first solved through every level like any other, with
    its own largest load (L3) held for the levels after it. Once the pool's
    largest load ``M`` is known, a part whose doctors could work more under
    ``M`` is solved again: the levels up to L3 held (``done``), every doctor's
    load capped at ``M`` (``load_cap``), the first roster as the hint, through
    the remaining levels. The default (nothing done) solves every level.
    """

    done: tuple[LevelOutcome, ...] = ()
    load_cap: int | None = None
    hint: tuple[Triple, ...] = ()


def solve_part(
    instance: Instance,
    part: Part,
    index: int,
    params: SolverParams,
    on_level: Callable[[LevelOutcome], None] | None = None,
    stage: Stage | None = None,
) -> PartOutcome:
    """Build and solve one part through every level (or the levels of ``stage``).

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
    stage = stage or Stage()
    items = list(part.item_ids)
    held: dict[Level, cp_model.LinearExprT] = {}
    for done in stage.done:  # the first stage's levels, held at their values
        if done.level is Level.UNFAIRNESS:
            assert stage.load_cap is not None
            for literals in v.by_doctor.values():
                model.add(cp_model.LinearExpr.sum(literals) <= stage.load_cap)
            continue
        expr, _ = level_expression(done.level, v, items)
        model.add(expr >= done.value if done.level.sense == "max" else expr <= done.value)
        held[done.level] = expr
    if stage.done:
        hinted = set(stage.hint)
    elif params.hint:
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
    relaxation = LinearRelaxation(model) if params.lp_bounds else None
    layout = _Layout.of(v)
    stages: list[tuple[Level, cp_model.LinearExprT, int, SolveStatus, float]] = []
    solved_once = False
    variables_solved = 0  # variables in the model at the last solve
    done_levels = {d.level for d in stage.done}
    for level in instance.policy.level_order:
        if level in done_levels:
            continue
        expr, constant = level_expression(level, v, items)
        level_start = time.perf_counter()
        known = 0 if constant or (level is Level.UNMET and hint_unmet == 0) else None
        # Every level is a sum of non-negative terms, so a minimised level that the
        # current roster already brings to 0 is optimal (readable only when the
        # level added no helper variable since the last solve).
        at_zero = (
            solved_once
            and level.sense == "min"
            and len(model.proto.variables) == variables_solved
            and round(solver.value(expr)) == 0
        )
        if known is not None and not (constant and solved_once):
            value, bound, status = known, known, SolveStatus.OPTIMAL
        elif constant or at_zero:
            value = bound = round(solver.value(expr))
            status = SolveStatus.OPTIMAL
        else:
            if level.sense == "max":
                model.maximize(expr)
            else:
                model.minimize(expr)
            search = _LevelSearch(model, solver, params, level, expr, index, layout)
            value, bound, status, current = search.run(current, relaxation)
            solved_once = True
            variables_solved = len(model.proto.variables)
        elapsed = time.perf_counter() - level_start
        stages.append((level, expr, bound, status, elapsed))
        if on_level is not None:
            on_level(LevelOutcome(level, value, bound, status, elapsed))
        model.add(expr >= value if level.sense == "max" else expr <= value)

    chosen = tuple(t for t, on in current.items() if on)
    solved = {}
    for level, expr, bound, status, elapsed in stages:
        final = round(solver.value(expr)) if solved_once else bound
        solved[level] = LevelOutcome(level, final, bound, status, elapsed)
    for done in stage.done:
        if done.level is Level.UNFAIRNESS:  # this part's largest load, now at most the cap
            final = max(Counter(d for d, _, _ in chosen).values(), default=0)
        elif solved_once:
            final = round(solver.value(held[done.level]))
        else:
            final = done.value
        solved[done.level] = dataclasses.replace(done, value=final)
    outcomes = tuple(solved[lv] for lv in instance.policy.level_order if lv in solved)
    return PartOutcome(index, outcomes, chosen, len(v.x), time.perf_counter() - started)


@dataclass(frozen=True)
class _Layout:
    """A part's assignments in variable order, with integer codes to group them."""

    triples: list[Triple]
    indices: IntArray  # CP-SAT variable index of each triple
    doctor: IntArray  # per triple: a code of its doctor
    doctor_slot: IntArray  # ... of its (doctor, half-day)
    item_slot: IntArray  # ... of its (item, half-day)
    pair: IntArray  # ... of its (doctor, item)

    @classmethod
    def of(cls, v: AssignmentVars) -> _Layout:
        triples = list(v.x)

        def codes(keys: list[Any]) -> IntArray:
            numbering: dict[Any, int] = {}
            return np.fromiter(
                (numbering.setdefault(k, len(numbering)) for k in keys), np.int64, len(keys)
            )

        return cls(
            triples=triples,
            indices=np.fromiter((lit.index for lit in v.x.values()), np.int64, len(triples)),
            doctor=codes([d for d, _, _ in triples]),
            doctor_slot=codes([(d, h) for d, _, h in triples]),
            item_slot=codes([(i, h) for _, i, h in triples]),
            pair=codes([(d, i) for d, i, _ in triples]),
        )


@dataclass
class _LevelSearch:
    """One objective level of one part: LP bound first, then CP-SAT.

    1. The LP relaxation gives a lower bound ``B`` (in CP-SAT's minimisation
       form), added to the model as a valid cut, so CP-SAT stops — proven — as
       soon as it finds a roster at ``B``.
    2. It looks for one where the LP points: assignments the LP leaves at an
       integer value are fixed (by hint) and those no roster at ``B`` can use
       (reduced costs) are forbidden; the rest — the LP's fractional
       assignments, then their doctors' and (item, half-day)'s neighbours —
       are searched. Success needs the value ``B``, and then ``B`` proves it.
    3. Otherwise the full model is searched from the best roster so far, the
       cut still in place (as without the LP; the bound may then be CP-SAT's).
    """

    model: cp_model.CpModel
    solver: cp_model.CpSolver
    params: SolverParams
    level: Level
    expr: cp_model.LinearExprT
    part_index: int
    layout: _Layout

    def run(
        self, current: dict[Triple, bool], relaxation: LinearRelaxation | None
    ) -> tuple[int, int, SolveStatus, dict[Triple, bool]]:
        lp = relaxation.minimize_objective() if relaxation is not None else None
        outcome = self._search(current, lp)
        if lp is not None and relaxation is not None:
            value = outcome[0] if self.level.sense == "min" else -outcome[0]
            self._rule_out(relaxation, ~lp.usable(value)[self.layout.indices])
        return outcome

    def _search(
        self, current: dict[Triple, bool], lp: LpSolution | None
    ) -> tuple[int, int, SolveStatus, dict[Triple, bool]]:
        triples, indices = self.layout.triples, self.layout.indices
        if lp is not None:
            target = lp.integer_bound  # minimisation form
            bound = target if self.level.sense == "min" else -target
            self.model.add(self.expr >= bound if self.level.sense == "min" else self.expr <= bound)
            lp_roster = lp.values[indices] > 0.5
            for free in self._neighbourhoods(lp, target):
                code = self._solve(indices[~free], lp_roster[~free], pin=True)
                if code == cp_model.OPTIMAL and self._minimised_value() == target:
                    log.debug(
                        "part %d %s: LP bound %d met with %d free assignments",
                        self.part_index,
                        self.level.value,
                        bound,
                        int(free.sum()),
                    )
                    return self._outcome(SolveStatus.OPTIMAL)
        code = self._solve(indices, np.fromiter((current[t] for t in triples), bool, len(triples)))
        status = _STATUS.get(code)
        if status is None:
            raise RuntimeError(f"CP-SAT rejected the model: {self.solver.status_name(code)}")
        if status in (SolveStatus.INFEASIBLE, SolveStatus.TIMED_OUT):
            raise RuntimeError(
                f"part {self.part_index} level {self.level.value}: {status.value} (the empty "
                f"roster is always feasible, so this is a bug or a too-short time limit)"
            )
        return self._outcome(status)

    def _rule_out(self, relaxation: LinearRelaxation, mask: BoolArray) -> None:
        """Fix at 0, for every later level, the assignments reduced costs rule out.

        The level is about to be held at its value ``V``; every later roster
        then costs ``V`` on this level, so one whose reduced cost exceeds
        ``V − LP`` can never be used again. Shrinks the later models (on the
        default week, travel's reduced costs rule out most assignments).
        """
        variables = self.model.proto.variables
        ruled_out = self.layout.indices[mask]
        for index in ruled_out.tolist():
            variables[index].domain[1] = 0  # Boolean: domain [0, 1] → [0, 0]
        relaxation.fix_at_zero(ruled_out)
        log.debug(
            "part %d %s: %d assignments ruled out",
            self.part_index,
            self.level.value,
            len(ruled_out),
        )

    def _neighbourhoods(self, lp: LpSolution, target: int) -> list[BoolArray]:
        """Masks of assignments to leave free, smallest first: the LP's fractional
        ones; those sharing a (doctor, half-day), an (item, half-day) or a
        (doctor, item) with them; those sharing a doctor or an (item, half-day).
        Never those that reduced costs rule out at ``target`` (they stay 0)."""
        layout = self.layout
        usable = lp.usable(target)[layout.indices]
        fractional = usable & ~lp.integral()[layout.indices]

        def sharing(codes: IntArray) -> BoolArray:
            return np.isin(codes, codes[fractional])

        near = usable & (
            sharing(layout.doctor_slot) | sharing(layout.item_slot) | sharing(layout.pair)
        )
        wide = usable & (sharing(layout.doctor) | sharing(layout.item_slot))
        masks = [fractional]
        for mask in (near, wide):
            if (mask != masks[-1]).any():
                masks.append(mask)
        return masks

    def _solve(self, indices: IntArray, values: BoolArray, pin: bool = False) -> Any:
        """One CP-SAT call hinting ``values``; ``pin`` fixes the hinted variables
        and leaves the rest free, under the neighbourhood settings."""
        self.model.clear_hints()
        hint = self.model.proto.solution_hint  # bulk: 20 000 add_hint calls cost 0.1 s
        hint.vars.extend(indices.tolist())
        hint.values.extend(values.astype(np.int64).tolist())
        parameters = self.solver.parameters
        if not pin:
            return self.solver.solve(self.model)
        parameters.fix_variables_to_their_hinted_value = True
        parameters.max_deterministic_time = self.params.neighbourhood_deterministic_time
        # The free sub-problem is small: probing and symmetry detection over the
        # whole model cost more than they save (measured: 20 % less CP-SAT time).
        parameters.cp_model_probing_level = 0
        parameters.symmetry_level = 0
        try:
            return self.solver.solve(self.model)
        finally:
            parameters.fix_variables_to_their_hinted_value = False
            parameters.max_deterministic_time = self.params.deterministic_time_per_level
            parameters.cp_model_probing_level = _DEFAULTS.cp_model_probing_level
            parameters.symmetry_level = _DEFAULTS.symmetry_level

    def _minimised_value(self) -> int:
        value = round(self.solver.objective_value)
        return value if self.level.sense == "min" else -value

    def _outcome(self, status: SolveStatus) -> tuple[int, int, SolveStatus, dict[Triple, bool]]:
        value = round(self.solver.objective_value)
        bound = round(self.solver.best_objective_bound)
        solution = np.asarray(self.solver.response_proto.solution, dtype=np.int64)
        chosen = solution[self.layout.indices] > 0
        return value, bound, status, dict(zip(self.layout.triples, chosen.tolist(), strict=True))


def solve_instance(
    instance: Instance,
    params: SolverParams | None = None,
    progress: ProgressFn | None = None,
    *,
    reuse: PartCache | None = None,
) -> Result:
    """Solve every part through every level; assemble the week's result.

    The roster depends only on the instance and ``params`` (same seed, same
    roster), never on how many processes ran the parts. With ``reuse`` (a
    mapping of part fingerprints to outcomes, see ``scheduler.model.reuse``),
    parts found there are not solved again, and parts solved are added to it.
    """
    from scheduler.reasons import explain_unmet  # plain Python, no solver

    params = params or SolverParams()
    started = time.perf_counter()
    triples = candidate_triples(instance, params.rules)
    parts, orphans = decompose(
        instance, triples, split_pools=params.split_pools and "R2" in params.rules
    )
    pools = [part.pool for part in parts]
    log.info("%d candidate assignments in %d parts", len(triples), len(parts))
    outcomes: list[PartOutcome] = []
    total = len(parts)
    todo = list(range(total))
    fingerprints: list[str] = []
    if reuse is not None:
        fingerprints = _fingerprints(instance, parts, params)
        outcomes = [
            dataclasses.replace(reuse[fp], index=k)
            for k, fp in enumerate(fingerprints)
            if fp in reuse
        ]
        todo = [k for k, fp in enumerate(fingerprints) if fp not in reuse]
    reused = len(outcomes)

    def on_level(index: int, outcome: LevelOutcome) -> None:
        if progress:
            progress(
                Progress(len(outcomes), total, index, outcome.level, outcome.value, outcome.bound)
            )

    # Pools split over parts (see Stage): every part is first solved through
    # every level with its own largest load held; once all of a pool's parts
    # are in, the pool's largest load M is known, and a part is solved again
    # (its later levels, loads capped at M) only where M gives it more room.
    order = instance.policy.level_order
    position = order.index(Level.UNFAIRNESS) if Level.UNFAIRNESS in order else len(order) - 1
    two_stages = position < len(order) - 1
    pending: dict[str, list[PartOutcome]] = {}
    pool_size = Counter(pools[k] for k in todo if pools[k] is not None)
    second: dict[int, Stage] = {}
    first_stage: dict[int, PartOutcome] = {}

    def finish(outcome: PartOutcome) -> None:
        if outcome.index in first_stage:  # the second stage: count both stages' time
            outcome = dataclasses.replace(
                outcome,
                wall_seconds=outcome.wall_seconds + first_stage[outcome.index].wall_seconds,
            )
        outcomes.append(outcome)
        if progress:
            progress(
                Progress(
                    len(outcomes),
                    total,
                    outcome.index,
                    so_far=_so_far(instance, outcomes, orphans, pools),
                )
            )

    def on_part(outcome: PartOutcome) -> None:
        pool = pools[outcome.index]
        if not two_stages or pool is None or outcome.index in first_stage:
            finish(outcome)
            return
        members = pending.setdefault(pool, [])
        members.append(outcome)
        if len(members) < pool_size[pool]:
            return
        peak = max(o.levels[position].value for o in members)
        for member in sorted(members, key=lambda o: o.index):
            if _cap_gives_room(instance, parts[member.index], member, position, peak, params):
                first_stage[member.index] = member
                second[member.index] = Stage(
                    done=member.levels[: position + 1], load_cap=peak, hint=member.chosen
                )
            else:
                finish(member)

    run_parts(
        instance, parts, todo, params, on_level=on_level if progress else None, on_part=on_part
    )
    if second:
        log.info("%d parts solved again with their pool's largest load", len(second))
        run_parts(
            instance,
            parts,
            sorted(second),
            params,
            stages=second,
            on_level=on_level if progress else None,
            on_part=on_part,
        )
    outcomes.sort(key=lambda o: o.index)
    if reuse is not None:
        for outcome in outcomes:
            reuse.setdefault(fingerprints[outcome.index], outcome)

    levels = _sum_levels(instance, outcomes, orphans, pools)
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
            "parts_reused": reused,
            "parts_solved_twice": len(second),
        },
    )


def _cap_gives_room(
    instance: Instance,
    part: Part,
    outcome: PartOutcome,
    position: int,
    peak: int,
    params: SolverParams,
) -> bool:
    """Would capping loads at the pool's ``peak`` (instead of the part's own largest
    load, held when its later levels were solved) let any doctor of the part work
    more? Not when the part's load is the peak, nor when every doctor's weekly cap
    (R5) is at most the part's own largest load: then the model is the same."""
    own = outcome.levels[position].value
    if own >= peak:
        return False
    if "R5" not in params.rules:
        return True
    doctors = {doctor_id for doctor_id, _, _ in part.triples}
    return any(min(instance.doctors[d].weekly_cap, peak) > own for d in doctors)


def _fingerprints(instance: Instance, parts: list[Part], params: SolverParams) -> list[str]:
    """Each part's fingerprint; a part of a split pool also carries its pool's parts'
    (its second stage depends on all of them)."""
    own = [part_fingerprint(instance, part, params) for part in parts]
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
