"""R3: the doctor's title is at least the demand item's minimum title."""

from __future__ import annotations

from scheduler.domain import DemandItem, Doctor, HalfDay, Instance
from scheduler.model.rules.base import Rule


def admits(instance: Instance, doctor: Doctor, item: DemandItem, half_day: HalfDay) -> bool:
    """Title ≥ minimum title."""
    return doctor.title >= item.min_title


RULE = Rule(
    "R3", "title at least the demand's minimum title", admits=admits, admits_any_half_day=True
)
