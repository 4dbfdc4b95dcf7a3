"""The main job, one direction of flow: data → instance → solve → run directory.

Also the checker's entry point over a run directory. The CLI and (later) the
API call these; neither builds models or reads CSV itself.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scheduler.build import build_instance
from scheduler.checker import CheckReport, check_roster
from scheduler.demand import derive_demand, forecast_window
from scheduler.domain import Instance, Level
from scheduler.errors import InputError
from scheduler.io.data_files import DataFiles
from scheduler.io.instance_json import read_instance
from scheduler.io.load import load_dataset
from scheduler.io.output_dir import OutputKind, prepare_output
from scheduler.io.run_dir import read_json_object, read_roster, run_record, write_record
from scheduler.model.outcomes import ProgressFn
from scheduler.model.params import Deployment, SolverParams
from scheduler.model.solve import solve
from scheduler.result import Result
from scheduler.run_record import RunRecord
from scheduler.week import canonical_week, parse_week, shift_week

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOutcome:
    """What ``solve_week`` produced: ``record`` is what the run directory holds
    (what the job worker stores), ``report`` its ``report.json``."""

    instance: Instance
    result: Result
    report: dict[str, Any]
    out_dir: Path
    record: RunRecord


def run_week(run_dir: Path) -> tuple[str, str]:
    """(week, file it was read from) of a run directory: its ``report.json``,
    else its ``instance.json``."""
    run_dir = Path(run_dir)
    for name in ("report.json", "instance.json"):
        path = run_dir / name
        if not path.is_file():
            continue
        where = str(path)
        try:
            week = json.loads(path.read_text(encoding="utf-8")).get("week")
        except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
            raise InputError("not a run's JSON file", file=where) from None
        if not isinstance(week, str):
            raise InputError("has no week", file=where, field="week")
        return canonical_week(week), where
    raise InputError(
        "not a run directory: no report.json or instance.json to tell its week", file=str(run_dir)
    )


def previous_pairs(run_dir: Path, *, week: str) -> set[tuple[str, str]]:
    """(doctor, demand item) pairs of last week's roster (for continuity, L2).

    ``week`` is the week being solved. The run must be of the week before it:
    continuity rewards keeping last week's doctor on an item, and pairs from
    any other week (the same week solved again, a month ago) would quietly
    reward the wrong roster. Anything else is an :class:`InputError` naming
    both weeks.
    """
    expected = shift_week(week, -1)
    found, where = run_week(run_dir)
    if found != expected:
        raise InputError(
            f"the previous run is of {found}, but the week before {canonical_week(week)} "
            f"is {expected}: name last week's run",
            file=where,
            field="week",
        )
    roster = read_roster(Path(run_dir) / "roster.csv")
    return {(a.doctor_id, a.item_id) for a in roster}


def solve_week(
    data_source: Path | DataFiles,
    week: str,
    out_dir: Path,
    *,
    previous_run: Path | None = None,
    params: SolverParams | None = None,
    deployment: Deployment | None = None,
    progress: ProgressFn | None = None,
) -> RunOutcome:
    """Load, validate, derive demand, solve every level and write the run directory.

    ``data_source`` is a data directory or a data version's files (the report
    names the one or the other: ``data_dir``, ``data_version``)."""
    started = time.perf_counter()
    parse_week(week)
    week = canonical_week(week)
    # The run directory may be refused, or not writable: say so before the solve.
    output = prepare_output(Path(out_dir), OutputKind.RUN)
    files = data_source if isinstance(data_source, DataFiles) else DataFiles.read(data_source)
    data = load_dataset(files)
    previous = previous_pairs(previous_run, week=week) if previous_run else set()
    window = forecast_window(data, week)
    demand_rows = derive_demand(data, week)
    instance = build_instance(data, week, previous=previous, demand_rows=demand_rows)
    load_seconds = time.perf_counter() - started
    log.info(
        "instance %s: %d doctors, %d demand items",
        week,
        len(instance.doctors),
        len(instance.demand),
    )
    result = solve(instance, params, deployment=deployment, progress=progress)
    extra = {
        "data_dir": None if files.version is not None else str(data_source),
        "data_version": files.version,
        "previous_run": str(previous_run) if previous_run else None,
        "load_seconds": round(load_seconds, 3),
        "warnings": [window.warning] if window.warning else [],
    }
    # Everything, wall time included, is final before the directory is put in place.
    record = run_record(instance, demand_rows, result, extra, run_dir=Path(out_dir))
    with output.staged() as staging:
        record = write_record(staging.path, record, result, started=started)
    return RunOutcome(instance, result, record.report, Path(out_dir), record)


@dataclass(frozen=True)
class RunCheck:
    """The checker's verdict on a run directory."""

    check: CheckReport
    reported: dict[Level, int]
    mismatched: list[Level]

    @property
    def ok(self) -> bool:
        """No violations and every reported level equals its recomputed value."""
        return self.check.ok and not self.mismatched


def check_run(run_dir: Path) -> RunCheck:
    """Re-verify R1–R8 and recompute L1–L5 from instance.json + roster.csv."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise InputError("run directory does not exist", file=str(run_dir))
    instance = read_instance(run_dir / "instance.json")
    roster = read_roster(run_dir / "roster.csv")
    check = check_roster(instance, roster)
    reported: dict[Level, int] = {}
    report_path = run_dir / "report.json"
    if report_path.exists():
        report = read_json_object(report_path)
        try:
            reported = {Level(lv["level"]): int(lv["value"]) for lv in report.get("levels", [])}
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"levels are not as solve writes them ({exc})", file=str(report_path)
            ) from None
    mismatched = [lv for lv, value in reported.items() if check.levels.get(lv) != value]
    return RunCheck(check, reported, mismatched)
