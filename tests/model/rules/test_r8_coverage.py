"""R8: ``scheduler/model/rules/r8_coverage.py`` holds and decides, and its
removal from the model is caught by the checker (``tests/model/rules/cases.py``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scheduler.domain import Instance
from tests.micro import doctor, item, micro
from tests.model.rules.cases import Case, caught_without, holds_and_decides

RULE = "R8"


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


CASES: list[Case] = [(r8_half_day, 1), (r8_total, 1)]


@pytest.mark.parametrize(("build", "covered"), CASES, ids=[b.__name__ for b, _ in CASES])
def test_r8_holds_and_decides_the_optimum(build: Callable[[], Instance], covered: int) -> None:
    holds_and_decides(build, covered)


@pytest.mark.parametrize(("build", "covered"), CASES, ids=[b.__name__ for b, _ in CASES])
def test_r8_removed_from_the_model_is_caught(build: Callable[[], Instance], covered: int) -> None:
    caught_without(RULE, build, covered)
