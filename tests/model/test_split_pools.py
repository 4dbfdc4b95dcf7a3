"""A fairness pool split over several parts: solved in two stages, still lexicographic.

Cardiology has two groups that share no candidate: A1 alone must hold 3
sessions (load 3); B1 and B2 share 2 sessions. The pool's L3 is 3. With the
pool's cap of 3 (not group B's own minimum of 1), L5 lets B1 — who prefers
Monday and Tuesday — take both sessions, where B2 prefers Wednesday: L5 = 0.
Solving the groups as if each were its own pool would give L5 = 1.

Each part is solved through every level first; only a part whose doctors
could work more under the pool's largest load is solved a second time.
"""

from __future__ import annotations

from scheduler.checker import check_roster
from scheduler.domain import Level
from scheduler.model.candidates import candidate_triples
from scheduler.model.decompose import decompose
from scheduler.model.params import Deployment, SolverParams
from scheduler.model.rules import ALL_RULES
from scheduler.model.solve import solve
from tests.micro import doctor, item, micro


def _instance(b_cap: int = 5):  # type: ignore[no-untyped-def]
    return micro(
        [
            doctor("A1", hospital="H1", preferred={"MON", "TUE"}),
            doctor("B1", hospital="H2", preferred={"MON", "TUE"}, cap=b_cap),
            doctor("B2", hospital="H2", preferred={"WED"}, cap=b_cap),
        ],
        [
            item("a", site="S1", allowed=("H1",), sessions=3),
            item("b", site="S2", allowed=("H2",), sessions=2),
        ],
        open_half_days=("MON_AM", "MON_PM", "TUE_AM"),
    )


def test_the_pool_is_split_into_two_parts() -> None:
    instance = _instance()
    parts, _ = decompose(instance, candidate_triples(instance, ALL_RULES))
    assert [p.pool for p in parts] == ["CARD", "CARD"]
    whole, _ = decompose(instance, candidate_triples(instance, ALL_RULES), split_pools=False)
    assert [p.pool for p in whole] == [None]


def test_split_and_whole_pools_reach_the_same_lexicographic_optimum() -> None:
    instance = _instance()
    split = solve(instance, SolverParams(), deployment=Deployment(processes=1))
    whole = solve(instance, SolverParams(split_pools=False), deployment=Deployment(processes=1))
    values = {lv.level: lv.value for lv in split.levels}
    assert values[Level.UNMET] == 0
    assert values[Level.UNFAIRNESS] == 3  # A1's load; the pool's maximum
    assert values[Level.NON_PREFERRED] == 0  # B1 takes both: allowed by the pool's cap 3
    assert [lv.value for lv in split.levels] == [lv.value for lv in whole.levels]
    assert all(lv.status.value == "optimal" for lv in split.levels)
    assert split.parameters["parts_solved_twice"] == 1  # group B, with room up to 3
    check = check_roster(instance, split.assignments)
    assert check.ok and check.levels[Level.UNFAIRNESS] == 3
    assert check.levels[Level.NON_PREFERRED] == 0


def test_fairness_last_needs_no_second_stage() -> None:
    order = (Level.UNMET, Level.CONTINUITY, Level.TRAVEL, Level.NON_PREFERRED, Level.UNFAIRNESS)
    instance = micro(
        [doctor("A1", hospital="H1"), doctor("B1", hospital="H2"), doctor("B2", hospital="H2")],
        [
            item("a", site="S1", allowed=("H1",), sessions=3),
            item("b", site="S2", allowed=("H2",), sessions=2),
        ],
        open_half_days=("MON_AM", "MON_PM", "TUE_AM"),
        level_order=order,
    )
    result = solve(instance, SolverParams(), deployment=Deployment(processes=1))
    assert {lv.level: lv.value for lv in result.levels}[Level.UNFAIRNESS] == 3
    assert check_roster(instance, result.assignments).ok


def test_a_part_whose_caps_leave_no_room_is_solved_once() -> None:
    # B1 and B2 may take one session each: the pool's largest load 3 changes
    # nothing for group B (own largest load 1), so its first solve stands.
    instance = _instance(b_cap=1)
    split = solve(instance, SolverParams(), deployment=Deployment(processes=1))
    whole = solve(instance, SolverParams(split_pools=False), deployment=Deployment(processes=1))
    assert split.parameters["parts_solved_twice"] == 0
    assert [lv.value for lv in split.levels] == [lv.value for lv in whole.levels]
    assert {lv.level: lv.value for lv in split.levels}[Level.NON_PREFERRED] == 1
    assert check_roster(instance, split.assignments).ok
