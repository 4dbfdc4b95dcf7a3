"""The lexicographic search of one part: build its model once, then each level in
the policy's order — set it as the objective, solve with the previous level's
solution as the hint, record value, bound and status, hold the level at its
value before the next. No combined weights (``solve_part``)."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.sat import sat_parameters_pb2
from ortools.sat.python import cp_model

from scheduler.domain import Assignment, Instance, Level, Triple
from scheduler.greedy import greedy_roster
from scheduler.model.decompose import Part
from scheduler.model.levels import level_expression
from scheduler.model.outcomes import LevelOutcome, PartOutcome, Stage
from scheduler.model.params import SolverParams
from scheduler.model.relaxation import LinearRelaxation, LpSolution
from scheduler.model.rules import ALL_RULES, RULES
from scheduler.model.variables import AssignmentVars
from scheduler.result import SolveStatus

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


def solve_part(
    instance: Instance,
    part: Part,
    index: int,
    params: SolverParams,
    *,
    rules: frozenset[str] = ALL_RULES,
    hint: Sequence[Assignment] = (),
    on_level: Callable[[LevelOutcome], None] | None = None,
    stage: Stage | None = None,
) -> PartOutcome:
    """Build and solve one part through every level (or the levels of ``stage``),
    with the rules of ``rules`` (all but in tests).

    The greedy roster (or ``hint``) warm-starts the first solve. A level
    is not sent to the solver when its optimum is already known: a constant
    expression (e.g. continuity with no pair from last week in the part), or
    L1 when the warm start leaves nothing unmet (0 is a proven lower bound).
    Reported values are those of the final roster; bounds those of each stage.
    """
    started = time.perf_counter()
    stage = stage or Stage()
    items = list(part.item_ids)
    model, v, held = _build_model(instance, part, rules, stage)
    current = _warm_start(instance, part, v, hint, stage)
    covered = Counter(i for (_, i, _), on in current.items() if on)
    hint_unmet = sum(
        instance.demand[i].priority * max(0, instance.demand[i].sessions - covered[i])
        for i in part.item_ids
    )
    solver = _new_solver(params)
    relaxation = LinearRelaxation(model) if params.lp_bounds else None
    layout = _Layout.of(v)
    stages: list[_Solved] = []
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
    solved = _final_levels(solver if solved_once else None, stages, stage, held, chosen)
    outcomes = tuple(solved[lv] for lv in instance.policy.level_order if lv in solved)
    return PartOutcome(index, outcomes, chosen, len(v.x), time.perf_counter() - started)


_Solved = tuple[Level, cp_model.LinearExprT, int, SolveStatus, float]


def _final_levels(
    solver: cp_model.CpSolver | None,
    stages: list[_Solved],
    stage: Stage,
    held: dict[Level, cp_model.LinearExprT],
    chosen: tuple[Triple, ...],
) -> dict[Level, LevelOutcome]:
    """Each level's value in the final roster (``solver``'s last solution; None when
    nothing was sent to the solver), with the bound and status of its own stage."""
    solved = {}
    for level, expr, bound, status, elapsed in stages:
        final = round(solver.value(expr)) if solver is not None else bound
        solved[level] = LevelOutcome(level, final, bound, status, elapsed)
    for done in stage.done:
        if done.level is Level.UNFAIRNESS:  # this part's largest load, now at most the cap
            final = max(Counter(d for d, _, _ in chosen).values(), default=0)
        elif solver is not None:
            final = round(solver.value(held[done.level]))
        else:
            final = done.value
        solved[done.level] = dataclasses.replace(done, value=final)
    return solved


def _build_model(
    instance: Instance, part: Part, rules: frozenset[str], stage: Stage
) -> tuple[cp_model.CpModel, AssignmentVars, dict[Level, cp_model.LinearExprT]]:
    """The part's model: its variables, the rules' constraints in ``RULES`` order,
    and the levels a first stage found (``stage.done``) held at their values
    (their expressions returned, to read their final values)."""
    model = cp_model.CpModel()
    v = AssignmentVars.create(instance, model, part.triples, rules)
    for rule in RULES:
        if rule.constrain is not None and rule.code in rules:
            rule.constrain(v)
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
    return model, v, held


def _warm_start(
    instance: Instance, part: Part, v: AssignmentVars, hint: Sequence[Assignment], stage: Stage
) -> dict[Triple, bool]:
    """The first roster: a second stage's first roster, else ``hint``, else greedy."""
    if stage.done:
        hinted = set(stage.hint)
    elif hint:
        hinted = set(hint)
    else:
        hinted = set(greedy_roster(instance, part.triples))
    return {triple: triple in hinted for triple in v.x}


def _new_solver(params: SolverParams) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    solver.parameters.max_time_in_seconds = params.time_limit_per_level
    solver.parameters.max_deterministic_time = params.deterministic_time_per_level
    solver.parameters.linearization_level = params.linearization_level
    solver.parameters.interleave_search = params.interleave
    return solver


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
