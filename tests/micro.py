"""Micro-instances for rule and objective tests: two or three doctors, a few items.

Everything not given gets a bland default (same specialty CARD, hospital H1,
chief title, cap 5, 20 minutes from every home to every site, 10 minutes
between sites), so that in each test one rule or level alone decides the optimum.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

from scheduler.domain import (
    STANDARD_LEVELS,
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
from scheduler.week import half_days as week_half_days

WEEK = "2026-W49"  # Monday 2026-11-30
SITES = ("S1", "S2", "S3")
HOSPITALS = ("H1", "H2")


def key(token: str, week: str = WEEK) -> str:
    """Half-day key of a weekly token, e.g. ``MON_AM`` → ``2026-11-30_AM``."""
    (half_day,) = week_half_days(week, (token,))
    return half_day.key


def doctor(
    id: str,
    *,
    hospital: str = "H1",
    specialty: str = "CARD",
    title: Title = Title.CHIEF,
    cap: int = 5,
    unavailable: Iterable[str] = (),
    preferred: Iterable[str] = (),
) -> Doctor:
    """A doctor; ``unavailable`` takes weekly tokens such as ``MON_AM``."""
    return Doctor(
        id=id,
        name=f"医生{id}",
        hospital_id=hospital,
        specialty_id=specialty,
        title=title,
        weekly_cap=cap,
        unavailable=frozenset(key(t) for t in unavailable),
        preferred_weekdays=frozenset(preferred),
    )


def item(
    id: str,
    *,
    site: str = "S1",
    specialty: str = "CARD",
    allowed: Iterable[str] = ("H1",),
    sessions: int = 1,
    min_title: Title = Title.ATTENDING,
    priority: int = 1,
) -> DemandItem:
    """A demand item (a department session by default)."""
    return DemandItem(
        id=id,
        kind=DemandKind.DEPARTMENT,
        name=f"需求{id}",
        site_id=site,
        specialty_id=specialty,
        allowed_hospitals=frozenset(allowed),
        sessions=sessions,
        min_title=min_title,
        priority=priority,
    )


def micro(
    doctors: list[Doctor],
    items: list[DemandItem],
    *,
    open_half_days: tuple[str, ...] = ("MON_AM", "MON_PM"),
    home: dict[tuple[str, str], int] | None = None,
    between: dict[tuple[str, str], int] | None = None,
    away_share: float = 1.0,
    closed: dict[str, Iterable[str]] | None = None,
    holidays: dict[str, str] | None = None,
    previous: Iterable[tuple[str, str]] = (),
    level_order: tuple[Level, ...] = STANDARD_LEVELS,
    travel_limit: int = 60,
    midday_gap: int = 90,
    **_: Any,
) -> Instance:
    """An instance of the given doctors and items.

    ``home`` overrides (hospital, site) minutes (same AM and PM), ``between``
    overrides (site, site) midday minutes, ``closed`` maps a site to weekly
    tokens on which it is closed.
    """
    home = home or {}
    between = between or {}
    closed = closed or {}
    travel = Travel()
    for hospital in HOSPITALS:
        for site in SITES:
            for period in ("AM", "PM"):
                travel.home[(hospital, site, period)] = home.get((hospital, site), 20)
    for i, a in enumerate(SITES):
        for b in SITES[i + 1 :]:
            travel.between[(a, b)] = between.get((a, b), between.get((b, a), 10))
    headcount = Counter((d.hospital_id, d.specialty_id) for d in doctors)
    return Instance(
        week=WEEK,
        policy=Policy(
            travel_limit_minutes=travel_limit,
            midday_gap_minutes=midday_gap,
            level_order=level_order,
        ),
        half_days=week_half_days(WEEK, open_half_days),
        holidays=dict(holidays or {}),
        hospitals={h: Hospital(h, f"医院{h}", f"Hospital {h}", away_share) for h in HOSPITALS},
        specialties={
            "CARD": Specialty("CARD", "心血管内科", "Cardiology"),
            "ENDO": Specialty("ENDO", "内分泌科", "Endocrinology"),
        },
        consortia={"K1": Consortium("K1", "医共体一", "Consortium 1")},
        sites={
            s: Site(
                s,
                f"站点{s}",
                "grassroots",
                "K1",
                "east",
                frozenset(key(t) for t in closed.get(s, ())),
            )
            for s in SITES
        },
        doctors={d.id: d for d in doctors},
        demand={i.id: i for i in items},
        travel=travel,
        away_limit={
            pool: math.floor(away_share * count + 1e-9) for pool, count in headcount.items()
        },
        previous=frozenset(previous),
    )
