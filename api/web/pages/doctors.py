"""Doctors: search by name or id, a doctor's week, the calendar-feed link (made by a planner)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Annotated

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import Response

from api.types import Id, WeekQuery
from api.web.deps import PREFIX, SignedIn, planner_form
from api.web.reads import published
from api.web.render import page
from scheduler.domain import Doctor
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
class DoctorView:
    """A doctor's week (``doctor`` None: no such doctor in the published week)."""

    week: str | None
    publication: Publication | None
    doctor: Doctor | None
    hospital: str = ""
    specialty: str = ""
    sessions: list[DoctorSession] = field(default_factory=list)
    feed: str | None = None  # the calendar-feed link just made (shown once)


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
    return page(request, "doctor.html.j2", user, doctor_view(request.app, doctor_id, week))


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
    """The newest published week's doctors whose id (any case) or name holds ``q``."""
    instance = published(app, None).instance
    if instance is None:
        return []
    needle = q.lower()
    found = [
        FoundDoctor(
            id=d.id,
            name=d.name,
            hospital=instance.hospitals[d.hospital_id].name,
            specialty=instance.specialties[d.specialty_id].name,
        )
        for d in sorted(instance.doctors.values(), key=lambda d: d.id)
        if needle in d.id.lower() or q in d.name
    ]
    return found[:MAX_FOUND]


def doctor_view(app: FastAPI, doctor_id: str, week: str | None) -> DoctorView:
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
