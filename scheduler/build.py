"""Build the week's :class:`~scheduler.domain.Instance` from a validated data set."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable

from scheduler.demand import DemandRow, derive_demand
from scheduler.domain import (
    Consortium,
    DemandItem,
    Doctor,
    HalfDay,
    Hospital,
    Instance,
    Site,
    Specialty,
    Title,
    Travel,
)
from scheduler.domain import Policy as InstancePolicy
from scheduler.io.load import DataSet
from scheduler.io.records import (
    ConsortiumRow,
    DoctorRow,
    HolidayRow,
    HospitalRow,
    LeaveRow,
    SiteRow,
    SpecialtyRow,
)
from scheduler.travel import Place, TravelModel
from scheduler.week import canonical_week, parse_week
from scheduler.week import half_days as week_half_days


def travel_model(data: DataSet) -> TravelModel:
    """The travel formula with the data set's parameters."""
    p = data.policy
    return TravelModel(
        base_minutes=p.base_minutes,
        minutes_per_km=p.minutes_per_km,
        mountain_crossing_minutes=p.mountain_crossing_minutes,
        crossing_multiplier=p.crossing_multiplier,
        am_peak_multiplier=p.am_peak_multiplier,
    )


def build_instance(
    data: DataSet,
    week: str,
    *,
    previous: Iterable[tuple[str, str]] = (),
    demand_rows: list[DemandRow] | None = None,
) -> Instance:
    """Resolve the data set into the instance of ``week``.

    ``previous`` holds (doctor, demand item) pairs of last week's published
    roster; pairs naming a doctor or item that no longer exists are dropped.
    ``demand_rows`` may be passed when already derived (see ``derive_demand``).
    The instance's week is the canonical spelling (``scheduler.week.canonical_week``).
    """
    parse_week(week)
    week = canonical_week(week)
    policy = data.policy
    slots = week_half_days(week, policy.open_half_days)
    dates = {h.date for h in slots}
    holidays = {
        row.date.isoformat(): row.name for row in data.table(HolidayRow) if row.date in dates
    }
    by_token: dict[str, list[str]] = {}
    for half_day in slots:
        by_token.setdefault(half_day.token, []).append(half_day.key)

    hospitals = {
        r.hospital_id: Hospital(r.hospital_id, r.name, r.name_en, r.max_away_share)
        for r in data.table(HospitalRow)
    }
    specialties = {
        r.specialty_id: Specialty(r.specialty_id, r.name, r.name_en)
        for r in data.table(SpecialtyRow)
    }
    consortia = {
        r.consortium_id: Consortium(r.consortium_id, r.name, r.name_en)
        for r in data.table(ConsortiumRow)
    }
    sites = {
        r.site_id: Site(
            id=r.site_id,
            name=r.name,
            kind=r.kind,
            consortium_id=r.consortium_id,
            side=r.side,
            closed=frozenset(k for t in r.closed_half_days for k in by_token.get(t, [])),
        )
        for r in data.table(SiteRow)
    }
    doctors = _doctors(data, slots, by_token)
    headcount = Counter((d.hospital_id, d.specialty_id) for d in doctors.values())
    away_limit = {
        pool: math.floor(hospitals[pool[0]].max_away_share * count + 1e-9)
        for pool, count in sorted(headcount.items())
    }

    rows = demand_rows if demand_rows is not None else derive_demand(data, week)
    demand = {row.item.id: row.item for row in rows if row.item.sessions > 0}

    pairs = frozenset((d, i) for d, i in previous if d in doctors and i in demand)
    return Instance(
        week=week,
        policy=InstancePolicy(
            travel_limit_minutes=policy.travel_limit_minutes,
            midday_gap_minutes=policy.midday_gap_minutes,
            level_order=policy.level_order,
        ),
        half_days=slots,
        holidays=holidays,
        hospitals=hospitals,
        specialties=specialties,
        consortia=consortia,
        sites=sites,
        doctors=doctors,
        demand=demand,
        travel=_travel(data, demand),
        away_limit=away_limit,
        previous=pairs,
    )


def _doctors(
    data: DataSet, slots: tuple[HalfDay, ...], by_token: dict[str, list[str]]
) -> dict[str, Doctor]:
    """The doctors, away on their home-duty half-days and their days of leave."""
    dates = {h.date for h in slots}
    leave: dict[str, set[dt.date]] = {}
    for row in data.table(LeaveRow):
        days = leave.setdefault(row.doctor_id, set())
        days.update(d for d in dates if row.start_date <= d <= row.end_date)
    doctors = {}
    for r in data.table(DoctorRow):
        away = {k for t in r.home_duty_half_days for k in by_token.get(t, [])}
        away |= {h.key for h in slots if h.date in leave.get(r.doctor_id, set())}
        doctors[r.doctor_id] = Doctor(
            id=r.doctor_id,
            name=r.name,
            hospital_id=r.hospital_id,
            specialty_id=r.specialty_id,
            title=Title.parse(r.title),
            weekly_cap=r.weekly_cap,
            unavailable=frozenset(away),
            preferred_weekdays=r.preferred_weekdays,
        )
    return doctors


def _travel(data: DataSet, demand: dict[str, DemandItem]) -> Travel:
    """Travel only where a roster can go: from each hospital to the sites of the
    items it may serve (R2), and midday trips between two sites one hospital's
    doctors can both reach (R7). A city's all-pairs tables would grow with the
    square of its sites; these grow with the sites."""
    model = travel_model(data)
    places = {r.site_id: Place(r.side, r.x_km, r.y_km) for r in data.table(SiteRow)}
    homes = {r.hospital_id: Place(r.side, r.x_km, r.y_km) for r in data.table(HospitalRow)}
    served: dict[str, set[str]] = {}
    for item in demand.values():
        for hospital_id in item.allowed_hospitals:
            served.setdefault(hospital_id, set()).add(item.site_id)
    travel = Travel()
    limit = data.policy.travel_limit_minutes
    for hospital_id in sorted(served):
        home = homes[hospital_id]
        reach = []
        for site_id in sorted(served[hospital_id]):
            minutes = [model.minutes(home, places[site_id], period) for period in ("AM", "PM")]
            travel.home[(hospital_id, site_id, "AM")] = minutes[0]
            travel.home[(hospital_id, site_id, "PM")] = minutes[1]
            if min(minutes) <= limit:
                reach.append(site_id)
        for i, a in enumerate(reach):
            for b in reach[i + 1 :]:
                if (a, b) not in travel.between:
                    travel.between[(a, b)] = model.minutes(places[a], places[b], "PM")
    return travel
