"""A doctor's published sessions, and their calendar feed (a token, no key).

The feed is rate-limited per client address with the app's own limiter
(``api.limits``), so this router is built per app: ``doctors_router``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from slowapi import Limiter

from api.data import ServerData
from api.deps import DbEngine, DbSession, Planner, ServerDataDep, Viewer
from api.problems import responses
from api.schemas.doctors import CalendarTokenOut, DoctorAssignments, DoctorWeek
from api.schemas.rosters import Session_
from api.types import Id, WeekQuery, existing_week
from scheduler.io.calendar import doctor_feed
from scheduler.store.errors import NotFound, Unauthenticated
from scheduler.store.keys import calendar_token_valid, create_calendar_token
from scheduler.store.queries import as_assignments, doctor_rows, run_instance

AUTH_ERRORS = (401, 403)


async def doctor_assignments(
    _: Viewer,
    session: DbSession,
    data: ServerDataDep,
    doctor_id: Id,
    week: WeekQuery = None,
    date_from: Annotated[dt.date | None, Query(alias="from")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to")] = None,
) -> DoctorAssignments:
    """A doctor's published sessions: one week, a date range, or all published weeks."""
    first, last = date_from, date_to
    if week is not None:
        monday = existing_week(week)
        first, last = monday, monday + dt.timedelta(days=6)
    _known_doctor(data, doctor_id)
    weeks = [
        DoctorWeek(
            week=found.week,
            version=found.version,
            sessions=[Session_(**values) for values in found.sessions],
        )
        for found in doctor_rows(session, doctor_id, first, last)
    ]
    return DoctorAssignments(doctor_id=doctor_id, weeks=weeks)


def new_calendar_token(
    caller: Planner,
    session: DbSession,
    doctor_id: Id,
    request: Request,
    engine: DbEngine,
    data: ServerDataDep,
) -> CalendarTokenOut:
    """A new calendar feed token for a doctor (the old one stops working)."""
    _known_doctor(data, doctor_id)
    token = create_calendar_token(engine, doctor_id, actor=caller.key_id)
    return CalendarTokenOut(
        doctor_id=doctor_id,
        token=token,
        feed=f"/doctors/{doctor_id}/calendar.ics?token={token}",
    )


def calendar_feed(
    request: Request,
    session: DbSession,
    doctor_id: Id,
    token: Annotated[str, Query(min_length=1, max_length=200)],
) -> Response:
    """The doctor's published sessions as an iCalendar feed (the token is the key)."""
    if not calendar_token_valid(session, doctor_id, token):
        raise Unauthenticated("unknown doctor or calendar token")
    weeks = []
    name = doctor_id
    for found in doctor_rows(session, doctor_id, None, None):
        instance = run_instance(session, found.run_id)
        weeks.append((instance, as_assignments(found.sessions)))
        name = found.sessions[0]["doctor_name"]
    body = doctor_feed(doctor_id, weeks, name=name)
    return Response(body, media_type="text/calendar; charset=utf-8")


def doctors_router(limiter: Limiter, calendar_rate_limit: str) -> APIRouter:
    """The doctor routes, the feed limited to ``calendar_rate_limit`` per address."""
    router = APIRouter(tags=["doctors"])
    read_errors = responses(*AUTH_ERRORS, 404, 422)
    router.get("/doctors/{doctor_id}/assignments", responses=read_errors)(doctor_assignments)
    router.post("/doctors/{doctor_id}/calendar-token", status_code=201, responses=read_errors)(
        new_calendar_token
    )
    feed: dict[int | str, dict[str, Any]] = {
        200: {"content": {"text/calendar": {}}, "description": "iCalendar feed"}
    }
    router.get(
        "/doctors/{doctor_id}/calendar.ics",
        response_class=Response,
        responses={**feed, **responses(401, 422, 429)},
    )(limiter.limit(calendar_rate_limit)(calendar_feed))  # a token guesser's tries: 429
    return router


def _known_doctor(data: ServerData, doctor_id: str) -> None:
    if not data.has_doctor(doctor_id):
        raise NotFound(f"no doctor {doctor_id!r}")
