"""One attempt of a job: start the solver process, keep the lease, stop it when told.

The worker's thread for an attempt starts the solver process
(``worker.solver.run_attempt``) and, every ``job_heartbeat_seconds`` until it
exits, renews the job's lease. The solver is stopped — with every process it
started: it leads its own process group — when

* the lease is no longer the attempt's: the job was cancelled, or it was taken
  from this worker as lost (``heartbeat`` returns False);
* the worker is shutting down and its grace period is over (``release``): the
  job is queued again for another worker.

A solver that exits without recording an outcome (killed, out of memory, a
native crash) fails the job with its exit code — fenced, like every write.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.process
import os
import signal
import threading
from collections.abc import Callable
from enum import StrEnum

from sqlalchemy import Engine

from scheduler.settings import Settings
from scheduler.store import jobs
from scheduler.store.errors import DATABASE_ERRORS, describe
from scheduler.store.jobs import Attempt, Enqueue
from worker.solver import run_attempt

log = logging.getLogger(__name__)

# Spawned, never forked: a worker has threads (one per attempt, the reaper),
# and a forked child would inherit their locks mid-flight.
_CONTEXT = multiprocessing.get_context("spawn")


class Ending(StrEnum):
    """How an attempt ended, from the worker's side."""

    EXITED = "exited"  # the solver process ended by itself (outcome recorded, or failed here)
    SUPERSEDED = "superseded"  # cancelled, or taken from us as lost: solver stopped
    RELEASED = "released"  # the worker is stopping: solver stopped, job queued again


def supervise(
    engine: Engine,
    database_url: str,
    attempt: Attempt,
    settings: Settings,
    *,
    release: threading.Event,
    enqueue: Enqueue,
    should_abort: Callable[[], bool] = lambda: False,
) -> Ending:
    """Run ``attempt`` to its end; see the module docstring."""
    child = _CONTEXT.Process(
        target=run_attempt,
        args=(database_url, attempt, settings.model_dump_json(), os.getpid()),
        name=f"job-{attempt.run_id[:8]}-{attempt.number}",
        daemon=False,
    )
    child.start()
    pid = child.pid
    ending = Ending.EXITED
    while True:
        child.join(timeout=settings.job_heartbeat_seconds)
        if not child.is_alive():
            break
        if release.is_set() or should_abort():
            _stop(child)
            jobs.release(engine, attempt, "the worker is shutting down", enqueue)
            ending = Ending.RELEASED
            break
        try:
            current = jobs.heartbeat(engine, attempt, pid=pid)
            pid = None  # written once
        except DATABASE_ERRORS as exc:  # keep solving; the lease covers a short outage
            log.warning("job %s: heartbeat not written: %s", attempt.run_id, describe(exc))
            continue
        if not current:
            _stop(child)
            ending = Ending.SUPERSEDED
            break
    if ending is Ending.EXITED and child.exitcode != 0:
        jobs.fail(engine, attempt, f"the solver process died (exit code {child.exitcode})")
    log.info("job %s attempt %d: %s", attempt.run_id, attempt.number, ending.value)
    return ending


def _stop(child: multiprocessing.process.BaseProcess) -> None:
    """SIGKILL the solver's process group (it, its part workers, its manager)."""
    assert child.pid is not None
    # Not (yet) a group leader, or gone: then the process itself is killed below.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)
    child.kill()
    child.join(timeout=30)
