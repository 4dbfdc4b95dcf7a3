"""R7: travel limits.

* home hospital → site at most the travel limit (AM trips use the peak time);
* a doctor at site A in the AM and a different site B in the PM of the same day
  needs travel(A, B) within the midday gap.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from scheduler.domain import DemandItem, Doctor, HalfDay, Instance
from scheduler.model.rules.base import Rule

if TYPE_CHECKING:
    from scheduler.model.variables import AssignmentVars


def admits(instance: Instance, doctor: Doctor, item: DemandItem, half_day: HalfDay) -> bool:
    """The trip from home is within the limit."""
    minutes = instance.travel.home_minutes(doctor.hospital_id, item.site_id, half_day.period)
    return minutes <= instance.policy.travel_limit_minutes


def constrain(v: AssignmentVars) -> None:
    """For each morning option, forbid the afternoon options too far from it.

    One constraint per morning literal: ``x_am + sum(bad x_pm) <= 1`` (valid as
    R1 allows at most one afternoon assignment anyway).
    """
    gap = v.instance.policy.midday_gap_minutes
    travel = v.instance.travel
    site_of = {item_id: v.instance.demand[item_id].site_id for item_id in v.by_item}
    sites = sorted(set(site_of.values()))
    too_far = {(a, b) for a in sites for b in sites if a != b and travel.midday_minutes(a, b) > gap}
    if not too_far:
        return  # every midday trip between this part's sites fits the gap
    for doctor_id, days in v.doctor_days().items():
        for date_iso, (mornings, afternoons) in days.items():
            if not mornings or not afternoons:
                continue
            by_site: dict[str, list[cp_model.IntVar]] = defaultdict(list)
            for pm_item, pm_literal in afternoons:
                by_site[site_of[pm_item]].append(pm_literal)
            for am_item, am_literal in mornings:
                am_site = site_of[am_item]
                bad = [
                    literal
                    for pm_site, pm_literals in by_site.items()
                    if (am_site, pm_site) in too_far
                    for literal in pm_literals
                ]
                if bad:
                    v.model.add(cp_model.LinearExpr.sum([am_literal, *bad]) <= 1).with_name(
                        f"R7[{doctor_id},{date_iso},{am_item}]"
                    )


RULE = Rule("R7", "travel within the limit and the midday gap", admits=admits, constrain=constrain)
