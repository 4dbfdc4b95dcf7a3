"""Where jobs wait: the run table on SQLite, procrastinate on PostgreSQL.

Both are used the same way by the API (``enqueue`` a new job, ``withdraw`` a
cancelled one) and by the worker (``enqueue`` a job again after its worker
died), always inside the caller's database transaction — so a run row and its
place in the queue are written together or not at all.

* ``LocalQueue`` (SQLite): the ``queued`` run rows *are* the queue; workers on
  the same machine claim the oldest with a write transaction (SQLite has one
  writer at a time). Nothing to run besides the database file.
* ``ProcrastinateQueue`` (PostgreSQL): a procrastinate job per attempt, in the
  same database (its ``procrastinate_*`` tables, created by our migrations).
  Workers on any machine fetch jobs with ``SELECT … FOR UPDATE SKIP LOCKED``
  and are woken by ``LISTEN/NOTIFY``; procrastinate keeps its own worker
  heartbeats and job history. Our run row stays the one truth about a job.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

QUEUE = "roster"
"""procrastinate's queue name for the roster's jobs."""

TASK = "roster.run_job"
"""procrastinate's task name: one attempt of one job (``run_id``)."""


class JobQueue(Protocol):
    """What the API and the worker need of a queue."""

    name: str

    def enqueue(self, session: Session, run_id: str) -> int | None:
        """Put the run on the queue inside ``session``'s transaction; the queue's job id."""

    def withdraw(self, session: Session, queue_job_id: int) -> None:
        """Take a queued job back (it was cancelled) inside ``session``'s transaction."""

    def lost(self, session: Session, lease_seconds: float) -> list[str]:
        """Queued runs whose queue job is lost (see ``scheduler.store.jobs.recover_lost``)."""


class LocalQueue:
    """SQLite: a queued run row is a queued job; nothing else to write."""

    name = "local"

    def enqueue(self, session: Session, run_id: str) -> int | None:
        return None

    def withdraw(self, session: Session, queue_job_id: int) -> None:
        return None

    def lost(self, session: Session, lease_seconds: float) -> list[str]:
        return []  # a queued row cannot lose its place: it is its place


def conninfo(database_url: str) -> str:
    """A libpq connection string from a SQLAlchemy URL (``postgresql+psycopg://…``)."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class ProcrastinateQueue:
    """PostgreSQL: a procrastinate job, written on the caller's connection."""

    name = "procrastinate"

    def __init__(self, database_url: str) -> None:
        import procrastinate

        # Never opened here: every call passes the caller's own connection.
        self.app = procrastinate.App(
            connector=procrastinate.SyncPsycopgConnector(conninfo=conninfo(database_url))
        )

    def enqueue(self, session: Session, run_id: str) -> int | None:
        connection = session.connection().connection.driver_connection
        deferrer = self.app.configure_task(TASK, queue=QUEUE, connection=connection)
        return int(deferrer.defer(run_id=run_id))

    def withdraw(self, session: Session, queue_job_id: int) -> None:
        connection = session.connection().connection.driver_connection
        self.app.job_manager.cancel_job_by_id(queue_job_id, connection=connection)

    def lost(self, session: Session, lease_seconds: float) -> list[str]:
        """Queued runs without a live procrastinate job: none recorded, one that
        ended (failed, cancelled, deleted), or one fetched by a procrastinate
        worker that stopped beating before our worker claimed the run."""
        return list(
            session.scalars(
                text(
                    "SELECT r.id FROM solve_runs r "
                    "LEFT JOIN procrastinate_jobs j ON j.id = r.queue_job_id "
                    "LEFT JOIN procrastinate_workers w ON w.id = j.worker_id "
                    "WHERE r.status = 'queued' AND (j.id IS NULL "
                    "OR j.status NOT IN ('todo', 'doing') "
                    "OR (j.status = 'doing' AND (w.id IS NULL "
                    "OR w.last_heartbeat < now() - make_interval(secs => :lease)))) "
                    "ORDER BY r.created_at FOR UPDATE OF r SKIP LOCKED"
                ),
                {"lease": lease_seconds},
            )
        )


def queue_for(database_url: str) -> JobQueue:
    """The queue of a database: procrastinate on PostgreSQL, the run table on SQLite."""
    if make_url(database_url).get_backend_name() == "postgresql":
        return ProcrastinateQueue(database_url)
    return LocalQueue()
