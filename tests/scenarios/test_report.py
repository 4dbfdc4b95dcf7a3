"""Scenario, sweep and sensitivity reports (scheduler/scenarios/report.py).

The scenario input is a trimmed ``compare()`` result of the real data set
(tests/fixtures/scenario_report.json: the baseline and two variants, a few
specialties and hospitals). Every writer runs with warnings as errors: a chart
label with a glyph the font lacks would warn, so these tests also hold on a
machine without a CJK font, where labels fall back to ids.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from scheduler.scenarios import report as report_module
from scheduler.scenarios.comparison import ScenarioReport, SweepRow
from scheduler.scenarios.report import (
    ChartFonts,
    chart_fonts,
    write_scenario_report,
    write_sensitivity_report,
    write_sweep_report,
)

pytestmark = pytest.mark.filterwarnings("error")

FIXTURE = Path(__file__).parent / "fixtures" / "scenario_report.json"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CARDIO = "新桥心内科减三人"
TUNNEL = "中梁山隧道拥堵×1.5"


def _raw() -> dict[str, Any]:
    """The fixture's JSON, to change before reading it (:func:`_report`)."""
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def _report(raw: dict[str, Any] | None = None) -> ScenarioReport:
    return ScenarioReport.from_dict(_raw() if raw is None else raw)


def _rename(report: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """The report with variant ``old`` called ``new`` everywhere it is keyed or named."""
    out = copy.deepcopy(report)
    for variant in out["variants"]:
        if variant["name"] == old:
            variant["name"] = variant["kpis"]["variant"] = new
    for rows in out["coverage"].values():
        for row in rows:
            if old in row:
                row[new] = row.pop(old)
    if old in out["unmet_diff"]:
        out["unmet_diff"][new] = out["unmet_diff"].pop(old)
    return out


def _sweep_rows() -> list[SweepRow]:
    return [SweepRow("tunnel.yaml", v.kpis) for v in _report().variants]


def _sensitivity_rows(n: int) -> list[dict[str, Any]]:
    return [
        {
            "rank": k + 1,
            "hospital_id": "H02",
            "hospital_name": "新桥医院",
            "specialty_id": f"S{k:02d}",
            "specialty_name": f"专科{k}",
            "template_doctor": f"H02-S{k:02d}-01",
            "title": "主任医师",
            "weekly_cap": 4,
            "extra_sessions": 12 - k,
            "weighted_unmet_reduction": 20 - k,
            "unmet_before": 15,
            "solve_seconds": 0.25,
        }
        for k in range(n)
    ]


SENSITIVITY_META = {
    "week": "2026-W49",
    "baseline_unmet_sessions": 45,
    "baseline_weighted_unmet": 72,
    "pairs": 3,
    "seconds": 1.5,
}


def _html(paths: list[Path], name: str) -> str:
    return next(p for p in paths if p.name == name).read_text(encoding="utf-8")


def _files(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _assert_self_contained(html: str) -> None:
    without_xmlns = re.sub(r'xmlns(:\w+)?="[^"]*"', "", html)
    assert "http://" not in without_xmlns and "https://" not in without_xmlns
    assert "<link" not in html and "<script" not in html
    assert "data:image/png;base64," in html


# --- fonts ----------------------------------------------------------------------


def test_label_falls_back_to_the_id_when_a_glyph_is_missing() -> None:
    fonts = ChartFonts(("DejaVu Sans",), frozenset(map(ord, "abcdeK1 :")))
    assert fonts.label("心血管内科", "CARD") == "CARD"
    assert fonts.label("K1", "x") == "K1"
    assert fonts.label("", "V2") == "V2"  # an empty name is no label
    assert fonts.text("基线", "baseline") == "baseline"


def test_chart_fonts_always_draw_ids() -> None:
    fonts = chart_fonts()
    assert fonts.families[-1] == "DejaVu Sans"
    assert fonts.drawable("K1 · CARD · H02 · V3 ±−×%")
    # a CJK family comes first exactly when one is installed, and then draws Chinese
    assert fonts.drawable("心血管内科") == (len(fonts.families) == 2)


# --- scenario report ------------------------------------------------------------


def test_scenario_report_writes_charts_html_and_workbook(tmp_path: Path) -> None:
    paths = write_scenario_report(_report(), tmp_path)
    assert [str(p.relative_to(tmp_path)) for p in paths] == [
        "charts/coverage_by_consortium.png",
        "charts/unmet_heatmap.png",
        "charts/load_distribution.png",
        "report.html",
        "report.xlsx",
    ]
    for path in paths:
        assert path.stat().st_size > 0
    for path in paths[:3]:
        assert path.read_bytes().startswith(PNG_SIGNATURE)


def test_scenario_html_is_self_contained_and_compares_to_the_baseline(tmp_path: Path) -> None:
    html = _html(write_scenario_report(_report(), tmp_path), "report.html")
    _assert_self_contained(html)
    assert html.count("data:image/png;base64,") == 3
    for name in ("baseline", CARDIO, TUNNEL):
        assert name in html
    # coverage 95.3 % in the baseline, 94.1 % with three cardiologists fewer
    assert '94.1 <span class="delta worse">(−1.2)</span>' in html
    # each variant's notes, reasons in Chinese, names looked up for the diff
    assert "removed for the whole week: H02-CARD-01, H02-CARD-02, H02-CARD-03" in html
    assert "职称不足" in html and "周上限已满" in html
    assert "沙坪坝区陈家桥医院医共体" in html


def test_scenario_html_lists_the_top_30_diff_rows_and_counts_the_rest(tmp_path: Path) -> None:
    raw = _raw()
    raw["unmet_diff"][CARDIO] = [
        dict(raw["unmet_diff"][CARDIO][0], item_id=f"X{k:03d}", name=f"需求项{k:03d}")
        for k in range(35)
    ]
    html = _html(write_scenario_report(_report(raw), tmp_path), "report.html")
    assert "需求项029" in html
    assert "需求项030" not in html
    assert "另有 5 项" in html


def test_scenario_html_escapes_names_from_the_data(tmp_path: Path) -> None:
    raw = _rename(_raw(), CARDIO, "<b>x</b>")
    raw["names"]["consortia"]["K3"] = "<script>alert(1)</script>"
    html = _html(write_scenario_report(_report(raw), tmp_path), "report.html")
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>x</b>" not in html
    assert "&lt;script&gt;" in html and "<script>" not in html


def test_scenario_workbook_has_chinese_sheets_and_the_input_kpis(tmp_path: Path) -> None:
    report = _report()
    write_scenario_report(report, tmp_path)
    wb = load_workbook(tmp_path / "report.xlsx")
    assert wb.sheetnames == ["概览", "覆盖率", "未满足变化", "变更说明"]

    summary = {row[0]: row for row in wb["概览"].iter_rows(values_only=True)}
    assert summary["指标"] == (
        "指标",
        "baseline",
        CARDIO,
        f"{CARDIO} 较基线",
        TUNNEL,
        f"{TUNNEL} 较基线",
    )
    coverage = [v.kpis.coverage_percent for v in report.variants]
    assert summary["覆盖率(%)"] == (
        "覆盖率(%)",
        coverage[0],
        coverage[1],
        round(coverage[1] - coverage[0], 1),
        coverage[2],
        round(coverage[2] - coverage[0], 1),
    )
    assert summary["未满足原因：职称不足"][1:3] == (0, 4)

    diff = list(wb["未满足变化"].iter_rows(values_only=True))
    assert diff[0][0] == "情景"
    expected = sum(len(rows) for rows in report.unmet_diff.values())
    assert len(diff) - 1 == expected
    assert {row[0] for row in diff[1:]} == {CARDIO, TUNNEL}

    by_consortium = [r for r in wb["覆盖率"].iter_rows(values_only=True) if r[0] == "医共体"]
    assert len(by_consortium) == 3 * len(report.coverage.consortium)
    notes = list(wb["变更说明"].iter_rows(values_only=True))
    assert (CARDIO, None, report.variants[1].notes[0]) in notes  # "" reads back as None


def test_scenario_report_is_byte_for_byte_deterministic(tmp_path: Path) -> None:
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        write_scenario_report(_report(), tmp_path / run)
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert len(first) == 5
    assert first == second


def test_scenario_report_without_unmet_demand(tmp_path: Path) -> None:
    # the baseline alone, everything covered: empty heatmap, no reasons, no diff
    raw = _raw()
    raw["variants"] = raw["variants"][:1]
    raw["variants"][0]["unmet_heatmap"] = {}
    raw["variants"][0]["kpis"]["unmet_by_reason"] = {}
    raw["unmet_diff"] = {}
    paths = write_scenario_report(_report(raw), tmp_path)
    assert "所有需求均已满足" in _html(paths, "report.html")
    assert load_workbook(paths[-1])["未满足变化"].max_row == 1


def test_charts_use_ids_without_a_cjk_font(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # ASCII only: every Chinese label must fall back, and nothing may warn
    latin = ChartFonts(("DejaVu Sans",), frozenset(range(32, 127)))
    monkeypatch.setattr(report_module, "chart_fonts", lambda: latin)
    paths = write_scenario_report(_report(), tmp_path)
    assert all(p.read_bytes().startswith(PNG_SIGNATURE) for p in paths[:3])


def test_raises_on_a_report_without_variants(tmp_path: Path) -> None:
    raw = _raw()
    raw["variants"] = []
    with pytest.raises(ValueError, match="baseline"):
        write_scenario_report(_report(raw), tmp_path)


# --- sweep --------------------------------------------------------------------------


def test_sweep_report(tmp_path: Path) -> None:
    rows = _sweep_rows()
    paths = write_sweep_report(rows, "隧道与心内科 <sweep>", tmp_path)
    assert [p.name for p in paths] == ["sweep.png", "sweep.html", "sweep.xlsx"]
    assert paths[0].read_bytes().startswith(PNG_SIGNATURE)

    html = _html(paths, "sweep.html")
    _assert_self_contained(html)
    assert "隧道与心内科 &lt;sweep&gt;" in html
    for row in rows:
        assert row.kpis.variant in html
    assert "(−26.4)" in html  # the tunnel's coverage against the baseline

    sheet = list(load_workbook(paths[2])["汇总"].iter_rows(values_only=True))
    assert len(sheet) == 1 + len(rows)
    header = sheet[0]
    assert sheet[2][header.index("情景")] == CARDIO
    assert sheet[2][header.index("覆盖率(%)")] == rows[1].kpis.coverage_percent
    assert sheet[2][header.index("加权未满足较基线")] == 95 - 72


def test_sweep_report_is_deterministic(tmp_path: Path) -> None:
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        write_sweep_report(_sweep_rows(), "sweep", tmp_path / run)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_raises_on_a_sweep_without_rows(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="baseline"):
        write_sweep_report([], "empty", tmp_path)


# --- sensitivity --------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 3, 25])
def test_sensitivity_report(tmp_path: Path, n: int) -> None:
    rows = _sensitivity_rows(n)
    paths = write_sensitivity_report(rows, SENSITIVITY_META, tmp_path)
    assert [p.name for p in paths] == ["sensitivity.png", "sensitivity.html", "sensitivity.xlsx"]
    assert paths[0].read_bytes().startswith(PNG_SIGNATURE)

    html = _html(paths, "sensitivity.html")
    _assert_self_contained(html)
    assert "2026-W49" in html
    for row in rows:
        assert f"{row['specialty_name']}<" in html  # every row is in the table

    wb = load_workbook(paths[2])
    assert wb.sheetnames == ["排名", "概况"]
    ranking = list(wb["排名"].iter_rows(values_only=True))
    assert len(ranking) == 1 + n
    if n:
        assert ranking[1][ranking[0].index("多覆盖次数")] == 12
    facts = dict(wb["概况"].iter_rows(min_row=2, values_only=True))
    assert facts["基线未满足(加权)"] == 72


def test_sensitivity_report_is_deterministic(tmp_path: Path) -> None:
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        write_sensitivity_report(_sensitivity_rows(5), SENSITIVITY_META, tmp_path / run)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
