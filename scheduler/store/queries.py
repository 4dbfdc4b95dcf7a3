"""Read queries of the published rosters (what the API serves)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from scheduler.domain import Assignment, Instance
from scheduler.io.instance_json import instance_from_dict
from scheduler.store.errors import NotFound
from scheduler.store.runs import published_version
from scheduler.store.schema import (
    ASSIGNMENT_FIELDS,
    Publication,
    PublishedAssignment,
    RunDocument,
    RunKind,
    RunLevel,
    RunUnmet,
    SolveRun,
)


@dataclass(frozen=True)
class RosterFilter:
    """Filters of a roster query; ``None`` means any."""

    site_id: str | None = None
    hospital_id: str | None = None
    consortium_id: str | None = None
    specialty_id: str | None = None
    doctor_id: str | None = None
    date: dt.date | None = None

    def apply(self, query: Select) -> Select:  # type: ignore[type-arg]
        table = PublishedAssignment
        for column, value in (
            (table.site_id, self.site_id),
            (table.hospital_id, self.hospital_id),
            (table.consortium_id, self.consortium_id),
            (table.specialty_id, self.specialty_id),
            (table.doctor_id, self.doctor_id),
            (table.date, self.date),
        ):
            if value is not None:
                query = query.where(column == value)
        return query


def roster_page(
    session: Session,
    publication: Publication,
    where: RosterFilter,
    offset: int,
    limit: int,
) -> tuple[int, list[PublishedAssignment]]:
    """(total matching rows, one page of them) of a published roster."""
    base = where.apply(
        select(PublishedAssignment).where(PublishedAssignment.publication_id == publication.id)
    )
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.scalars(
        base.order_by(
            PublishedAssignment.date,
            PublishedAssignment.half_day,
            PublishedAssignment.doctor_id,
            PublishedAssignment.item_id,
        )
        .offset(offset)
        .limit(limit)
    ).all()
    return total, list(rows)


@dataclass(frozen=True)
class WeekSessions:
    """A doctor's sessions in the newest published version of one week."""

    week: str
    version: int
    run_id: str
    sessions: list[dict[str, Any]]  # ASSIGNMENT_FIELDS → value


def doctor_rows(
    session: Session, doctor_id: str, first: dt.date | None, last: dt.date | None
) -> list[WeekSessions]:
    """A doctor's published sessions (newest version of each week) between two dates,
    in one query."""
    params: dict[str, Any] = {"doctor": doctor_id, "first": first, "last": last}
    out: list[WeekSessions] = []
    for row in session.execute(_doctor_query(first is not None, last is not None), params):
        week, version, run_id, *values = row
        if not out or out[-1].week != week:
            out.append(WeekSessions(week, version, run_id, []))
        out[-1].sessions.append(dict(zip(ASSIGNMENT_FIELDS, values, strict=True)))
    return out


@cache
def _doctor_query(bounded_below: bool, bounded_above: bool) -> Select:  # type: ignore[type-arg]
    """The statement of ``doctor_rows``, built once (parameters bound per call)."""
    newest = (
        select(Publication.week, func.max(Publication.version).label("version"))
        .group_by(Publication.week)
        .subquery()
    )
    columns = [getattr(PublishedAssignment, name) for name in ASSIGNMENT_FIELDS]
    query = (
        select(Publication.week, Publication.version, Publication.run_id, *columns)
        .join(PublishedAssignment, PublishedAssignment.publication_id == Publication.id)
        .join(
            newest,
            (Publication.week == newest.c.week) & (Publication.version == newest.c.version),
        )
        .where(PublishedAssignment.doctor_id == bindparam("doctor"))
    )
    if bounded_below:
        query = query.where(PublishedAssignment.date >= bindparam("first"))
    if bounded_above:
        query = query.where(PublishedAssignment.date <= bindparam("last"))
    return query.order_by(Publication.week, PublishedAssignment.date, PublishedAssignment.half_day)


def run_instance(session: Session, run_id: str) -> Instance:
    """The normalised instance a run solved (from its stored instance.json)."""
    document = session.get(RunDocument, (run_id, "instance.json"))
    if document is None:
        raise NotFound(f"run {run_id} has no stored instance")
    return _parse_instance(run_id, document.content)


@lru_cache(maxsize=32)
def _parse_instance(run_id: str, content: str) -> Instance:
    return instance_from_dict(json.loads(content))


def as_assignments(sessions: list[dict[str, Any]]) -> list[Assignment]:
    """Published sessions as domain assignments."""
    return [
        Assignment(s["doctor_id"], s["item_id"], f"{s['date'].isoformat()}_{s['half_day']}")
        for s in sessions
    ]


def week_unmet(
    session: Session, week: str, version: int | None
) -> tuple[Publication, list[RunUnmet]]:
    """Unmet demand (with reasons) of the published run of a week."""
    publication = published_version(session, week, version)
    rows = session.scalars(
        select(RunUnmet).where(RunUnmet.run_id == publication.run_id).order_by(RunUnmet.item_id)
    ).all()
    return publication, list(rows)


def week_run(session: Session, week: str, version: int | None) -> tuple[Publication, SolveRun]:
    """The published version of a week and its run."""
    publication = published_version(session, week, version)
    run = session.get(SolveRun, publication.run_id)
    assert run is not None  # foreign key
    return publication, run


@dataclass(frozen=True)
class PublishedRoster:
    """A published version of a week: its run, the instance it solved, its sessions."""

    publication: Publication
    run: SolveRun
    instance: Instance
    assignments: list[Assignment]
    levels: list[RunLevel]


def published_roster(session: Session, week: str, version: int | None) -> PublishedRoster:
    """The newest (or the given) published version of ``week``, whole; 404 if none."""
    publication, run = week_run(session, week, version)
    instance = run_instance(session, run.id)
    rows = session.execute(
        select(
            PublishedAssignment.doctor_id,
            PublishedAssignment.date,
            PublishedAssignment.half_day,
            PublishedAssignment.item_id,
        )
        .where(PublishedAssignment.publication_id == publication.id)
        .order_by(PublishedAssignment.id)
    ).mappings()
    levels = session.scalars(
        select(RunLevel).where(RunLevel.run_id == run.id).order_by(RunLevel.position)
    ).all()
    return PublishedRoster(
        publication, run, instance, as_assignments([dict(r) for r in rows]), list(levels)
    )


def roster_runs(session: Session, week: str | None, limit: int) -> list[SolveRun]:
    """Runs that hold a roster (solves and repairs), newest first; only ``week``'s if given."""
    query = (
        select(SolveRun)
        .where(SolveRun.kind.in_(RunKind.ROSTERS))
        .order_by(SolveRun.created_at.desc(), SolveRun.id)
        .limit(limit)
    )
    if week is not None:
        query = query.where(SolveRun.week == week)
    return list(session.scalars(query))


def find_job(session: Session, run_id: str, kind: str) -> SolveRun:
    """The job ``run_id`` of ``kind`` (``RunKind.SOLVE``, ``RunKind.SCENARIO``),
    detached from ``session`` with its columns loaded; ``NotFound`` if there is
    no such job of that kind."""
    run = session.get(SolveRun, run_id)
    if run is None or run.kind != kind:
        raise NotFound(f"no {kind} job {run_id!r}")
    session.expunge(run)
    return run


def newest_published_week(session: Session) -> str | None:
    """The newest week with a published roster (None when nothing is published)."""
    week: str | None = session.scalar(select(func.max(Publication.week)))
    return week


def recent_runs(session: Session, kinds: Collection[str], limit: int) -> list[SolveRun]:
    """The newest ``limit`` runs of ``kinds``, newest first, detached from ``session``."""
    runs = list(
        session.scalars(
            select(SolveRun)
            .where(SolveRun.kind.in_(kinds))
            .order_by(SolveRun.created_at.desc(), SolveRun.id)
            .limit(limit)
        )
    )
    session.expunge_all()
    return runs
