"""The solver process: one attempt of one job, in a process of its own.

A solve job solves its week (``scheduler.pipeline.solve_week``) into
``ROSTER_RUNS_DIR/<run id>`` and stores the run; a scenario job runs the
scenario (``scheduler.scenarios.run.run_scenario``) and keeps its report. The
process dies with the worker that started it (``die_with_parent``) and leads a
process group of its own, so that the worker can stop it and every process it
started (part workers, a manager) at once. Every write names the attempt
(``scheduler.store.jobs``): if the job was cancelled, or given to another
worker meanwhile, the results are not stored.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from scheduler.io.data_files import DataFiles
from scheduler.processes import die_with_parent
from scheduler.settings import Settings
from scheduler.store import jobs
from scheduler.store.data_versions import data_files
from scheduler.store.engine import make_engine, transaction
from scheduler.store.errors import DATABASE_ERRORS, describe
from scheduler.store.jobs import Attempt
from scheduler.store.schema import RunKind

log = logging.getLogger(__name__)

PROGRESS_SECONDS = 0.5  # at most two progress writes a second


def run_attempt(database_url: str, attempt: Attempt, settings_json: str, parent_pid: int) -> None:
    """The process's target: solve, store the results fenced, or record the error."""
    die_with_parent(parent_pid)
    os.setpgid(0, 0)  # a group of our own: the worker stops us and our children at once
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.model_validate_json(settings_json)
    engine = make_engine(database_url)
    try:
        if attempt.kind == RunKind.SCENARIO:
            _scenario(engine, attempt, settings)
        else:
            _solve(engine, attempt, settings)
    except Exception as exc:  # the job fails, with the reason in one line
        log.exception("job %s attempt %d failed", attempt.run_id, attempt.number)
        message = describe(exc) if isinstance(exc, DATABASE_ERRORS) else str(exc)
        jobs.fail(engine, attempt, message.splitlines()[0] if message else type(exc).__name__)
    finally:
        engine.dispose()


def _processes(settings: Settings) -> int:
    # "0": all cores but one (the API and the worker share the machine by default).
    return settings.solve_processes or max(1, (os.cpu_count() or 2) - 1)


class _Progress:
    """Writes a solve's progress to the run's row, a few times a second at most."""

    def __init__(self, engine: Engine, attempt: Attempt) -> None:
        self.engine = engine
        self.attempt = attempt
        self.last = 0.0
        self.previous: Any = None

    def __call__(self, p: Any) -> None:
        if time.monotonic() - self.last < PROGRESS_SECONDS and p.level is not None:
            return
        if p.level is None and self.previous is not None:  # a part finished: keep its level
            p = dataclasses.replace(
                p, level=self.previous.level, value=self.previous.value, bound=self.previous.bound
            )
        elif p.level is not None:
            self.previous = p
        self.last = time.monotonic()
        self.write(
            {
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
            }
        )

    def write(self, progress: dict[str, Any]) -> None:
        try:
            jobs.record_progress(self.engine, self.attempt, progress)
        except DATABASE_ERRORS as exc:  # progress is best effort; the results are not
            log.warning("job %s: progress not written: %s", self.attempt.run_id, describe(exc))


def _solve(engine: Engine, attempt: Attempt, settings: Settings) -> None:
    from scheduler.model.params import Deployment, SolverParams
    from scheduler.pipeline import solve_week

    out = Path(settings.runs_dir) / attempt.run_id
    params = SolverParams(
        seed=int(attempt.parameters.get("seed", 0)),
        workers=settings.solve_workers,
        time_limit_per_level=settings.solve_time_limit,
        deterministic_time_per_level=settings.solve_dtime,
    )
    outcome = solve_week(
        _data_source(engine, attempt, settings),
        attempt.week,
        out,
        params=params,
        deployment=Deployment(processes=_processes(settings)),
        progress=_Progress(engine, attempt),
    )
    if not jobs.finish_roster(engine, attempt, outcome.record):
        log.warning("job %s attempt %d: superseded, results not stored", *_who(attempt))


def _data_source(engine: Engine, attempt: Attempt, settings: Settings) -> Path | DataFiles:
    """The data version the job was submitted on; the data directory for a job
    queued before the database had data versions."""
    if attempt.data_version is None:
        return Path(settings.data_dir)
    with transaction(engine) as session:
        return data_files(session, attempt.data_version)


def _scenario(engine: Engine, attempt: Attempt, settings: Settings) -> None:
    from scheduler.model.params import Deployment, SolverParams
    from scheduler.scenarios.output import write_scenario
    from scheduler.scenarios.run import Solved, run_scenario
    from scheduler.scenarios.spec import parse_scenario

    out = Path(settings.runs_dir) / attempt.run_id
    scenario = parse_scenario(attempt.parameters["scenario"], file="scenario")
    total = len(scenario.variants) + 1
    done: list[str] = []
    progress = _Progress(engine, attempt)

    def on_done(solved: Solved) -> None:
        done.append(solved.name)
        progress.write({"variants_done": len(done), "variants_total": total, "last": solved.name})

    params = SolverParams(
        workers=settings.solve_workers,
        time_limit_per_level=settings.solve_time_limit,
        deterministic_time_per_level=settings.solve_dtime,
    )
    run = run_scenario(
        scenario,
        base_dir=Path(settings.data_dir),
        default_data=_data_source(engine, attempt, settings),
        file="scenario",
        params=params,
        deployment=Deployment(processes=_processes(settings)),
        on_done=on_done,
        database_url=engine.url.render_as_string(hide_password=False),
    )
    report = write_scenario(run, out)
    stored = jobs.finish_scenario(
        engine,
        attempt,
        report=report.to_dict(),
        coverage=report.variants[0].kpis.coverage_percent,
        run_dir=str(out),
    )
    if not stored:
        log.warning("job %s attempt %d: superseded, report not stored", *_who(attempt))


def _who(attempt: Attempt) -> tuple[str, int]:
    return attempt.run_id, attempt.number
