"""Solve jobs: start one (a worker runs it), poll it, cancel it, publish it."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session, sessionmaker

from api.deps import DbEngine, JobsDep, Planner, Sessions, Viewer
from api.problems import responses
from api.routers.runs import publish_as_next, run_summary
from api.schemas.runs import Published, PublishRequest, SolveJob, SolveRequest
from api.types import Id, existing_week
from scheduler.store.errors import Invalid
from scheduler.store.queries import find_job
from scheduler.store.schema import RunKind

AUTH_ERRORS = (401, 403)

router = APIRouter(tags=["solves"])


@router.post("/solves", status_code=202, responses=responses(400, *AUTH_ERRORS, 404, 422, 429, 503))
def start_solve(
    caller: Planner, body: SolveRequest, response: Response, jobs: JobsDep, sessions: Sessions
) -> SolveJob:
    """Start solving a week; poll the job, then publish it. A worker (``roster worker``)
    runs it; 429 when the key or the week already has the most unfinished jobs allowed."""
    existing_week(body.week, missing=Invalid)
    run_id = jobs.submit(
        body.week, {"seed": body.seed}, created_by=caller.key_id, data_version=body.data_version
    )
    response.headers["Location"] = f"/solves/{run_id}"
    return _job(sessions, run_id)


@router.get("/solves/{run_id}", responses=responses(*AUTH_ERRORS, 404, 422))
def solve_status(_: Viewer, run_id: Id, sessions: Sessions) -> SolveJob:
    """A solve job: status, current level with objective and bound, levels when done."""
    return _job(sessions, run_id)


@router.delete("/solves/{run_id}", responses=responses(*AUTH_ERRORS, 404, 422))
def cancel_solve(_: Planner, run_id: Id, jobs: JobsDep, sessions: Sessions) -> SolveJob:
    """Cancel a queued or running solve job (a finished one is left as it is)."""
    _job(sessions, run_id)  # 404 for anything but a solve job
    jobs.cancel(run_id)
    return _job(sessions, run_id)


@router.post(
    "/solves/{run_id}/publish",
    status_code=201,
    responses=responses(400, *AUTH_ERRORS, 404, 409, 422),
)
def publish_solve(
    caller: Planner, run_id: Id, engine: DbEngine, body: PublishRequest | None = None
) -> Published:
    """Publish a finished solve job as the next version of its week."""
    return publish_as_next(engine, caller, run_id, body)


def _job(sessions: sessionmaker[Session], run_id: str) -> SolveJob:
    """The solve job as it is now (a fresh session: it may have changed since the last read)."""
    with sessions() as session:
        run = find_job(session, run_id, RunKind.SOLVE)
    summary = run_summary(run)
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
        data_version=run.data_version,
    )
