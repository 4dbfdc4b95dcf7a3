"""One micro-instance per objective level L1–L5: the level changes the chosen roster.

Each case has two rosters equally good on every other level; the level under
test decides between them, and flipping the data it reads flips the choice.
The last test shows the level order is policy data.
"""

from __future__ import annotations

from scheduler.checker import check_roster
from scheduler.domain import Instance, Level
from scheduler.model import solve as model
from scheduler.model.params import Deployment, SolverParams
from scheduler.result import Result, SolveStatus
from tests.micro import doctor, item, key, micro


def solve(instance: Instance) -> Result:
    result = model.solve(
        instance, SolverParams(time_limit_per_level=10), deployment=Deployment(processes=1)
    )
    assert result.status is SolveStatus.OPTIMAL
    report = check_roster(instance, result.assignments)
    assert report.ok, report.violations
    # The solver's level values are what the independent checker recomputes.
    assert {lv.level: lv.value for lv in result.levels} == report.levels
    return result


def chosen(result: Result) -> set[tuple[str, str, str]]:
    return {(a.doctor_id, a.item_id, a.half_day_key) for a in result.assignments}


def test_l1_serves_the_higher_priority_item() -> None:
    # One doctor, one session of capacity, two items: priority decides.
    for high, low in (("i1", "i2"), ("i2", "i1")):
        instance = micro(
            [doctor("A", cap=1)],
            [item(high, priority=3), item(low, priority=1)],
            open_half_days=("MON_AM",),
        )
        result = solve(instance)
        assert {a.item_id for a in result.assignments} == {high}
        assert result.level(Level.UNMET).value == 1  # low-priority item unmet, weight 1


def test_l2_keeps_last_weeks_doctor() -> None:
    # A and B are interchangeable except that one served the item last week.
    for previous_doctor in ("A", "B"):
        instance = micro(
            [doctor("A"), doctor("B")],
            [item("i1")],
            open_half_days=("MON_AM",),
            previous=[(previous_doctor, "i1")],
        )
        result = solve(instance)
        assert {a.doctor_id for a in result.assignments} == {previous_doctor}
        assert result.level(Level.CONTINUITY).value == 1


def test_l3_spreads_load_even_against_travel() -> None:
    # A is closer (L4 would give A both sessions); L3 comes first and splits them.
    instance = micro(
        [doctor("A"), doctor("B", hospital="H2")],
        [item("i1", allowed=("H1", "H2")), item("i2", allowed=("H1", "H2"))],
        open_half_days=("MON_AM", "MON_PM"),
        home={("H1", "S1"): 10, ("H2", "S1"): 40},
    )
    result = solve(instance)
    assert sorted(a.doctor_id for a in result.assignments) == ["A", "B"]
    assert result.level(Level.UNFAIRNESS).value == 1


def test_l4_sends_the_nearer_doctor() -> None:
    for near, far in (("H1", "H2"), ("H2", "H1")):
        instance = micro(
            [doctor("A", hospital="H1"), doctor("B", hospital="H2")],
            [item("i1", allowed=("H1", "H2"))],
            open_half_days=("MON_AM",),
            home={(near, "S1"): 15, (far, "S1"): 45},
        )
        result = solve(instance)
        expected = "A" if near == "H1" else "B"
        assert {a.doctor_id for a in result.assignments} == {expected}
        assert result.level(Level.TRAVEL).value == 15


def test_l5_uses_the_preferred_weekday() -> None:
    for weekday, token in (("MON", "MON_AM"), ("TUE", "TUE_AM")):
        instance = micro(
            [doctor("A", preferred=(weekday,))],
            [item("i1")],
            open_half_days=("MON_AM", "TUE_AM"),
        )
        result = solve(instance)
        assert chosen(result) == {("A", "i1", key(token))}
        assert result.level(Level.NON_PREFERRED).value == 0


def test_level_order_is_policy() -> None:
    # Same data as the L3 test; with travel before unfairness the nearer doctor takes both.
    order = (Level.UNMET, Level.CONTINUITY, Level.TRAVEL, Level.UNFAIRNESS, Level.NON_PREFERRED)
    instance = micro(
        [doctor("A"), doctor("B", hospital="H2")],
        [item("i1", allowed=("H1", "H2")), item("i2", allowed=("H1", "H2"))],
        open_half_days=("MON_AM", "MON_PM"),
        home={("H1", "S1"): 10, ("H2", "S1"): 40},
        level_order=order,
    )
    result = solve(instance)
    assert sorted(a.doctor_id for a in result.assignments) == ["A", "A"]
    assert [lv.level for lv in result.levels] == list(order)
