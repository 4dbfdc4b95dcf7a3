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


class LocalQueue:
    """SQLite: a queued run row is a queued job; nothing else to write."""

    name = "local"

    def enqueue(self, session: Session, run_id: str) -> int | None:
        return None

    def withdraw(self, session: Session, queue_job_id: int) -> None:
        return None


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


def queue_for(database_url: str) -> JobQueue:
    """The queue of a database: procrastinate on PostgreSQL, the run table on SQLite."""
    if make_url(database_url).get_backend_name() == "postgresql":
        return ProcrastinateQueue(database_url)
    return LocalQueue()
