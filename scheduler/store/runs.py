"""Solve runs and publications in the database.

A run's results (levels, roster, unmet demand, documents) are written in one
transaction when the run succeeds (``record_results``); publishing copies a
succeeded run's roster into a new version of the week's published roster,
also in one transaction (``publish``) — never half a roster.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Integer, delete, func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.domain import Instance
from scheduler.errors import InputError
from scheduler.io.instance_json import read_instance
from scheduler.io.run_dir import read_json_object, read_roster, read_unmet, roster_rows
from scheduler.kpis import Kpis
from scheduler.result import UnmetItem
from scheduler.run_record import RunRecord
from scheduler.store.engine import transaction
from scheduler.store.errors import Conflict, NotFound
from scheduler.store.errors import StoreError as StoreError  # where the console imports it
from scheduler.store.schema import (
    ASSIGNMENT_FIELDS,
    AuditEvent,
    Publication,
    PublishedAssignment,
    RunAssignment,
    RunDocument,
    RunKind,
    RunLevel,
    RunStatus,
    RunUnmet,
    SolveRun,
)

log = logging.getLogger(__name__)


def now() -> dt.datetime:
    """The time stamps of records (audit, jobs); never used for roster dates."""
    return dt.datetime.now(dt.UTC)


def read_run_dir(run_dir: Path) -> RunRecord:
    """Read a run directory written by ``roster solve`` back (``roster db import``)."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise InputError("run directory does not exist", file=str(run_dir))
    if not (run_dir / "report.json").exists():
        raise InputError("not a run directory (no report.json)", file=str(run_dir))
    return RunRecord(
        instance=read_instance(run_dir / "instance.json"),
        assignments=read_roster(run_dir / "roster.csv"),
        unmet=read_unmet(run_dir / "unmet.csv"),
        report=read_json_object(run_dir / "report.json"),
        kpis=_read_kpis(run_dir / "kpis.json"),
        documents={name: _read_text(run_dir / name) for name in ("instance.json", "demand.csv")},
        run_dir=str(run_dir),
    )


def _read_kpis(path: Path) -> Kpis:
    """A run's ``kpis.json``; not as ``roster solve`` writes it names the file."""
    try:
        return Kpis.from_dict(read_json_object(path))
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"KPIs are not as solve writes them ({exc!r})", file=str(path)) from None


def kpis_of(run: SolveRun) -> Kpis | None:
    """A stored run's KPIs; ``None`` when it has none (not finished) or they do
    not read as ``roster solve`` writes them (logged)."""
    if not run.kpis:
        return None
    try:
        return Kpis.from_dict(run.kpis)
    except (KeyError, TypeError, ValueError) as exc:
        log.warning("run %s: stored KPIs do not read (%r)", run.id, exc)
        return None


def _read_text(path: Path) -> str:
    """A document stored with the run, as text; missing or not UTF-8 names the file."""
    if not path.is_file():
        raise InputError("file is missing", file=str(path))
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc})", file=str(path)) from None


def create_run(
    engine: Engine,
    week: str,
    parameters: dict[str, Any],
    *,
    created_by: str,
    status: str = RunStatus.QUEUED,
    kind: str = RunKind.SOLVE,
) -> str:
    """A new run row; returns its id."""
    with transaction(engine) as session:
        return add_run(
            session, week, parameters, created_by=created_by, status=status, kind=kind
        ).id


def add_run(
    session: Session,
    week: str,
    parameters: dict[str, Any],
    *,
    created_by: str,
    status: str = RunStatus.QUEUED,
    kind: str = RunKind.SOLVE,
) -> SolveRun:
    """A new run row, added in the caller's transaction (and flushed)."""
    run = SolveRun(
        id=uuid.uuid4().hex,
        kind=kind,
        week=week,
        status=status,
        parameters=parameters,
        created_at=now(),
        created_by=created_by,
    )
    session.add(run)
    session.flush()
    return run


def record_results(engine: Engine, run_id: str, record: RunRecord) -> None:
    """Store a succeeded run's results in one transaction."""
    with transaction(engine) as session:
        store_record(session, _get_run(session, run_id), record)


def store_record(session: Session, run: SolveRun, record: RunRecord) -> None:
    """Write a finished run's results into ``run`` (inside the caller's transaction)."""
    run_id = run.id
    instance = record.instance
    rows = roster_rows(instance, record.assignments)
    consortium = {site_id: site.consortium_id for site_id, site in instance.sites.items()}
    for table in (RunLevel, RunAssignment, RunUnmet, RunDocument):
        session.execute(delete(table).where(table.run_id == run_id))
    for position, level in enumerate(record.report.get("levels", [])):
        session.add(
            RunLevel(
                run_id=run_id,
                position=position,
                level=level["level"],
                value=level["value"],
                bound=level["bound"],
                status=level["status"],
                wall_seconds=level.get("wall_seconds", 0.0),
            )
        )
    if rows:
        session.execute(
            insert(RunAssignment),
            [
                {
                    **{k: row[k] for k in ASSIGNMENT_FIELDS if k in row},
                    "date": dt.date.fromisoformat(row["date"]),
                    "consortium_id": consortium[row["site_id"]],
                    "run_id": run_id,
                }
                for row in rows
            ],
        )
    if record.unmet:
        session.execute(
            insert(RunUnmet),
            [_unmet_row(instance, u, run_id) for u in record.unmet],
        )
    for name, content in record.documents.items():
        session.add(RunDocument(run_id=run_id, name=name, content=content))
    run.status = RunStatus.SUCCEEDED
    run.report = record.report
    run.kpis = record.kpis.to_dict()
    run.coverage = record.kpis.coverage.overall.percent
    run.run_dir = record.run_dir
    data_version = record.report.get("data_version")
    run.data_version = data_version if isinstance(data_version, int) else None
    # The version of the reference data the run saw: its normalised instance.
    instance_json = record.documents.get("instance.json")
    if instance_json is not None:
        run.data_fingerprint = hashlib.sha256(instance_json.encode("utf-8")).hexdigest()
    run.finished_at = now()
    run.error = None


def _unmet_row(instance: Instance, unmet: UnmetItem, run_id: str) -> dict[str, Any]:
    item = instance.demand[unmet.item_id]
    site = instance.sites[item.site_id]
    return {
        "run_id": run_id,
        "item_id": item.id,
        "kind": item.kind.value,
        "site_id": site.id,
        "site_name": site.name,
        "consortium_id": site.consortium_id,
        "specialty_id": item.specialty_id,
        "sessions": item.sessions,
        "missing": unmet.missing,
        "reason_code": unmet.reason_code,
        "reason": unmet.reason,
    }


def import_run_dir(engine: Engine, run_dir: Path, *, created_by: str = "cli") -> str:
    """Store a run directory written by ``roster solve`` as a succeeded run."""
    record = read_run_dir(run_dir)
    run_id = create_run(
        engine,
        record.instance.week,
        record.report.get("parameters", {}),
        created_by=created_by,
        status=RunStatus.RUNNING,
    )
    record_results(engine, run_id, record)
    return run_id


def _get_run(session: Session, run_id: str) -> SolveRun:
    run = session.get(SolveRun, run_id)
    if run is None:
        raise NotFound(f"no solve run {run_id!r}")
    return run


@dataclass(frozen=True)
class PublishedVersion:
    """A published version of a week's roster."""

    week: str
    version: int
    run_id: str
    sessions: int
    published_at: dt.datetime
    published_by: str


def publish(
    engine: Engine, run_id: str, *, actor: str, note: str | None = None
) -> PublishedVersion:
    """Publish a succeeded run as the next version of its week, in one transaction.

    Concurrent publications of one week are serialised by the unique
    (week, version) constraint: the loser retries with the next version.
    """
    for _attempt in range(5):
        try:
            return _publish_once(engine, run_id, actor=actor, note=note)
        except IntegrityError:
            log.info("publishing %s raced another publication; retrying", run_id)
    raise Conflict("could not publish: too many concurrent publications")


def _publish_once(engine: Engine, run_id: str, *, actor: str, note: str | None) -> PublishedVersion:
    with transaction(engine) as session:
        run = _get_run(session, run_id)
        if run.kind not in RunKind.ROSTERS:
            raise Conflict(f"run {run_id} is a {run.kind}, not a roster")
        if run.status != RunStatus.SUCCEEDED:
            raise Conflict(f"run {run_id} is {run.status}; only a succeeded run can be published")
        return _publish_in(session, run, actor=actor, note=note)


def publish_repair(
    engine: Engine,
    record: RunRecord,
    *,
    run_id: str,
    repairs_version: int,
    parameters: dict[str, Any],
    actor: str,
    note: str | None,
) -> PublishedVersion:
    """Store a repair's run and publish it as version ``repairs_version + 1``
    of its week, in one transaction; ``Conflict`` if the week has moved past
    ``repairs_version`` (the repair would undo that newer version: repair it).

    The version number is the compare-and-set: the unique (week, version)
    constraint lets exactly one of two repairs of version k insert version
    k + 1, on SQLite (where the transaction also holds the write lock from its
    start) and on PostgreSQL (where the loser's insert waits for the winner's
    commit, then fails). The loser's run is rolled back with it.
    """
    week = record.instance.week
    try:
        with transaction(engine) as session:
            latest = session.scalar(
                select(func.max(Publication.version)).where(Publication.week == week)
            )
            if latest != repairs_version:
                raise _moved_on(week, latest, repairs_version)
            run = SolveRun(
                id=run_id,
                kind=RunKind.REPAIR,
                week=week,
                status=RunStatus.RUNNING,
                parameters=parameters,
                created_at=now(),
                started_at=now(),
                created_by=actor,
            )
            session.add(run)
            session.flush()
            store_record(session, run, record)
            session.flush()
            return _publish_in(session, run, actor=actor, note=note, version=repairs_version + 1)
    except IntegrityError:
        with transaction(engine) as session:
            latest = session.scalar(
                select(func.max(Publication.version)).where(Publication.week == week)
            )
        log.info("repair of %s v%d lost the race to v%s", week, repairs_version, latest)
        raise _moved_on(week, latest, repairs_version) from None


def _moved_on(week: str, latest: int | None, repairs_version: int) -> Conflict:
    return Conflict(
        f"week {week} is at version {latest} now, the repair was of version "
        f"{repairs_version}: repair the newest version"
    )


def _publish_in(
    session: Session, run: SolveRun, *, actor: str, note: str | None, version: int | None = None
) -> PublishedVersion:
    """Publish ``run`` as ``version`` of its week (default: the next one), inside
    the caller's transaction; a version that exists already is an IntegrityError."""
    run_id = run.id
    if version is None:
        latest = session.scalar(
            select(func.max(Publication.version)).where(Publication.week == run.week)
        )
        version = (latest or 0) + 1
    sessions = session.scalar(
        select(func.count()).select_from(RunAssignment).where(RunAssignment.run_id == run_id)
    )
    publication = Publication(
        week=run.week,
        version=version,
        run_id=run_id,
        published_at=now(),
        published_by=actor,
        sessions=sessions or 0,
        note=note,
    )
    session.add(publication)
    session.flush()
    columns = [getattr(RunAssignment, name) for name in ASSIGNMENT_FIELDS]
    session.execute(
        insert(PublishedAssignment).from_select(
            ["publication_id", *ASSIGNMENT_FIELDS],
            select(literal(publication.id, Integer), *columns).where(
                RunAssignment.run_id == run_id
            ),
        )
    )
    audit(
        session,
        actor,
        "publish",
        f"{run.week} v{publication.version}",
        {"run_id": run_id, "sessions": publication.sessions},
    )
    return PublishedVersion(
        run.week,
        publication.version,
        run_id,
        publication.sessions,
        publication.published_at,
        actor,
    )


def audit(
    session: Session, actor: str, action: str, target: str, detail: dict[str, Any] | None = None
) -> None:
    """Record who did what (inside the caller's transaction)."""
    session.add(AuditEvent(at=now(), actor=actor, action=action, target=target, detail=detail))


def published_version(session: Session, week: str, version: int | None = None) -> Publication:
    """The newest (or the given) published version of ``week``; ``NotFound`` if none."""
    query = select(Publication).where(Publication.week == week)
    if version is not None:
        query = query.where(Publication.version == version)
    publication = session.scalars(query.order_by(Publication.version.desc()).limit(1)).first()
    if publication is None:
        what = f"version {version} of week {week}" if version else f"week {week}"
        raise NotFound(f"no published roster for {what}")
    return publication


def version_of_run(engine: Engine, run_id: str) -> int | None:
    """The version ``run_id`` was published as; None if it never was (or is
    not committed: a repair killed before its transaction ended)."""
    with transaction(engine) as session:
        return session.scalar(select(Publication.version).where(Publication.run_id == run_id))
