"""What every rule's test does with its micro-instances (tests/micro.py).

Each case is built so that the rule alone decides the optimum. It is solved
twice: with every rule, the roster is clean and has the expected coverage;
with that one rule left out of the model, the independent checker finds a
violation of exactly that rule. So removing a rule from the model breaks its
test.
"""

from __future__ import annotations

from collections.abc import Callable

from scheduler.checker import check_roster
from scheduler.domain import Instance
from scheduler.model import solve as model
from scheduler.model.params import Deployment, SolverParams
from scheduler.model.rules import ALL_RULES
from scheduler.result import Result, SolveStatus

Case = tuple[Callable[[], Instance], int]
"""A micro-instance's builder, and the sessions covered with every rule."""


def solve(instance: Instance, rules: frozenset[str] = ALL_RULES) -> Result:
    """The model's solve of a micro-instance, in this process, with ``rules``."""
    return model.solve(
        instance,
        SolverParams(time_limit_per_level=10),
        deployment=Deployment(processes=1),
        rules=rules,
    )


def holds_and_decides(build: Callable[[], Instance], covered: int) -> None:
    """With every rule: optimal, clean, exactly ``covered`` sessions."""
    instance = build()
    result = solve(instance)
    report = check_roster(instance, result.assignments)
    assert report.ok, report.violations
    assert len(result.assignments) == covered
    assert result.status is SolveStatus.OPTIMAL


def caught_without(rule: str, build: Callable[[], Instance], covered: int) -> None:
    """Without ``rule`` the model covers more, and the checker names the rule."""
    instance = build()
    result = solve(instance, ALL_RULES - {rule})
    report = check_roster(instance, result.assignments)
    assert rule in report.by_rule(), f"without {rule} the roster should break it"
    assert len(result.assignments) > covered
