"""R4: ``scheduler/model/rules/r4_availability.py`` holds and decides, and its
removal from the model is caught by the checker (``tests/model/rules/cases.py``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scheduler.domain import Instance
from tests.micro import doctor, item, micro
from tests.model.rules.cases import Case, caught_without, holds_and_decides

RULE = "R4"


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


CASES: list[Case] = [(r4_unavailable, 0), (r4_holiday, 0), (r4_closed, 0)]


@pytest.mark.parametrize(("build", "covered"), CASES, ids=[b.__name__ for b, _ in CASES])
def test_r4_holds_and_decides_the_optimum(build: Callable[[], Instance], covered: int) -> None:
    holds_and_decides(build, covered)


@pytest.mark.parametrize(("build", "covered"), CASES, ids=[b.__name__ for b, _ in CASES])
def test_r4_removed_from_the_model_is_caught(build: Callable[[], Instance], covered: int) -> None:
    caught_without(RULE, build, covered)
