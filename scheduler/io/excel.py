"""The planner's workbook (``roster.xlsx``): the week's roster with Chinese headers.

Sheets, in order:

* ``概览`` — week, solve status, each objective level (value, bound, status),
  overall coverage and coverage by consortium, a few other KPIs;
* one sheet per day that has sessions, named like ``周一 11-30``: one row per
  session, sorted by consortium, site and half-day;
* ``医生`` — each doctor with sessions: load, cap, and the site per half-day;
* ``未满足`` — sessions the roster leaves uncovered, with the reason;
* ``覆盖率`` — coverage by consortium, specialty, hospital, kind and side (from the KPIs).

The file is byte-for-byte deterministic: document properties carry a date
derived from the week (never the clock) and the zip entries a fixed timestamp,
so writing the same result twice gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from os import PathLike
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from scheduler.domain import LEVEL_FACTS, WEEKDAYS, Assignment, HalfDay, Instance, Level
from scheduler.kpis import Kpis
from scheduler.labels import (
    COVERAGE_COLUMNS,
    COVERAGE_COMMENTS,
    COVERAGE_GROUPS,
    COVERAGE_SHEET,
    DAY_COLUMNS,
    DAY_SHEET,
    DOCTOR_COLUMNS,
    DOCTOR_SHEET,
    HALF_DAY_HEADER,
    PERIOD_ZH,
    PLACE_SEPARATOR,
    SENSE_ZH,
    SOLVE_STATUS_ZH,
    SUMMARY,
    SUMMARY_SHEET,
    UNMET_COLUMNS,
    UNMET_SHEET,
    WEEKDAY_ZH,
    WORKBOOK_TITLE,
)
from scheduler.result import Result
from scheduler.week import week_monday

log = logging.getLogger(__name__)

LEVEL_ZH: dict[Level, str] = {level: facts.name_zh for level, facts in LEVEL_FACTS.items()}
"""Chinese names of the objective levels L1–L5."""

_BOLD = Font(bold=True)
_MAX_WIDTH = 60
_PERIOD_ORDER = {"AM": 0, "PM": 1}


def day_sheet_name(date: dt.date) -> str:
    """Name of a day's sheet, e.g. ``周一 11-30``."""
    return DAY_SHEET.format(
        weekday=WEEKDAY_ZH[WEEKDAYS[date.weekday()]], month=date.month, day=date.day
    )


def half_day_header(half_day: HalfDay) -> str:
    """Column header of a half-day on the 医生 sheet, e.g. ``周一上午 11-30``."""
    return HALF_DAY_HEADER.format(
        weekday=WEEKDAY_ZH[half_day.weekday],
        period=PERIOD_ZH[half_day.period],
        month=half_day.date.month,
        day=half_day.date.day,
    )


def fixed_timestamp(week: str) -> dt.datetime:
    """The timestamp written into the file: 00:00 on the Monday of the week."""
    return dt.datetime.combine(week_monday(week), dt.time())


def _display_width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def write_table(
    ws: Worksheet,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    freeze: str = "A2",
) -> None:
    """Write a header and rows: bold header, frozen panes, autofilter, fitted widths."""
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = _BOLD
    for row in rows:
        ws.append(list(row))
    ws.freeze_panes = freeze
    ws.auto_filter.ref = ws.dimensions
    _fit_columns(ws)


def _fit_columns(ws: Worksheet) -> None:
    widths: dict[int, int] = defaultdict(int)
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                widths[cell.column] = max(widths[cell.column], _display_width(cell.value))
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = min(width + 2, _MAX_WIDTH)


def _summary_sheet(ws: Worksheet, instance: Instance, result: Result, kpis: Kpis) -> None:
    monday = week_monday(instance.week)
    last = instance.half_days[-1].date if instance.half_days else monday
    overall = kpis.coverage.overall

    def section(header: Sequence[str]) -> None:
        ws.append(list(header))
        for cell in ws[ws.max_row]:
            cell.font = _BOLD

    facts: list[tuple[str, Any]] = [
        (SUMMARY.week, instance.week),
        (
            SUMMARY.dates,
            SUMMARY.date_range.format(first=monday.isoformat(), last=last.isoformat()),
        ),
        (SUMMARY.status, SOLVE_STATUS_ZH[result.status]),
        (SUMMARY.seconds, round(result.wall_seconds, 1)),
        (SUMMARY.assignments, len(result.assignments)),
        (SUMMARY.required, overall.required),
        (SUMMARY.unmet, overall.unmet),
        (SUMMARY.percent, overall.percent),
        (SUMMARY.travel, kpis.travel.total_minutes),
        (SUMMARY.continuity, kpis.continuity.sessions),
        (SUMMARY.doctors_used, kpis.load.doctors_used),
        (SUMMARY.utilisation, kpis.load.utilisation_percent),
    ]
    for label, value in facts:
        ws.append([label, value])
        ws.cell(ws.max_row, 1).font = _BOLD

    ws.append([])
    section(SUMMARY.level_columns)
    for lv in result.levels:
        ws.append(
            [
                lv.level.label,
                LEVEL_ZH[lv.level],
                SENSE_ZH[lv.level.sense],
                lv.value,
                lv.bound,
                SOLVE_STATUS_ZH[lv.status],
                round(lv.wall_seconds, 1),
            ]
        )

    ws.append([])
    section(SUMMARY.coverage_columns)
    ws.append([SUMMARY.all, overall.required, overall.covered, overall.unmet, overall.percent])
    for row in kpis.coverage.by_consortium:
        ws.append([row.name, row.required, row.covered, row.unmet, row.percent])
    _fit_columns(ws)


def _day_rows(
    instance: Instance, assignments: Sequence[Assignment]
) -> dict[dt.date, list[list[Any]]]:
    half_days = {h.key: h for h in instance.half_days}
    keyed: dict[dt.date, list[tuple[tuple[Any, ...], list[Any]]]] = defaultdict(list)
    for a in assignments:
        half_day = half_days.get(a.half_day_key)
        doctor = instance.doctors.get(a.doctor_id)
        item = instance.demand.get(a.item_id)
        if half_day is None or doctor is None or item is None:
            log.warning("workbook skips an assignment with an unknown reference: %s", a)
            continue
        site = instance.sites[item.site_id]
        consortium = instance.consortia[site.consortium_id]
        sort_key = (
            site.consortium_id,
            site.id,
            _PERIOD_ORDER[half_day.period],
            item.id,
            doctor.id,
        )
        keyed[half_day.date].append(
            (
                sort_key,
                [
                    consortium.name,
                    site.name,
                    PERIOD_ZH[half_day.period],
                    item.name,
                    item.kind.zh,
                    instance.specialties[item.specialty_id].name,
                    doctor.name,
                    doctor.title.zh,
                    instance.hospitals[doctor.hospital_id].name,
                    instance.travel.home_minutes(doctor.hospital_id, site.id, half_day.period),
                ],
            )
        )
    return {date: [row for _, row in sorted(rows)] for date, rows in sorted(keyed.items())}


def _doctor_rows(instance: Instance, assignments: Sequence[Assignment]) -> list[list[Any]]:
    places: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for a in assignments:
        item = instance.demand.get(a.item_id)
        if a.doctor_id in instance.doctors and item is not None:
            places[a.doctor_id][a.half_day_key].append(instance.sites[item.site_id].name)
    doctors = sorted(
        (instance.doctors[d] for d in places),
        key=lambda d: (d.hospital_id, d.specialty_id, d.id),
    )
    rows = []
    for doctor in doctors:
        by_half_day = places[doctor.id]
        rows.append(
            [
                doctor.name,
                instance.hospitals[doctor.hospital_id].name,
                instance.specialties[doctor.specialty_id].name,
                doctor.title.zh,
                sum(len(v) for v in by_half_day.values()),
                doctor.weekly_cap,
                *(
                    PLACE_SEPARATOR.join(sorted(by_half_day.get(h.key, []))) or None
                    for h in instance.half_days
                ),
            ]
        )
    return rows


def _unmet_rows(instance: Instance, result: Result) -> list[list[Any]]:
    keyed = []
    for unmet in result.unmet:
        item = instance.demand[unmet.item_id]
        site = instance.sites[item.site_id]
        keyed.append(
            (
                (site.consortium_id, site.id, item.id),
                [
                    item.name,
                    site.name,
                    instance.consortia[site.consortium_id].name,
                    instance.specialties[item.specialty_id].name,
                    unmet.missing,
                    unmet.reason,
                ],
            )
        )
    return [row for _, row in sorted(keyed)]


def _coverage_rows(kpis: Kpis) -> list[list[Any]]:
    rows = []
    for group, dimension in COVERAGE_GROUPS:
        for row in kpis.coverage.group(group):
            rows.append(
                [
                    dimension,
                    row.id,
                    row.name,
                    row.required,
                    row.covered,
                    row.unmet,
                    row.percent,
                    row.covered_by_others,
                ]
            )
    return rows


class FixedTimeZipFile(zipfile.ZipFile):
    """A zip file whose entries all carry one fixed timestamp (for identical bytes)."""

    def __init__(self, path: Path | IO[bytes], stamp: dt.datetime) -> None:
        super().__init__(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._stamp = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, 0)

    def writestr(  # type: ignore[override]
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: str | bytes,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if isinstance(zinfo_or_arcname, str):
            zinfo = zipfile.ZipInfo(zinfo_or_arcname, date_time=self._stamp)
            zinfo.compress_type = self.compression
            zinfo.external_attr = 0o600 << 16
            zinfo_or_arcname = zinfo
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(  # type: ignore[override]
        self,
        filename: str | PathLike[str],
        arcname: str | None = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        # openpyxl streams worksheets through a temporary file and adds it with
        # write(), which would take the temporary file's modification time.
        name = arcname if arcname is not None else os.fspath(filename).lstrip(os.sep)
        self.writestr(name, Path(filename).read_bytes(), compress_type, compresslevel)


def build_workbook(instance: Instance, result: Result, kpis: Kpis) -> Workbook:
    """The workbook in memory (see the module docstring for its sheets)."""
    wb = Workbook()
    stamp = fixed_timestamp(instance.week)
    wb.properties.creator = "consortium-roster"
    wb.properties.title = WORKBOOK_TITLE.format(week=instance.week)
    wb.properties.created = stamp
    wb.properties.modified = stamp

    summary = wb.worksheets[0]
    summary.title = SUMMARY_SHEET
    _summary_sheet(summary, instance, result, kpis)

    for date, rows in _day_rows(instance, result.assignments).items():
        write_table(wb.create_sheet(day_sheet_name(date)), DAY_COLUMNS, rows)

    half_day_columns = [half_day_header(h) for h in instance.half_days]
    write_table(
        wb.create_sheet(DOCTOR_SHEET),
        (*DOCTOR_COLUMNS, *half_day_columns),
        _doctor_rows(instance, result.assignments),
        freeze=f"{get_column_letter(len(DOCTOR_COLUMNS) + 1)}2",
    )
    write_table(wb.create_sheet(UNMET_SHEET), UNMET_COLUMNS, _unmet_rows(instance, result))

    coverage = wb.create_sheet(COVERAGE_SHEET)
    write_table(coverage, COVERAGE_COLUMNS, _coverage_rows(kpis))
    for cell, text in COVERAGE_COMMENTS.items():
        coverage[cell].comment = Comment(text, "roster")
    return wb


def write_workbook(path: Path, instance: Instance, result: Result, kpis: Kpis) -> None:
    """Write the planner's workbook to ``path`` (deterministic bytes, see module docstring).

    ``kpis`` are :func:`scheduler.kpis.compute_kpis`'s for the same roster.
    """
    wb = build_workbook(instance, result, kpis)
    # openpyxl's save() stamps "modified" with the clock and the zip entries with
    # the current time; writing through ExcelWriter into a fixed-time zip avoids both.
    with FixedTimeZipFile(Path(path), fixed_timestamp(instance.week)) as archive:
        ExcelWriter(wb, archive).save()
    log.info("wrote workbook %s (%d sheets)", path, len(wb.sheetnames))
