"""Demand: the grassroots clinics and joint departments of the newest data version,
by consortium, with sessions per week, minimum title and priority; a planner
changes them, each change a new data version (``api.web.editing``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from api.types import FilterId, FilterIdForm, Id
from api.web.deps import PREFIX, SignedIn
from api.web.editing import (
    BaseForm,
    Bounds,
    CellForm,
    Choice,
    Csrf,
    EditState,
    NoteForm,
    Sent,
    bounds,
    edit_state,
    save,
)
from api.web.pages.sites import Named
from api.web.reads import newest_data
from api.web.render import page
from scheduler.domain import Title
from scheduler.io.data_edits import RowEdit
from scheduler.io.load import DataSet
from scheduler.io.records import ClinicRow, ConsortiumRow, DepartmentRow, SiteRow, SpecialtyRow
from scheduler.labels import TITLE_ZH

router = APIRouter(include_in_schema=False)

Kind = Literal["clinics", "departments"]
"""What a demand item is, as its file is named (``clinics.csv``, ``departments.csv``)."""


@dataclass(frozen=True)
class Item:
    """A demand item as listed (``form``: its form's id)."""

    kind: Kind
    id: str
    site: str
    specialty: str
    sessions_per_week: int
    min_title: str
    priority: int
    form: str


@dataclass(frozen=True)
class DemandView:
    """The clinics and departments whose site the consortium filter keeps."""

    base: int  # the data version shown: the forms' base
    consortium: str  # the filter ("" for all)
    consortia: list[Named]
    items: dict[Kind, list[Item]]
    titles: list[Choice]
    sessions: Bounds
    priority: Bounds
    edit: EditState = field(default_factory=EditState)


@router.get(f"{PREFIX}/demand")
def demand_page(request: Request, user: SignedIn, consortium: FilterId = "") -> Response:
    view = demand_view(request.app, consortium, edit_state(request))
    return page(request, "demand.html.j2", user, view)


@router.post(f"{PREFIX}/demand/{{kind}}/{{item_id}}")
def change_item(
    request: Request,
    user: SignedIn,
    kind: Kind,
    item_id: Id,
    base: BaseForm,
    csrf: Csrf = "",
    note: NoteForm = "",
    consortium: FilterIdForm = "",
    sessions_per_week: CellForm = "",
    min_title: CellForm = "",
    priority: CellForm = "",
) -> Response:
    cells = {
        "sessions_per_week": sessions_per_week.strip(),
        "min_title": min_title.strip(),
        "priority": priority.strip(),
    }
    sent = Sent(f"{kind}-{item_id}", base, note, cells)

    def again(state: EditState, status: int) -> Response:
        view = demand_view(request.app, consortium, state)
        return page(request, "demand.html.j2", user, view, status_code=status)

    edit = RowEdit(f"{kind}.csv", "change", (item_id,), cells)
    back = f"{PREFIX}/demand?consortium={consortium}"
    return save(request, user, csrf, sent, [edit], back=back, again=again)


def demand_view(app: FastAPI, consortium: str, edit: EditState) -> DemandView:
    """The demand items at the sites of ``consortium`` ("" for all), newest data version."""
    base, data = newest_data(app)
    consortia = {c.consortium_id: c.name for c in data.table(ConsortiumRow)}
    return DemandView(
        base,
        consortium,
        [Named(k, v) for k, v in sorted(consortia.items())],
        items=_items(data, consortium),
        titles=[Choice(t.code, TITLE_ZH[t.code]) for t in Title],
        sessions=bounds("clinics.csv", "sessions_per_week"),
        priority=bounds("clinics.csv", "priority"),
        edit=edit,
    )


def _items(data: DataSet, consortium: str) -> dict[Kind, list[Item]]:
    sites = {s.site_id: s for s in data.table(SiteRow)}
    specialties = {s.specialty_id: s.name for s in data.table(SpecialtyRow)}

    def kept(site_id: str) -> bool:
        return consortium in ("", sites[site_id].consortium_id)

    clinics = [
        Item(
            "clinics",
            c.clinic_id,
            sites[c.site_id].name,
            specialties[c.specialty_id],
            c.sessions_per_week,
            c.min_title,
            c.priority,
            f"clinics-{c.clinic_id}",
        )
        for c in data.table(ClinicRow)
        if kept(c.site_id)
    ]
    departments = [
        Item(
            "departments",
            d.department_id,
            sites[d.site_id].name,
            specialties[d.specialty_id],
            d.sessions_per_week,
            d.min_title,
            d.priority,
            f"departments-{d.department_id}",
        )
        for d in data.table(DepartmentRow)
        if kept(d.site_id)
    ]
    return {"clinics": clinics, "departments": departments}
