"""The LP relaxation of a part's CP-SAT model, solved with GLOP.

The roster model is close to a network: on the default data the LP optimum of
every objective level, rounded up, equals the integer optimum. So each level
starts with the LP (a fraction of a second on 20 000 variables), which gives
a proven lower bound; the CP-SAT search then only has to *find* a roster that
meets the bound, in a small neighbourhood of the LP solution. Reduced costs
tell which assignments no roster at the bound can use (``LpSolution.usable``).

The relaxation mirrors the CP-SAT model itself (its proto), so it stays in step
with the rules without a second formulation: every variable with its domain,
every linear, at-most-one and exactly-one constraint; constraints with an
enforcement literal are left out (dropping constraints keeps it a relaxation,
so the bound stays valid). ``sync`` reads only what the model gained since the
last call (new helper variables, held levels); the sparse matrix is handed to
OR-Tools' model builder in one piece, never term by term.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.linear_solver.python import model_builder_helper as mbh
from ortools.sat.python import cp_model
from scipy.sparse import csr_matrix

_INT_LIMIT = 2**62  # CP-SAT's open bounds are ±(2^63 − 1)
# Relative slack when rounding an LP value up to an integer bound: GLOP's
# optimality tolerances are about 1e-7; a bound is never claimed on less margin.
_ROUNDING_SLACK = 1e-6
# Reduced costs at most this far above the allowance still count as usable.
_REDUCED_COST_SLACK = 1e-6
# GLOP's presolve costs more than it saves on these near-network LPs: measured
# 1.3 s against 1.9 s for the levels of the three largest default parts.
_GLOP_PARAMETERS = "use_preprocessing: false"
# A value closer than this to an integer counts as integral.
_INTEGRALITY = 1e-6

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class LpSolution:
    """An optimal LP solution of the model's objective (CP-SAT's minimisation form)."""

    value: float  # LP optimum of Σ coeff·var + offset, minimised
    values: FloatArray  # per CP-SAT variable index
    reduced_costs: FloatArray  # per CP-SAT variable index

    @property
    def integer_bound(self) -> int:
        """Lower bound on every integer solution's objective (minimisation form)."""
        slack = _ROUNDING_SLACK * max(1.0, abs(self.value))
        return math.ceil(self.value - slack)

    def integral(self) -> BoolArray:
        """Per variable: the LP value is an integer."""
        return np.abs(self.values - np.round(self.values)) < _INTEGRALITY

    def usable(self, target: int) -> BoolArray:
        """Per variable: a solution of objective ``≤ target`` may raise it from 0.

        Reduced-cost fixing: every solution costs at least the LP value plus
        Σ reduced cost × (value − LP value) over non-basic variables; a 0/1
        variable at 0 whose reduced cost exceeds ``target − LP value`` must stay 0.
        """
        allowance = target - self.value + _REDUCED_COST_SLACK * max(1.0, abs(self.value))
        at_zero = self.values <= _INTEGRALITY
        return ~(at_zero & (self.reduced_costs > allowance))


def _from(repeated: Any, start: int) -> Iterable[Any]:
    """Elements ``start..`` of a proto's repeated field: iterating is 4× faster
    than indexing (pybind), indexing skips what was read before."""
    if start == 0:
        return iter(repeated)
    return (repeated[k] for k in range(start, len(repeated)))


@dataclass
class _Rows:
    """Constraint rows read in one ``sync``, before they join the matrix."""

    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    columns: list[int] = field(default_factory=list)
    coefficients: list[int] = field(default_factory=list)

    def add(self, lower: float, upper: float, columns: list[int], coefficients: list[int]) -> None:
        self.lower.append(lower)
        self.upper.append(upper)
        self.lengths.append(len(columns))
        self.columns.extend(columns)
        self.coefficients.extend(coefficients)


class LinearRelaxation:
    """An LP that follows a ``CpModel``: the same variables, its linear constraints."""

    def __init__(self, model: cp_model.CpModel) -> None:
        self._model = model
        self._lower = np.zeros(0)  # per variable
        self._upper = np.zeros(0)
        self._row_lower = np.zeros(0)  # per kept constraint
        self._row_upper = np.zeros(0)
        self._starts = np.zeros(1, dtype=np.int64)  # CSR: row k is [starts[k], starts[k+1])
        self._columns = np.zeros(0, dtype=np.int32)
        self._coefficients = np.zeros(0)
        self._constraints_seen = 0

    def sync(self) -> None:
        """Read the variables and constraints the CP-SAT model gained since last time."""
        proto = self._model.proto
        lower, upper = [], []
        for variable in _from(proto.variables, len(self._lower)):
            domain = variable.domain
            lower.append(float(domain[0]))
            upper.append(float(domain[len(domain) - 1]))
        self._lower = np.concatenate((self._lower, lower))
        self._upper = np.concatenate((self._upper, upper))
        rows = _Rows()
        total = len(proto.constraints)
        for constraint in _from(proto.constraints, self._constraints_seen):
            if len(constraint.enforcement_literal):
                continue  # conditional: left out of the relaxation
            if constraint.has_at_most_one() or constraint.has_exactly_one():
                exactly = constraint.has_exactly_one()
                literals = list(
                    constraint.exactly_one.literals if exactly else constraint.at_most_one.literals
                )
                # ¬x contributes 1 − x: move the constants to the bounds.
                negated = sum(1 for lit in literals if lit < 0)
                rows.add(
                    1.0 - negated if exactly else -math.inf,
                    1.0 - negated,
                    [lit if lit >= 0 else -lit - 1 for lit in literals],
                    [1 if lit >= 0 else -1 for lit in literals],
                )
            elif constraint.has_linear():
                domain = list(constraint.linear.domain)
                rows.add(
                    float(domain[0]) if domain[0] > -_INT_LIMIT else -math.inf,
                    float(domain[-1]) if domain[-1] < _INT_LIMIT else math.inf,
                    list(constraint.linear.vars),
                    list(constraint.linear.coeffs),
                )
            else:
                raise ValueError(f"no linear form for constraint {constraint.name!r}")
        self._constraints_seen = total
        self._row_lower = np.concatenate((self._row_lower, rows.lower))
        self._row_upper = np.concatenate((self._row_upper, rows.upper))
        self._columns = np.concatenate((self._columns, np.asarray(rows.columns, np.int32)))
        self._coefficients = np.concatenate((self._coefficients, rows.coefficients))
        ends = self._starts[-1] + np.cumsum(np.asarray(rows.lengths, np.int64))
        self._starts = np.concatenate((self._starts, ends))

    def fix_at_zero(self, indices: npt.NDArray[np.int64]) -> None:
        """Mirror variables the caller fixed at 0 in the CP-SAT model."""
        self._upper[indices] = 0.0

    def builder(self, *, integral: bool = False) -> mbh.ModelBuilderHelper:
        """The model builder of the current model and objective (minimisation form);
        with ``integral``, every variable integer: the model as a MIP (constraints
        with an enforcement literal, the redundant L3 cuts, are left out)."""
        self.sync()
        objective = self._model.proto.objective
        costs = np.zeros(len(self._lower))
        costs[list(objective.vars)] = [float(c) for c in objective.coeffs]
        matrix = csr_matrix(
            (self._coefficients, self._columns, self._starts),
            shape=(len(self._row_lower), len(self._lower)),
        )
        lp = mbh.ModelBuilderHelper()
        # OR-Tools' stubs spell the arrays ndarray[float64, ...], which nothing matches.
        fill: Any = lp.fill_model_from_sparse_data
        fill(self._lower, self._upper, costs, self._row_lower, self._row_upper, matrix)
        lp.set_objective_offset(float(objective.offset))
        if integral:
            for index in range(len(self._lower)):
                lp.set_var_integrality(index, True)
        return lp

    def minimize_objective(self) -> LpSolution | None:
        """Solve the LP of the model's current objective; ``None`` if GLOP fails."""
        lp = self.builder()
        solver = mbh.ModelSolverHelper("glop")
        solver.set_solver_specific_parameters(_GLOP_PARAMETERS)
        solver.solve(lp)
        if solver.status() != mbh.SolveStatus.OPTIMAL:
            return None
        return LpSolution(
            value=solver.objective_value(),
            values=np.asarray(solver.variable_values(), dtype=np.float64),
            reduced_costs=np.asarray(solver.reduced_costs(), dtype=np.float64),
        )
