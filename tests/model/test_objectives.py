"""One micro-instance per objective level L1–L5: the level changes the chosen roster.

Each case has two rosters equally good on every other level; the level under
test decides between them, and flipping the data it reads flips the choice.
The last test shows the level order is policy data.
"""

from __future__ import annotations

from typing import Any

import pytest

from scheduler.checker import check_roster
from scheduler.domain import STANDARD_LEVELS, Assignment, Instance, Level
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
    return set(result.assignments)


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


# ------------------------------------------------------------------ the registry


def test_every_level_of_the_model_has_its_twin_in_the_checker() -> None:
    """The model states each level once (scheduler/model/levels LEVELS), the checker
    recomputes it once (scheduler/checker.py LEVEL_CHECKS), the domain names it once
    (scheduler/domain.py LEVEL_FACTS): the same codes, every Level."""
    from scheduler.checker import LEVEL_CHECKS
    from scheduler.domain import LEVEL_FACTS
    from scheduler.model.levels import LEVELS

    assert set(LEVELS) == set(LEVEL_CHECKS)
    assert set(LEVELS) == set(LEVEL_FACTS)
    assert all(level == objective.level for level, objective in LEVELS.items())


class _ToyLevel(str):
    """Stands in for a new ``Level`` member (an enum cannot grow inside a test),
    with the attributes the engine reads from one."""

    label = "LT"

    def __new__(cls, code: str, sense: str) -> _ToyLevel:
        made = super().__new__(cls, code)
        made.sense = sense  # type: ignore[attr-defined]
        return made

    @property
    def value(self) -> str:
        return str(self)


def _pm_sessions(v: Any, item_ids: list[str]) -> Any:
    """The toy level as the model states it: sessions on an afternoon."""
    from ortools.sat.python import cp_model

    return cp_model.LinearExpr.sum([lit for (_, _, k), lit in v.items() if k.endswith("_PM")])


def _pm_sessions_checked(instance: Instance, roster: list[Assignment]) -> int:
    """... and as the checker recomputes it, from the roster alone."""
    periods = {h.key: h.period for h in instance.half_days}
    return sum(1 for a in roster if periods[a.half_day_key] == "PM")


def test_a_new_level_by_the_checklist(monkeypatch: pytest.MonkeyPatch) -> None:
    # docs/dev/adding-an-objective-level.md, followed for a toy level: sessions on
    # an afternoon, solved last. One doctor, one session, a free morning and
    # afternoon, equal on L1–L5: only the toy level decides which half-day is
    # chosen, and its sense flips it.
    from scheduler.checker import LEVEL_CHECKS
    from scheduler.domain import LEVEL_FACTS, LevelFacts
    from scheduler.model.levels import LEVELS, Objective

    for sense, wanted in (("min", "MON_AM"), ("max", "MON_PM")):
        toy = _ToyLevel("pm_sessions", sense)
        # Steps 1-2: the code and its words; step 3: the model's module.
        monkeypatch.setitem(LEVEL_FACTS, toy, LevelFacts("LT", sense, "afternoons", "下午"))
        monkeypatch.setitem(LEVELS, toy, Objective(toy, _pm_sessions, lambda v, item_ids: not v.x))
        # Without its twin in the checker, the registry test fails.
        with pytest.raises(AssertionError):
            test_every_level_of_the_model_has_its_twin_in_the_checker()
        # Step 4: the checker's twin.
        monkeypatch.setitem(LEVEL_CHECKS, toy, _pm_sessions_checked)
        test_every_level_of_the_model_has_its_twin_in_the_checker()
        # Step 5: a micro-instance where the level decides. ``solve`` also checks
        # that the checker's recomputation equals the solver's value, toy included.
        instance = micro(
            [doctor("A", cap=1)],
            [item("i1")],
            open_half_days=("MON_AM", "MON_PM"),
            level_order=(*STANDARD_LEVELS, toy),
        )
        result = solve(instance)
        assert chosen(result) == {("A", "i1", key(wanted))}
        assert result.level(toy).value == (wanted == "MON_PM")
        monkeypatch.undo()
