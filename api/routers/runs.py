"""Runs and publishing: the runs that hold a roster, publishing one as the
next version of its week, and a week's publication."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import Engine

from api.deps import DbEngine, DbSession, Planner, Viewer
from api.problems import responses
from api.routers.rosters import Limit, Version
from api.schemas.runs import Published, PublishRequest, RunSummary
from api.types import Id, Week, WeekQuery, existing_week
from scheduler.store.keys import Caller
from scheduler.store.queries import roster_runs
from scheduler.store.runs import publish, published_version
from scheduler.store.schema import SolveRun

AUTH_ERRORS = (401, 403)

router = APIRouter()


@router.get("/runs", tags=["runs"], responses=responses(*AUTH_ERRORS, 422))
def runs(
    _: Viewer,
    session: DbSession,
    week: WeekQuery = None,
    limit: Limit = 50,
) -> list[RunSummary]:
    """Solve runs, newest first."""
    return [run_summary(r) for r in roster_runs(session, week, limit)]


@router.post(
    "/runs/{run_id}/publish",
    tags=["runs"],
    status_code=201,
    responses=responses(400, *AUTH_ERRORS, 404, 409, 422),
)
def publish_run(
    caller: Planner, run_id: Id, engine: DbEngine, body: PublishRequest | None = None
) -> Published:
    """Publish a succeeded run as the next version of its week (one transaction)."""
    return publish_as_next(engine, caller, run_id, body)


@router.get(
    "/weeks/{week}/publication", tags=["rosters"], responses=responses(*AUTH_ERRORS, 404, 422)
)
def publication(_: Viewer, session: DbSession, week: Week, version: Version = None) -> Published:
    """The newest (or given) published version of a week."""
    existing_week(week)
    return Published.model_validate(published_version(session, week, version), from_attributes=True)


def publish_as_next(
    engine: Engine, caller: Caller, run_id: str, body: PublishRequest | None
) -> Published:
    """Publish ``run_id`` (a run or a solve job) as the next version of its week."""
    published = publish(engine, run_id, actor=caller.key_id, note=body.note if body else None)
    return Published.model_validate(published, from_attributes=True)


def run_summary(run: SolveRun) -> RunSummary:
    """A run in the list of runs (and the levels of a solve job)."""
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
