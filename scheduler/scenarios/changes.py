"""Apply a variant's changes to the data set; build the variant's instance.

Changes act on a copy of the validated data set, in the order written, so a
variant is solved exactly like a real week of that data (demand derivation,
rules, reasons). Only demand scaling acts on the derived demand table, after
derivation. Each change leaves a note in words: what it did to this week.

Date ranges (``from`` / ``to``, inclusive) are cut to the planning week:
* a doctor removed for every open half-day of the week leaves the instance
  (so the hospital's headcount for R6 falls); removed for part of the week,
  the doctor is on leave those days;
* an added doctor is on leave on the week's days outside the range;
* a site closed for part of the week is closed on those half-days.

Demand scaling keeps the total exact: the matching items' sessions are
multiplied by the factor, the total is rounded half up, and the rounding is
spread by largest remainder (ties by item id), so +20 % of 50 sessions is
60 sessions, not 50 (which rounding each item of 1–2 sessions would give).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from scheduler.build import build_instance
from scheduler.demand import DemandRow, derive_demand
from scheduler.domain import Instance, Title
from scheduler.errors import InputError
from scheduler.io.load import DataSet
from scheduler.io.records import (
    ClinicRow,
    ConsortiumRow,
    DepartmentRow,
    DoctorRow,
    HospitalRow,
    LeaveRow,
    Record,
    ReferralRow,
    SiteRow,
    SpecialtyRow,
    TeamRow,
)
from scheduler.labels import CROSSING_NOTE, NEW_DOCTOR_NAME, SCENARIO_LEAVE_REASON
from scheduler.scenarios.spec import (
    AddDoctors,
    Change,
    Close,
    MaxAwayShare,
    MiddayGap,
    OpenHalfDays,
    OpenSite,
    OpenTeam,
    RemoveDoctors,
    ScaleDemand,
    ScaleTravel,
    TravelLimit,
    WeeklyCap,
)
from scheduler.week import half_days, shift_week, week_monday

R = TypeVar("R", bound=Record)


class ChangeError(InputError):
    """A change that does not fit the data (unknown id, too many doctors, ...)."""


@dataclass
class VariantInput:
    """A variant ready to solve: its instance, demand table and what each change did."""

    instance: Instance
    demand_rows: list[DemandRow]
    notes: list[str] = field(default_factory=list)


@dataclass
class Edit:
    """The data set being edited and the demand scalings to apply after derivation."""

    data: DataSet
    week: str
    notes: list[str]
    scalings: list[tuple[int, ScaleDemand]] = field(default_factory=list)

    def table(self, record: type[R]) -> list[R]:
        return self.data.table(record)

    def ids(self, record: type[Record], column: str) -> set[str]:
        return {getattr(row, column) for row in self.table(record)}

    def week_dates(self) -> list[dt.date]:
        monday = week_monday(self.week)
        return [monday + dt.timedelta(days=k) for k in range(7)]

    def open_keys(self) -> list[tuple[dt.date, str]]:
        return [(h.date, h.token) for h in half_days(self.week, self.data.policy.open_half_days)]


def copy_dataset(data: DataSet) -> DataSet:
    """A copy whose tables can be edited without touching ``data`` (its rows are
    frozen records: an edit replaces them)."""
    return DataSet(
        origin=data.origin,
        policy=dataclasses.replace(data.policy),
        tables={name: list(rows) for name, rows in data.tables.items()},  # rows are frozen
    )


def build_variant(
    data: DataSet,
    week: str,
    changes: Sequence[Change],
    *,
    previous: frozenset[tuple[str, str]] | set[tuple[str, str]] = frozenset(),
    where: str = "changes",
    file: str | None = None,
) -> VariantInput:
    """Apply ``changes`` to a copy of ``data`` and build the week's instance.

    ``where`` prefixes field paths in errors (``variants[1].changes``).
    """
    edit = Edit(copy_dataset(data), week, [])
    for index, change in enumerate(changes):
        path = f"{where}[{index}]"
        try:
            APPLY[type(change)](edit, change, index)
        except ChangeError as exc:
            raise ChangeError(
                exc.message, file=file, field=f"{path}.{exc.field}" if exc.field else path
            ) from None
    rows = derive_demand(edit.data, week)
    for index, scaling in edit.scalings:
        rows = _scale(rows, scaling, edit.notes, f"{where}[{index}]", file)
    instance = build_instance(edit.data, week, previous=previous, demand_rows=rows)
    return VariantInput(instance, rows, edit.notes)


# --------------------------------------------------------------------------- doctors


_SENIOR = {t.code: t.value for t in Title}


def _pool(edit: Edit, hospital: str, specialty: str) -> list[DoctorRow]:
    return [
        r
        for r in edit.table(DoctorRow)
        if r.hospital_id == hospital and r.specialty_id == specialty
    ]


def _check_pool_ids(edit: Edit, hospital: str, specialty: str) -> None:
    if hospital not in edit.ids(HospitalRow, "hospital_id"):
        raise ChangeError(f"unknown hospital {hospital!r}", field="hospital")
    if specialty not in edit.ids(SpecialtyRow, "specialty_id"):
        raise ChangeError(f"unknown specialty {specialty!r}", field="specialty")


def _days_in_range(edit: Edit, start: dt.date | None, end: dt.date | None) -> list[dt.date]:
    return [
        d for d in edit.week_dates() if (start is None or d >= start) and (end is None or d <= end)
    ]


def _remove_doctors(edit: Edit, change: RemoveDoctors, _: int) -> None:
    doctors = {r.doctor_id: r for r in edit.table(DoctorRow)}
    if change.doctors:
        for k, doctor_id in enumerate(change.doctors):
            if doctor_id not in doctors:
                raise ChangeError(f"unknown doctor {doctor_id!r}", field=f"doctors[{k}]")
        chosen = list(change.doctors)
    else:
        assert change.hospital and change.specialty and change.count
        _check_pool_ids(edit, change.hospital, change.specialty)
        pool = sorted(_pool(edit, change.hospital, change.specialty), key=lambda r: r.doctor_id)
        if change.count > len(pool):
            raise ChangeError(
                f"{change.hospital} has {len(pool)} {change.specialty} doctors, "
                f"cannot remove {change.count}",
                field="count",
            )
        if change.select == "last":
            pool.reverse()
        elif change.select in ("senior", "junior"):
            sign = -1 if change.select == "senior" else 1
            pool.sort(key=lambda r: (sign * _SENIOR[r.title], r.doctor_id))
        chosen = [r.doctor_id for r in pool[: change.count]]
    days = _days_in_range(edit, change.from_, change.to)
    open_dates = {date for date, _ in edit.open_keys()}
    if not days or not open_dates & set(days):
        edit.notes.append(f"remove {', '.join(chosen)}: the dates miss this week (no effect)")
        return
    if open_dates <= set(days):
        gone = set(chosen)
        edit.data.tables[DoctorRow.FILE] = [
            r for r in edit.table(DoctorRow) if r.doctor_id not in gone
        ]
        edit.data.tables[LeaveRow.FILE] = [
            r for r in edit.table(LeaveRow) if r.doctor_id not in gone
        ]
        edit.notes.append(f"removed for the whole week: {', '.join(chosen)}")
        return
    for doctor_id in chosen:
        edit.table(LeaveRow).append(
            LeaveRow(
                doctor_id=doctor_id,
                start_date=days[0],
                end_date=days[-1],
                reason=SCENARIO_LEAVE_REASON,
            )
        )
    edit.notes.append(f"away {days[0]} – {days[-1]}: {', '.join(chosen)}")


def typical_doctor(data: DataSet, hospital: str, specialty: str) -> DoctorRow:
    """The pool's median doctor (by weekly cap, home duties, title, id): the
    template for added doctors. An empty pool takes the specialty's median."""
    rows = data.table(DoctorRow)
    pool = [r for r in rows if r.hospital_id == hospital and r.specialty_id == specialty]
    pool = pool or [r for r in rows if r.specialty_id == specialty]
    if not pool:
        raise ChangeError(
            f"no {specialty} doctor to copy; give title and weekly_cap", field="specialty"
        )
    pool.sort(
        key=lambda r: (
            r.weekly_cap,
            len(r.home_duty_half_days),
            _SENIOR[r.title],
            r.doctor_id,
        )
    )
    return pool[(len(pool) - 1) // 2]


def _add_doctors(edit: Edit, change: AddDoctors, _: int) -> None:
    _check_pool_ids(edit, change.hospital, change.specialty)
    template = typical_doctor(edit.data, change.hospital, change.specialty)
    taken = edit.ids(DoctorRow, "doctor_id")
    specialty_name = next(
        r.name for r in edit.table(SpecialtyRow) if r.specialty_id == change.specialty
    )
    days = _days_in_range(edit, change.from_, change.to)
    outside = [d for d in edit.week_dates() if d not in days]
    added = []
    serial = 0
    for _k in range(change.count):
        serial += 1
        while f"{change.hospital}-{change.specialty}-N{serial:02d}" in taken:
            serial += 1
        doctor_id = f"{change.hospital}-{change.specialty}-N{serial:02d}"
        taken.add(doctor_id)
        edit.table(DoctorRow).append(
            DoctorRow(
                doctor_id=doctor_id,
                name=NEW_DOCTOR_NAME.format(specialty=specialty_name, serial=serial),
                hospital_id=change.hospital,
                specialty_id=change.specialty,
                title=change.title or template.title,
                weekly_cap=(
                    change.weekly_cap if change.weekly_cap is not None else template.weekly_cap
                ),
                home_duty_half_days=(
                    frozenset(change.home_duty_half_days)
                    if change.home_duty_half_days is not None
                    else template.home_duty_half_days
                ),
                preferred_weekdays=frozenset(change.preferred_weekdays),
            )
        )
        for start, end in _runs(outside):
            edit.table(LeaveRow).append(
                LeaveRow(
                    doctor_id=doctor_id,
                    start_date=start,
                    end_date=end,
                    reason=SCENARIO_LEAVE_REASON,
                )
            )
        added.append(doctor_id)
    like = (
        f" (like {template.doctor_id}: {template.title}, cap {template.weekly_cap})"
        if change.title is None or change.weekly_cap is None
        else ""
    )
    edit.notes.append(f"added {', '.join(added)}{like}")


def _runs(dates: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive dates as (first, last) ranges."""
    runs: list[tuple[dt.date, dt.date]] = []
    for date in sorted(dates):
        if runs and date == runs[-1][1] + dt.timedelta(days=1):
            runs[-1] = (runs[-1][0], date)
        else:
            runs.append((date, date))
    return runs


def _weekly_cap(edit: Edit, change: WeeklyCap, _: int) -> None:
    for k, hospital in enumerate(change.hospital):
        if hospital not in edit.ids(HospitalRow, "hospital_id"):
            raise ChangeError(f"unknown hospital {hospital!r}", field=f"hospital[{k}]")
    for k, specialty in enumerate(change.specialty):
        if specialty not in edit.ids(SpecialtyRow, "specialty_id"):
            raise ChangeError(f"unknown specialty {specialty!r}", field=f"specialty[{k}]")
    changed = 0
    doctors = edit.table(DoctorRow)
    for k, row in enumerate(doctors):
        if change.hospital and row.hospital_id not in change.hospital:
            continue
        if change.specialty and row.specialty_id not in change.specialty:
            continue
        changed += row.weekly_cap != change.value
        doctors[k] = dataclasses.replace(row, weekly_cap=change.value)
    edit.notes.append(f"weekly cap set to {change.value} ({changed} doctors changed)")


# --------------------------------------------------------------------------- demand


def _scale_demand(edit: Edit, change: ScaleDemand, index: int) -> None:
    known = {
        "specialty": edit.ids(SpecialtyRow, "specialty_id"),
        "consortium": edit.ids(ConsortiumRow, "consortium_id"),
        "site": edit.ids(SiteRow, "site_id"),
        "team": edit.ids(TeamRow, "team_id"),
    }
    for name, ids in known.items():
        for k, value in enumerate(getattr(change, name)):
            if value not in ids:
                raise ChangeError(f"unknown {name} {value!r}", field=f"{name}[{k}]")
    edit.scalings.append((index, change))  # applied to the derived demand


def _scale(
    rows: list[DemandRow], change: ScaleDemand, notes: list[str], path: str, file: str | None
) -> list[DemandRow]:
    def matches(row: DemandRow) -> bool:
        item = row.item
        return (
            (not change.specialty or item.specialty_id in change.specialty)
            and (not change.consortium or row.consortium_id in change.consortium)
            and (not change.site or item.site_id in change.site)
            and (not change.team or item.team_id in change.team)
            and (not change.kind or item.kind.value in change.kind)
        )

    chosen = [k for k, row in enumerate(rows) if matches(row) and row.item.sessions > 0]
    if not chosen:
        raise ChangeError("no demand item of this week matches", file=file, field=path)
    exact = {k: rows[k].item.sessions * change.factor for k in chosen}
    before = sum(rows[k].item.sessions for k in chosen)
    target = math.floor(before * change.factor + 0.5)
    new = {k: math.floor(v) for k, v in exact.items()}
    short = target - sum(new.values())
    for k in sorted(chosen, key=lambda k: (-(exact[k] - new[k]), rows[k].item.id))[:short]:
        new[k] += 1
    out = list(rows)
    for k in chosen:
        out[k] = dataclasses.replace(
            rows[k], item=dataclasses.replace(rows[k].item, sessions=new[k])
        )
    notes.append(f"demand ×{change.factor:g}: {len(chosen)} items, {before} → {target} sessions")
    return out


def _close(edit: Edit, change: Close, _: int) -> None:
    for name, table, column in (
        ("sites", SiteRow, "site_id"),
        ("teams", TeamRow, "team_id"),
        ("departments", DepartmentRow, "department_id"),
        ("clinics", ClinicRow, "clinic_id"),
    ):
        ids = edit.ids(table, column)
        for k, value in enumerate(getattr(change, name)):
            if value not in ids:
                raise ChangeError(f"unknown {name[:-1]} {value!r}", field=f"{name}[{k}]")
    teams = set(change.teams)
    departments, clinics = set(change.departments), set(change.clinics)
    if change.sites and (change.from_ or change.to):
        days = set(_days_in_range(edit, change.from_, change.to))
        tokens = {token for date, token in edit.open_keys() if date in days}
        edit.data.tables[SiteRow.FILE] = [
            dataclasses.replace(row, closed_half_days=frozenset(row.closed_half_days) | tokens)
            if row.site_id in change.sites
            else row
            for row in edit.table(SiteRow)
        ]
        edit.notes.append(
            f"closed {', '.join(change.sites)} on {len(tokens)} open half-days of the week"
        )
    elif change.sites:
        sites = set(change.sites)
        teams |= {r.team_id for r in edit.table(TeamRow) if r.site_id in sites}
        departments |= {r.department_id for r in edit.table(DepartmentRow) if r.site_id in sites}
        clinics |= {r.clinic_id for r in edit.table(ClinicRow) if r.site_id in sites}
        edit.notes.append(f"closed sites {', '.join(change.sites)} for the week")
    tables = edit.data.tables
    tables[TeamRow.FILE] = [r for r in edit.table(TeamRow) if r.team_id not in teams]
    tables[ReferralRow.FILE] = [r for r in edit.table(ReferralRow) if r.team_id not in teams]
    tables[DepartmentRow.FILE] = [
        r for r in edit.table(DepartmentRow) if r.department_id not in departments
    ]
    tables[ClinicRow.FILE] = [r for r in edit.table(ClinicRow) if r.clinic_id not in clinics]
    closed = [
        f"{len(ids)} {name}" + ("" if len(ids) == 1 else "s")
        for name, ids in (("team", teams), ("department", departments), ("clinic", clinics))
        if ids
    ]
    if closed:
        edit.notes.append(f"closed {', '.join(closed)}: their demand is gone this week")


# --------------------------------------------------------------------------- sites and teams


def _add_team(edit: Edit, team: Any, site_id: str, field_prefix: str) -> None:
    if team.id in edit.ids(TeamRow, "team_id"):
        raise ChangeError(f"team {team.id!r} exists already", field=f"{field_prefix}.id")
    specialties = edit.ids(SpecialtyRow, "specialty_id")
    for specialty in team.referrals:
        if specialty not in specialties:
            raise ChangeError(
                f"unknown specialty {specialty!r}", field=f"{field_prefix}.referrals.{specialty}"
            )
    edit.table(TeamRow).append(
        TeamRow(
            team_id=team.id,
            name=team.name,
            site_id=site_id,
            hypertension_panel=team.hypertension_panel,
            diabetes_panel=team.diabetes_panel,
            copd_panel=team.copd_panel,
            priority=team.priority,
        )
    )
    # The expected weekly referrals become the trailing history the forecast reads.
    window = edit.data.policy.forecast_window_weeks
    for specialty, mean in sorted(team.referrals.items()):
        counts = _spread(mean, window)
        for k, count in enumerate(counts, start=1):
            edit.table(ReferralRow).append(
                ReferralRow(
                    team_id=team.id,
                    week=shift_week(edit.week, -k),
                    specialty_id=specialty,
                    referrals=count,
                )
            )


def _spread(mean: float, weeks: int) -> list[int]:
    """Whole weekly counts over ``weeks`` whose mean is ``mean`` rounded to 1/weeks."""
    total = math.floor(mean * weeks + 0.5)
    return [total // weeks + (1 if k < total % weeks else 0) for k in range(weeks)]


def _open_site(edit: Edit, change: OpenSite, _: int) -> None:
    site = change.site
    if site.id in edit.ids(SiteRow, "site_id"):
        raise ChangeError(f"site {site.id!r} exists already", field="site.id")
    if site.consortium not in edit.ids(ConsortiumRow, "consortium_id"):
        raise ChangeError(f"unknown consortium {site.consortium!r}", field="site.consortium")
    edit.table(SiteRow).append(
        SiteRow(
            site_id=site.id,
            name=site.name,
            name_en=site.name_en or site.name,
            kind=site.kind,
            consortium_id=site.consortium,
            side=site.side,
            x_km=site.x_km,
            y_km=site.y_km,
            closed_half_days=frozenset(site.closed_half_days),
        )
    )
    for k, team in enumerate(change.teams):
        if team.site not in (None, site.id):
            raise ChangeError("a team of open_site is at the new site", field=f"teams[{k}].site")
        _add_team(edit, team, site.id, f"teams[{k}]")
    specialties = edit.ids(SpecialtyRow, "specialty_id")
    clinic_ids = edit.ids(ClinicRow, "clinic_id")
    for k, clinic in enumerate(change.clinics):
        if clinic.specialty not in specialties:
            raise ChangeError(
                f"unknown specialty {clinic.specialty!r}", field=f"clinics[{k}].specialty"
            )
        clinic_id = f"{site.id}-{clinic.specialty}"
        if clinic_id in clinic_ids:
            raise ChangeError(f"two clinics of {clinic.specialty}", field=f"clinics[{k}].specialty")
        clinic_ids.add(clinic_id)
        edit.table(ClinicRow).append(
            ClinicRow(
                clinic_id=clinic_id,
                site_id=site.id,
                specialty_id=clinic.specialty,
                sessions_per_week=clinic.sessions,
                min_title=clinic.min_title,
                priority=clinic.priority,
            )
        )
    edit.notes.append(
        f"opened {site.id} {site.name} ({site.kind}, {site.side}) with "
        f"{len(change.teams)} teams and {len(change.clinics)} clinics"
    )


def _open_team(edit: Edit, change: OpenTeam, _: int) -> None:
    assert change.team.site is not None
    if change.team.site not in edit.ids(SiteRow, "site_id"):
        raise ChangeError(f"unknown site {change.team.site!r}", field="team.site")
    _add_team(edit, change.team, change.team.site, "team")
    edit.notes.append(f"opened team {change.team.id} at {change.team.site}")


# --------------------------------------------------------------------------- rule parameters


def _max_away_share(edit: Edit, change: MaxAwayShare, _: int) -> None:
    hospitals = edit.ids(HospitalRow, "hospital_id")
    for k, hospital in enumerate(change.hospital):
        if hospital not in hospitals:
            raise ChangeError(f"unknown hospital {hospital!r}", field=f"hospital[{k}]")
    hospital_rows = edit.table(HospitalRow)
    for k, row in enumerate(hospital_rows):
        if not change.hospital or row.hospital_id in change.hospital:
            hospital_rows[k] = dataclasses.replace(row, max_away_share=change.value)
    edit.notes.append(
        f"max_away_share {change.value:g} at {', '.join(change.hospital) or 'every hospital'}"
    )


def _travel_limit(edit: Edit, change: TravelLimit, _: int) -> None:
    edit.data.policy = dataclasses.replace(edit.data.policy, travel_limit_minutes=change.minutes)
    edit.notes.append(f"travel limit {change.minutes} min")


def _midday_gap(edit: Edit, change: MiddayGap, _: int) -> None:
    edit.data.policy = dataclasses.replace(edit.data.policy, midday_gap_minutes=change.minutes)
    edit.notes.append(f"midday gap {change.minutes} min")


def _open_half_days(edit: Edit, change: OpenHalfDays, _: int) -> None:
    edit.data.policy = dataclasses.replace(
        edit.data.policy, open_half_days=tuple(dict.fromkeys(change.half_days))
    )
    edit.notes.append(f"open half-days: {' '.join(change.half_days)}")


def _scale_travel(edit: Edit, change: ScaleTravel, _: int) -> None:
    policy = edit.data.policy
    if change.crossing_only:
        edit.data.policy = dataclasses.replace(
            policy, crossing_multiplier=policy.crossing_multiplier * change.factor
        )
        edit.notes.append(CROSSING_NOTE.format(factor=change.factor))
    else:
        # The formula is linear in these three terms: scaling them scales every trip.
        edit.data.policy = dataclasses.replace(
            policy,
            base_minutes=policy.base_minutes * change.factor,
            minutes_per_km=policy.minutes_per_km * change.factor,
            mountain_crossing_minutes=policy.mountain_crossing_minutes * change.factor,
        )
        edit.notes.append(f"all trips ×{change.factor:g}")


Apply = Callable[[Edit, Any, int], None]
"""How a change type edits the data set: ``apply(edit, change, index)``."""

APPLY: dict[type[BaseModel], Apply] = {
    RemoveDoctors: _remove_doctors,
    AddDoctors: _add_doctors,
    ScaleDemand: _scale_demand,
    Close: _close,
    OpenSite: _open_site,
    OpenTeam: _open_team,
    WeeklyCap: _weekly_cap,
    MaxAwayShare: _max_away_share,
    TravelLimit: _travel_limit,
    MiddayGap: _midday_gap,
    OpenHalfDays: _open_half_days,
    ScaleTravel: _scale_travel,
}
"""Each change type's edit, keyed by its model in ``scheduler.scenarios.spec`` —
the same models as the ``Change`` union (a test says so). Adding one:
docs/dev/adding-a-scenario-change-type.md."""
