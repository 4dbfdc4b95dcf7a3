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
from scheduler.demand import derive_demand
from scheduler.domain import Instance, Level
from scheduler.errors import InputError
from scheduler.io.instance_json import read_instance
from scheduler.io.load import load_dataset
from scheduler.io.run_dir import read_roster, write_run
from scheduler.model.solve import ProgressFn, SolverParams, solve_instance
from scheduler.result import Result
from scheduler.week import parse_week

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOutcome:
    """What ``solve_week`` produced."""

    instance: Instance
    result: Result
    report: dict[str, Any]
    out_dir: Path


def previous_pairs(run_dir: Path) -> set[tuple[str, str]]:
    """(doctor, demand item) pairs of a previous run's roster (for continuity, L2)."""
    roster = read_roster(Path(run_dir) / "roster.csv")
    return {(a.doctor_id, a.item_id) for a in roster}


def solve_week(
    data_dir: Path,
    week: str,
    out_dir: Path,
    *,
    previous_run: Path | None = None,
    params: SolverParams | None = None,
    progress: ProgressFn | None = None,
) -> RunOutcome:
    """Load, validate, derive demand, solve every level and write the run directory."""
    started = time.perf_counter()
    parse_week(week)
    data = load_dataset(Path(data_dir))
    previous = previous_pairs(previous_run) if previous_run else set()
    demand_rows = derive_demand(data, week)
    instance = build_instance(data, week, previous=previous, demand_rows=demand_rows)
    load_seconds = time.perf_counter() - started
    log.info(
        "instance %s: %d doctors, %d demand items",
        week,
        len(instance.doctors),
        len(instance.demand),
    )
    result = solve_instance(instance, params, progress)
    extra = {
        "data_dir": str(data_dir),
        "previous_run": str(previous_run) if previous_run else None,
        "load_seconds": round(load_seconds, 3),
    }
    report = write_run(Path(out_dir), instance, demand_rows, result, extra)
    report["wall_seconds"] = round(time.perf_counter() - started, 3)
    # Wall time including outputs is only known now; patch it into report.json.
    path = Path(out_dir) / "report.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return RunOutcome(instance, result, report, Path(out_dir))


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
    if report_path.is_file():
        report = json.loads(report_path.read_text(encoding="utf-8"))
        reported = {Level(lv["level"]): int(lv["value"]) for lv in report.get("levels", [])}
    mismatched = [lv for lv, value in reported.items() if check.levels.get(lv) != value]
    return RunCheck(check, reported, mismatched)
