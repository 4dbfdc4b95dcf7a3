"""R4: never on an unavailable half-day, a holiday, or a half-day the site is closed."""

from __future__ import annotations

from scheduler.domain import DemandItem, Doctor, HalfDay, Instance
from scheduler.model.rules.base import Rule


def admits(instance: Instance, doctor: Doctor, item: DemandItem, half_day: HalfDay) -> bool:
    """The doctor is free, the day is not a holiday and the site is open."""
    return (
        half_day.key not in doctor.unavailable
        and not instance.is_holiday(half_day)
        and half_day.key not in instance.sites[item.site_id].closed
    )


RULE = Rule("R4", "only on available, non-holiday, open half-days", admits=admits)
