"""P1: ``scheduler/model/rules/p1_pinned.py`` holds and decides, and its
removal from the model is caught by the checker (``tests/model/rules/cases.py``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from scheduler.checker import check_roster
from scheduler.domain import Instance
from scheduler.model.rules import ALL_RULES
from tests.micro import doctor, item, micro
from tests.model.rules.cases import Case, caught_without, holds_and_decides, solve

RULE = "P1"


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


CASES: list[Case] = [(p1_frozen, 1)]


@pytest.mark.parametrize(("build", "covered"), CASES, ids=[b.__name__ for b, _ in CASES])
def test_p1_holds_and_decides_the_optimum(build: Callable[[], Instance], covered: int) -> None:
    holds_and_decides(build, covered)


@pytest.mark.parametrize(("build", "covered"), CASES, ids=[b.__name__ for b, _ in CASES])
def test_p1_removed_from_the_model_is_caught(build: Callable[[], Instance], covered: int) -> None:
    caught_without(RULE, build, covered)


def test_a_pinned_session_stays_where_it_was() -> None:
    instance = p1_pinned()
    kept = solve(instance)
    assert [(a.doctor_id, a.half_day_key) for a in kept.assignments] == [("A", "2026-11-30_AM")]
    assert check_roster(instance, kept.assignments).ok
    moved = solve(instance, ALL_RULES - {"P1"})
    assert [(a.doctor_id, a.half_day_key) for a in moved.assignments] == [("A", "2026-12-01_AM")]
    assert "P1" in check_roster(instance, moved.assignments).by_rule()
