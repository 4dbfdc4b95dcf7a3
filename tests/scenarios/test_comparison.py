"""The scenario report's types (scheduler/scenarios/comparison.py) and their JSON.

``report.json``, the ``runs.report`` column and the API's ``report`` are a
:class:`ScenarioReport`'s ``to_dict()``: it must read back to the very same
JSON, key order included. The input is the trimmed ``compare()`` result of
tests/scenarios/fixtures/scenario_report.json (solved end to end, the CLI's
test reads a fresh report.json back the same way).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scheduler.kpis import CoverageTotal
from scheduler.labels import KPI_LABELS
from scheduler.scenarios.comparison import (
    KPI_KEYS,
    SCENARIO_COVERAGE_GROUPS,
    GroupCoverage,
    KpiRow,
    ScenarioReport,
    SweepRow,
)
from scheduler.scenarios.report import KPI_ROWS, SWEEP_COLUMNS

FIXTURE = Path(__file__).parent / "fixtures" / "scenario_report.json"


def _raw() -> dict[str, Any]:
    """The fixture as a written report.json holds it (each variant with its run_dir)."""
    raw: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for k, variant in enumerate(raw["variants"]):
        variant["run_dir"] = f"variants/{k:02d}" if k else None
    return raw


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def test_a_report_reads_back_to_the_same_json() -> None:
    raw = _raw()
    report = ScenarioReport.from_dict(raw)
    assert report.to_dict() == raw
    assert _dumps(report.to_dict()) == _dumps(raw)  # key order too
    assert ScenarioReport.from_dict(report.to_dict()) == report


def test_the_report_is_typed_all_the_way_down() -> None:
    report = ScenarioReport.from_dict(_raw())
    baseline, cardio, _ = report.variants
    assert baseline.run_dir is None and cardio.run_dir == "variants/01"
    assert baseline.kpis.coverage_percent == 95.3 and baseline.kpis.unmet_by_reason == {
        "weekly_cap": 45
    }
    assert baseline.levels[0].label == "L1" and baseline.levels[0].value == 72
    k1 = report.coverage.consortium[0]
    assert (k1.id, k1.by_variant["baseline"]) == ("K1", CoverageTotal(285, 277, 8, 97.2))
    assert [len(report.coverage.group(g)) for g in SCENARIO_COVERAGE_GROUPS] == [3, 4, 2, 3, 2]
    change = report.unmet_diff[cardio.name][0]
    assert (change.item_id, change.change, change.reason_code) == ("D058", 2, "title")
    assert report.names.consortia["K3"] == "沙坪坝区陈家桥医院医共体"


def test_a_variant_without_a_run_dir_key_reads_as_none() -> None:
    raw = _raw()
    del raw["variants"][1]["run_dir"]
    assert ScenarioReport.from_dict(raw).variants[1].run_dir is None


def test_a_group_lists_only_the_variants_that_have_it() -> None:
    row = GroupCoverage("K9", "new", {"V1": CoverageTotal(4, 3, 1, 75.0)})
    assert row.to_dict() == {
        "id": "K9",
        "name": "new",
        "V1": {"required": 4, "covered": 3, "unmet": 1, "percent": 75.0},
    }
    assert GroupCoverage.from_dict(row.to_dict()) == row


def test_a_kpi_is_read_by_its_key() -> None:
    kpis = ScenarioReport.from_dict(_raw()).variants[2].kpis
    assert kpis.value("weighted_unmet") == kpis.weighted_unmet == 766
    assert kpis.value("status") == "optimal"
    for key in ("unmet_by_reason", "coverage"):
        with pytest.raises(KeyError):
            kpis.value(key)


def test_every_kpi_the_reports_show_is_a_kpi_row_field() -> None:
    shown = {key for key, *_ in KPI_ROWS} | {key for key, *_ in SWEEP_COLUMNS}
    assert shown <= set(KPI_LABELS) <= KPI_KEYS


def test_a_missing_kpi_is_a_key_error() -> None:
    raw = _raw()["variants"][0]["kpis"]
    del raw["parts_reused"]
    with pytest.raises(KeyError, match="parts_reused"):
        KpiRow.from_dict(raw)


def test_a_sweep_row_is_the_scenario_then_the_kpis_then_the_notes() -> None:
    kpis = ScenarioReport.from_dict(_raw()).variants[1].kpis
    row = SweepRow("cardio.yaml", kpis, ("three doctors fewer",))
    flat = row.to_dict()
    assert list(flat) == ["scenario", *kpis.to_dict(), "notes"]
    assert flat["notes"] == ["three doctors fewer"] and flat["variant"] == kpis.variant
    assert SweepRow.from_dict(flat) == row
    assert SweepRow("base", kpis).to_dict()["notes"] == []
