"""R2: a doctor serves only demand of the doctor's own specialty, from an allowed hospital."""

from __future__ import annotations

from scheduler.domain import DemandItem, Doctor, HalfDay, Instance
from scheduler.model.rules.base import Rule


def admits(instance: Instance, doctor: Doctor, item: DemandItem, half_day: HalfDay) -> bool:
    """Same specialty, and the doctor's hospital may serve the item."""
    return doctor.specialty_id == item.specialty_id and doctor.hospital_id in item.allowed_hospitals


RULE = Rule(
    "R2", "own specialty, from an allowed hospital", admits=admits, admits_any_half_day=True
)
