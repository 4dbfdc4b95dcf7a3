"""P1: pinned assignments stay, and nothing else happens on a frozen half-day.

Only a repair (``scheduler.repair``) pins anything: the half-days already
past when the absence starts are frozen (their published assignments pinned),
and a planner may pin chosen assignments. An ordinary solve has neither, and
this rule admits everything there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scheduler.domain import DemandItem, Doctor, HalfDay, Instance
from scheduler.model.rules.base import Rule

if TYPE_CHECKING:
    from scheduler.model.variables import AssignmentVars


def admits(instance: Instance, doctor: Doctor, item: DemandItem, half_day: HalfDay) -> bool:
    """On a frozen half-day, only what is pinned."""
    return (
        half_day.key not in instance.frozen or (doctor.id, item.id, half_day.key) in instance.pinned
    )


def constrain(v: AssignmentVars) -> None:
    """Every pinned assignment of the model is made (``scheduler.repair`` has
    checked that each one has a variable in its part)."""
    for triple in sorted(v.instance.pinned):
        literal = v.x.get(triple)
        if literal is not None:
            v.model.add(literal == 1).with_name(f"P1[{','.join(triple)}]")


RULE = Rule(
    "P1",
    "pinned assignments stay; frozen half-days unchanged",
    admits=admits,
    constrain=constrain,
    applies=lambda instance: bool(instance.frozen or instance.pinned),
)
