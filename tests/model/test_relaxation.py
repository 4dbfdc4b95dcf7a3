"""The LP relaxation (``scheduler.model.relaxation``) and the LP-first level search.

The LP bound is what proves most levels optimal, so it must be a valid lower
bound (never above the integer optimum), read the model's constraints
faithfully, and the search must still prove the optimum where the LP bound is
not tight.
"""

from __future__ import annotations

import itertools

from ortools.sat.python import cp_model

from scheduler.checker import check_roster
from scheduler.domain import Instance, Level
from scheduler.model.params import Deployment, SolverParams
from scheduler.model.relaxation import LinearRelaxation
from scheduler.model.solve import solve
from scheduler.result import Result, SolveStatus
from tests.micro import doctor, item, micro


def _levels(instance: Instance, lp_bounds: bool) -> Result:
    result = solve(
        instance,
        SolverParams(time_limit_per_level=10, lp_bounds=lp_bounds),
        deployment=Deployment(processes=1),
    )
    assert result.status is SolveStatus.OPTIMAL
    report = check_roster(instance, result.assignments)
    assert report.ok, report.violations
    assert {lv.level: lv.value for lv in result.levels} == report.levels
    return result


def test_bound_of_a_tight_lp_is_the_integer_optimum() -> None:
    model = cp_model.CpModel()
    x, y, z = (model.new_bool_var(n) for n in "xyz")
    model.add(x + y + z >= 2)
    model.add_at_most_one([x, ~y, z])  # x + (1 − y) + z ≤ 1
    model.minimize(x + 2 * y + 3 * z)
    lp = LinearRelaxation(model).minimize_objective()
    assert lp is not None
    assert lp.integer_bound == 3  # y = 1 forced by the sum, x cheapest partner
    assert list(lp.values[:3]) == [1.0, 1.0, 0.0]


def test_bound_rounds_up_a_fractional_lp_and_skips_enforced_constraints() -> None:
    # Pairwise at most one of three: LP max 1.5, integer max 1.
    model = cp_model.CpModel()
    x, y, z = (model.new_bool_var(n) for n in "xyz")
    for a, b in itertools.combinations((x, y, z), 2):
        model.add(a + b <= 1)
    switch = model.new_bool_var("switch")
    model.add(x + y + z >= 3).only_enforce_if(switch)  # conditional: not in the LP
    model.maximize(x + y + z)
    lp = LinearRelaxation(model).minimize_objective()
    assert lp is not None
    assert abs(lp.value + 1.5) < 1e-9  # minimisation form: −(x + y + z)
    assert lp.integer_bound == -1  # so x + y + z ≤ 1: exactly the integer optimum
    assert not lp.integral()[:3].any()


def test_reduced_costs_rule_out_assignments_too_dear_for_the_target() -> None:
    model = cp_model.CpModel()
    x, y, z = (model.new_bool_var(n) for n in "xyz")
    model.add(x + y + z >= 1)
    model.minimize(x + 2 * y + 4 * z)
    relaxation = LinearRelaxation(model)
    lp = relaxation.minimize_objective()
    assert lp is not None and lp.integer_bound == 1
    assert list(lp.usable(1)[:3]) == [True, False, False]  # at cost 1 only x
    assert list(lp.usable(3)[:3]) == [True, True, False]  # y: reduced cost 1 ≤ 3 − 1; z: 3 > 2
    assert list(lp.usable(4)[:3]) == [True, True, True]
    # Constraints added later are picked up by the next solve.
    model.add(x == 0)
    lp = relaxation.minimize_objective()
    assert lp is not None and lp.integer_bound == 2


def test_lp_first_and_cp_sat_only_agree_on_every_level() -> None:
    instance = micro(
        [
            doctor("A", cap=2, preferred=("MON",)),
            doctor("B", hospital="H2", cap=2),
            doctor("C", cap=1),
        ],
        [
            item("i1", sessions=2, priority=3),
            item("i2", site="S2", allowed=("H1", "H2"), sessions=2),
            item("i3", site="S3", allowed=("H2",), sessions=1, priority=2),
        ],
        open_half_days=("MON_AM", "MON_PM", "TUE_AM", "TUE_PM"),
        home={("H1", "S1"): 15, ("H2", "S2"): 25, ("H1", "S3"): 50},
        away_share=0.5,
    )
    with_lp = _levels(instance, lp_bounds=True)
    without = _levels(instance, lp_bounds=False)
    assert [lv.value for lv in with_lp.levels] == [lv.value for lv in without.levels]
    assert all(lv.bound == lv.value for lv in with_lp.levels)


def test_full_search_proves_what_the_lp_bound_cannot() -> None:
    # One doctor, three one-session items at three sites, AM and PM open, every
    # midday trip too long (R7). The LP spreads the doctor a third to each item
    # in both half-days and covers 2 sessions; a roster covers only 1 — so the
    # LP's L1 bound (1 unmet) is not met, and the full search must prove 2.
    instance = micro(
        [doctor("A", cap=2)],
        [item("a", site="S1"), item("b", site="S2"), item("c", site="S3")],
        between={("S1", "S2"): 120, ("S1", "S3"): 120, ("S2", "S3"): 120},
    )
    result = _levels(instance, lp_bounds=True)
    assert result.level(Level.UNMET).value == 2
    assert result.level(Level.UNMET).bound == 2
    assert len(result.assignments) == 1
