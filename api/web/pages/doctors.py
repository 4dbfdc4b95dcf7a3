"""Doctors: search by name or id, a doctor's week, the calendar-feed link (made by a
planner), and the doctor's planning data — leave, weekly cap, preferred weekdays —
which a planner changes there (each change a new data version: ``api.web.editing``)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from typing import Annotated

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import Response
from pypinyin import Style, lazy_pinyin

from api.types import Id, WeekQuery
from api.web.deps import PREFIX, SignedIn, User, planner_form
from api.web.editing import (
    BaseForm,
    Bounds,
    CellForm,
    CellsForm,
    Choice,
    Csrf,
    EditState,
    NoteForm,
    Sent,
    bounds,
    edit_state,
    save,
    ticked,
    weekday_choices,
)
from api.web.reads import newest_data, published
from api.web.render import page
from scheduler.domain import Doctor
from scheduler.io.data_edits import RowEdit
from scheduler.io.records import DoctorRow, HospitalRow, LeaveRow, SpecialtyRow
from scheduler.store.keys import create_calendar_token
from scheduler.store.queries import RosterFilter, roster_page
from scheduler.store.schema import Publication

router = APIRouter(include_in_schema=False)

MAX_FOUND = 100
"""The most doctors a search lists."""


@dataclass(frozen=True)
class FoundDoctor:
    """A doctor a search found."""

    id: str
    name: str
    hospital: str
    specialty: str


@dataclass(frozen=True)
class DoctorsView:
    """The search page: what was asked, who was found."""

    q: str
    found: list[FoundDoctor]


@dataclass(frozen=True)
class DoctorSession:
    """One session of a doctor's week: when, at which site, for what, one-way minutes."""

    when: str
    site: str
    item: str
    travel: int


@dataclass(frozen=True)
class Leave:
    """A leave row of the doctor (``form``: the id of its remove form)."""

    start_date: str
    end_date: str
    reason: str
    form: str


@dataclass(frozen=True)
class DoctorData:
    """The doctor's row of the newest data version: what a planner edits here."""

    base: int  # the data version shown: the forms' base
    id: str
    name: str
    weekly_cap: int
    cap: Bounds
    preferred: frozenset[str]
    weekdays: list[Choice]
    leave: list[Leave]


@dataclass(frozen=True)
class DoctorView:
    """A doctor's week (``doctor`` None: no such doctor in the published week) and
    planning data (``data`` None: none in the newest data version)."""

    week: str | None
    publication: Publication | None
    doctor: Doctor | None
    hospital: str = ""
    specialty: str = ""
    sessions: list[DoctorSession] = field(default_factory=list)
    feed: str | None = None  # the calendar-feed link just made (shown once)
    data: DoctorData | None = None
    edit: EditState = field(default_factory=EditState)


@router.get(f"{PREFIX}/doctors")
def doctors_page(
    request: Request, user: SignedIn, q: Annotated[str, Query(max_length=80)] = ""
) -> Response:
    found = find_doctors(request.app, q.strip()) if q.strip() else []
    return page(request, "doctors.html.j2", user, DoctorsView(q, found))


@router.get(f"{PREFIX}/doctors/{{doctor_id}}")
def doctor_page(
    request: Request, user: SignedIn, doctor_id: Id, week: WeekQuery = None
) -> Response:
    view = doctor_view(request.app, doctor_id, week, edit_state(request))
    return page(request, "doctor.html.j2", user, view)


@router.post(f"{PREFIX}/doctors/{{doctor_id}}/feed")
def doctor_feed(
    request: Request, user: SignedIn, doctor_id: Id, csrf: Annotated[str, Form()] = ""
) -> Response:
    view = doctor_view(request.app, doctor_id, None)
    if not planner_form(request, user, csrf):
        return page(request, "doctor.html.j2", user, view, status_code=403)
    token = create_calendar_token(request.app.state.engine, doctor_id, actor=user.key_id)
    feed = str(request.url_for("calendar_feed", doctor_id=doctor_id)) + f"?token={token}"
    return page(request, "doctor.html.j2", user, replace(view, feed=feed))


def find_doctors(app: FastAPI, q: str) -> list[FoundDoctor]:
    """The newest data version's doctors whose id (any case), name, or name's pinyin
    initials (蔡蕾琪: ``clq``) hold ``q``."""
    _, data = newest_data(app)
    hospitals = {r.hospital_id: r.name for r in data.table(HospitalRow)}
    specialties = {r.specialty_id: r.name for r in data.table(SpecialtyRow)}
    needle = q.strip().lower()
    found = [
        FoundDoctor(
            id=d.doctor_id,
            name=d.name,
            hospital=hospitals.get(d.hospital_id, d.hospital_id),
            specialty=specialties.get(d.specialty_id, d.specialty_id),
        )
        for d in sorted(data.table(DoctorRow), key=lambda d: d.doctor_id)
        if needle
        and (needle in d.doctor_id.lower() or needle in d.name or needle in initials(d.name))
    ]
    return found[:MAX_FOUND]


@functools.lru_cache(maxsize=65536)
def initials(name: str) -> str:
    """The pinyin initials of a Chinese name, lower case (蔡蕾琪 → ``clq``)."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()


def doctor_view(
    app: FastAPI, doctor_id: str, week: str | None, edit: EditState | None = None
) -> DoctorView:
    """A doctor's sessions in the week asked (default the newest published), and
    the doctor's planning data with its forms' ``edit`` state."""
    return replace(
        doctor_week(app, doctor_id, week),
        data=doctor_data(app, doctor_id),
        edit=edit or EditState(),
    )


def doctor_week(app: FastAPI, doctor_id: str, week: str | None) -> DoctorView:
    """A doctor's sessions in the week asked (default the newest published)."""
    shown = published(app, week)
    instance = shown.instance
    if instance is None or shown.publication is None or doctor_id not in instance.doctors:
        return DoctorView(shown.week, shown.publication, None)
    doctor = instance.doctors[doctor_id]
    with app.state.sessions() as session:
        _, rows = roster_page(
            session, shown.publication, RosterFilter(doctor_id=doctor_id), 0, 1000
        )
    when = {h.key: h.zh for h in instance.half_days}
    return DoctorView(
        shown.week,
        shown.publication,
        doctor,
        hospital=instance.hospitals[doctor.hospital_id].name,
        specialty=instance.specialties[doctor.specialty_id].name,
        sessions=[
            DoctorSession(
                when=when.get(f"{r.date.isoformat()}_{r.half_day}", str(r.date)),
                site=r.site_name,
                item=instance.demand[r.item_id].name if r.item_id in instance.demand else r.item_id,
                travel=r.travel_minutes,
            )
            for r in rows
        ],
    )


def doctor_data(app: FastAPI, doctor_id: str) -> DoctorData | None:
    """The doctor's row and leave in the newest data version (None: no such doctor)."""
    base, data = newest_data(app)
    row = next((d for d in data.table(DoctorRow) if d.doctor_id == doctor_id), None)
    if row is None:
        return None
    leave = [r for r in data.table(LeaveRow) if r.doctor_id == doctor_id]
    return DoctorData(
        base=base,
        id=row.doctor_id,
        name=row.name,
        weekly_cap=row.weekly_cap,
        cap=bounds("doctors.csv", "weekly_cap"),
        preferred=row.preferred_weekdays,
        weekdays=weekday_choices(data.policy.open_half_days, row.preferred_weekdays),
        leave=[
            Leave(str(r.start_date), str(r.end_date), r.reason, f"remove-{k}")
            for k, r in enumerate(sorted(leave, key=lambda r: (r.start_date, r.end_date)))
        ],
    )


# --------------------------------------------------------------------------- a planner's edits


@router.post(f"{PREFIX}/doctors/{{doctor_id}}/leave")
def add_leave(
    request: Request,
    user: SignedIn,
    doctor_id: Id,
    base: BaseForm,
    csrf: Csrf = "",
    note: NoteForm = "",
    start_date: CellForm = "",
    end_date: CellForm = "",
    reason: CellForm = "",
) -> Response:
    cells = {
        "start_date": start_date.strip(),
        "end_date": end_date.strip(),
        "reason": reason.strip(),
    }
    sent = Sent("leave", base, note, cells)
    edit = RowEdit("leave.csv", "add", cells={"doctor_id": doctor_id, **cells})
    return _save(request, user, doctor_id, csrf, sent, edit)


@router.post(f"{PREFIX}/doctors/{{doctor_id}}/leave/remove")
def remove_leave(
    request: Request,
    user: SignedIn,
    doctor_id: Id,
    base: BaseForm,
    csrf: Csrf = "",
    note: NoteForm = "",
    which: Annotated[str, Form(pattern=r"^remove-[0-9]{1,5}$")] = "remove-0",
    start_date: CellForm = "",
    end_date: CellForm = "",
    reason: CellForm = "",
) -> Response:
    key = (doctor_id, start_date, end_date, reason)  # leave.csv has no key: every column
    sent = Sent(which, base, note, {"start_date": start_date, "end_date": end_date})
    return _save(request, user, doctor_id, csrf, sent, RowEdit("leave.csv", "remove", key))


@router.post(f"{PREFIX}/doctors/{{doctor_id}}/cap")
def change_cap(
    request: Request,
    user: SignedIn,
    doctor_id: Id,
    base: BaseForm,
    csrf: Csrf = "",
    note: NoteForm = "",
    weekly_cap: CellForm = "",
    preferred_weekdays: CellsForm = [],  # noqa: B006 (FastAPI copies the default)
) -> Response:
    data = doctor_data(request.app, doctor_id)
    days = ticked(preferred_weekdays, data.weekdays if data else [])
    cells = {"weekly_cap": weekly_cap.strip(), "preferred_weekdays": days}
    sent = Sent("cap", base, note, cells)
    return _save(
        request, user, doctor_id, csrf, sent, RowEdit("doctors.csv", "change", (doctor_id,), cells)
    )


def _save(
    request: Request, user: User, doctor_id: str, csrf: str, sent: Sent, edit: RowEdit
) -> Response:
    def again(state: EditState, status: int) -> Response:
        view = doctor_view(request.app, doctor_id, None, state)
        return page(request, "doctor.html.j2", user, view, status_code=status)

    back = f"{PREFIX}/doctors/{doctor_id}"
    return save(request, user, csrf, sent, [edit], back=back, again=again)
