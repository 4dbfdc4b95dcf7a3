"""R3: ``scheduler/model/rules/r3_title.py`` holds and decides, and its
removal from the model is caught by the checker (``tests/model/rules/cases.py``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scheduler.domain import Instance, Title
from tests.micro import doctor, item, micro
from tests.model.rules.cases import Case, caught_without, holds_and_decides

RULE = "R3"


def r3() -> Instance:
    # An attending cannot serve an item that needs a chief.
    return micro([doctor("A", title=Title.ATTENDING)], [item("i1", min_title=Title.CHIEF)])


CASES: list[Case] = [(r3, 0)]


@pytest.mark.parametrize(("build", "covered"), CASES, ids=[b.__name__ for b, _ in CASES])
def test_r3_holds_and_decides_the_optimum(build: Callable[[], Instance], covered: int) -> None:
    holds_and_decides(build, covered)


@pytest.mark.parametrize(("build", "covered"), CASES, ids=[b.__name__ for b, _ in CASES])
def test_r3_removed_from_the_model_is_caught(build: Callable[[], Instance], covered: int) -> None:
    caught_without(RULE, build, covered)
