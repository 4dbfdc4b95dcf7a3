"""The week: the published roster as a grid, its filters and coverage badges, its Excel export."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from api.types import FilterId, WeekQuery
from api.web.deps import PREFIX, SignedIn
from api.web.reads import published
from api.web.render import page
from scheduler.domain import Consortium, HalfDay, Hospital, Instance, Specialty
from scheduler.io.excel import FixedTimeZipFile, fixed_timestamp, write_table
from scheduler.labels import WEEK_EXPORT_ROWS, WEEK_EXPORT_SHEET
from scheduler.store.queries import RosterFilter, roster_page
from scheduler.store.schema import Publication, PublishedAssignment

router = APIRouter(include_in_schema=False)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cells = dict[str, list[PublishedAssignment]]
"""A grid row's sessions by half-day key (``2026-11-30_AM``)."""


@dataclass(frozen=True)
class Filters:
    """The week's filters: an id each, or "" for all."""

    consortium: str
    hospital: str
    specialty: str


class GridRow(NamedTuple):
    """One row of the grid: a site or a doctor, its name, its sessions by half-day."""

    key: str
    name: str
    cells: Cells


@dataclass(frozen=True)
class Badge:
    """A consortium's coverage of the filtered demand, in per cent."""

    id: str
    name: str
    percent: float


@dataclass(frozen=True)
class WeekView:
    """The week page (and its export): the grid of what the filters keep."""

    week: str | None
    publication: Publication | None
    filters: Filters
    by: str  # "site" or "doctor": what a row of the grid is
    instance: Instance | None = None
    half_days: Sequence[HalfDay] = ()
    rows: list[GridRow] = field(default_factory=list)
    sessions: int = 0
    badges: list[Badge] = field(default_factory=list)
    consortia: list[Consortium] = field(default_factory=list)
    hospitals: list[Hospital] = field(default_factory=list)
    specialties: list[Specialty] = field(default_factory=list)


@router.get(f"{PREFIX}/week")
def week_page(
    request: Request,
    user: SignedIn,
    week: WeekQuery = None,
    consortium: FilterId = "",
    hospital: FilterId = "",
    specialty: FilterId = "",
    by: str = "site",
) -> Response:
    view = week_view(request.app, week, Filters(consortium, hospital, specialty), by)
    return page(request, "week.html.j2", user, view)


@router.get(f"{PREFIX}/week.xlsx")
def week_export(
    request: Request,
    _: SignedIn,
    week: WeekQuery = None,
    consortium: FilterId = "",
    hospital: FilterId = "",
    specialty: FilterId = "",
) -> Response:
    view = week_view(request.app, week, Filters(consortium, hospital, specialty), "site")
    if view.publication is None:
        return Response(status_code=404)
    return Response(
        workbook(view),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="roster-{view.week}.xlsx"'},
    )


def week_view(app: FastAPI, week: str | None, filters: Filters, by: str) -> WeekView:
    """The grid of the week asked (default the newest published) that ``filters`` keep."""
    shown = published(app, week)
    by = "doctor" if by == "doctor" else "site"
    if shown.publication is None or shown.instance is None:
        return WeekView(shown.week, shown.publication, filters, by)
    instance = shown.instance
    where = RosterFilter(
        consortium_id=filters.consortium or None,
        hospital_id=filters.hospital or None,
        specialty_id=filters.specialty or None,
    )
    with app.state.sessions() as session:
        _, rows = roster_page(session, shown.publication, where, 0, 100_000)
    return WeekView(
        shown.week,
        shown.publication,
        filters,
        by,
        instance=instance,
        half_days=list(instance.half_days),
        rows=_grid(instance, rows, by),
        sessions=len(rows),
        badges=_badges(instance, rows, filters),
        consortia=sorted(instance.consortia.values(), key=lambda c: c.id),
        hospitals=sorted(instance.hospitals.values(), key=lambda h: h.id),
        specialties=sorted(instance.specialties.values(), key=lambda s: s.id),
    )


def _grid(instance: Instance, rows: list[PublishedAssignment], by: str) -> list[GridRow]:
    """The grid's rows (sites or doctors, by name), each with its sessions by half-day."""
    grid: dict[str, Cells] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        key = row.site_id if by == "site" else row.doctor_id
        grid[key][f"{row.date.isoformat()}_{row.half_day}"].append(row)
    if by == "site":
        names = {k: instance.sites[k].name for k in grid}
    else:
        names = {k: instance.doctors[k].name for k in grid if k in instance.doctors}
    return [
        GridRow(k, names.get(k, k), grid[k])
        for k in sorted(grid, key=lambda k: (names.get(k, k), k))
    ]


def _badges(instance: Instance, rows: list[PublishedAssignment], filters: Filters) -> list[Badge]:
    """Each consortium's coverage of the demand the filters keep (none for one hospital)."""
    required: Counter[str] = Counter()
    covered: Counter[str] = Counter()
    for item in instance.demand.values():
        site = instance.sites[item.site_id]
        if filters.consortium and site.consortium_id != filters.consortium:
            continue
        if filters.specialty and item.specialty_id != filters.specialty:
            continue
        required[site.consortium_id] += item.sessions
    for row in rows:
        covered[row.consortium_id] += 1
    return [
        Badge(
            id=c,
            name=instance.consortia[c].name,
            percent=round(100 * min(covered[c], required[c]) / required[c], 1),
        )
        for c in sorted(required)
        if required[c] and not filters.hospital
    ]


def workbook(view: WeekView) -> bytes:
    """The grid as an Excel workbook; the same filters give the same bytes."""
    instance = view.instance
    assert instance is not None and view.week is not None
    wb = Workbook()
    ws = wb.active
    ws.title = WEEK_EXPORT_SHEET
    first = WEEK_EXPORT_ROWS["site" if view.by == "site" else "doctor"]
    header = [first] + [h.zh for h in view.half_days]
    body = []
    for _, name, cells in view.rows:
        line = [name]
        for h in view.half_days:
            line.append(
                "\n".join(
                    f"{instance.specialties[r.specialty_id].name} {r.doctor_name}"
                    for r in cells.get(h.key, [])
                )
            )
        body.append(line)
    write_table(ws, header, body)
    stamp = fixed_timestamp(view.week)  # same filters, same bytes
    wb.properties.created = wb.properties.modified = stamp
    buffer = io.BytesIO()
    with FixedTimeZipFile(buffer, stamp) as archive:
        ExcelWriter(wb, archive).save()
    return buffer.getvalue()
