"""End to end on the default data: solve 2026-W49, write the run, check it independently.

The solve runs once per test session (module fixture); a second solve checks
determinism. Each takes about 90 s on 2 cores.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from scheduler.pipeline import RunOutcome, check_run, solve_week
from scheduler.result import SolveStatus
from tests.paths import DATA

WEEK = "2026-W49"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> RunOutcome:
    return solve_week(DATA, WEEK, tmp_path_factory.mktemp("e2e") / "run")


def test_checker_finds_no_violation_and_equal_levels(run: RunOutcome) -> None:
    verdict = check_run(run.out_dir)
    assert verdict.check.violations == []
    assert verdict.mismatched == []
    assert verdict.check.levels == {lv.level: lv.value for lv in run.result.levels}
    assert verdict.check.sessions == len(run.result.assignments) > 0


def test_every_level_proven_and_coverage_in_the_calibrated_band(run: RunOutcome) -> None:
    report = run.report
    assert [lv["label"] for lv in report["levels"]] == ["L1", "L2", "L3", "L4", "L5"]
    for level in report["levels"]:
        assert level["status"] == SolveStatus.OPTIMAL.value, level
        assert level["value"] == level["bound"]
    assert report["status"] == SolveStatus.OPTIMAL.value
    assert 88.0 <= report["coverage_percent"] <= 97.0


def test_every_unmet_row_has_a_specific_reason(run: RunOutcome) -> None:
    with (run.out_dir / "unmet.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows, "the default week is calibrated to leave some demand unmet"
    assert sum(int(r["missing"]) for r in rows) == run.report["sessions_unmet"]
    for row in rows:
        assert row["reason_code"] and len(row["reason"]) > 10


def test_run_directory_has_every_output(run: RunOutcome) -> None:
    names = {p.name for p in run.out_dir.iterdir()}
    assert {
        "report.json",
        "solve-report.md",
        "instance.json",
        "demand.csv",
        "roster.csv",
        "unmet.csv",
        "kpis.json",
        "roster.xlsx",
        "calendars",
    } <= names
    doctors = {a.doctor_id for a in run.result.assignments}
    assert {p.stem for p in (run.out_dir / "calendars").glob("*.ics")} == doctors
    report = json.loads((run.out_dir / "report.json").read_text(encoding="utf-8"))
    assert {"versions", "seed", "wall_seconds", "levels", "parameters"} <= report.keys()
    kpis = json.loads((run.out_dir / "kpis.json").read_text(encoding="utf-8"))
    assert kpis["coverage"]["overall"]["percent"] == pytest.approx(
        report["coverage_percent"], abs=0.1
    )


def test_same_input_same_seed_same_roster(run: RunOutcome, tmp_path: Path) -> None:
    again = solve_week(DATA, WEEK, tmp_path / "again")
    assert (tmp_path / "again" / "roster.csv").read_bytes() == (
        run.out_dir / "roster.csv"
    ).read_bytes()
    assert [lv.value for lv in again.result.levels] == [lv.value for lv in run.result.levels]


def test_check_command_passes_then_catches_a_tampered_roster(
    run: RunOutcome, tmp_path: Path
) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["check", str(run.out_dir)])
    assert result.exit_code == 0, result.output
    assert "0 violation(s)" in result.output

    tampered = tmp_path / "tampered"
    tampered.mkdir()
    for name in ("instance.json", "report.json"):
        (tampered / name).write_bytes((run.out_dir / name).read_bytes())
    with (run.out_dir / "roster.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    first, second = rows[0], next(r for r in rows if r["doctor_id"] != rows[0]["doctor_id"])
    # Put the second row's doctor in the first row's place and time as well: R1/R5/R2 may break.
    clone = dict(first, doctor_id=second["doctor_id"], hospital_id=second["hospital_id"])
    with (tampered / "roster.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows([*rows, clone])
    result = runner.invoke(app, ["check", str(tampered)])
    assert result.exit_code == 1
    assert "level mismatch" in result.output
