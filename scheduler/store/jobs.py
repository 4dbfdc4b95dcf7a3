"""Jobs in the database: submission with limits, attempts fenced by number, leases.

A job (a solve of a week, or a what-if scenario) is a row of ``solve_runs``.
Its life, whichever queue carries it (docs/architecture.md):

    queued ──claim──▶ running ──finish──▶ succeeded | failed
       ▲                 │  ╲
       └──release/reap───┘   cancel ──▶ cancelled   (from queued or running)

* ``submit_job`` inserts it, refusing with 429 beyond the limits per API key
  and per week, counted inside the same transaction (serialised: a lock on
  PostgreSQL, the write lock on SQLite), so that racing submissions cannot
  both slip under a limit. The queue's own record (procrastinate's job on
  PostgreSQL) is written in that transaction too: a job is never queued
  without its run, nor a run without its job.
* ``claim`` makes it ``running`` and starts attempt n + 1. Every later write of
  the worker — heartbeat, progress, results, failure — names its attempt and
  lands only while the run is still ``running`` with that attempt number. A
  cancelled job, or one taken from a dead worker and queued again, can
  therefore never be overwritten by a process that outlived its lease: no
  state flips back.
* ``heartbeat`` renews the lease every ``job_heartbeat_seconds``; it returns
  False once the attempt is no longer current, which tells the worker to stop
  its solver.
* ``reap_stale`` (every worker runs it) finds running jobs whose heartbeat is
  older than ``job_lease_seconds``: their worker died. Each is queued again
  for another attempt, or failed once ``job_max_attempts`` is reached — once,
  in a transaction that re-checks the attempt.

Times are the workers' clocks (UTC); the lease (30 s by default) is far
longer than the skew of machines kept by NTP.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, or_, select, text, update
from sqlalchemy.orm import Session

from scheduler.run_record import RunRecord
from scheduler.store.data_versions import newest_version
from scheduler.store.engine import transaction
from scheduler.store.errors import LimitReached, NotFound
from scheduler.store.runs import add_run, audit, now, store_record
from scheduler.store.schema import DataVersion, JobWorker, RunStatus, SolveRun

log = logging.getLogger(__name__)

ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)

Enqueue = Callable[[Session, str], int | None]
"""Puts a run on the queue inside the caller's transaction; returns the
queue's own job id (procrastinate's), or None where the row is the queue."""

Withdraw = Callable[[Session, int], None]
"""Takes a queue's job back (a cancelled run's), inside the caller's transaction."""

# A fixed key of PostgreSQL's transaction-level advisory lock: submissions wait
# for each other while they count and insert (a few milliseconds each).
_SUBMIT_LOCK = 0x726F7374  # "rost"


class JobLimitReached(LimitReached):
    """Too many unfinished jobs for a key or a week."""


@dataclass(frozen=True)
class JobLimits:
    """At most ``per_key`` unfinished jobs per API key and ``per_week`` per week."""

    per_key: int
    per_week: int


@dataclass(frozen=True)
class Attempt:
    """Attempt ``number`` of a job, held by ``worker_id``: what fences its writes."""

    run_id: str
    number: int
    worker_id: str
    kind: str
    week: str
    parameters: dict[str, Any]
    data_version: int | None = None  # the data version to solve (None: the data directory)


def submit_job(
    engine: Engine,
    week: str,
    parameters: dict[str, Any],
    *,
    created_by: str,
    kind: str,
    limits: JobLimits | None,
    enqueue: Enqueue,
    data_version: int | None = None,
) -> str:
    """Queue a job (within the limits) and return its run id. The job solves
    ``data_version``, by default the one that is the newest now (if the database
    has data versions), so what a planner asked for is what runs, whatever is
    edited meanwhile (``NotFound`` for a version that does not exist)."""
    with transaction(engine) as session:
        if limits is not None:
            _serialise(session)
            _check_limits(session, week, created_by, limits)
        run = add_run(session, week, parameters, created_by=created_by, kind=kind)
        if data_version is not None and session.get(DataVersion, data_version) is None:
            raise NotFound(f"no data version {data_version}")
        run.data_version = data_version or newest_version(session)
        run.queue_job_id = enqueue(session, run.id)
        return run.id


def _serialise(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SUBMIT_LOCK})
    # SQLite: the transaction began IMMEDIATE, holding the database's write lock.


def _check_limits(session: Session, week: str, created_by: str, limits: JobLimits) -> None:
    def unfinished(*where: Any) -> int:
        query = select(func.count()).select_from(SolveRun).where(SolveRun.status.in_(ACTIVE))
        return int(session.scalar(query.where(*where)) or 0)

    mine = unfinished(SolveRun.created_by == created_by)
    if mine >= limits.per_key:
        raise JobLimitReached(
            f"this key has {mine} unfinished jobs (at most {limits.per_key}): "
            "wait for one to finish, or cancel one"
        )
    of_week = unfinished(SolveRun.week == week)
    if of_week >= limits.per_week:
        raise JobLimitReached(
            f"week {week} has {of_week} unfinished jobs (at most {limits.per_week}): "
            "wait for one to finish, or cancel one"
        )


def claim(engine: Engine, run_id: str, worker_id: str) -> Attempt | None:
    """Start the next attempt of a queued job; None if it is not queued (any more)."""
    with transaction(engine) as session:
        run = session.get(SolveRun, run_id, with_for_update=True)
        if run is None or run.status != RunStatus.QUEUED:
            return None
        return _start(run, worker_id)


def claim_next(engine: Engine, worker_id: str) -> Attempt | None:
    """Claim the oldest queued job (the SQLite queue: the run table itself)."""
    with transaction(engine) as session:
        run = session.scalars(
            select(SolveRun)
            .where(SolveRun.status == RunStatus.QUEUED)
            .order_by(SolveRun.created_at, SolveRun.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        return None if run is None else _start(run, worker_id)


def _start(run: SolveRun, worker_id: str) -> Attempt:
    stamp = now()
    run.status = RunStatus.RUNNING
    run.attempts = (run.attempts or 0) + 1
    run.worker_id = worker_id
    run.worker_pid = None
    run.heartbeat_at = stamp
    run.started_at = run.started_at or stamp
    run.error = None
    return Attempt(
        run.id, run.attempts, worker_id, run.kind, run.week, dict(run.parameters), run.data_version
    )


def _current(attempt: Attempt) -> tuple[Any, ...]:
    """WHERE clauses: the run is still running this attempt."""
    return (
        SolveRun.id == attempt.run_id,
        SolveRun.status == RunStatus.RUNNING,
        SolveRun.attempts == attempt.number,
    )


def _fenced_update(engine: Engine, attempt: Attempt, **values: Any) -> bool:
    with transaction(engine) as session:
        result = session.execute(
            update(SolveRun).where(*_current(attempt)).values(**values),
            execution_options={"synchronize_session": False},
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def heartbeat(engine: Engine, attempt: Attempt, *, pid: int | None = None) -> bool:
    """Renew the attempt's lease; False once it is no longer current (stop the solver)."""
    values: dict[str, Any] = {"heartbeat_at": now()}
    if pid is not None:
        values["worker_pid"] = pid
    return _fenced_update(engine, attempt, **values)


def record_progress(engine: Engine, attempt: Attempt, progress: dict[str, Any]) -> bool:
    """Write the job's progress; False once the attempt is no longer current."""
    return _fenced_update(engine, attempt, progress=progress)


def finish_roster(engine: Engine, attempt: Attempt, record: RunRecord) -> bool:
    """Store a solve's results and mark it succeeded — only while the attempt is current."""
    with transaction(engine) as session:
        run = _locked_current(session, attempt)
        if run is None:
            return False
        store_record(session, run, record)
        return True


def finish_scenario(
    engine: Engine,
    attempt: Attempt,
    *,
    report: dict[str, Any],
    coverage: float | None,
    run_dir: str,
) -> bool:
    """Store a scenario's report and mark it succeeded — only while the attempt is current."""
    return _fenced_update(
        engine,
        attempt,
        status=RunStatus.SUCCEEDED,
        report=report,
        coverage=coverage,
        run_dir=run_dir,
        finished_at=now(),
        error=None,
    )


def fail(engine: Engine, attempt: Attempt, error: str) -> bool:
    """Mark the job failed with ``error`` (one line) — only while the attempt is current."""
    return _fenced_update(
        engine, attempt, status=RunStatus.FAILED, error=error[:2000], finished_at=now()
    )


def release(engine: Engine, attempt: Attempt, reason: str, enqueue: Enqueue) -> bool:
    """Give a running job back to the queue (its worker is shutting down)."""
    with transaction(engine) as session:
        run = _locked_current(session, attempt)
        if run is None:
            return False
        _requeue(session, run, enqueue, reason)
        return True


def _locked_current(session: Session, attempt: Attempt) -> SolveRun | None:
    run = session.get(SolveRun, attempt.run_id, with_for_update=True, populate_existing=True)
    if run is None or run.status != RunStatus.RUNNING or run.attempts != attempt.number:
        return None
    return run


def _requeue(session: Session, run: SolveRun, enqueue: Enqueue, reason: str) -> None:
    run.status = RunStatus.QUEUED
    run.worker_id = None
    run.worker_pid = None
    run.heartbeat_at = None
    session.flush()
    run.queue_job_id = enqueue(session, run.id)
    audit(session, "worker", "job-requeued", run.id, {"attempt": run.attempts, "reason": reason})
    log.warning("job %s queued again after attempt %d: %s", run.id, run.attempts, reason)


def cancel_job(engine: Engine, run_id: str, withdraw: Withdraw | None = None) -> str:
    """Cancel a queued or running job (its worker stops the solver at its next
    heartbeat); a finished job is left as it is. Returns the status afterwards."""
    with transaction(engine) as session:
        run = session.get(SolveRun, run_id, with_for_update=True)
        if run is None:
            raise NotFound(f"no job {run_id!r}")
        if run.status in RunStatus.FINISHED:
            return run.status
        if run.status == RunStatus.QUEUED and run.queue_job_id is not None and withdraw:
            withdraw(session, run.queue_job_id)
        run.status = RunStatus.CANCELLED
        run.finished_at = now()
        return run.status


@dataclass(frozen=True)
class Reaped:
    """A job taken from a worker that stopped beating: queued again, or failed."""

    run_id: str
    attempt: int
    worker_id: str | None
    status: str


def reap_stale(
    engine: Engine,
    *,
    lease_seconds: float,
    max_attempts: int,
    enqueue: Enqueue,
) -> list[Reaped]:
    """Queue again (or fail, after ``max_attempts``) every running job whose
    heartbeat is older than the lease. Safe to run from every worker at once."""
    cutoff = now() - dt.timedelta(seconds=lease_seconds)
    out: list[Reaped] = []
    with transaction(engine) as session:
        stale = session.scalars(
            select(SolveRun)
            .where(
                SolveRun.status == RunStatus.RUNNING,
                or_(SolveRun.heartbeat_at.is_(None), SolveRun.heartbeat_at < cutoff),
            )
            .order_by(SolveRun.created_at)
            .with_for_update(skip_locked=True)
        ).all()
        for run in stale:
            worker = run.worker_id
            lost = (
                f"its worker {worker or '(unknown)'} stopped: no heartbeat for {lease_seconds:g} s"
            )
            if run.attempts < max_attempts:
                _requeue(session, run, enqueue, lost)
            else:
                run.status = RunStatus.FAILED
                run.error = f"{lost}, on attempt {run.attempts} of {max_attempts}; not retried"
                run.finished_at = now()
                audit(session, "worker", "job-failed", run.id, {"attempt": run.attempts})
                log.warning("job %s failed: %s", run.id, run.error)
            out.append(Reaped(run.id, run.attempts, worker, run.status))
    return out


FindLost = Callable[[Session, float], list[str]]
"""Queued runs whose place in the queue is lost (the queue's own query)."""


def recover_lost(
    engine: Engine, *, lease_seconds: float, find_lost: FindLost, enqueue: Enqueue
) -> list[str]:
    """Put back on the queue every queued run whose queue job is gone: fetched by a
    worker that died before it could claim the run, or failed in the queue itself
    (a database outage at the wrong moment). Safe to run from every worker."""
    with transaction(engine) as session:
        lost = find_lost(session, lease_seconds)
        for run_id in lost:
            run = session.get(SolveRun, run_id, with_for_update=True)
            if run is None or run.status != RunStatus.QUEUED:
                continue
            run.queue_job_id = enqueue(session, run_id)
            audit(session, "worker", "job-requeued", run_id, {"reason": "queue job lost"})
            log.warning("job %s: its queue job was lost; queued again", run_id)
    return lost


def register_worker(
    engine: Engine, worker_id: str, *, host: str, pid: int, queue: str, concurrency: int
) -> None:
    """Record a starting worker."""
    stamp = now()
    with transaction(engine) as session:
        session.merge(
            JobWorker(
                id=worker_id,
                host=host,
                pid=pid,
                queue=queue,
                concurrency=concurrency,
                started_at=stamp,
                heartbeat_at=stamp,
                stopped_at=None,
            )
        )


def beat_worker(engine: Engine, worker_id: str) -> None:
    """The worker is alive."""
    with transaction(engine) as session:
        session.execute(
            update(JobWorker).where(JobWorker.id == worker_id).values(heartbeat_at=now())
        )


def stop_worker(engine: Engine, worker_id: str) -> None:
    """The worker stopped."""
    with transaction(engine) as session:
        session.execute(update(JobWorker).where(JobWorker.id == worker_id).values(stopped_at=now()))


def workers_alive(session: Session, within_seconds: float) -> int:
    """Workers that beat in the last ``within_seconds`` and have not stopped."""
    cutoff = now() - dt.timedelta(seconds=within_seconds)
    return int(
        session.scalar(
            select(func.count())
            .select_from(JobWorker)
            .where(JobWorker.stopped_at.is_(None), JobWorker.heartbeat_at >= cutoff)
        )
        or 0
    )
