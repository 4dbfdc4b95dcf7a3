"""A week's published roster: all of it (filtered, paginated), a site's, a
hospital's; its unmet demand; its KPIs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from api.deps import DbSession, Viewer
from api.problems import responses
from api.schemas.rosters import Kpis, RosterPage, Session_, Unmet, UnmetList
from api.types import Id, OptionalId, Week, existing_week
from scheduler.store.queries import RosterFilter, roster_page, week_run, week_unmet
from scheduler.store.runs import published_version
from scheduler.store.schema import ASSIGNMENT_FIELDS, MAX_VERSION

Version = Annotated[
    int | None, Query(ge=1, le=MAX_VERSION, description="Published version (default newest)")
]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Limit = Annotated[int, Query(ge=1, le=1000)]
AUTH_ERRORS = (401, 403)
READ_ERRORS = responses(*AUTH_ERRORS, 404, 422)

router = APIRouter(tags=["rosters"])


@router.get("/weeks/{week}/roster", responses=READ_ERRORS)
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


@router.get("/weeks/{week}/sites/{site_id}/roster", responses=READ_ERRORS)
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


@router.get("/weeks/{week}/hospitals/{hospital_id}/roster", responses=READ_ERRORS)
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


@router.get("/weeks/{week}/unmet", responses=READ_ERRORS)
def unmet(_: Viewer, session: DbSession, week: Week, version: Version = None) -> UnmetList:
    """Unmet demand of the published roster, with the reason for each item."""
    existing_week(week)
    publication, rows = week_unmet(session, week, version)
    items = [Unmet.model_validate(r, from_attributes=True) for r in rows]
    return UnmetList(
        week=week,
        version=publication.version,
        total_missing=sum(u.missing for u in items),
        items=items,
    )


@router.get("/weeks/{week}/kpis", responses=READ_ERRORS)
def kpis(_: Viewer, session: DbSession, week: Week, version: Version = None) -> Kpis:
    """KPIs of the published roster (coverage, load, travel, continuity)."""
    existing_week(week)
    publication, run = week_run(session, week, version)
    return Kpis(week=week, version=publication.version, run_id=run.id, kpis=run.kpis or {})


def _page(
    session: Session, week: str, version: int | None, where: RosterFilter, offset: int, limit: int
) -> RosterPage:
    existing_week(week)
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
