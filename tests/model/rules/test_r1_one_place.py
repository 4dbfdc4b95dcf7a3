"""R1: ``scheduler/model/rules/r1_one_place.py`` holds and decides, and its
removal from the model is caught by the checker (``tests/model/rules/cases.py``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scheduler.domain import Instance
from tests.micro import doctor, item, micro
from tests.model.rules.cases import Case, caught_without, holds_and_decides

RULE = "R1"


def r1() -> Instance:
    # One doctor, two items at different sites, one half-day: only one can be served.
    # B and C (cap 0) only widen the home pool so that R6 does not bind as well.
    return micro(
        [doctor("A"), doctor("B", cap=0), doctor("C", cap=0)],
        [item("i1"), item("i2", site="S2")],
        open_half_days=("MON_AM",),
    )


CASES: list[Case] = [(r1, 1)]


@pytest.mark.parametrize(("build", "covered"), CASES, ids=[b.__name__ for b, _ in CASES])
def test_r1_holds_and_decides_the_optimum(build: Callable[[], Instance], covered: int) -> None:
    holds_and_decides(build, covered)


@pytest.mark.parametrize(("build", "covered"), CASES, ids=[b.__name__ for b, _ in CASES])
def test_r1_removed_from_the_model_is_caught(build: Callable[[], Instance], covered: int) -> None:
    caught_without(RULE, build, covered)
