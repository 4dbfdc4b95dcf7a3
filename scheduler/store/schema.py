"""The database schema (SQLAlchemy 2): solve runs, rosters, publications, keys, audit.

One schema for SQLite (the default file) and PostgreSQL (a shared deployment);
Alembic migrations in ``scheduler/store/migrations`` create and evolve it.

* ``solve_runs``: a solve of one week (a job of the API or an imported run
  directory): parameters, status, progress, report, KPIs; with its per-level
  results (``run_levels``), roster (``run_assignments``), unmet demand with
  reasons (``run_unmet``) and documents (``run_documents``: the normalised
  instance and the demand table, as in the run directory).
* ``publications``: the published roster of a week, versioned; publishing
  copies the run's roster into ``published_assignments`` in one transaction,
  so an older version stays readable whatever happens to runs later.
* ``api_keys`` (hashed), ``calendar_tokens`` (hashed, one per doctor),
  ``audit_events`` (who published or created what, when).
* ``data_versions``: the data set, versioned (``scheduler/store/data_versions.py``):
  each version lists its files (``data_version_files``), whose bytes are kept
  once by content (``data_blobs``); ``data_changes`` is each version's change
  list against the one before, row by row — the history planners read.
* ``job_workers``: the job workers that are running (or ran), with their
  heartbeats; on PostgreSQL also procrastinate's ``procrastinate_*`` tables,
  through which the jobs travel (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scheduler.io.run_dir import ROSTER_COLUMNS


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A time stamp stored in UTC and read back time-zone aware on every backend
    (SQLite drops the offset; PostgreSQL keeps it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("time stamps must be time-zone aware")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        dt.datetime: UtcDateTime(),
    }


class RunStatus:
    """Values of ``solve_runs.status``."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    FINISHED = (SUCCEEDED, FAILED, CANCELLED)


class RunKind:
    """Values of ``solve_runs.kind``."""

    SOLVE = "solve"  # a week's roster: levels, assignments, unmet; can be published
    SCENARIO = "scenario"  # a what-if comparison: report JSON and files in run_dir
    REPAIR = "repair"  # a published roster repaired after absences (published at once)
    ROSTERS = (SOLVE, REPAIR)  # the kinds that hold a roster


class SolveRun(Base):
    """One job: a solve of one week, or a what-if scenario (``kind``)."""

    __tablename__ = "solve_runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(
        String(16), index=True, default=RunKind.SOLVE, server_default=RunKind.SOLVE
    )
    week: Mapped[str] = mapped_column(String(8), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    parameters: Mapped[dict[str, Any]]
    data_fingerprint: Mapped[str | None] = mapped_column(String(64))
    data_version: Mapped[int | None] = mapped_column(Integer, index=True)  # None: a directory
    created_at: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    created_by: Mapped[str | None] = mapped_column(String(32), index=True)  # key id, or "cli"
    worker_pid: Mapped[int | None]
    # The job's lease (scheduler/store/jobs.py): the attempt number fences every
    # write of a worker, the heartbeat tells the others it is still alive.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    worker_id: Mapped[str | None] = mapped_column(String(64))
    heartbeat_at: Mapped[dt.datetime | None]
    queue_job_id: Mapped[int | None] = mapped_column(BigInteger)  # procrastinate's job id
    progress: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    report: Mapped[dict[str, Any] | None]
    kpis: Mapped[dict[str, Any] | None]
    coverage: Mapped[float | None] = mapped_column(Float)
    run_dir: Mapped[str | None] = mapped_column(Text)


class RunLevel(Base):
    """Value, bound and status of one objective level of a run."""

    __tablename__ = "run_levels"

    run_id: Mapped[str] = mapped_column(
        ForeignKey("solve_runs.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    value: Mapped[int]
    bound: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    wall_seconds: Mapped[float] = mapped_column(Float)


class _AssignmentColumns:
    """The columns of a roster row (as in roster.csv), shared by runs and publications."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    doctor_id: Mapped[str] = mapped_column(String(64))
    doctor_name: Mapped[str] = mapped_column(String(200))
    hospital_id: Mapped[str] = mapped_column(String(64))
    date: Mapped[dt.date] = mapped_column(Date)
    half_day: Mapped[str] = mapped_column(String(2))  # AM | PM
    site_id: Mapped[str] = mapped_column(String(64))
    site_name: Mapped[str] = mapped_column(String(200))
    consortium_id: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    specialty_id: Mapped[str] = mapped_column(String(64))
    travel_minutes: Mapped[int]


# A stored roster row: the columns of roster.csv, and the site's consortium.
ASSIGNMENT_FIELDS = (*ROSTER_COLUMNS, "consortium_id")


class RunAssignment(_AssignmentColumns, Base):
    """One session of a run's roster."""

    __tablename__ = "run_assignments"
    __table_args__ = (Index("ix_run_assignments_run_doctor", "run_id", "doctor_id", "date"),)

    run_id: Mapped[str] = mapped_column(ForeignKey("solve_runs.id", ondelete="CASCADE"))


class RunUnmet(Base):
    """Missing sessions of one demand item in a run, with the reason in words."""

    __tablename__ = "run_unmet"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("solve_runs.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    site_id: Mapped[str] = mapped_column(String(64))
    site_name: Mapped[str] = mapped_column(String(200))
    consortium_id: Mapped[str] = mapped_column(String(64))
    specialty_id: Mapped[str] = mapped_column(String(64))
    sessions: Mapped[int]
    missing: Mapped[int]
    reason_code: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)


class RunDocument(Base):
    """A document of a run, as in its run directory (instance.json, demand.csv)."""

    __tablename__ = "run_documents"

    run_id: Mapped[str] = mapped_column(
        ForeignKey("solve_runs.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[str] = mapped_column(Text)


MAX_VERSION = 2**31 - 1
"""The largest published version: ``publications.version`` is an ``integer``
(32 bits on PostgreSQL). Every version-like parameter (``?version=``,
``?since=``, a repair's or a scenario's version) is bounded by it, so that no
number the database cannot hold reaches a query."""


class Publication(Base):
    """Version ``version`` of the published roster of ``week``."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("week", "version", name="uq_publications_week_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    week: Mapped[str] = mapped_column(String(8), index=True)
    version: Mapped[int]
    run_id: Mapped[str] = mapped_column(ForeignKey("solve_runs.id"))
    published_at: Mapped[dt.datetime]
    published_by: Mapped[str] = mapped_column(String(32))
    sessions: Mapped[int]
    note: Mapped[str | None] = mapped_column(Text)


class PublishedAssignment(_AssignmentColumns, Base):
    """One session of a published roster (a copy, immutable once published)."""

    __tablename__ = "published_assignments"
    __table_args__ = (
        Index("ix_published_assignments_pub_doctor", "publication_id", "doctor_id", "date"),
        Index("ix_published_assignments_doctor", "doctor_id", "date"),
    )

    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"))


class ApiKey(Base):
    """An API key: only its SHA-256 is stored; ``id`` is the public part of the key."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    secret_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    hospital_id: Mapped[str | None] = mapped_column(String(64))  # role hospital: its scope


class CalendarToken(Base):
    """The token of a doctor's calendar feed (hashed); a new token replaces the old."""

    __tablename__ = "calendar_tokens"

    doctor_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]


class AuditEvent(Base):
    """Who did what, when (publishing, keys, tokens, solve jobs)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any] | None]


class JobWorker(Base):
    """A job worker process (``roster worker``): where it runs and when it last beat."""

    __tablename__ = "job_workers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int]
    queue: Mapped[str] = mapped_column(String(16))  # local | procrastinate
    concurrency: Mapped[int]
    started_at: Mapped[dt.datetime]
    heartbeat_at: Mapped[dt.datetime]
    stopped_at: Mapped[dt.datetime | None]


class DataBlob(Base):
    """The bytes of a data file, stored once however many versions hold them."""

    __tablename__ = "data_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)


class DataVersion(Base):
    """Version ``version`` of the data set: who made it, when, why, from what."""

    __tablename__ = "data_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))  # import | edit | excel | request
    note: Mapped[str | None] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))  # DataFiles.fingerprint()


class DataVersionFile(Base):
    """One file of a data version (its bytes in ``data_blobs``)."""

    __tablename__ = "data_version_files"

    version: Mapped[int] = mapped_column(
        ForeignKey("data_versions.version", ondelete="CASCADE"), primary_key=True
    )
    file: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("data_blobs.sha256"))


class DataChange(Base):
    """One change of a data version against the version before: a row added or
    removed, or one cell (``column``) changed; for policy.toml a key."""

    __tablename__ = "data_changes"
    __table_args__ = (Index("ix_data_changes_file_key", "file", "row_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(
        ForeignKey("data_versions.version", ondelete="CASCADE"), index=True
    )
    file: Mapped[str] = mapped_column(String(64))
    row_key: Mapped[str] = mapped_column(Text)  # the row's key columns, "/"-joined
    action: Mapped[str] = mapped_column(String(8))  # added | removed | changed
    column: Mapped[str | None] = mapped_column(String(64))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)


class DataImport(Base):
    """An uploaded data workbook, checked and waiting for a planner's confirmation:
    its files (bytes in ``data_blobs``) and the data version it was compared with."""

    __tablename__ = "data_imports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    upload_name: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    base_version: Mapped[int] = mapped_column(ForeignKey("data_versions.version"))
    files: Mapped[dict[str, Any]]  # file → SHA-256 of its bytes in data_blobs
    changes: Mapped[dict[str, Any]]  # {"rows": [RowChange as a dict, ...]}
    applied_version: Mapped[int | None] = mapped_column(Integer)  # set when confirmed


class DataRequest(Base):
    """A leave request for a doctor, from a hospital's secretary (or a planner), and
    the planner's decision; approval is a data version (``data_version``)."""

    __tablename__ = "data_requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(200))  # the person (key name)
    hospital_id: Mapped[str] = mapped_column(String(64), index=True)
    doctor_id: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending|approved|rejected
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    data_version: Mapped[int | None] = mapped_column(Integer)  # the version approval made
