"""The data set as an Excel workbook that goes out to hospitals and comes back.

``write_data_workbook`` makes the template (``roster data template``, ``GET
/data/template.xlsx``): an instructions sheet, then one sheet per file of the
data set (referral history aside: it comes from the referral system) with
Chinese headers, every cell as text (so ``16.60`` stays ``16.60`` and ids are
never turned into numbers), and drop-down lists for the columns that name a
hospital, specialty, site, consortium, doctor, title, kind or side (from a
hidden sheet of options).

``read_data_workbook`` turns a filled workbook back into the data set's files:
each known sheet replaces its file, a sheet left out keeps the base version's
file. Headers are read by their Chinese or column names. What is wrong with
the workbook itself — an unknown sheet or header, a missing column — and
whatever the loader then finds (``check_workbook``) is one line naming the
sheet, the row as Excel numbers it, and the column's header.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from scheduler.errors import InputError
from scheduler.io.data_files import DataFiles
from scheduler.io.excel import FixedTimeZipFile
from scheduler.io.load import DataSet, load_dataset
from scheduler.io.schema import SIDES, SPECS, TITLES, column_names
from scheduler.labels import DATA_COLUMNS_ZH, DATA_SHEETS, DATA_WORKBOOK

WORKBOOK_FILES: tuple[str, ...] = tuple(s.file for s in SPECS if s.file != "referrals.csv")
"""The files a data workbook holds (referrals come from the referral system)."""

_STAMP = dt.datetime(2026, 1, 1)  # written into the file: same data, same bytes
_HEADER = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_TEXT = "@"  # Excel's text number format
_CHOICES = {  # column → what its drop-down offers (a list on the hidden options sheet)
    "hospital_id": "hospitals.csv",
    "specialty_id": "specialties.csv",
    "site_id": "sites.csv",
    "lead_site_id": "sites.csv",
    "consortium_id": "consortia.csv",
    "doctor_id": "doctors.csv",
    "title": "titles",
    "min_title": "titles",
    "side": "sides",
}
_SELF = {"hospitals.csv": "hospital_id", "specialties.csv": "specialty_id"}


def header_of(column: str) -> str:
    """The Chinese header of a data column."""
    return DATA_COLUMNS_ZH.get(column, column)


def write_data_workbook(files: DataFiles) -> bytes:
    """The template workbook of a data version: its rows, ready to edit."""
    wb = Workbook()
    wb.properties.creator = "consortium-roster"
    wb.properties.title = DATA_WORKBOOK.title.format(version=files.version or "-")
    wb.properties.created = wb.properties.modified = _STAMP
    guide = wb.worksheets[0]
    guide.title = DATA_WORKBOOK.instructions_sheet
    guide.append([wb.properties.title])
    guide["A1"].font = _HEADER
    for line in DATA_WORKBOOK.lines:
        guide.append([line])
    guide.column_dimensions["A"].width = 100
    tables = {name: _rows(files, name) for name in WORKBOOK_FILES}
    options = _options_sheet(wb, tables)
    for name in WORKBOOK_FILES:
        _table_sheet(wb.create_sheet(DATA_SHEETS[name]), name, tables[name], options)
    out = io.BytesIO()
    with FixedTimeZipFile(out, _STAMP) as archive:
        ExcelWriter(wb, archive).save()
    return out.getvalue()


def _rows(files: DataFiles, name: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(files.contents[name].decode("utf-8-sig"), newline=""))
    next(reader, None)
    return [row for row in reader if row]


def _options_sheet(wb: Workbook, tables: dict[str, list[list[str]]]) -> dict[str, str]:
    """A hidden sheet with one column per list of choices; the range of each, by name."""
    sheet = wb.create_sheet(DATA_WORKBOOK.lists_sheet)
    sheet.sheet_state = "hidden"
    lists: dict[str, list[str]] = {"titles": list(TITLES), "sides": list(SIDES)}
    for name in ("hospitals.csv", "specialties.csv", "sites.csv", "consortia.csv", "doctors.csv"):
        lists[name] = sorted({row[0] for row in tables[name]})
    ranges = {}
    for k, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(k)
        sheet.cell(row=1, column=k, value=name)
        for r, value in enumerate(values, start=2):
            sheet.cell(row=r, column=k, value=value)
        ranges[name] = f"'{sheet.title}'!${letter}$2:${letter}${max(len(values), 1) + 1}"
    return ranges


def _table_sheet(ws: Worksheet, name: str, rows: list[list[str]], options: dict[str, str]) -> None:
    columns = column_names(name)
    ws.append([header_of(c) for c in columns])
    for cell in ws[1]:
        cell.font, cell.fill = _HEADER, _HEADER_FILL
    for row in rows:
        ws.append(row)
    last = max(len(rows) + 1, 200) + 200  # room to add rows with the same checks
    for k, column in enumerate(columns, start=1):
        letter = get_column_letter(k)
        ws.column_dimensions[letter].width = max(12, 2 * len(header_of(column)) + 2)
        ws.column_dimensions[letter].number_format = _TEXT
        for cell in ws[letter][1:]:
            cell.number_format = _TEXT
        source = _CHOICES.get(column)
        if (
            source is not None
            and _SELF.get(name) != column
            and not (name == "doctors.csv" and column == "doctor_id")
        ):
            check = DataValidation(type="list", formula1=options[source], allow_blank=True)
            check.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(check)
    ws.freeze_panes = "A2"


# --------------------------------------------------------------------------- reading


@dataclass
class WorkbookFiles:
    """A workbook read back: the data set's files, and for each file it replaced
    the sheet and the Excel row of each CSV row (to name a place in errors)."""

    files: DataFiles
    sheets: dict[str, str] = field(default_factory=dict)  # file → sheet
    rows: dict[str, list[int]] = field(default_factory=dict)  # file → Excel row of CSV row k


def read_data_workbook(content: bytes, base: DataFiles, *, file: str) -> WorkbookFiles:
    """The data set of a filled workbook: each sheet it has replaces its file of
    ``base``. ``InputError`` (naming ``file`` and the sheet) for what is not a data
    workbook; the data's own rules are checked by :func:`check_workbook`."""
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(f"not an Excel workbook (.xlsx): {exc}", file=file) from None
    by_sheet = {DATA_SHEETS[name]: name for name in WORKBOOK_FILES} | {
        name: name for name in WORKBOOK_FILES
    }
    out = WorkbookFiles(base)
    changed: dict[str, bytes] = {}
    for ws in wb.worksheets:
        if ws.title in (DATA_WORKBOOK.instructions_sheet, DATA_WORKBOOK.lists_sheet):
            continue
        name = by_sheet.get(ws.title)
        if name is None:
            known = ", ".join(DATA_SHEETS[n] for n in WORKBOOK_FILES)
            raise InputError(
                DATA_WORKBOOK.unknown_sheet.format(sheet=ws.title, sheets=known), file=file
            )
        changed[name], out.rows[name] = _sheet_csv(ws, name, file)
        out.sheets[name] = ws.title
    wb.close()
    out.files = base.replaced(changed, f"{file}")
    return out


def _sheet_csv(ws: Any, name: str, file: str) -> tuple[bytes, list[int]]:
    """A sheet as the CSV file it stands for, and the Excel row of each CSV row."""
    rows = ws.iter_rows(values_only=True)
    header = [_text(v) for v in next(rows, ())]
    columns = column_names(name)
    wanted = {c: c for c in columns} | {header_of(c): c for c in columns}
    where: dict[str, int] = {}
    for k, text in enumerate(header):
        if not text:
            continue
        if text not in wanted:
            message = DATA_WORKBOOK.unknown_header.format(header=text)
            raise InputError(f"{DATA_WORKBOOK.sheet.format(sheet=ws.title)}: {message}", file=file)
        where[wanted[text]] = k
    for column in columns:
        if column not in where:
            message = DATA_WORKBOOK.missing_header.format(column=column, header=header_of(column))
            raise InputError(f"{DATA_WORKBOOK.sheet.format(sheet=ws.title)}: {message}", file=file)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    excel_rows = []
    for number, values in enumerate(rows, start=2):
        cells = [_text(values[where[c]]) if where[c] < len(values) else "" for c in columns]
        if any(cells):
            writer.writerow(cells)
            excel_rows.append(number)
    return out.getvalue().encode("utf-8"), excel_rows


def _text(value: Any) -> str:
    """A cell as the CSV holds it: text as typed; a number Excel made of it written
    back without a trailing .0; a date as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def check_workbook(read: WorkbookFiles, *, file: str) -> DataSet:
    """Load the workbook's data set by the loader's rules; a problem in a sheet is
    named by sheet, Excel row and Chinese header."""
    try:
        return load_dataset(read.files)
    except InputError as exc:
        raise _in_sheet(exc, read, file) from None


def _in_sheet(exc: InputError, read: WorkbookFiles, file: str) -> InputError:
    name = exc.file or ""
    if name not in read.sheets:
        return exc  # a file the workbook did not replace (referrals, policy)
    row = exc.row
    if row is not None and 2 <= row < len(read.rows[name]) + 2:
        row = read.rows[name][row - 2]
    where = DATA_WORKBOOK.where.format(
        sheet=read.sheets[name],
        row=row if row is not None else "-",
        header=f"{header_of(exc.column)} ({exc.column})" if exc.column else "-",
    )
    return InputError(f"{where}: {exc.message}", file=file)
