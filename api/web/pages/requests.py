"""Leave requests: a hospital's secretary asks for leave for the hospital's doctors,
a planner approves (the leave becomes the next data version) or rejects (saying
why); an approved request whose days fall in a published week offers the repair
of that week — previewed first, then published exactly as shown.

Thin over the engine, as the API is (``api.routers.requests``, ``.repairs``):
``submit_request``, ``approve_request``, ``reject_request`` and
``repair_week(preview=True)``, then the same repair with ``version`` set to the
previewed one (deterministic: what was shown is what is published; a week that
moved on meanwhile is a 409, said in words). A secretary sees only the
hospital's requests and doctors (another hospital's doctor: 403; request: 404);
a viewer's key may not use this page (403, as ``GET /requests`` refuses it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.types import CanonicalWeek, Id, WeekForm
from api.web.deps import PREFIX, SignedIn, User, require_csrf, require_planner
from api.web.editing import Csrf, NoteForm
from api.web.i18n import translate
from api.web.reads import leave_request, leave_requests, newest_data, published
from api.web.render import language_of, page
from scheduler.errors import InputError
from scheduler.io.records import DoctorRow, HospitalRow
from scheduler.model.params import SolverParams
from scheduler.repair.run import AbsenceRequest, RepairOutcome, repair_week
from scheduler.store.data_requests import (
    PENDING,
    LeaveRequest,
    approve_request,
    reject_request,
    submit_request,
)
from scheduler.store.errors import Conflict, NotFound
from scheduler.store.schema import MAX_VERSION

router = APIRouter(include_in_schema=False)

FLASH = "requests_flash"
"""The session key of the message shown once after a form of this page."""
SUBMIT = "submit"
"""The submit form's name in ``errors``."""
FIELDS = ("doctor_id", "start_date", "end_date", "reason")
ENGINE_FIELD = {"doctor_id": "doctor_id", "start": "start_date", "end": "end_date"}
"""The engine's field names (``submit_request``'s ``InputError.field``) → the form's."""

TextForm = Annotated[str, Form(max_length=200)]
VersionForm = Annotated[int, Form(ge=1, le=MAX_VERSION)]


@dataclass(frozen=True)
class Named:
    """An id and its name (an option of the doctor select)."""

    id: str
    name: str


@dataclass(frozen=True)
class RequestLine:
    """A request as listed, with its doctor's and hospital's names."""

    request: LeaveRequest
    doctor: str
    hospital: str


@dataclass(frozen=True)
class RequestsView:
    """The requests the reader may see, the submit form, and what just happened."""

    doctors: list[Named]  # the submit form's choice (a secretary: the hospital's)
    pending: list[RequestLine]
    decided: list[RequestLine]
    planner: bool
    notice: str = ""  # an i18n key, shown once
    approved: int | None = None  # the data version an approval just made
    sent: Mapping[str, str] = field(default_factory=dict)  # the submit form, refilled
    errors: Mapping[str, str] = field(default_factory=dict)  # "<form>-<field>" → message
    conflict: str = ""


@dataclass(frozen=True)
class ChangeRow:
    """One change of a repair, as the API's diff lists it, with names."""

    kind: str
    half_day: str
    site: str
    doctor: str
    previous: str


@dataclass(frozen=True)
class RepairView:
    """The repair of ``week`` for an approved request: previewed, not yet published."""

    leave: LeaveRequest
    doctor: str
    week: str
    base: int  # the published version repaired
    version: int  # the version it becomes once published
    changes: list[ChangeRow]
    conflict: tuple[int, int] | None = None  # (previewed, newest): the week moved on


def scope_of(user: User) -> str | None:
    """The hospital a secretary acts for; None for a planner (all hospitals)."""
    if not user.may("hospital"):
        raise HTTPException(403, "a hospital secretary's or a planner's key is needed")
    return None if user.may("planner") else (user.hospital_id or "")


@router.get(f"{PREFIX}/requests")
def requests_page(request: Request, user: SignedIn) -> Response:
    flash = request.session.pop(FLASH, None)
    flash = flash if isinstance(flash, dict) else {}
    view = requests_view(request.app, user, notice=str(flash.get("notice", "")))
    if isinstance(flash.get("approved"), int):
        view = _with(view, approved=flash["approved"])
    return page(request, "requests.html.j2", user, view)


@router.post(f"{PREFIX}/requests")
def submit(
    request: Request,
    user: SignedIn,
    csrf: Csrf = "",
    doctor_id: TextForm = "",
    start_date: TextForm = "",
    end_date: TextForm = "",
    reason: TextForm = "",
) -> Response:
    scope = scope_of(user)
    require_csrf(request, csrf)
    sent = dict(zip(FIELDS, (doctor_id, start_date, end_date, reason), strict=True))
    lang = language_of(request)
    try:
        start, end = _date(start_date, "start_date"), _date(end_date, "end_date")
        if not reason.strip():
            raise InputError(translate(lang, "leave_reason"), field="reason")
        _, data = newest_data(request.app)
        submit_request(
            request.app.state.engine,
            data,
            doctor_id=doctor_id,
            start=start,
            end=end,
            reason=reason.strip(),
            actor=user.name,
            scope=scope,
            file="form",
        )
    except InputError as exc:
        name = ENGINE_FIELD.get(exc.field or "", exc.field or "doctor_id")
        errors = {f"{SUBMIT}-{name}": str(exc)}
        view = _with(requests_view(request.app, user), sent=sent, errors=errors)
        return page(request, "requests.html.j2", user, view, status_code=422)
    request.session[FLASH] = {"notice": "request_sent"}
    return RedirectResponse(f"{PREFIX}/requests", status_code=303)


@router.post(f"{PREFIX}/requests/{{request_id}}/approve")
def approve(
    request: Request, user: SignedIn, request_id: Id, csrf: Csrf = "", note: NoteForm = ""
) -> Response:
    require_planner(request, user, csrf, "a planner's key is needed to decide a request")
    try:
        _, version, _ = approve_request(
            request.app.state.engine, request_id, actor=user.name, note=note.strip() or None
        )
    except Conflict:
        return _decided_meanwhile(request, user)
    request.session[FLASH] = {"notice": "request_approved", "approved": version}
    return RedirectResponse(f"{PREFIX}/requests#req-{request_id}", status_code=303)


@router.post(f"{PREFIX}/requests/{{request_id}}/reject")
def reject(
    request: Request, user: SignedIn, request_id: Id, csrf: Csrf = "", note: NoteForm = ""
) -> Response:
    require_planner(request, user, csrf, "a planner's key is needed to decide a request")
    if not note.strip():
        words = translate(language_of(request), "reject_note_required")
        view = _with(requests_view(request.app, user), errors={f"reject-{request_id}-note": words})
        return page(request, "requests.html.j2", user, view, status_code=422)
    try:
        reject_request(request.app.state.engine, request_id, actor=user.name, note=note.strip())
    except Conflict:
        return _decided_meanwhile(request, user)
    request.session[FLASH] = {"notice": "request_rejected"}
    return RedirectResponse(f"{PREFIX}/requests#req-{request_id}", status_code=303)


@router.get(f"{PREFIX}/requests/{{request_id}}/repair")
def repair_preview(
    request: Request,
    user: SignedIn,
    request_id: Id,
    week: Annotated[str, Query(max_length=20), CanonicalWeek],
) -> Response:
    if not user.may("planner"):
        raise HTTPException(403, "a planner's key is needed to repair a week")
    found = _approved_in(request.app, request_id, week)
    outcome = _repair(request, user, found, week, version=None)
    return page(request, "repair.html.j2", user, repair_view(request.app, found, outcome))


@router.post(f"{PREFIX}/requests/{{request_id}}/repair")
def repair_publish(
    request: Request,
    user: SignedIn,
    request_id: Id,
    week: WeekForm,
    version: VersionForm,
    csrf: Csrf = "",
) -> Response:
    require_planner(request, user, csrf, "a planner's key is needed to repair a week")
    found = _approved_in(request.app, request_id, week)
    try:
        _repair(request, user, found, week, version=version)
    except Conflict:
        outcome = _repair(request, user, found, week, version=None)  # on the newest
        view = repair_view(request.app, found, outcome)
        view = RepairView(**{**view.__dict__, "conflict": (version, outcome.repaired_version)})
        return page(request, "repair.html.j2", user, view, status_code=409)
    return RedirectResponse(f"{PREFIX}/week?week={week}", status_code=303)


def requests_view(app: FastAPI, user: User, *, notice: str = "") -> RequestsView:
    """The requests ``user`` may see (a secretary: the hospital's), newest data's names."""
    scope = scope_of(user)
    _, data = newest_data(app)
    doctors = {d.doctor_id: d for d in data.table(DoctorRow)}
    hospitals = {h.hospital_id: h.name for h in data.table(HospitalRow)}
    lines = [
        RequestLine(
            r,
            doctors[r.doctor_id].name if r.doctor_id in doctors else r.doctor_id,
            hospitals.get(r.hospital_id, r.hospital_id),
        )
        for r in leave_requests(app, scope)
    ]
    choice = [
        Named(d.doctor_id, d.name)
        for d in doctors.values()
        if scope is None or d.hospital_id == scope
    ]
    return RequestsView(
        doctors=choice,
        pending=[line for line in lines if line.request.status == PENDING],
        decided=[line for line in reversed(lines) if line.request.status != PENDING],
        planner=user.may("planner"),
        notice=notice,
    )


def repair_view(app: FastAPI, found: LeaveRequest, outcome: RepairOutcome) -> RepairView:
    """A repair's changes with the names of half-days, sites and doctors."""
    instance = outcome.instance
    when = {h.key: h.zh for h in instance.half_days}

    def who(doctor_id: str | None) -> str:
        if doctor_id is None:
            return ""
        doctor = instance.doctors.get(doctor_id)
        return f"{doctor.name} {doctor_id}" if doctor is not None else doctor_id

    rows = [
        ChangeRow(
            kind=c.kind,
            half_day=when.get(c.half_day, c.half_day),
            site=instance.sites[c.site_id].name if c.site_id in instance.sites else c.site_id,
            doctor=who(c.doctor_id),
            previous=who(c.previous_doctor_id),
        )
        for c in outcome.changes
    ]
    return RepairView(
        found, who(found.doctor_id), outcome.week, outcome.repaired_version, outcome.version, rows
    )


def _repair(
    request: Request, user: User, found: LeaveRequest, week: str, *, version: int | None
) -> RepairOutcome:
    """The repair of ``week`` for ``found``'s absence: previewed (``version`` None,
    on the newest published version) or published on ``version``."""
    settings = request.app.state.settings
    absence = AbsenceRequest(
        found.doctor_id, found.start_date.isoformat(), found.end_date.isoformat()
    )
    return repair_week(
        request.app.state.engine,
        week,
        [absence],
        out_root=Path(settings.runs_dir) / "repairs",
        actor=user.key_id,
        version=version,
        note=f"leave request {found.id[:8]}",
        params=SolverParams(
            workers=settings.solve_workers,
            time_limit_per_level=settings.solve_time_limit,
            deterministic_time_per_level=settings.solve_dtime,
        ),
        file="form",
        preview=version is None,
    )


def _approved_in(app: FastAPI, request_id: str, week: str) -> LeaveRequest:
    """The approved request ``request_id`` whose days fall in published ``week``."""
    found = leave_request(app, request_id, None)
    if found.status != "approved" or week not in found.published_weeks:
        raise NotFound(f"request {request_id} is not an approved leave in published week {week}")
    if published(app, week).publication is None:
        raise NotFound(f"week {week} has no published roster")
    return found


def _decided_meanwhile(request: Request, user: User) -> Response:
    words = translate(language_of(request), "request_decided")
    view = _with(requests_view(request.app, user), conflict=words)
    return page(request, "requests.html.j2", user, view, status_code=409)


def _date(text: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a date (YYYY-MM-DD)", field=name) from None


def _with(view: RequestsView, **changed: object) -> RequestsView:
    return RequestsView(**{**view.__dict__, **changed})  # type: ignore[arg-type]
