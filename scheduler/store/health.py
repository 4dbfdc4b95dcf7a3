"""What readiness checks ask the database: is it there, how long is the job queue, who works it.

Each check is one cheap statement (an index or a small table), so that a load
balancer may ask every few seconds. ``api.routers.health`` runs them in order and
names the first that fails.
"""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from scheduler.store.jobs import workers_alive
from scheduler.store.schema import RunStatus, SolveRun

WORKER_SEEN_SECONDS = 60
"""A job worker whose last heartbeat is younger than this counts as present."""


def ping(session: Session) -> None:
    """One round trip: raises (a SQLAlchemy error) when the database cannot answer."""
    session.execute(text("SELECT 1"))


def queued_jobs(session: Session) -> int:
    """Jobs waiting in the queue (``solve_runs`` queued; by the status index)."""
    count = select(func.count()).select_from(SolveRun).where(SolveRun.status == RunStatus.QUEUED)
    return int(session.scalar(count) or 0)


def live_workers(session: Session) -> int:
    """Job workers not stopped whose heartbeat is at most ``WORKER_SEEN_SECONDS`` old."""
    return workers_alive(session, WORKER_SEEN_SECONDS)
