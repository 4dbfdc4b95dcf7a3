"""The job worker: take jobs, run them, reap the jobs of dead workers, shut down cleanly.

``Worker(settings).run(stop)`` serves until ``stop`` is set:

* on SQLite it claims the oldest queued job whenever it has a free slot
  (``job_pool_size``), polling every ``worker_poll_seconds``;
* on PostgreSQL it runs a procrastinate worker (queue ``roster``), whose task
  claims the job it was given;
* either way each attempt runs under ``worker.supervisor.supervise`` in a
  thread of its own, and a housekeeping thread beats for the worker (table
  ``job_workers``, what ``/ready`` counts), reaps the running jobs of
  workers that stopped beating (``scheduler.store.jobs.reap_stale``), and
  puts back on the queue queued jobs whose queue entry was lost
  (``scheduler.store.jobs.recover_lost``: on PostgreSQL, a procrastinate job
  fetched by a worker that died before it could claim the run).

Shutdown (SIGTERM, SIGINT, or ``stop``): no new job is taken; running jobs
get ``worker_grace_seconds`` to finish, then their solvers are stopped and the
jobs queued again for the next worker. A worker that is killed outright
leaves its jobs running in the table: another worker's reaper queues them
again once their lease runs out (or fails them, after ``job_max_attempts``),
and its solver processes die with it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable

from scheduler.settings import Settings
from scheduler.store import jobs
from scheduler.store.engine import open_database
from scheduler.store.errors import DATABASE_ERRORS, describe
from scheduler.store.jobs import Attempt
from scheduler.store.queue import QUEUE, TASK, JobQueue, ProcrastinateQueue, conninfo, queue_for
from worker.supervisor import supervise

log = logging.getLogger(__name__)


class Worker:
    """One worker process's job loop (see the module docstring)."""

    def __init__(self, settings: Settings, *, name: str | None = None) -> None:
        self.settings = settings
        self.database_url = settings.database_url
        self.engine = open_database(self.database_url)
        self.queue: JobQueue = queue_for(self.database_url)
        self.id = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.release = threading.Event()  # grace is over: stop solvers, queue their jobs again
        self._attempts: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()

    # -- the loop ---------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Serve jobs until ``stop`` is set, then shut down (see the module docstring)."""
        jobs.register_worker(
            self.engine,
            self.id,
            host=socket.gethostname(),
            pid=os.getpid(),
            queue=self.queue.name,
            concurrency=self.settings.job_pool_size,
        )
        log.info("worker %s: %s queue, %d at once", self.id, self.queue.name, self.concurrency)
        housekeeping = threading.Thread(
            target=self._housekeep, args=(stop,), name="worker-housekeeping", daemon=True
        )
        housekeeping.start()
        try:
            if isinstance(self.queue, ProcrastinateQueue):
                self._serve_procrastinate(stop)
            else:
                self._serve_local(stop)
        finally:
            self._shut_down()
            housekeeping.join(timeout=5)
            try:
                jobs.stop_worker(self.engine, self.id)
            except DATABASE_ERRORS as exc:
                log.warning("worker %s: stop not recorded: %s", self.id, describe(exc))
            self.engine.dispose()

    @property
    def concurrency(self) -> int:
        """Jobs run at once."""
        return self.settings.job_pool_size

    def _serve_local(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                while self._running() < self.concurrency:
                    attempt = jobs.claim_next(self.engine, self.id)
                    if attempt is None:
                        break
                    self._start(attempt)
            except DATABASE_ERRORS as exc:
                log.warning("worker %s: cannot claim jobs: %s", self.id, describe(exc))
            stop.wait(self.settings.worker_poll_seconds)

    def _serve_procrastinate(self, stop: threading.Event) -> None:
        import procrastinate

        app = procrastinate.App(
            connector=procrastinate.PsycopgConnector(conninfo=conninfo(self.database_url))
        )

        @app.task(name=TASK, queue=QUEUE, pass_context=True)
        def run_job(context: procrastinate.JobContext, run_id: str) -> None:
            attempt = jobs.claim(self.engine, run_id, self.id)
            if attempt is None:  # cancelled, or done, before we got to it
                return
            self._supervise(attempt, should_abort=context.should_abort)

        async def serve() -> None:
            async with app.open_async():
                task = asyncio.create_task(
                    app.run_worker_async(
                        queues=[QUEUE],
                        concurrency=self.concurrency,
                        name=self.id,
                        install_signal_handlers=False,
                        listen_notify=True,
                        delete_jobs="successful",  # the run row is the history
                    )
                )
                while not stop.is_set() and not task.done():
                    await asyncio.sleep(0.2)
                if not task.done():
                    task.cancel()  # graceful: waits for the running jobs (released below)
                    self._after_grace()
                    try:
                        await task
                    except asyncio.CancelledError:
                        await asyncio.gather(task, return_exceptions=True)
                elif task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]

        asyncio.run(serve())

    # -- attempts ---------------------------------------------------------------------

    def _running(self) -> int:
        with self._lock:
            for run_id, thread in list(self._attempts.items()):
                if not thread.is_alive():
                    del self._attempts[run_id]
            return len(self._attempts)

    def _start(self, attempt: Attempt) -> None:
        thread = threading.Thread(
            target=self._supervise, args=(attempt,), name=f"job-{attempt.run_id[:8]}"
        )
        with self._lock:
            self._attempts[attempt.run_id] = thread
        thread.start()

    def _supervise(self, attempt: Attempt, should_abort: Callable[[], bool] | None = None) -> None:
        try:
            supervise(
                self.engine,
                self.database_url,
                attempt,
                self.settings,
                release=self.release,
                enqueue=self.queue.enqueue,
                should_abort=should_abort or (lambda: False),
            )
        except Exception:  # a database outage at the wrong moment: the lease decides
            log.exception("job %s: supervision failed", attempt.run_id)

    def _after_grace(self) -> None:
        """Start the grace period: release the running jobs when it is over."""
        timer = threading.Timer(self.settings.worker_grace_seconds, self.release.set)
        timer.daemon = True
        timer.start()

    def _shut_down(self) -> None:
        """Let running attempts finish within the grace period, then release them."""
        with self._lock:
            threads = list(self._attempts.values())
        if not threads:
            return
        if not self.release.is_set():
            log.info(
                "worker %s: %d job(s) running, grace %g s",
                self.id,
                len(threads),
                self.settings.worker_grace_seconds,
            )
            self._after_grace()
        for thread in threads:
            thread.join()

    # -- housekeeping -----------------------------------------------------------------

    def _housekeep(self, stop: threading.Event) -> None:
        interval = max(
            0.5, min(self.settings.job_heartbeat_seconds, self.settings.job_lease_seconds / 4)
        )
        while not stop.wait(interval):
            try:
                jobs.beat_worker(self.engine, self.id)
                for reaped in jobs.reap_stale(
                    self.engine,
                    lease_seconds=self.settings.job_lease_seconds,
                    max_attempts=self.settings.job_max_attempts,
                    enqueue=self.queue.enqueue,
                ):
                    log.warning(
                        "worker %s: job %s of worker %s (attempt %d) → %s",
                        self.id,
                        reaped.run_id,
                        reaped.worker_id,
                        reaped.attempt,
                        reaped.status,
                    )
                jobs.recover_lost(
                    self.engine,
                    lease_seconds=self.settings.job_lease_seconds,
                    find_lost=self.queue.lost,
                    enqueue=self.queue.enqueue,
                )
            except DATABASE_ERRORS as exc:
                log.warning("worker %s: housekeeping skipped: %s", self.id, describe(exc))


def start_in_thread(settings: Settings, *, name: str | None = None) -> Callable[[], None]:
    """Run a worker in a thread of this process (tests; embedded use); returns ``stop``."""
    stop = threading.Event()
    worker = Worker(settings, name=name)
    thread = threading.Thread(target=worker.run, args=(stop,), name="job-worker", daemon=True)
    thread.start()

    def stopper() -> None:
        stop.set()
        thread.join(timeout=settings.worker_grace_seconds + 60)

    return stopper
