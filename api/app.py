"""The HTTP API (FastAPI), thin over ``scheduler``: published rosters, a doctor's
assignments and calendar feed, unmet demand, KPIs, reference data, runs,
publishing and keys. OpenAPI at ``/docs``; errors are problem+json.

``create_app(settings)`` builds the app; ``roster serve`` runs it with uvicorn.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import FastAPI, Path, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from api.auth import Admin, DbSession, Planner, Viewer
from api.jobs import Jobs
from api.limits import install_limits
from api.logs import redact_secrets_in_logs
from api.problems import install, responses
from api.ready import install_readiness
from api.repairs import install_repair_routes
from api.scenarios import install_scenario_routes
from api.settings import ApiSettings
from api.types import Id, OptionalId, Week, WeekField, WeekQuery
from api.web import install_console
from scheduler.errors import InputError
from scheduler.io.calendar import doctor_feed
from scheduler.io.load import load_dataset
from scheduler.store.engine import open_database
from scheduler.store.errors import Invalid, NotFound, Unauthenticated
from scheduler.store.keys import (
    Caller,
    calendar_token_valid,
    create_calendar_token,
    create_key,
    list_keys,
    revoke_key,
)
from scheduler.store.queries import (
    RosterFilter,
    as_assignments,
    doctor_rows,
    roster_page,
    run_instance,
    week_run,
    week_unmet,
)
from scheduler.store.runs import publish, published_version
from scheduler.store.schema import ASSIGNMENT_FIELDS, MAX_VERSION, RunKind, SolveRun
from scheduler.week import week_monday

Version = Annotated[
    int | None, Query(ge=1, le=MAX_VERSION, description="Published version (default newest)")
]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Limit = Annotated[int, Query(ge=1, le=1000)]
AUTH_ERRORS = (401, 403)


class Health(BaseModel):
    status: str


class Session_(BaseModel):
    """One session of a published roster."""

    doctor_id: str
    doctor_name: str
    hospital_id: str
    date: dt.date
    half_day: str = Field(description="AM | PM")
    site_id: str
    site_name: str
    consortium_id: str
    item_id: str
    kind: str
    specialty_id: str
    travel_minutes: int


class RosterPage(BaseModel):
    week: str
    version: int
    total: int
    offset: int
    limit: int
    items: list[Session_]


class DoctorWeek(BaseModel):
    week: str
    version: int
    sessions: list[Session_]


class DoctorAssignments(BaseModel):
    doctor_id: str
    weeks: list[DoctorWeek]


class Unmet(BaseModel):
    item_id: str
    kind: str
    site_id: str
    site_name: str
    consortium_id: str
    specialty_id: str
    sessions: int
    missing: int
    reason_code: str
    reason: str


class UnmetList(BaseModel):
    week: str
    version: int
    total_missing: int
    items: list[Unmet]


class Kpis(BaseModel):
    week: str
    version: int
    run_id: str
    kpis: dict[str, Any]


class Published(BaseModel):
    week: str
    version: int
    run_id: str
    sessions: int
    published_at: dt.datetime
    published_by: str


class PublishRequest(BaseModel):
    note: str | None = Field(default=None, max_length=2000)


class RunSummary(BaseModel):
    id: str
    week: str
    status: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    coverage: float | None
    levels: list[dict[str, Any]]


class SolveRequest(BaseModel):
    week: WeekField
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class SolveJob(BaseModel):
    """A solve job (a run): status, progress while it runs, levels when done."""

    id: str
    week: str
    status: str = Field(description="queued | running | succeeded | failed | cancelled")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    progress: dict[str, Any] | None = Field(
        description=(
            "While running: parts_done / parts_total; level, value and bound of the level "
            "last reported (value and bound of that part); parts_done_levels: each level's "
            "value and bound summed over the parts done so far"
        )
    )
    levels: list[dict[str, Any]]
    coverage: float | None
    error: str | None


class CalendarTokenOut(BaseModel):
    doctor_id: str
    token: str
    feed: str = Field(description="Subscribable URL path of the doctor's calendar feed")


class KeyRequest(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(pattern="^(viewer|planner|admin)$")


class KeyCreated(BaseModel):
    id: str
    name: str
    role: str
    key: str = Field(description="Shown once; only its hash is stored")


class KeyInfo(BaseModel):
    id: str
    name: str
    role: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


REFERENCE_FILES = {
    "hospitals": "hospitals.csv",
    "specialties": "specialties.csv",
    "consortia": "consortia.csv",
    "sites": "sites.csv",
    "doctors": "doctors.csv",
    "teams": "teams.csv",
}


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """The API over ``settings.database_url`` and ``settings.data_dir``."""
    settings = settings or ApiSettings()

    engine = open_database(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Long-lived objects (modules, the data set) out of the collector's way,
        # so that full collections during requests have less to traverse.
        gc.collect()
        gc.freeze()
        yield
        engine.dispose()

    app = FastAPI(
        title="Consortium roster API",
        version="1.0",
        description="Published specialist rosters of the consortium; keys in header X-API-Key.",
        lifespan=lifespan,
    )
    install(app)
    limiter = install_limits(app, settings)  # body size; rate limits of the guessable doors
    redact_secrets_in_logs()  # no calendar token or API key in the access log
    app.state.settings = settings
    app.state.engine = engine
    # Request sessions read in autocommit: every read is one consistent statement
    # (published versions never change), and PostgreSQL is spared the BEGIN and
    # ROLLBACK round trips of a transaction per request. Writes use transaction().
    app.state.sessions = sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
    )
    app.state.reference = None
    app.state.jobs = Jobs(engine, settings)  # jobs run in `roster worker` processes

    @app.get("/health", tags=["service"])
    def health() -> Health:
        """Liveness (no key needed)."""
        return Health(status="ok")

    install_readiness(app)  # GET /ready: the database, the job queue

    @app.get("/weeks/{week}/roster", tags=["rosters"], responses=responses(*AUTH_ERRORS, 404, 422))
    def week_roster(
        _: Viewer,
        session: DbSession,
        week: Week,
        version: Version = None,
        site: OptionalId = None,
        hospital: OptionalId = None,
        consortium: OptionalId = None,
        specialty: OptionalId = None,
        doctor: OptionalId = None,
        date: dt.date | None = None,
        offset: Offset = 0,
        limit: Limit = 100,
    ) -> RosterPage:
        """A week's published roster, filtered and paginated."""
        where = RosterFilter(site, hospital, consortium, specialty, doctor, date)
        return _page(session, week, version, where, offset, limit)

    @app.get(
        "/weeks/{week}/sites/{site_id}/roster",
        tags=["rosters"],
        responses=responses(*AUTH_ERRORS, 404, 422),
    )
    def site_roster(
        _: Viewer,
        session: DbSession,
        week: Week,
        site_id: Id,
        version: Version = None,
        offset: Offset = 0,
        limit: Limit = 100,
    ) -> RosterPage:
        """The published sessions at one site."""
        return _page(session, week, version, RosterFilter(site_id=site_id), offset, limit)

    @app.get(
        "/weeks/{week}/hospitals/{hospital_id}/roster",
        tags=["rosters"],
        responses=responses(*AUTH_ERRORS, 404, 422),
    )
    def hospital_roster(
        _: Viewer,
        session: DbSession,
        week: Week,
        hospital_id: Id,
        version: Version = None,
        offset: Offset = 0,
        limit: Limit = 100,
    ) -> RosterPage:
        """The published sessions of one hospital's doctors."""
        where = RosterFilter(hospital_id=hospital_id)
        return _page(session, week, version, where, offset, limit)

    @app.get("/weeks/{week}/unmet", tags=["rosters"], responses=responses(*AUTH_ERRORS, 404, 422))
    def unmet(_: Viewer, session: DbSession, week: Week, version: Version = None) -> UnmetList:
        """Unmet demand of the published roster, with the reason for each item."""
        _check_week(week)
        publication, rows = week_unmet(session, week, version)
        items = [Unmet.model_validate(r, from_attributes=True) for r in rows]
        return UnmetList(
            week=week,
            version=publication.version,
            total_missing=sum(u.missing for u in items),
            items=items,
        )

    @app.get("/weeks/{week}/kpis", tags=["rosters"], responses=responses(*AUTH_ERRORS, 404, 422))
    def kpis(_: Viewer, session: DbSession, week: Week, version: Version = None) -> Kpis:
        """KPIs of the published roster (coverage, load, travel, continuity)."""
        _check_week(week)
        publication, run = week_run(session, week, version)
        return Kpis(week=week, version=publication.version, run_id=run.id, kpis=run.kpis or {})

    @app.get(
        "/doctors/{doctor_id}/assignments",
        tags=["doctors"],
        responses=responses(*AUTH_ERRORS, 404, 422),
    )
    async def doctor_assignments(
        _: Viewer,
        session: DbSession,
        doctor_id: Id,
        week: WeekQuery = None,
        date_from: Annotated[dt.date | None, Query(alias="from")] = None,
        date_to: Annotated[dt.date | None, Query(alias="to")] = None,
    ) -> DoctorAssignments:
        """A doctor's published sessions: one week, a date range, or all published weeks."""
        first, last = date_from, date_to
        if week is not None:
            monday = _check_week(week)
            first, last = monday, monday + dt.timedelta(days=6)
        _known_doctor(app, doctor_id)
        weeks = [
            DoctorWeek(
                week=found.week,
                version=found.version,
                sessions=[Session_(**values) for values in found.sessions],
            )
            for found in doctor_rows(session, doctor_id, first, last)
        ]
        return DoctorAssignments(doctor_id=doctor_id, weeks=weeks)

    @app.post(
        "/doctors/{doctor_id}/calendar-token",
        tags=["doctors"],
        status_code=201,
        responses=responses(*AUTH_ERRORS, 404, 422),
    )
    def new_calendar_token(
        caller: Planner, session: DbSession, doctor_id: Id, request: Request
    ) -> CalendarTokenOut:
        """A new calendar feed token for a doctor (the old one stops working)."""
        _known_doctor(app, doctor_id)
        token = create_calendar_token(app.state.engine, doctor_id, actor=caller.key_id)
        return CalendarTokenOut(
            doctor_id=doctor_id,
            token=token,
            feed=f"/doctors/{doctor_id}/calendar.ics?token={token}",
        )

    @app.get(
        "/doctors/{doctor_id}/calendar.ics",
        tags=["doctors"],
        response_class=Response,
        responses={
            200: {"content": {"text/calendar": {}}, "description": "iCalendar feed"},
            **responses(401, 422, 429),
        },
    )
    @limiter.limit(settings.calendar_rate_limit)  # a token guesser's tries per address: 429
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

    @app.get(
        "/reference/{kind}",
        tags=["reference"],
        responses=responses(*AUTH_ERRORS, 404, 422),
    )
    def reference(
        _: Viewer,
        kind: Annotated[
            str, Path(pattern="^(hospitals|specialties|consortia|sites|doctors|teams)$")
        ],
    ) -> list[dict[str, Any]]:
        """Reference data of the current data set: hospitals, specialties, consortia,
        sites, doctors, teams."""
        rows = _reference(app)[REFERENCE_FILES[kind]]
        return [{k: _plain(v) for k, v in row.items()} for row in rows]

    @app.get("/runs", tags=["runs"], responses=responses(*AUTH_ERRORS, 422))
    def runs(
        _: Viewer,
        session: DbSession,
        week: WeekQuery = None,
        limit: Limit = 50,
    ) -> list[RunSummary]:
        """Solve runs, newest first."""
        query = (
            select(SolveRun)
            .where(SolveRun.kind.in_(RunKind.ROSTERS))
            .order_by(SolveRun.created_at.desc(), SolveRun.id)
            .limit(limit)
        )
        if week is not None:
            query = query.where(SolveRun.week == week)
        return [_run_summary(r) for r in session.scalars(query)]

    @app.post(
        "/runs/{run_id}/publish",
        tags=["runs"],
        status_code=201,
        responses=responses(400, *AUTH_ERRORS, 404, 409, 422),
    )
    def publish_run(caller: Planner, run_id: Id, body: PublishRequest | None = None) -> Published:
        """Publish a succeeded run as the next version of its week (one transaction)."""
        return _publish(app, caller, run_id, body)

    @app.get(
        "/weeks/{week}/publication", tags=["rosters"], responses=responses(*AUTH_ERRORS, 404, 422)
    )
    def publication(
        _: Viewer, session: DbSession, week: Week, version: Version = None
    ) -> Published:
        """The newest (or given) published version of a week."""
        _check_week(week)
        return Published.model_validate(
            published_version(session, week, version), from_attributes=True
        )

    @app.post(
        "/solves",
        tags=["solves"],
        status_code=202,
        responses=responses(400, *AUTH_ERRORS, 422, 429),
    )
    def start_solve(caller: Planner, body: SolveRequest, response: Response) -> SolveJob:
        """Start solving a week; poll the job, then publish it. A worker (``roster worker``)
        runs it; 429 when the key or the week already has the most unfinished jobs allowed."""
        _check_week(body.week, status=422)
        run_id = app.state.jobs.submit(body.week, {"seed": body.seed}, created_by=caller.key_id)
        response.headers["Location"] = f"/solves/{run_id}"
        return _job(app, run_id)

    @app.get("/solves/{run_id}", tags=["solves"], responses=responses(*AUTH_ERRORS, 404, 422))
    def solve_status(_: Viewer, run_id: Id) -> SolveJob:
        """A solve job: status, current level with objective and bound, levels when done."""
        return _job(app, run_id)

    @app.delete("/solves/{run_id}", tags=["solves"], responses=responses(*AUTH_ERRORS, 404, 422))
    def cancel_solve(_: Planner, run_id: Id) -> SolveJob:
        """Cancel a queued or running solve job (a finished one is left as it is)."""
        _job(app, run_id)  # 404 for anything but a solve job
        app.state.jobs.cancel(run_id)
        return _job(app, run_id)

    @app.post(
        "/solves/{run_id}/publish",
        tags=["solves"],
        status_code=201,
        responses=responses(400, *AUTH_ERRORS, 404, 409, 422),
    )
    def publish_solve(caller: Planner, run_id: Id, body: PublishRequest | None = None) -> Published:
        """Publish a finished solve job as the next version of its week."""
        return _publish(app, caller, run_id, body)

    @app.post("/keys", tags=["keys"], status_code=201, responses=responses(400, *AUTH_ERRORS, 422))
    def new_key(caller: Admin, body: KeyRequest) -> KeyCreated:
        """Create an API key (admin)."""
        key = create_key(app.state.engine, body.name, body.role, actor=caller.key_id)
        return KeyCreated(id=key.split("_")[1], name=body.name, role=body.role, key=key)

    @app.get("/keys", tags=["keys"], responses=responses(*AUTH_ERRORS))
    def keys(_: Admin, session: DbSession) -> list[KeyInfo]:
        """Every key, without secrets (admin)."""
        return [KeyInfo.model_validate(k, from_attributes=True) for k in list_keys(session)]

    @app.delete(
        "/keys/{key_id}",
        tags=["keys"],
        status_code=204,
        responses=responses(*AUTH_ERRORS, 404, 422),
    )
    def delete_key(caller: Admin, key_id: Id) -> Response:
        """Revoke a key (admin)."""
        revoke_key(app.state.engine, key_id, actor=caller.key_id)
        return Response(status_code=204)

    install_scenario_routes(app)
    install_repair_routes(app)
    install_console(app)
    return app


def _publish(app: FastAPI, caller: Caller, run_id: str, body: PublishRequest | None) -> Published:
    published = publish(
        app.state.engine, run_id, actor=caller.key_id, note=body.note if body else None
    )
    return Published.model_validate(published, from_attributes=True)


def _job(app: FastAPI, run_id: str) -> SolveJob:
    with app.state.sessions() as session:
        run = session.get(SolveRun, run_id)
        if run is None or run.kind != RunKind.SOLVE:
            raise NotFound(f"no solve job {run_id!r}")
        summary = _run_summary(run)
        return SolveJob(
            id=run.id,
            week=run.week,
            status=run.status,
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            progress=run.progress,
            levels=summary.levels,
            coverage=run.coverage,
            error=run.error,
        )


def _check_week(week: str, status: int = 404) -> dt.date:
    """Monday of ``week``. A week that no calendar has (2026-W53) is "not found"
    when it names a resource, and a bad parameter (422) when it asks for work."""
    try:
        return week_monday(week)
    except (InputError, ValueError) as exc:
        raise (NotFound if status == 404 else Invalid)(f"week: {exc}") from None


def _page(
    session: Any, week: str, version: int | None, where: RosterFilter, offset: int, limit: int
) -> RosterPage:
    _check_week(week)
    publication = published_version(session, week, version)
    total, rows = roster_page(session, publication, where, offset, limit)
    return RosterPage(
        week=week,
        version=publication.version,
        total=total,
        offset=offset,
        limit=limit,
        items=[_session(r) for r in rows],
    )


def _session(row: Any) -> Session_:
    return Session_(**{name: getattr(row, name) for name in ASSIGNMENT_FIELDS})


def _run_summary(run: SolveRun) -> RunSummary:
    levels = (run.report or {}).get("levels", [])
    return RunSummary(
        id=run.id,
        week=run.week,
        status=run.status,
        created_at=run.created_at,
        finished_at=run.finished_at,
        coverage=run.coverage,
        levels=[
            {k: lv.get(k) for k in ("level", "label", "value", "bound", "status")} for lv in levels
        ],
    )


def _reference(app: FastAPI) -> dict[str, list[dict[str, Any]]]:
    if app.state.reference is None:
        data = load_dataset(app.state.settings.data_dir)
        app.state.reference = {file: data[file] for file in REFERENCE_FILES.values()}
    reference: dict[str, list[dict[str, Any]]] = app.state.reference
    return reference


def _known_doctor(app: FastAPI, doctor_id: str) -> None:
    doctors: set[str] | None = getattr(app.state, "doctor_ids", None)
    if doctors is None:
        doctors = {row["doctor_id"] for row in _reference(app)["doctors.csv"]}
        app.state.doctor_ids = doctors
    if doctor_id not in doctors:
        raise NotFound(f"no doctor {doctor_id!r}")


def _plain(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
