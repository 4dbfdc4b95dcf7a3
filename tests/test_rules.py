"""One micro-instance per hard rule R1–R8 (and P1, a repair's pins).

Each case is built so that the rule alone decides the optimum. The test solves
it twice: with every rule, the roster is clean and has the expected coverage;
with that one rule left out of the model, the independent checker finds a
violation of exactly that rule. So removing a rule from the model breaks its
test.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from scheduler.checker import check_roster
from scheduler.domain import Instance, Title
from scheduler.model import solve as model
from scheduler.model.params import Deployment, SolverParams
from scheduler.model.rules import ALL_RULES
from scheduler.result import Result, SolveStatus
from tests.micro import doctor, item, micro


def solve(instance: Instance, rules: frozenset[str] = ALL_RULES) -> Result:
    return model.solve(
        instance,
        SolverParams(time_limit_per_level=10),
        deployment=Deployment(processes=1),
        rules=rules,
    )


def r1() -> Instance:
    # One doctor, two items at different sites, one half-day: only one can be served.
    # B and C (cap 0) only widen the home pool so that R6 does not bind as well.
    return micro(
        [doctor("A"), doctor("B", cap=0), doctor("C", cap=0)],
        [item("i1"), item("i2", site="S2")],
        open_half_days=("MON_AM",),
    )


def r2_specialty() -> Instance:
    # The only doctor is a cardiologist; the item asks for endocrinology.
    return micro([doctor("A")], [item("i1", specialty="ENDO")])


def r2_hospital() -> Instance:
    # The only doctor is from H2; only H1 may serve the item.
    return micro([doctor("A", hospital="H2")], [item("i1", allowed=("H1",))])


def r3() -> Instance:
    # An attending cannot serve an item that needs a chief.
    return micro([doctor("A", title=Title.ATTENDING)], [item("i1", min_title=Title.CHIEF)])


def r4_unavailable() -> Instance:
    return micro([doctor("A", unavailable=("MON_AM",))], [item("i1")], open_half_days=("MON_AM",))


def r4_holiday() -> Instance:
    return micro(
        [doctor("A")], [item("i1")], open_half_days=("MON_AM",), holidays={"2026-11-30": "测试假日"}
    )


def r4_closed() -> Instance:
    return micro(
        [doctor("A")], [item("i1")], open_half_days=("MON_AM",), closed={"S1": ("MON_AM",)}
    )


def r5() -> Instance:
    # Cap 1, two items on two half-days: one session only.
    return micro([doctor("A", cap=1)], [item("i1"), item("i2")])


def r6() -> Instance:
    # Pool of two, away share 0.5 → one away per half-day; two items, one half-day.
    return micro(
        [doctor("A"), doctor("B")],
        [item("i1"), item("i2", site="S2")],
        open_half_days=("MON_AM",),
        away_share=0.5,
    )


def r7_home() -> Instance:
    # 70 minutes from home exceeds the 60-minute limit.
    return micro([doctor("A")], [item("i1")], home={("H1", "S1"): 70})


def r7_midday() -> Instance:
    # S1 and S2 are 120 min apart at midday (> 90): AM at one, PM at the other is out.
    return micro(
        [doctor("A")],
        [item("i1", site="S1"), item("i2", site="S2")],
        between={("S1", "S2"): 120},
    )


def r8_half_day() -> Instance:
    # Two sessions asked, one half-day: at most one session per item per half-day.
    return micro([doctor("A"), doctor("B")], [item("i1", sessions=2)], open_half_days=("MON_AM",))


def r8_total() -> Instance:
    # Continuity (L2, maximised) would reward a second session; R8 forbids more than asked.
    return micro(
        [doctor("A"), doctor("B")],
        [item("i1", sessions=1)],
        previous=[("A", "i1"), ("B", "i1")],
    )


def p1_frozen() -> Instance:
    # A repair froze Monday morning with nothing on it: the item's second session
    # must wait for the afternoon, although the doctor is free in the morning.
    base = micro([doctor("A")], [item("i1", sessions=2)])
    return dataclasses.replace(base, frozen=frozenset({"2026-11-30_AM"}))


def p1_pinned() -> Instance:
    # A pinned session is kept although the (travel-free) alternative is as good;
    # without P1, L5 would move it to the doctor's preferred Tuesday.
    base = micro(
        [doctor("A", preferred={"TUE"})],
        [item("i1")],
        open_half_days=("MON_AM", "TUE_AM"),
    )
    return dataclasses.replace(base, pinned=frozenset({("A", "i1", "2026-11-30_AM")}))


CASES: list[tuple[str, Callable[[], Instance], int]] = [
    # (rule, instance, sessions covered with the rule)
    ("R1", r1, 1),
    ("R2", r2_specialty, 0),
    ("R2", r2_hospital, 0),
    ("R3", r3, 0),
    ("R4", r4_unavailable, 0),
    ("R4", r4_holiday, 0),
    ("R4", r4_closed, 0),
    ("R5", r5, 1),
    ("R6", r6, 1),
    ("R7", r7_home, 0),
    ("R7", r7_midday, 1),
    ("R8", r8_half_day, 1),
    ("R8", r8_total, 1),
    ("P1", p1_frozen, 1),
]


@pytest.mark.parametrize(("rule", "build", "covered"), CASES, ids=[c[1].__name__ for c in CASES])
def test_rule_holds_and_decides_the_optimum(
    rule: str, build: Callable[[], Instance], covered: int
) -> None:
    instance = build()
    result = solve(instance)
    report = check_roster(instance, result.assignments)
    assert report.ok, report.violations
    assert len(result.assignments) == covered
    assert result.status is SolveStatus.OPTIMAL


@pytest.mark.parametrize(("rule", "build", "covered"), CASES, ids=[c[1].__name__ for c in CASES])
def test_rule_removed_from_model_is_caught(
    rule: str, build: Callable[[], Instance], covered: int
) -> None:
    instance = build()
    result = solve(instance, ALL_RULES - {rule})
    report = check_roster(instance, result.assignments)
    assert rule in report.by_rule(), f"without {rule} the roster should break it"
    assert len(result.assignments) > covered


def test_a_pinned_session_stays_where_it_was() -> None:
    instance = p1_pinned()
    kept = solve(instance)
    assert [(a.doctor_id, a.half_day_key) for a in kept.assignments] == [("A", "2026-11-30_AM")]
    assert check_roster(instance, kept.assignments).ok
    moved = solve(instance, ALL_RULES - {"P1"})
    assert [(a.doctor_id, a.half_day_key) for a in moved.assignments] == [("A", "2026-12-01_AM")]
    assert "P1" in check_roster(instance, moved.assignments).by_rule()


def test_every_rule_of_the_model_has_its_twin_in_the_checker() -> None:
    """The checker lists one check per rule code (scheduler/checker.py CHECKS), the
    model one module per rule (scheduler/model/rules RULES): the same codes."""
    from scheduler.checker import CHECKS
    from scheduler.model.rules import RULES

    assert set(CHECKS) == {rule.code for rule in RULES}
    assert {rule for rule, _, _ in CASES} == set(CHECKS)  # each has a micro-instance here
