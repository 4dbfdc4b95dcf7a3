"""The scenario commands end to end: files written, every variant re-checked, bad input."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from cli.app import app
from scheduler.pipeline import check_run
from scheduler.scenarios.comparison import ScenarioReport
from tests.paths import ROOT


def test_scenario_run_writes_the_comparison_and_checked_variants(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "scenario",
            "run",
            str(ROOT / "scenarios" / "diabetes-referrals-up.yaml"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    text = (out / "report.json").read_text(encoding="utf-8")
    report = json.loads(text)
    # the typed report reads report.json back to the very same JSON
    again = ScenarioReport.from_dict(report).to_dict()
    assert json.dumps(again, ensure_ascii=False, indent=2) + "\n" == text
    names = [v["name"] for v in report["variants"]]
    assert names == ["baseline", "内分泌需求+20%", "内分泌需求+40%"]
    kpis = [v["kpis"] for v in report["variants"]]
    # More endocrinology demand: more required, more unmet, L1 worse, step by step.
    assert (
        kpis[0]["required_sessions"] < kpis[1]["required_sessions"] < kpis[2]["required_sessions"]
    )
    assert kpis[0]["weighted_unmet"] < kpis[1]["weighted_unmet"] < kpis[2]["weighted_unmet"]
    assert kpis[1]["parts_reused"] == kpis[1]["parts"] - 1
    assert report["unmet_diff"]["内分泌需求+20%"]
    for name in ("report.html", "report.xlsx", "scenario.yaml", "charts/unmet_heatmap.png"):
        assert (out / name).stat().st_size > 0, name
    for k, variant in enumerate(report["variants"]):
        verdict = check_run(out / variant["run_dir"])
        assert verdict.ok, (k, verdict.check.violations[:3], verdict.mismatched)


def test_a_grid_sweep_summarises_every_variant(tmp_path: Path) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_text(
        f"""
name: grid
base: {{week: 2026-W49, data: {ROOT / "data"}}}
grid:
  - change: {{type: weekly_cap, specialty: PEDI}}
    vary: {{value: [1, 4]}}
""",
        encoding="utf-8",
    )
    out = tmp_path / "sweep"
    result = CliRunner().invoke(app, ["scenario", "sweep", str(grid), "--out", str(out)])
    assert result.exit_code == 0, result.output
    with open(out / "summary.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["variant"] for r in rows] == ["baseline", "value=1", "value=4"]
    unmet = [int(r["unmet_sessions"]) for r in rows]
    assert unmet[1] > unmet[0] >= unmet[2]  # fewer paediatric outings, more unmet
    assert {"sweep.html", "sweep.xlsx", "sweep.png"} <= {p.name for p in out.iterdir()}


def test_a_bad_scenario_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\nbase: {week: 2026-W49}\nvariants:\n"
        "  - name: v\n    changes: [{type: scale_demand, specialty: ENDO, factor: -1}]\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["scenario", "run", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert "variants[0].changes[0].factor" in result.output and "bad.yaml" in result.output
    assert not out.exists()
    week = tmp_path / "week.yaml"
    week.write_text("name: w\nbase: {week: 2026-W60}\nchanges: [{type: midday_gap, minutes: 60}]\n")
    result = CliRunner().invoke(app, ["scenario", "run", str(week), "--out", str(out)])
    assert result.exit_code == 2 and "base.week" in result.output
    assert not out.exists()


def test_a_published_baseline_is_read_from_the_database(tmp_path: Path, default_run: Path) -> None:
    """``base.published``: the baseline is the published roster, not solved
    again; it must have been solved on the data the variants are built from."""
    from scheduler.store.engine import open_database
    from scheduler.store.runs import import_run_dir
    from scheduler.store.runs import publish as publish_run

    database = f"sqlite:///{tmp_path / 'roster.db'}"
    engine = open_database(database)
    publish_run(engine, import_run_dir(engine, default_run), actor="test", note=None)
    engine.dispose()
    scenario = tmp_path / "published.yaml"
    scenario.write_text(
        f"""
name: 已发布排班为基线
base: {{week: 2026-W49, published: true, data: {ROOT / "data"}}}
changes: [{{type: weekly_cap, value: 1, specialty: PEDI}}]
""",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    cli = ["scenario", "run", str(scenario), "--out", str(out), "--database", database]
    result = CliRunner().invoke(app, cli)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    baseline, variant = report["variants"]
    assert baseline["notes"][0].startswith("taken from the database: published version 2026-W49 v1")
    assert baseline["kpis"]["solve_seconds"] == 0.0  # read, not solved
    with (default_run / "roster.csv").open(encoding="utf-8") as f:
        assert baseline["kpis"]["covered_sessions"] == sum(1 for _ in csv.DictReader(f))
    assert variant["kpis"]["unmet_sessions"] > baseline["kpis"]["unmet_sessions"]
    assert baseline["run_dir"] is None  # it is in the database
    assert check_run(out / variant["run_dir"]).ok

    # The same scenario on other data (one doctor's cap changed) is refused.
    other = tmp_path / "other-data"
    shutil.copytree(ROOT / "data", other)
    doctors = (other / "doctors.csv").read_text(encoding="utf-8")
    (other / "doctors.csv").write_text(
        doctors.replace(
            "H01-CARD-01,蔡蕾琪,H01,CARD,chief,3,", "H01-CARD-01,蔡蕾琪,H01,CARD,chief,2,"
        ),
        encoding="utf-8",
    )
    scenario.write_text(
        scenario.read_text(encoding="utf-8").replace(str(ROOT / "data"), str(other)),
        encoding="utf-8",
    )
    refused = CliRunner().invoke(app, [*cli[:3], "--out", str(tmp_path / "no"), *cli[5:]])
    assert refused.exit_code == 2, refused.output
    assert "base.published" in refused.output and "doctors differ" in refused.output
    assert not (tmp_path / "no").exists()
    # No such version: one line naming the field.
    scenario.write_text(
        scenario.read_text(encoding="utf-8").replace("published: true", "published: 7"),
        encoding="utf-8",
    )
    missing = CliRunner().invoke(app, [*cli[:3], "--out", str(tmp_path / "no"), *cli[5:]])
    assert missing.exit_code == 2 and "no published roster for version 7" in missing.output
