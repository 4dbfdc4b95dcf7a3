"""Repair routes: repair a published week after absences; what changed between versions.

``POST /weeks/{week}/repairs`` repairs the newest published version (or the
``version`` named, which must still be the newest: a 409 otherwise) and
publishes the result as the next version, answering with the diff and the
notifications. It runs in the request (a single absence takes about a second
on the default week; only the parts it touches are solved again).
``GET /weeks/{week}/changes?since=k`` compares any two published versions.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import FastAPI, Query
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Planner, Viewer
from api.problems import responses
from api.types import IdField, Week
from scheduler.model.params import SolverParams
from scheduler.repair.diff import both, notifications, roster_diff, summary
from scheduler.repair.run import AbsenceRequest, repair_week
from scheduler.store.queries import published_roster
from scheduler.store.schema import MAX_VERSION

AUTH_ERRORS = (401, 403)
BODY = "request body"


class Absence(BaseModel):
    """A doctor away from ``from`` to ``to`` (``DATE[:AM|PM]``; no ``to``: the rest of the week)."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    doctor_id: IdField
    start: str = Field(alias="from", examples=["2026-12-01:AM"])
    end: str | None = Field(default=None, alias="to", examples=["2026-12-02:PM"])


class RepairRequest(BaseModel):
    """Who is away, what must stay, and which version is being repaired."""

    model_config = ConfigDict(extra="forbid")

    absences: list[Absence] = Field(min_length=1, max_length=50)
    pins: list[str] = Field(
        default=[], max_length=200, description="DOCTOR (all their sessions) or DOCTOR@DATE:AM|PM"
    )
    version: int | None = Field(default=None, ge=1, le=MAX_VERSION, description="default: newest")
    note: str | None = Field(default=None, max_length=500)


class Repaired(BaseModel):
    """The repair, published: the new version, its levels, the diff, the notifications."""

    week: str
    repaired_version: int
    version: int
    run_id: str
    sessions: int
    status: str
    levels: list[dict[str, Any]]
    parts_resolved: int | None
    parts: int
    wall_seconds: float
    summary: dict[str, int] = Field(
        description="changes by kind: dropped, reassigned, moved, added"
    )
    changes: list[dict[str, Any]]
    notifications: dict[str, Any] = Field(description="lines per affected doctor and site")


class Changes(BaseModel):
    """What changed in a week's published roster from version ``since`` to ``version``."""

    week: str
    since: int
    version: int
    published_at: dt.datetime
    note: str | None
    summary: dict[str, int]
    changes: list[dict[str, Any]]
    notifications: dict[str, Any]


def install_repair_routes(app: FastAPI) -> None:
    """Add the repair and changes routes to ``app``."""

    @app.post(
        "/weeks/{week}/repairs",
        tags=["rosters"],
        status_code=201,
        responses=responses(400, *AUTH_ERRORS, 404, 409, 422),
    )
    def repair(caller: Planner, week: Week, body: RepairRequest) -> Repaired:
        """Repair the published roster after absences; publish it as the next version."""
        settings = app.state.settings
        outcome = repair_week(
            app.state.engine,
            week,
            [AbsenceRequest(a.doctor_id, a.start, a.end) for a in body.absences],
            body.pins,
            out_root=FilePath(settings.runs_dir) / "repairs",
            actor=caller.key_id,
            version=body.version,
            note=body.note,
            params=SolverParams(
                workers=settings.solve_workers,
                time_limit_per_level=settings.solve_time_limit,
                deterministic_time_per_level=settings.solve_dtime,
            ),
            file=BODY,
        )
        return Repaired.model_validate(outcome.as_dict())

    @app.get("/weeks/{week}/changes", tags=["rosters"], responses=responses(*AUTH_ERRORS, 404, 422))
    def changes(
        _: Viewer,
        week: Week,
        since: Annotated[
            int, Query(ge=1, le=MAX_VERSION, description="the earlier published version")
        ],
        version: Annotated[
            int | None,
            Query(ge=1, le=MAX_VERSION, description="the later version (default newest)"),
        ] = None,
    ) -> Changes:
        """What changed between two published versions of a week, and whom to tell."""
        with app.state.sessions() as session:
            before = published_roster(session, week, since)
            after = published_roster(session, week, version)
        instance = both(before.instance, after.instance)
        found = roster_diff(instance, before.assignments, after.assignments)
        return Changes(
            week=week,
            since=since,
            version=after.publication.version,
            published_at=after.publication.published_at,
            note=after.publication.note,
            summary=summary(found),
            changes=[c.as_dict() for c in found],
            notifications=notifications(instance, found),
        )
