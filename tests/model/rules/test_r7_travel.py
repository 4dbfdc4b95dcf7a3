"""R7: ``scheduler/model/rules/r7_travel.py`` holds and decides, and its
removal from the model is caught by the checker (``tests/model/rules/cases.py``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scheduler.domain import Instance
from tests.micro import doctor, item, micro
from tests.model.rules.cases import Case, caught_without, holds_and_decides

RULE = "R7"


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


CASES: list[Case] = [(r7_home, 0), (r7_midday, 1)]


@pytest.mark.parametrize(("build", "covered"), CASES, ids=[b.__name__ for b, _ in CASES])
def test_r7_holds_and_decides_the_optimum(build: Callable[[], Instance], covered: int) -> None:
    holds_and_decides(build, covered)


@pytest.mark.parametrize(("build", "covered"), CASES, ids=[b.__name__ for b, _ in CASES])
def test_r7_removed_from_the_model_is_caught(build: Callable[[], Instance], covered: int) -> None:
    caught_without(RULE, build, covered)
