"""Sites: every site of the newest data version, by consortium, with its closed
half-days; a planner sets a site's closed half-days (ticking the half-days the
policy opens), each change a new data version (``api.web.editing``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from api.types import FilterId, FilterIdForm, Id
from api.web.deps import PREFIX, SignedIn
from api.web.editing import (
    BaseForm,
    CellsForm,
    Choice,
    Csrf,
    EditState,
    NoteForm,
    Sent,
    edit_state,
    half_day_choices,
    save,
    ticked,
)
from api.web.reads import newest_data
from api.web.render import page
from scheduler.io.data_edits import RowEdit
from scheduler.io.records import ConsortiumRow, SiteRow

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Named:
    """An id and its name (a filter's option)."""

    id: str
    name: str


@dataclass(frozen=True)
class SiteLine:
    """A site as listed, with the boxes of its form (``form``: the form's id)."""

    id: str
    name: str
    kind: str  # an i18n key
    consortium: str
    closed: frozenset[str]
    choices: list[Choice]
    form: str


@dataclass(frozen=True)
class SitesView:
    """The sites of the newest data version that the consortium filter keeps."""

    base: int  # the data version shown: the forms' base
    consortium: str  # the filter ("" for all)
    consortia: list[Named]
    sites: list[SiteLine]
    edit: EditState = field(default_factory=EditState)


@router.get(f"{PREFIX}/sites")
def sites_page(request: Request, user: SignedIn, consortium: FilterId = "") -> Response:
    view = sites_view(request.app, consortium, edit_state(request))
    return page(request, "sites.html.j2", user, view)


@router.post(f"{PREFIX}/sites/{{site_id}}/closed")
def set_closed(
    request: Request,
    user: SignedIn,
    site_id: Id,
    base: BaseForm,
    csrf: Csrf = "",
    note: NoteForm = "",
    consortium: FilterIdForm = "",
    closed_half_days: CellsForm = [],  # noqa: B006 (FastAPI copies the default)
) -> Response:
    app = request.app
    _, data = newest_data(app)
    site = next((s for s in data.table(SiteRow) if s.site_id == site_id), None)
    choices = half_day_choices(data.policy.open_half_days, site.closed_half_days if site else ())
    cells = {"closed_half_days": ticked(closed_half_days, choices)}
    sent = Sent(f"site-{site_id}", base, note, cells)

    def again(state: EditState, status: int) -> Response:
        view = sites_view(app, consortium, state)
        return page(request, "sites.html.j2", user, view, status_code=status)

    edit = RowEdit("sites.csv", "change", (site_id,), cells)
    back = f"{PREFIX}/sites?consortium={consortium}"
    return save(request, user, csrf, sent, [edit], back=back, again=again)


def sites_view(app: FastAPI, consortium: str, edit: EditState) -> SitesView:
    """The sites of ``consortium`` ("" for all) in the newest data version."""
    base, data = newest_data(app)
    consortia = {c.consortium_id: c.name for c in data.table(ConsortiumRow)}
    opened = data.policy.open_half_days
    sites = [
        SiteLine(
            id=s.site_id,
            name=s.name,
            kind=f"kind_{s.kind}",
            consortium=consortia.get(s.consortium_id, s.consortium_id),
            closed=s.closed_half_days,
            choices=half_day_choices(opened, s.closed_half_days),
            form=f"site-{s.site_id}",
        )
        for s in data.table(SiteRow)
        if consortium in ("", s.consortium_id)
    ]
    named = [Named(k, v) for k, v in sorted(consortia.items())]
    return SitesView(base, consortium, named, sites, edit)
