"""Repair routes: repair a published week after absences; what changed between versions.

``POST /weeks/{week}/repairs`` repairs the newest published version (or the
``version`` named, which must still be the newest: a 409 otherwise) and
publishes the result as the next version, answering with the diff and the
notifications. It runs in the request (a single absence takes about a second
on the default week; only the parts it touches are solved again).
``GET /weeks/{week}/changes?since=k`` compares any two published versions.
"""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import DbEngine, Planner, Sessions, Settings, Viewer
from api.problems import responses
from api.schemas.repairs import Changes, Repaired, RepairRequest
from api.settings import ApiSettings
from api.types import Week
from scheduler.model.params import SolverParams
from scheduler.repair.diff import changes_between
from scheduler.repair.run import AbsenceRequest, repair_week
from scheduler.store.schema import MAX_VERSION

AUTH_ERRORS = (401, 403)
BODY = "request body"

router = APIRouter(tags=["rosters"])


@router.post(
    "/weeks/{week}/repairs",
    status_code=201,
    responses=responses(400, *AUTH_ERRORS, 404, 409, 422),
)
def repair(
    caller: Planner, week: Week, body: RepairRequest, settings: Settings, engine: DbEngine
) -> Repaired:
    """Repair the published roster after absences; publish it as the next version
    (``preview``: show it, publish nothing — 201 all the same, ``published`` false)."""
    outcome = repair_week(
        engine,
        week,
        [AbsenceRequest(a.doctor_id, a.start, a.end) for a in body.absences],
        body.pins,
        out_root=FilePath(settings.runs_dir) / "repairs",
        actor=caller.key_id,
        version=body.version,
        note=body.note,
        params=_solver_params(settings),
        file=BODY,
        preview=body.preview,
    )
    return Repaired.model_validate({**outcome.as_dict(), "published": not body.preview})


@router.get("/weeks/{week}/changes", responses=responses(*AUTH_ERRORS, 404, 422))
def changes(
    _: Viewer,
    week: Week,
    since: Annotated[int, Query(ge=1, le=MAX_VERSION, description="the earlier published version")],
    sessions: Sessions,
    version: Annotated[
        int | None,
        Query(ge=1, le=MAX_VERSION, description="the later version (default newest)"),
    ] = None,
) -> Changes:
    """What changed between two published versions of a week, and whom to tell."""
    with sessions() as session:
        diff = changes_between(session, week, since, version)
    return Changes(
        week=week,
        since=since,
        version=diff.publication.version,
        published_at=diff.publication.published_at,
        note=diff.publication.note,
        summary=diff.summary(),
        changes=[c.as_dict() for c in diff.changes],
        notifications=diff.notifications(),
    )


def _solver_params(settings: ApiSettings) -> SolverParams:
    return SolverParams(
        workers=settings.solve_workers,
        time_limit_per_level=settings.solve_time_limit,
        deterministic_time_per_level=settings.solve_dtime,
    )
