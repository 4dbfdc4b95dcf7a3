"""R6: ``scheduler/model/rules/r6_home_staffing.py`` holds and decides, and its
removal from the model is caught by the checker (``tests/model/rules/cases.py``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scheduler.domain import Instance
from tests.micro import doctor, item, micro
from tests.model.rules.cases import Case, caught_without, holds_and_decides

RULE = "R6"


def r6() -> Instance:
    # Pool of two, away share 0.5 → one away per half-day; two items, one half-day.
    return micro(
        [doctor("A"), doctor("B")],
        [item("i1"), item("i2", site="S2")],
        open_half_days=("MON_AM",),
        away_share=0.5,
    )


CASES: list[Case] = [(r6, 1)]


@pytest.mark.parametrize(("build", "covered"), CASES, ids=[b.__name__ for b, _ in CASES])
def test_r6_holds_and_decides_the_optimum(build: Callable[[], Instance], covered: int) -> None:
    holds_and_decides(build, covered)


@pytest.mark.parametrize(("build", "covered"), CASES, ids=[b.__name__ for b, _ in CASES])
def test_r6_removed_from_the_model_is_caught(build: Callable[[], Instance], covered: int) -> None:
    caught_without(RULE, build, covered)
