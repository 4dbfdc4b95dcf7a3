"""Solve and publish: a planner starts a solve of a week, follows its job, publishes it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from api.problems import status_of
from api.types import WeekForm
from api.web.deps import PREFIX, SignedIn, SignedInPoll, User, require_planner
from api.web.reads import newest_week, recent_runs, run_of
from api.web.render import page
from scheduler.store.jobs import JobLimitReached, workers_alive
from scheduler.store.runs import StoreError, kpis_of, publish
from scheduler.store.schema import RunKind, RunStatus, SolveRun

router = APIRouter(include_in_schema=False)

JOB_LIMIT_RETRY = "30"
"""Seconds a planner is asked to wait when too many jobs are unfinished (``Retry-After``)."""


@dataclass(frozen=True)
class SolveListing:
    """The solve page: the form (its default week), recent runs, whether a worker runs."""

    runs: Sequence[SolveRun]
    default_week: str
    workers: int
    error: str | None = None  # an i18n key


@dataclass(frozen=True)
class SolveJobView:
    """A solve's job page (``run`` None: no such job)."""

    run: SolveRun | None
    kpis: list[tuple[str, str]] = field(default_factory=list)  # (label key, value)
    workers: int | None = None  # live workers, asked while the job is queued
    error: str | None = None  # why publishing failed


@router.get(f"{PREFIX}/solve")
def solve_page(request: Request, user: SignedIn) -> Response:
    return _listing(request, user)


@router.post(f"{PREFIX}/solve")
def start_solve(
    request: Request, user: SignedIn, week: WeekForm, csrf: Annotated[str, Form()] = ""
) -> Response:
    require_planner(request, user, csrf, "a planner's key is needed to solve")
    try:
        run_id = request.app.state.jobs.submit(week, {"seed": 0}, created_by=user.key_id)
    except JobLimitReached:
        return _listing(request, user, error="job_limit", status_code=429)
    return RedirectResponse(f"{PREFIX}/solves/{run_id}", status_code=303)


@router.get(f"{PREFIX}/solves/{{run_id}}")
def job_page(request: Request, user: SignedIn, run_id: str) -> Response:
    run = _solve_run(request, run_id)
    if run is None:
        return page(request, "solve_job.html.j2", user, SolveJobView(None), status_code=404)
    workers = _workers(request) if run.status == RunStatus.QUEUED else None
    view = SolveJobView(run, kpis=kpi_lines(run), workers=workers)
    return page(request, "solve_job.html.j2", user, view)


@router.get(f"{PREFIX}/solves/{{run_id}}/progress.json")
def job_progress(request: Request, _: SignedInPoll, run_id: str) -> Response:
    run = _solve_run(request, run_id)
    if run is None:
        return Response(status_code=404)
    return JSONResponse({"status": run.status, "progress": run.progress or {}, "error": run.error})


@router.post(f"{PREFIX}/solves/{{run_id}}/publish")
def job_publish(
    request: Request, user: SignedIn, run_id: str, csrf: Annotated[str, Form()] = ""
) -> Response:
    require_planner(request, user, csrf, "a planner's key is needed to publish")
    try:
        published = publish(request.app.state.engine, run_id, actor=user.key_id)
    except StoreError as exc:
        run = _solve_run(request, run_id)
        view = SolveJobView(run, kpis=kpi_lines(run) if run else [], error=exc.message)
        return page(request, "solve_job.html.j2", user, view, status_code=status_of(exc))
    return RedirectResponse(f"{PREFIX}/week?week={published.week}", status_code=303)


def _listing(
    request: Request, user: User, *, error: str | None = None, status_code: int = 200
) -> Response:
    runs = recent_runs(request.app, RunKind.ROSTERS)
    workers = _workers(request)
    view = SolveListing(runs, newest_week(request.app) or "", workers, error)
    headers = {"Retry-After": JOB_LIMIT_RETRY} if status_code == 429 else None
    return page(request, "solve.html.j2", user, view, status_code=status_code, headers=headers)


def _solve_run(request: Request, run_id: str) -> SolveRun | None:
    return run_of(request.app, run_id, RunKind.ROSTERS)


def _workers(request: Request) -> int:
    """How many job workers are alive now."""
    with request.app.state.sessions() as session:
        count: int = workers_alive(session, request.app.state.settings.job_lease_seconds)
        return count


def kpi_lines(run: SolveRun) -> list[tuple[str, str]]:
    """The headline KPIs of a finished run, as (label key, value)."""
    k = kpis_of(run)
    if k is None:
        return []
    overall = k.coverage.overall
    load = k.load.distribution
    return [
        ("coverage", f"{overall.percent} % ({overall.covered}/{overall.required})"),
        ("unmet_sessions", str(overall.unmet)),
        ("load", f"p50 {load.p50} · p90 {load.p90} · max {load.max}"),
        ("travel_hours", str(k.travel.total_hours)),
    ]
