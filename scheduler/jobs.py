"""Solve and scenario jobs: each runs in a child process of its own.

A solve job runs ``solve_week`` and stores the run; a scenario job (``kind``
``scenario``) runs ``run_scenario`` and writes the scenario directory under
``ROSTER_RUNS_DIR``, keeping its report JSON in the run's row.

The API stays responsive during a solve, and a solver crash or a memory
blow-up kills only the child: the runner sees its exit code and marks the
job failed. Jobs wait in the database (status ``queued``) until one of
``pool_size`` slots is free; a monitor thread starts them and reaps the
finished. Progress (part k of n, current level, value and bound) is written
to the run's row as the solve goes. At start-up, runs left ``queued`` or
``running`` by an earlier API process are marked failed ("interrupted"), so
no job stays "running" forever; at shutdown, running children are stopped and
marked the same way.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import multiprocessing.process
import os
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from scheduler.settings import Settings
from scheduler.store.engine import make_engine, transaction
from scheduler.store.runs import RunRecord, StoreError, create_run, now, record_results
from scheduler.store.schema import RunKind, RunStatus, SolveRun

log = logging.getLogger(__name__)

_CONTEXT = multiprocessing.get_context("spawn")  # never fork a server's threads


def _mark(engine: Engine, run_id: str, **fields: Any) -> None:
    with transaction(engine) as session:
        run = session.get(SolveRun, run_id)
        if run is None:
            return
        for name, value in fields.items():
            setattr(run, name, value)


def run_job(database_url: str, run_id: str, settings_json: str) -> None:
    """The child process: solve, store the results, or record the error."""
    from scheduler.model.solve import Progress, SolverParams
    from scheduler.pipeline import solve_week

    logging.basicConfig(level=logging.WARNING)
    settings = Settings.model_validate_json(settings_json)
    engine = make_engine(database_url)
    with transaction(engine) as session:
        run = session.get(SolveRun, run_id)
        if run is None or run.status != RunStatus.QUEUED:
            return
        week, parameters, kind = run.week, dict(run.parameters), run.kind
        run.status = RunStatus.RUNNING
        run.started_at = now()
        run.worker_pid = multiprocessing.current_process().pid
    if kind == RunKind.SCENARIO:
        _run_scenario(engine, run_id, settings, parameters)
        return
    last = 0.0
    previous: list[Progress] = []

    def progress(p: Progress) -> None:
        nonlocal last
        if time.monotonic() - last < 0.5 and p.level is not None:
            return  # keep the database writes few
        if p.level is None and previous:  # a part finished: keep its last level in view
            p = dataclasses.replace(
                p, level=previous[0].level, value=previous[0].value, bound=previous[0].bound
            )
        elif p.level is not None:
            previous[:] = [p]
        last = time.monotonic()
        _mark(
            engine,
            run_id,
            progress={
                "parts_done": p.parts_done,
                "parts_total": p.parts_total,
                "part": p.part_index,
                "level": p.level.value if p.level else None,
                "value": p.value,
                "bound": p.bound,
                "parts_done_levels": {
                    level: {"value": value, "bound": bound}
                    for level, (value, bound) in p.so_far.items()
                },
            },
        )

    out = Path(settings.runs_dir) / run_id
    try:
        params = SolverParams(
            seed=int(parameters.get("seed", 0)),
            workers=settings.solve_workers,
            processes=_processes(settings),
            time_limit_per_level=settings.solve_time_limit,
            deterministic_time_per_level=settings.solve_dtime,
        )
        solve_week(Path(settings.data_dir), week, out, params=params, progress=progress)
        record_results(engine, run_id, RunRecord.from_run_dir(out))
    except Exception as exc:  # the job fails, with the reason in one line
        log.exception("solve job %s failed", run_id)
        _mark(engine, run_id, status=RunStatus.FAILED, error=str(exc), finished_at=now())
    finally:
        engine.dispose()


def _processes(settings: Settings) -> int:
    # Leave a core to the API: "0" (all cores) means all but one for jobs.
    return settings.solve_processes or max(1, (os.cpu_count() or 2) - 1)


def _run_scenario(
    engine: Engine, run_id: str, settings: Settings, parameters: dict[str, Any]
) -> None:
    """A scenario job: solve baseline and variants, write the scenario directory."""
    from scheduler.model.solve import SolverParams
    from scheduler.scenarios.output import write_scenario
    from scheduler.scenarios.run import Solved, run_scenario
    from scheduler.scenarios.spec import parse_scenario

    out = Path(settings.runs_dir) / run_id
    try:
        scenario = parse_scenario(parameters["scenario"], file="scenario")
        total = len(scenario.variants) + 1
        done: list[str] = []

        def on_done(solved: Solved) -> None:
            done.append(solved.name)
            _mark(
                engine,
                run_id,
                progress={"variants_done": len(done), "variants_total": total, "last": solved.name},
            )

        params = SolverParams(
            workers=settings.solve_workers,
            time_limit_per_level=settings.solve_time_limit,
            deterministic_time_per_level=settings.solve_dtime,
        )
        run = run_scenario(
            scenario,
            base_dir=Path(settings.data_dir),
            default_data=Path(settings.data_dir),
            file="scenario",
            params=params,
            processes=_processes(settings),
            on_done=on_done,
            database_url=engine.url.render_as_string(hide_password=False),
        )
        report = write_scenario(run, out)
        _mark(
            engine,
            run_id,
            status=RunStatus.SUCCEEDED,
            report=report,
            coverage=report["variants"][0]["kpis"]["coverage_percent"],
            run_dir=str(out),
            finished_at=now(),
        )
    except Exception as exc:  # the job fails, with the reason in one line
        log.exception("scenario job %s failed", run_id)
        _mark(engine, run_id, status=RunStatus.FAILED, error=str(exc), finished_at=now())
    finally:
        engine.dispose()


class JobRunner:
    """Starts queued solve jobs in child processes, at most ``pool_size`` at once."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self._engine = engine
        self._settings = settings
        self._children: dict[str, multiprocessing.process.BaseProcess] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Mark runs an earlier process left behind as failed, then start the monitor."""
        with transaction(self._engine) as session:
            stale = session.scalars(
                select(SolveRun).where(SolveRun.status.in_([RunStatus.QUEUED, RunStatus.RUNNING]))
            ).all()
            for run in stale:
                run.status = RunStatus.FAILED
                run.error = "interrupted: the API restarted before the job finished"
                run.finished_at = now()
        self._thread = threading.Thread(target=self._monitor, name="solve-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the monitor; stop running children and mark their runs failed."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            for run_id, child in list(self._children.items()):
                if child.is_alive():
                    child.terminate()
                    child.join(timeout=5)
                _mark(
                    self._engine,
                    run_id,
                    status=RunStatus.FAILED,
                    error="interrupted: the API stopped before the job finished",
                    finished_at=now(),
                )
            self._children.clear()

    def submit(
        self,
        week: str,
        parameters: dict[str, Any],
        *,
        created_by: str,
        kind: str = RunKind.SOLVE,
    ) -> str:
        """Queue a job (a solve of ``week``, or a scenario: ``parameters["scenario"]``);
        returns the run id (started when a slot is free)."""
        run_id = create_run(self._engine, week, parameters, created_by=created_by, kind=kind)
        self._tick()
        return run_id

    def cancel(self, run_id: str) -> str:
        """Cancel a queued or running job; returns its status afterwards."""
        with self._lock:
            child = self._children.pop(run_id, None)
            with transaction(self._engine) as session:
                run = session.get(SolveRun, run_id)
                if run is None:
                    raise StoreError(f"no solve job {run_id!r}", status=404)
                if run.status in RunStatus.FINISHED:
                    return run.status
                run.status = RunStatus.CANCELLED
                run.finished_at = now()
            if child is not None and child.is_alive():
                child.terminate()
                child.join(timeout=10)
                if child.is_alive():
                    child.kill()
        return RunStatus.CANCELLED

    def _monitor(self) -> None:
        while not self._stop.wait(0.25):
            try:
                self._tick()
            except Exception:  # keep the monitor alive; the next tick retries
                log.exception("solve job monitor")

    def _tick(self) -> None:
        with self._lock:
            for run_id, child in list(self._children.items()):
                if child.is_alive():
                    continue
                child.join()
                del self._children[run_id]
                with transaction(self._engine) as session:
                    run = session.get(SolveRun, run_id)
                    if run is not None and run.status in (RunStatus.QUEUED, RunStatus.RUNNING):
                        run.status = RunStatus.FAILED
                        run.error = f"the solver process died (exit code {child.exitcode})"
                        run.finished_at = now()
            free = self._settings.job_pool_size - len(self._children)
            if free <= 0:
                return
            with transaction(self._engine) as session:
                queued = session.scalars(
                    select(SolveRun.id)
                    .where(SolveRun.status == RunStatus.QUEUED)
                    .order_by(SolveRun.created_at, SolveRun.id)
                    .limit(free)
                ).all()
            url = self._engine.url.render_as_string(hide_password=False)
            for run_id in queued:
                if run_id in self._children:
                    continue
                child = _CONTEXT.Process(
                    target=run_job,
                    args=(url, run_id, self._settings.model_dump_json()),
                    name=f"solve-{run_id[:8]}",
                    daemon=False,
                )
                child.start()
                self._children[run_id] = child
