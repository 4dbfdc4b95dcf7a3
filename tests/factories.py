"""A tiny but complete instance (and a valid roster for it) for KPI, export and API tests.

Unlike ``tests.micro`` (one consortium, bland defaults, built to isolate one
rule), ``tiny_instance`` has a little of everything, so outputs that group by
consortium, hospital, specialty, kind or side have more than one group:

* week 2026-W49 (Monday 2026-11-30); open half-days Mon–Fri AM/PM and Sat AM;
* hospitals H1 西南医院, H2 新桥医院 (max_away_share 1.0, so R6 never binds);
* specialties CARD 心血管内科, ENDO 内分泌科;
* consortia K1 (sites S1, S2 — east of 中梁山) and K2 (site S3 — west);
  S3 is closed on Saturday morning;
* doctors D1 (H1 CARD chief, cap 3, prefers MON/WED), D2 (H2 ENDO associate
  chief, cap 2, unavailable MON_AM), D3 (H1 ENDO attending, cap 2);
* demand items I1 department S1 CARD {H1} ×2, I2 clinic S2 ENDO {H1, H2} ×2,
  I3 team support S3 CARD {H1, H2} ×1 (team T1);
* travel minutes for every (hospital, site, period) in ``HOME_MINUTES`` and
  every site pair in ``BETWEEN_MINUTES``; ``away_limit`` for each pool;
* last week's pairs: (D1, I1) and (D2, I3).

``tiny_roster`` is a roster for it that breaks no rule: D1 holds I1 on MON_AM
and WED_PM and I3 on FRI_AM, D2 holds I2 on TUE_AM; D3 is idle; one session of
I2 stays unmet.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from typing import Any

from scheduler.domain import (
    STANDARD_LEVELS,
    Assignment,
    Consortium,
    DemandItem,
    DemandKind,
    Doctor,
    Hospital,
    Instance,
    Level,
    Policy,
    Site,
    Specialty,
    Title,
    Travel,
)
from scheduler.result import LevelResult, Result, SolveStatus, UnmetItem
from scheduler.week import half_days

WEEK = "2026-W49"
OPEN_HALF_DAYS: tuple[str, ...] = (
    "MON_AM",
    "MON_PM",
    "TUE_AM",
    "TUE_PM",
    "WED_AM",
    "WED_PM",
    "THU_AM",
    "THU_PM",
    "FRI_AM",
    "FRI_PM",
    "SAT_AM",
)

HOME_MINUTES: dict[tuple[str, str], tuple[int, int]] = {
    # (hospital, site): (AM minutes with peak, PM minutes)
    ("H1", "S1"): (26, 20),
    ("H1", "S2"): (39, 30),
    ("H1", "S3"): (52, 40),
    ("H2", "S1"): (33, 25),
    ("H2", "S2"): (20, 15),
    ("H2", "S3"): (59, 45),
}
BETWEEN_MINUTES: dict[tuple[str, str], int] = {
    ("S1", "S2"): 15,
    ("S1", "S3"): 45,
    ("S2", "S3"): 40,
}


def key(token: str, week: str = WEEK) -> str:
    """Half-day key of a weekly token, e.g. ``MON_AM`` → ``2026-11-30_AM``."""
    (half_day,) = half_days(week, (token,))
    return half_day.key


def _doctors(week: str) -> dict[str, Doctor]:
    doctors = [
        Doctor("D1", "张伟", "H1", "CARD", Title.CHIEF, 3, frozenset(), frozenset({"MON", "WED"})),
        Doctor(
            "D2",
            "李娜",
            "H2",
            "ENDO",
            Title.ASSOCIATE_CHIEF,
            2,
            frozenset({key("MON_AM", week)}),
            frozenset(),
        ),
        Doctor("D3", "王芳", "H1", "ENDO", Title.ATTENDING, 2, frozenset(), frozenset()),
    ]
    return {d.id: d for d in doctors}


def _demand() -> dict[str, DemandItem]:
    items = [
        DemandItem(
            "I1",
            DemandKind.DEPARTMENT,
            "心内科共建科室",
            "S1",
            "CARD",
            frozenset({"H1"}),
            2,
            Title.ASSOCIATE_CHIEF,
            3,
        ),
        DemandItem(
            "I2",
            DemandKind.CLINIC,
            "内分泌专家坐诊",
            "S2",
            "ENDO",
            frozenset({"H1", "H2"}),
            2,
            Title.ATTENDING,
            2,
        ),
        DemandItem(
            "I3",
            DemandKind.TEAM_SUPPORT,
            "红岩家庭医生团队1 心血管支持",
            "S3",
            "CARD",
            frozenset({"H1", "H2"}),
            1,
            Title.ATTENDING,
            1,
            team_id="T1",
        ),
    ]
    return {i.id: i for i in items}


def _travel() -> Travel:
    home = {
        (hospital, site, period): minutes
        for (hospital, site), (am, pm) in HOME_MINUTES.items()
        for period, minutes in (("AM", am), ("PM", pm))
    }
    return Travel(home=home, between=dict(BETWEEN_MINUTES))


def tiny_instance(**overrides: Any) -> Instance:
    """The tiny instance described in the module docstring.

    Any ``Instance`` field can be overridden by keyword (``doctors=...``,
    ``previous=frozenset()``, ``policy=Policy(...)``...). Overriding ``week``
    alone rebuilds the half-days, doctors' unavailable keys and closed sites for
    that week; ``away_limit`` is recomputed from the (possibly overridden)
    doctors and hospitals unless given.
    """
    week = overrides.get("week", WEEK)
    hospitals = overrides.get(
        "hospitals",
        {
            "H1": Hospital("H1", "西南医院", "Southwest Hospital", 1.0),
            "H2": Hospital("H2", "新桥医院", "Xinqiao Hospital", 1.0),
        },
    )
    doctors: dict[str, Doctor] = overrides.get("doctors", _doctors(week))
    headcount = Counter((d.hospital_id, d.specialty_id) for d in doctors.values())
    away_limit = {
        pool: math.floor(hospitals[pool[0]].max_away_share * count + 1e-9)
        for pool, count in sorted(headcount.items())
    }
    instance = Instance(
        week=week,
        policy=Policy(travel_limit_minutes=60, midday_gap_minutes=90, level_order=STANDARD_LEVELS),
        half_days=half_days(week, OPEN_HALF_DAYS),
        holidays={},
        hospitals=hospitals,
        specialties={
            "CARD": Specialty("CARD", "心血管内科", "Cardiology"),
            "ENDO": Specialty("ENDO", "内分泌科", "Endocrinology"),
        },
        consortia={
            "K1": Consortium("K1", "第一医共体", "Consortium 1"),
            "K2": Consortium("K2", "第二医共体", "Consortium 2"),
        },
        sites={
            "S1": Site("S1", "沙坪坝区人民医院", "district_hospital", "K1", "east", frozenset()),
            "S2": Site("S2", "小龙坎社区卫生服务中心", "grassroots", "K1", "east", frozenset()),
            "S3": Site(
                "S3",
                "大学城工作站",
                "workstation",
                "K2",
                "west",
                frozenset({key("SAT_AM", week)}),
            ),
        },
        doctors=doctors,
        demand=_demand(),
        travel=_travel(),
        away_limit=away_limit,
        previous=frozenset({("D1", "I1"), ("D2", "I3")}),
    )
    return dataclasses.replace(instance, **overrides)


def tiny_roster(week: str = WEEK) -> tuple[Assignment, ...]:
    """A rule-abiding roster for ``tiny_instance`` (see the module docstring)."""
    return (
        Assignment("D1", "I1", key("MON_AM", week)),
        Assignment("D1", "I1", key("WED_PM", week)),
        Assignment("D1", "I3", key("FRI_AM", week)),
        Assignment("D2", "I2", key("TUE_AM", week)),
    )


def tiny_result(
    instance: Instance | None = None, assignments: tuple[Assignment, ...] | None = None
) -> Result:
    """A ``Result`` around ``tiny_roster`` with plausible levels and the one unmet session.

    The level values are those of the tiny roster (L1 2 = one I2 session × priority 2,
    L2 2, L3 3 + 1, L4 118 min, L5 1 session on a non-preferred weekday of D1).
    """
    instance = instance or tiny_instance()
    assignments = tiny_roster(instance.week) if assignments is None else assignments
    values = {
        Level.UNMET: (2, 2),
        Level.CONTINUITY: (2, 2),
        Level.UNFAIRNESS: (4, 4),
        Level.TRAVEL: (118, 118),
        Level.NON_PREFERRED: (1, 0),
    }
    levels = tuple(
        LevelResult(
            level,
            value,
            bound,
            SolveStatus.OPTIMAL if value == bound else SolveStatus.FEASIBLE,
            0.25,
        )
        for level, (value, bound) in values.items()
    )
    return Result(
        week=instance.week,
        status=SolveStatus.FEASIBLE,
        levels=levels,
        assignments=assignments,
        unmet=(
            UnmetItem(
                "I2",
                1,
                "no_free_doctor",
                "内分泌科 has no free doctor of 西南医院 or 新桥医院 on another open half-day",
            ),
        ),
        wall_seconds=1.25,
        seed=1,
        components=1,
    )
