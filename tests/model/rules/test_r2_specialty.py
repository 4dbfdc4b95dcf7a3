"""R2: ``scheduler/model/rules/r2_specialty.py`` holds and decides, and its
removal from the model is caught by the checker (``tests/model/rules/cases.py``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scheduler.domain import Instance
from tests.micro import doctor, item, micro
from tests.model.rules.cases import Case, caught_without, holds_and_decides

RULE = "R2"


def r2_specialty() -> Instance:
    # The only doctor is a cardiologist; the item asks for endocrinology.
    return micro([doctor("A")], [item("i1", specialty="ENDO")])


def r2_hospital() -> Instance:
    # The only doctor is from H2; only H1 may serve the item.
    return micro([doctor("A", hospital="H2")], [item("i1", allowed=("H1",))])


CASES: list[Case] = [(r2_specialty, 0), (r2_hospital, 0)]


@pytest.mark.parametrize(("build", "covered"), CASES, ids=[b.__name__ for b, _ in CASES])
def test_r2_holds_and_decides_the_optimum(build: Callable[[], Instance], covered: int) -> None:
    holds_and_decides(build, covered)


@pytest.mark.parametrize(("build", "covered"), CASES, ids=[b.__name__ for b, _ in CASES])
def test_r2_removed_from_the_model_is_caught(build: Callable[[], Instance], covered: int) -> None:
    caught_without(RULE, build, covered)
