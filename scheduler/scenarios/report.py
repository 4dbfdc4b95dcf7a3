"""The scenario report: charts, one self-contained HTML page and a workbook (SPEC §9).

* :func:`write_scenario_report` turns :func:`scheduler.scenarios.run.compare`'s
  :class:`~scheduler.scenarios.comparison.ScenarioReport` into ``charts/*.png``,
  ``report.html`` and ``report.xlsx``;
* :func:`write_sweep_report` does the same for the KPI rows of a sweep (``SweepRow``);
* :func:`write_sensitivity_report` for the ranking of "one more specialist where".

Charts are drawn on matplotlib's Agg canvas (no pyplot state). Chinese labels need
a CJK font; where none is installed each label falls back to its id (``K1``,
``CARD``, ``V2``) and each title to English, so no glyph is ever missing. The HTML
is a single file — inline CSS, charts as base64 data URIs, no external references —
rendered by Jinja2 with autoescaping, since names come from data files. Output is
byte-for-byte deterministic: PNGs carry no software or date metadata, workbooks a
timestamp derived from the week (:mod:`scheduler.io.excel`).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import logging
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from scheduler.domain import Level
from scheduler.io.excel import LEVEL_ZH, FixedTimeZipFile, fixed_timestamp, write_table
from scheduler.labels import (
    CHARTS,
    COVERAGE_GROUPS,
    KPI_LABELS,
    REASON_NAMES_ZH,
    SCENARIO_REPORT,
    SENSITIVITY_COLUMNS,
    SENSITIVITY_REPORT,
    SOLVE_STATUS_ZH,
    SWEEP_REPORT,
)
from scheduler.result import SolveStatus
from scheduler.scenarios.comparison import ScenarioReport, SweepRow, VariantReport

log = logging.getLogger(__name__)

TOP_DIFF_ROWS = 30
"""Rows of each variant's unmet diff shown in the HTML (the workbook has them all)."""
TOP_SENSITIVITY_BARS = 20

CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
"""Fonts tried, in this order, for Chinese chart labels."""

KPI_ROWS: tuple[tuple[str, str, str, int, int], ...] = tuple(
    (key, KPI_LABELS[key].zh, KPI_LABELS[key].en, better, digits)
    for key, better, digits in (
        # KpiRow field, better (+1 higher, -1 lower, 0 neither), digits
        ("required_sessions", 0, 0),
        ("covered_sessions", 1, 0),
        ("unmet_sessions", -1, 0),
        ("coverage_percent", 1, 1),
        ("weighted_unmet", -1, 0),
        ("doctors", 0, 0),
        ("load_p50", 0, 1),
        ("load_p90", 0, 1),
        ("load_max", 0, 0),
        ("utilisation_percent", 0, 1),
        ("travel_hours", -1, 1),
        ("continuity_sessions", 1, 0),
        ("solve_seconds", 0, 1),
        ("parts", 0, 0),
        ("parts_reused", 0, 0),
    )
)
"""The rows of the KPI table, in order: key, Chinese, English, better, digits."""

SWEEP_COLUMNS: tuple[tuple[str, str, int, int], ...] = tuple(
    (key, KPI_LABELS[key].zh, better, digits)
    for key, better, digits in (
        ("coverage_percent", 1, 1),
        ("unmet_sessions", -1, 0),
        ("weighted_unmet", -1, 0),
        ("utilisation_percent", 0, 1),
        ("travel_hours", -1, 1),
        ("solve_seconds", 0, 1),
    )
)
"""KPI columns of the sweep table: key, Chinese, better, digits."""

_DPI = 110
_BASELINE_COLOUR = "#6b6b6b"
_VARIANT_COLOUR = "#3b75af"
_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22")
_NO_WEEK_STAMP = dt.datetime(2000, 1, 1)  # workbook timestamp where no week is known
_TEMPLATES = Path(__file__).parent / "templates"

Sheet = tuple[str, Sequence[str], list[list[Any]]]
"""A workbook sheet: name, header, rows."""


# --------------------------------------------------------------------------- fonts


@dataclass(frozen=True)
class ChartFonts:
    """The font families charts use and every character they can draw."""

    families: tuple[str, ...]
    codepoints: frozenset[int]

    def drawable(self, text: str) -> bool:
        """True when every character of ``text`` has a glyph."""
        return all(ord(ch) in self.codepoints for ch in text if not ch.isspace())

    def label(self, name: str, fallback: str) -> str:
        """``name`` where it can be drawn, otherwise ``fallback`` (an id)."""
        return name if name and self.drawable(name) else fallback

    def text(self, zh: str, en: str) -> str:
        """A title in Chinese where it can be drawn, otherwise in English."""
        return zh if self.drawable(zh) else en


@functools.cache
def chart_fonts() -> ChartFonts:
    """The first installed font of :data:`CJK_FAMILIES` (if any), then DejaVu Sans."""
    installed: dict[str, str] = {}
    for entry in font_manager.fontManager.ttflist:
        installed.setdefault(entry.name, entry.fname)
    chosen = [(f, installed[f]) for f in CJK_FAMILIES if f in installed][:1]
    chosen.append(("DejaVu Sans", installed.get("DejaVu Sans") or font_manager.findfont("sans")))
    codepoints: set[int] = set()
    for _, path in chosen:
        codepoints.update(FT2Font(path).get_charmap())
    if len(chosen) == 1:
        log.info("no CJK font installed: chart labels show ids instead of Chinese names")
    return ChartFonts(tuple(f for f, _ in chosen), frozenset(codepoints))


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Comparison:
    """One row of a side-by-side table: a label and a value per variant, baseline first."""

    zh: str
    en: str
    values: tuple[Any, ...]
    digits: int = 0
    better: int = 0  # +1 higher is better, -1 lower is better, 0 neither
    notes: tuple[str, ...] = ()  # a small note per variant ("" for none)

    def sheet_row(self) -> list[Any]:
        """Label, the baseline's value, then each variant's value and difference."""
        row: list[Any] = [self.zh, self.values[0]]
        for value in self.values[1:]:
            row += [value, _difference(value, self.values[0], self.digits)]
        return row


def _difference(value: Any, base: Any, digits: int) -> float | None:
    numbers = isinstance(value, int | float) and isinstance(base, int | float)
    return round(value - base, digits) if numbers else None


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None or value == "":
        return "—"
    return f"{value:,.{digits}f}" if isinstance(value, int | float) else str(value)


def _cell(value: Any, base: Any, digits: int = 0, better: int = 0) -> dict[str, str]:
    """An HTML cell: the value and its difference to ``base``, e.g. ``−2.3``, ``worse``."""
    cell = {"value": _fmt(value, digits), "delta": "", "tone": ""}
    diff = _difference(value, base, digits)
    if diff is not None:
        sign = "+" if diff > 0 else "−"
        cell["delta"] = f"{sign}{abs(diff):,.{digits}f}" if diff else "±0"
        if not diff:
            cell["tone"] = "same"
        elif better:
            cell["tone"] = "better" if diff * better > 0 else "worse"
    return cell


def _status_zh(status: str) -> str:
    try:
        return SOLVE_STATUS_ZH[SolveStatus(status)]
    except ValueError:
        return status or "—"


def _comparisons(variants: Sequence[VariantReport]) -> dict[str, list[Comparison]]:
    """The KPI, objective level and unmet-by-reason rows of a scenario."""
    status = KPI_LABELS["status"]
    kpis = [Comparison(status.zh, status.en, tuple(_status_zh(v.status) for v in variants))]
    kpis += [
        Comparison(zh, en, tuple(v.kpis.value(key) for v in variants), digits, better)
        for key, zh, en, better, digits in KPI_ROWS
    ]
    levels = []
    for lv in variants[0].levels:
        found = [next((x for x in v.levels if x.level == lv.level), None) for v in variants]
        level = Level(lv.level)
        notes = tuple(
            SCENARIO_REPORT.level_note.format(status=_status_zh(f.status), bound=_fmt(f.bound))
            if f and f.status != SolveStatus.OPTIMAL
            else ""
            for f in found
        )
        levels.append(
            Comparison(
                f"{lv.label} {LEVEL_ZH[level]}",
                level.value,
                tuple(f.value if f else None for f in found),
                better=1 if level.sense == "max" else -1,
                notes=notes,
            )
        )
    codes = sorted({code for v in variants for code in v.kpis.unmet_by_reason})
    by_reason = [
        Comparison(
            REASON_NAMES_ZH.get(code, code),
            code,
            tuple(v.kpis.unmet_by_reason.get(code, 0) for v in variants),
            better=-1,
        )
        for code in codes
    ]
    return {"kpis": kpis, "levels": levels, "by_reason": by_reason}


# --------------------------------------------------------------------------- charts


def _colours(n: int) -> list[str]:
    """Baseline grey, then tab10 without its grey and cyan, so the baseline stands apart."""
    return [_BASELINE_COLOUR] + [_PALETTE[k % len(_PALETTE)] for k in range(n - 1)]


def _chart(
    path: Path, fonts: ChartFonts, size: tuple[float, float], draw: Callable[[Figure], None]
) -> Path:
    """Draw a figure with ``draw`` and save it as a PNG without varying metadata."""
    with matplotlib.rc_context(
        {
            "font.family": list(fonts.families),
            "font.size": 8.5,
            "axes.titlesize": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    ):
        figure = Figure(figsize=size, dpi=_DPI, layout="constrained")
        FigureCanvasAgg(figure)
        draw(figure)
        figure.savefig(path, format="png", metadata={"Software": None})
    log.debug("wrote chart %s", path)
    return path


def _no_data(ax: Axes, fonts: ChartFonts) -> None:
    ax.text(0.5, 0.5, fonts.text(CHARTS.no_data.zh, CHARTS.no_data.en), ha="center", va="center")
    ax.set_axis_off()


def _coverage_chart(path: Path, report: ScenarioReport, fonts: ChartFonts) -> Path:
    """Coverage % of all demand, then of each consortium: one bar per variant."""
    variants, rows = report.variants, report.coverage.consortium
    groups = [fonts.text(CHARTS.all.zh, CHARTS.all.en)]
    groups += [textwrap.fill(fonts.label(r.name, r.id), 6) for r in rows]
    colours, width = _colours(len(variants)), 0.8 / len(variants)

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        for k, v in enumerate(variants):
            values = [v.kpis.coverage_percent]
            values += [
                r.by_variant[v.name].percent if v.name in r.by_variant else 0.0 for r in rows
            ]
            x = np.arange(len(groups)) + (k - (len(variants) - 1) / 2) * width
            bars = ax.bar(x, values, width, color=colours[k], label=fonts.label(v.name, f"V{k}"))
            ax.bar_label(bars, fmt="%.1f", fontsize=6.5, rotation=90, padding=2)
        ax.set_xticks(range(len(groups)), groups)
        ax.set_ylim(0, 112)
        percent = KPI_LABELS["coverage_percent"]
        ax.set_ylabel(fonts.text(percent.zh, percent.en))
        ax.set_title(fonts.text(CHARTS.coverage_title.zh, CHARTS.coverage_title.en))
        fig.legend(loc="outside lower center", ncols=min(len(variants), 4), fontsize=7.5)

    return _chart(path, fonts, (max(6.0, 1.0 + 0.3 * len(groups) * len(variants)), 4.0), draw)


def _heatmap_chart(path: Path, report: ScenarioReport, fonts: ChartFonts) -> Path:
    """Unmet sessions by specialty × consortium in the baseline, then each variant's change."""
    variants, names = report.variants, report.names
    maps = [v.unmet_heatmap for v in variants]
    specialties = sorted({s for m in maps for s in m})
    consortia = sorted(set(names.consortia) | {c for m in maps for r in m.values() for c in r})
    grids = [
        np.array([[m.get(s, {}).get(c, 0) for c in consortia] for s in specialties], dtype=float)
        for m in maps
    ]
    # (grid, signed, title): the baseline's unmet sessions, then each variant's change
    baseline = fonts.text(CHARTS.baseline_unmet.zh, CHARTS.baseline_unmet.en)
    panels = [(grids[0], False, baseline)]
    panels += [
        (
            grids[k] - grids[0],
            True,
            fonts.label(v.name, f"V{k}") + fonts.text(CHARTS.change.zh, CHARTS.change.en),
        )
        for k, v in enumerate(variants[1:], start=1)
    ]
    columns = min(len(panels), 4)
    panel_rows = -(-len(panels) // columns)
    xlabels = [fonts.label(names.consortia.get(c, c), c) for c in consortia]
    ylabels = [fonts.label(names.specialties.get(s, s), s) for s in specialties]

    def draw(fig: Figure) -> None:
        axes = fig.subplots(panel_rows, columns, squeeze=False).ravel()
        for ax in axes[len(panels) :]:
            ax.set_axis_off()
        if not specialties:
            _no_data(axes[0], fonts)
            return
        swing = max([1.0] + [float(abs(g).max()) for g, _, _ in panels[1:]])
        for k, (grid, signed, title) in enumerate(panels):
            ax = axes[k]
            top = swing if signed else max(1.0, float(grid.max()))
            cmap, low = ("RdBu_r", -top) if signed else ("Reds", 0.0)
            image = ax.imshow(grid, cmap=cmap, vmin=low, vmax=top, aspect="auto")
            ax.set_xticks(range(len(xlabels)), xlabels, rotation=30, ha="right")
            ax.set_yticks(range(len(ylabels)), ylabels if k % columns == 0 else [])
            ax.set_title(title, fontsize=9)
            for (i, j), value in np.ndenumerate(grid):
                if value:
                    colour = "white" if abs(value) > 0.6 * top else "black"
                    text = f"{value:+.0f}" if signed else f"{value:.0f}"
                    ax.text(j, i, text, ha="center", va="center", fontsize=7, color=colour)
            if not signed:
                fig.colorbar(image, ax=ax, shrink=0.8)
        if len(panels) > 1:  # one scale for every change panel
            fig.colorbar(image, ax=axes[1 : len(panels)].tolist(), shrink=0.8)

    size = (0.6 + 3.2 * columns, panel_rows * (1.4 + 0.26 * max(len(specialties), 3)))
    return _chart(path, fonts, size, draw)


def _load_chart(path: Path, report: ScenarioReport, fonts: ChartFonts) -> Path:
    """Number of doctors by sessions in the week, one line per variant."""
    variants, colours = report.variants, _colours(len(report.variants))
    top = max([int(n) for v in variants for n in v.load_histogram] + [0])

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        for k, v in enumerate(variants):
            y = [v.load_histogram.get(str(n), 0) for n in range(top + 1)]
            label = fonts.label(v.name, f"V{k}")
            style = {"linestyle": "--", "zorder": 3} if k == 0 else {"linewidth": 1.4}
            ax.plot(y, marker="o", color=colours[k], label=label, **style)
        ax.set_xticks(range(top + 1))
        doctors = KPI_LABELS["doctors"]
        ax.set_xlabel(fonts.text(CHARTS.load_axis.zh, CHARTS.load_axis.en))
        ax.set_ylabel(fonts.text(doctors.zh, doctors.en))
        ax.set_title(fonts.text(CHARTS.load_title.zh, CHARTS.load_title.en))
        ax.grid(axis="y", alpha=0.3)
        fig.legend(loc="outside lower center", ncols=min(len(variants), 4), fontsize=7.5)

    return _chart(path, fonts, (6.5, 3.6), draw)


def _sweep_chart(path: Path, rows: Sequence[SweepRow], fonts: ChartFonts) -> Path:
    """Coverage % and weighted unmet per variant, the baseline as a dashed line."""
    labels = [fonts.label(r.kpis.variant, f"V{k}") for k, r in enumerate(rows)]
    colours = [_BASELINE_COLOUR] + [_VARIANT_COLOUR] * (len(rows) - 1)
    coverage = [float(r.kpis.coverage_percent) for r in rows]
    weighted = [float(r.kpis.weighted_unmet) for r in rows]

    def draw(fig: Figure) -> None:
        axes = fig.subplots(2, 1, sharex=True)
        for ax, key, values in (
            (axes[0], "coverage_percent", coverage),
            (axes[1], "weighted_unmet", weighted),
        ):
            bars = ax.bar(range(len(rows)), values, color=colours)
            ax.bar_label(bars, fmt="%.1f" if key == "coverage_percent" else "%d", fontsize=7)
            ax.axhline(values[0], color="#c0392b", linestyle="--", linewidth=1)
            ax.set_ylabel(fonts.text(KPI_LABELS[key].zh, KPI_LABELS[key].en))
            ax.grid(axis="y", alpha=0.3)
        low = min(coverage)
        axes[0].set_ylim(max(0.0, 5 * (low // 5) - 5), 100.5)  # zoomed: the values are close
        axes[0].set_title(fonts.text(CHARTS.sweep_title.zh, CHARTS.sweep_title.en))
        axes[1].set_xticks(range(len(rows)), labels, rotation=60, ha="right")

    return _chart(path, fonts, (max(6.0, 1.5 + 0.4 * len(rows)), 6.0), draw)


def _sensitivity_chart(path: Path, rows: Sequence[dict[str, Any]], fonts: ChartFonts) -> Path:
    """Extra sessions covered by one more specialist, the best pairs on top."""
    shown = rows[:TOP_SENSITIVITY_BARS]
    labels = [
        f"{fonts.label(r['hospital_name'], r['hospital_id'])} · "
        f"{fonts.label(r['specialty_name'], r['specialty_id'])}"
        for r in shown
    ]

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        if not shown:
            _no_data(ax, fonts)
            return
        extra = [r["extra_sessions"] for r in shown]
        bars = ax.barh(range(len(shown)), extra, color=_VARIANT_COLOUR)
        ax.bar_label(bars, fmt="+%d", fontsize=7, padding=2)
        ax.set_yticks(range(len(shown)), labels)
        ax.invert_yaxis()
        ax.set_xlabel(fonts.text(CHARTS.extra_axis.zh, CHARTS.extra_axis.en))
        ax.set_title(fonts.text(CHARTS.sensitivity_title.zh, CHARTS.sensitivity_title.en))
        ax.grid(axis="x", alpha=0.3)

    return _chart(path, fonts, (7.0, 1.2 + 0.3 * max(len(shown), 3)), draw)


# --------------------------------------------------------------------------- HTML and xlsx


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["cell"] = _cell
    env.filters["num"] = _fmt
    return env


def _render(path: Path, template: str, **context: Any) -> Path:
    """Render one of the HTML templates into ``path``."""
    html = _environment().get_template(template).render(**context)
    path.write_text(html, encoding="utf-8")
    log.debug("wrote %s", path)
    return path


def _data_uri(png: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")


def _save_workbook(path: Path, title: str, stamp: dt.datetime, sheets: Sequence[Sheet]) -> Path:
    """A workbook of plain tables, with fixed timestamps so the bytes never vary."""
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    wb.properties.creator = "consortium-roster"
    wb.properties.title = title
    wb.properties.created = wb.properties.modified = stamp
    for name, header, rows in sheets:
        write_table(wb.create_sheet(name), header, rows)
    with FixedTimeZipFile(path, stamp) as archive:
        ExcelWriter(wb, archive).save()
    log.debug("wrote %s (%s)", path, ", ".join(wb.sheetnames))
    return path


# --------------------------------------------------------------------------- writers


def _scenario_sheets(report: ScenarioReport, table: dict[str, list[Comparison]]) -> list[Sheet]:
    variants, names = report.variants, report.names
    base = variants[0].name
    words = SCENARIO_REPORT
    header = [words.kpi, base]
    for v in variants[1:]:
        header += [v.name, words.versus_baseline.format(name=v.name)]
    summary = [c.sheet_row() for c in table["kpis"] + table["levels"]]
    summary += [[words.reason_prefix + c.zh, *c.sheet_row()[1:]] for c in table["by_reason"]]
    coverage = []
    for group, dimension in COVERAGE_GROUPS:
        for r in report.coverage.group(group.removeprefix("by_")):
            before = r.by_variant[base].percent if base in r.by_variant else None
            for v in variants:
                if (c := r.by_variant.get(v.name)) is not None:
                    counts = (c.required, c.covered, c.unmet, c.percent)
                    change = _difference(c.percent, before, 1)
                    coverage.append([dimension, r.id, r.name, v.name, *counts, change])
    diff = [
        [
            v.name,
            d.item_id,
            d.name,
            d.site_name,
            names.consortia.get(d.consortium_id, d.consortium_id),
            names.specialties.get(d.specialty_id, d.specialty_id),
            d.baseline_missing,
            d.variant_missing,
            d.change,
            d.reason,
        ]
        for v in variants[1:]
        for d in report.unmet_diff.get(v.name, ())
    ]
    notes = [[v.name, v.description, note] for v in variants for note in v.notes or ("",)]
    return [
        (words.summary_sheet, header, summary),
        (words.coverage_sheet, words.coverage_columns, coverage),
        (words.diff_sheet, words.diff_columns, diff),
        (words.notes_sheet, words.notes_columns, notes),
    ]


def write_scenario_report(report: ScenarioReport, out_dir: Path) -> list[Path]:
    """Write the charts, ``report.html`` and ``report.xlsx`` of a compared scenario.

    ``report`` is :func:`scheduler.scenarios.run.compare`'s, baseline first;
    ``out_dir`` exists. Returns the paths written, charts first.
    """
    variants = report.variants
    if not variants:
        raise ValueError("a scenario report needs at least the baseline")
    out_dir = Path(out_dir)
    (out_dir / "charts").mkdir(exist_ok=True)
    fonts = chart_fonts()
    charts = [
        _coverage_chart(out_dir / "charts" / "coverage_by_consortium.png", report, fonts),
        _heatmap_chart(out_dir / "charts" / "unmet_heatmap.png", report, fonts),
        _load_chart(out_dir / "charts" / "load_distribution.png", report, fonts),
    ]
    table = _comparisons(variants)
    html = _render(
        out_dir / "report.html",
        "scenario.html.j2",
        report=report,
        variants=variants,
        coverage_groups=SCENARIO_REPORT.coverage_groups,
        top=TOP_DIFF_ROWS,
        charts=[_data_uri(p) for p in charts],
        **table,
    )
    week = report.scenario.week
    xlsx = _save_workbook(
        out_dir / "report.xlsx",
        SCENARIO_REPORT.workbook_title.format(name=report.scenario.name, week=week),
        fixed_timestamp(week),
        _scenario_sheets(report, table),
    )
    log.info("wrote scenario report to %s (%d variants)", out_dir, len(variants))
    return [*charts, html, xlsx]


def write_sweep_report(rows: Sequence[SweepRow], title: str, out_dir: Path) -> list[Path]:
    """Write ``sweep.png``, ``sweep.html`` and ``sweep.xlsx`` for a sweep's KPI rows.

    ``rows`` are each solve's KPIs with the scenario it came from, the
    baseline first; they are shown in the order given. The workbook's timestamp
    is a fixed date (the rows carry no week).
    """
    if not rows:
        raise ValueError("a sweep report needs at least the baseline row")
    out_dir = Path(out_dir)
    chart = _sweep_chart(out_dir / "sweep.png", rows, chart_fonts())
    html = _render(
        out_dir / "sweep.html",
        "sweep.html.j2",
        title=title,
        rows=rows,
        columns=SWEEP_COLUMNS,
        status={r.kpis.status: _status_zh(r.kpis.status) for r in rows},
        chart=_data_uri(chart),
    )
    header = [*SWEEP_REPORT.first_columns, *(zh for _, zh, _, _ in SWEEP_COLUMNS)]
    header += SWEEP_REPORT.last_columns
    table = [
        [
            f"V{k}",
            r.scenario,
            r.kpis.variant,
            _status_zh(r.kpis.status),
            *(r.kpis.value(key) for key, _, _, _ in SWEEP_COLUMNS),
            _difference(r.kpis.coverage_percent, rows[0].kpis.coverage_percent, 1),
            _difference(r.kpis.weighted_unmet, rows[0].kpis.weighted_unmet, 0),
        ]
        for k, r in enumerate(rows)
    ]
    xlsx = _save_workbook(
        out_dir / "sweep.xlsx", title, _NO_WEEK_STAMP, [(SWEEP_REPORT.sheet, header, table)]
    )
    log.info("wrote sweep report to %s (%d rows)", out_dir, len(rows))
    return [chart, html, xlsx]


def write_sensitivity_report(
    rows: list[dict[str, Any]], meta: dict[str, Any], out_dir: Path
) -> list[Path]:
    """Write ``sensitivity.png``, ``.html`` and ``.xlsx``: where one more specialist helps most.

    ``rows`` are ranked, best first: what one more doctor like ``template_doctor``
    at that hospital and specialty would cover. ``meta`` has the week, the
    baseline's unmet and weighted unmet sessions, the pairs tried and the seconds.
    """
    out_dir = Path(out_dir)
    chart = _sensitivity_chart(out_dir / "sensitivity.png", rows, chart_fonts())
    words = SENSITIVITY_REPORT
    facts = [
        (label.zh, label.en, value)
        for label, value in (
            (words.week, meta.get("week")),
            (words.baseline_unmet, meta.get("baseline_unmet_sessions")),
            (words.baseline_weighted, meta.get("baseline_weighted_unmet")),
            (words.pairs, meta.get("pairs")),
            (words.seconds, meta.get("seconds")),
        )
    ]
    if "pairs_solved" in meta:  # a pair whose specialty has nothing unmet is not solved
        solved = words.pairs_solved
        facts.insert(4, (solved.zh, solved.en, meta["pairs_solved"]))
    html = _render(
        out_dir / "sensitivity.html",
        "sensitivity.html.j2",
        facts=facts,
        rows=rows,
        columns=SENSITIVITY_COLUMNS,
        top=TOP_SENSITIVITY_BARS,
        chart=_data_uri(chart),
    )
    week = meta.get("week")
    xlsx = _save_workbook(
        out_dir / "sensitivity.xlsx",
        words.workbook_title.format(week=week or "").strip(),
        fixed_timestamp(week) if week else _NO_WEEK_STAMP,
        [
            (
                words.ranking_sheet,
                [zh for _, zh in SENSITIVITY_COLUMNS],
                [[r.get(k) for k, _ in SENSITIVITY_COLUMNS] for r in rows],
            ),
            (words.facts_sheet, words.facts_columns, [[zh, value] for zh, _, value in facts]),
        ],
    )
    log.info("wrote sensitivity report to %s (%d rows)", out_dir, len(rows))
    return [chart, html, xlsx]
