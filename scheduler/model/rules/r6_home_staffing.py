"""R6: home staffing — per half-day and (hospital, specialty), at most
floor(max_away_share × headcount) doctors away."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from scheduler.model.rules.base import Rule

if TYPE_CHECKING:
    from scheduler.model.variables import AssignmentVars


def constrain(v: AssignmentVars) -> None:
    """Doctors of one home pool away in one half-day ≤ the pool's away limit.

    With R1 each doctor contributes at most one assignment per half-day, so the
    number of assignments equals the number of doctors away.
    """
    groups: dict[tuple[str, str, str], list[cp_model.IntVar]] = defaultdict(list)
    for (doctor_id, half_day_key), literals in v.by_doctor_half_day.items():
        doctor = v.instance.doctors[doctor_id]
        groups[(doctor.hospital_id, doctor.specialty_id, half_day_key)].extend(literals)
    for (hospital_id, specialty_id, half_day_key), literals in groups.items():
        limit = v.instance.away_limit[(hospital_id, specialty_id)]
        if len(literals) > limit:
            v.model.add(cp_model.LinearExpr.sum(literals) <= limit).with_name(
                f"R6[{hospital_id},{specialty_id},{half_day_key}]"
            )


RULE = Rule("R6", "home staffing: at most floor(share × headcount) away", constrain=constrain)
