"""The run directory: every output of one solve (SPEC §8), written atomically.

Files are first written into a hidden staging directory beside the target and
put in place only when all of them exist, so a failed run leaves nothing
half-written, and only over a directory roster wrote (scheduler/io/output_dir.py).
Layout (documented in docs/outputs.md):

    .roster-output    the marker: {"kind": "run", ...}
    report.json       machine-readable solve report (levels, status, wall time, seed, versions)
    solve-report.md   the same for a person
    instance.json     the normalised instance the model saw
    demand.csv        the derived demand table
    roster.csv        the roster, one row per session
    unmet.csv         missing sessions per demand item, with the reason
    kpis.json         coverage, load, travel, continuity
    roster.xlsx       workbook with Chinese headers for planners
    calendars/*.ics   one iCalendar file per doctor
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import multiprocessing
import multiprocessing.process
import platform
import time
from collections.abc import Iterable, Iterator, Sequence
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from scheduler.demand import DemandRow
from scheduler.domain import LEVEL_FACTS, Assignment, Instance, Level
from scheduler.errors import InputError
from scheduler.io.instance_json import instance_text
from scheduler.io.output_dir import OutputKind, atomic_directory
from scheduler.result import Result, UnmetItem
from scheduler.run_record import RunRecord

LEVEL_NAMES: dict[Level, str] = {level: facts.name for level, facts in LEVEL_FACTS.items()}

ROSTER_COLUMNS = (
    "doctor_id",
    "doctor_name",
    "hospital_id",
    "date",
    "half_day",
    "site_id",
    "site_name",
    "item_id",
    "kind",
    "specialty_id",
    "travel_minutes",
)


def versions() -> dict[str, str]:
    """Versions of the things that decide a result."""
    out = {"python": platform.python_version()}
    for package in ("consortium-roster", "ortools", "pandas"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "unknown"
    return out


def report_dict(result: Result, instance: Instance, extra: dict[str, Any]) -> dict[str, Any]:
    """``report.json`` content."""
    required = sum(i.sessions for i in instance.demand.values())
    missing = sum(u.missing for u in result.unmet)
    return {
        "week": result.week,
        "status": result.status.value,
        "levels": [
            {
                "level": lv.level.value,
                "label": lv.level.label,
                "name": LEVEL_NAMES[lv.level],
                "sense": lv.level.sense,
                "value": lv.value,
                "bound": lv.bound,
                "status": lv.status.value,
                "wall_seconds": round(lv.wall_seconds, 3),
            }
            for lv in result.levels
        ],
        "sessions_required": required,
        "sessions_covered": required - missing,
        "sessions_unmet": missing,
        "coverage_percent": round(100.0 * (required - missing) / required, 2)
        if required
        else 100.0,
        "solve_seconds": round(result.wall_seconds, 3),
        "parts": result.components,
        "seed": result.seed,
        "parameters": result.parameters,
        "versions": versions(),
        "counts": {
            "doctors": len(instance.doctors),
            "demand_items": len(instance.demand),
            "sites": len(instance.sites),
            "half_days": len(instance.half_days),
        },
        **extra,
    }


def roster_rows(instance: Instance, assignments: Iterable[Assignment]) -> list[dict[str, Any]]:
    """One dict per session, in ROSTER_COLUMNS order."""
    half_days = {h.key: h for h in instance.half_days}
    rows = []
    for a in assignments:
        doctor = instance.doctors[a.doctor_id]
        item = instance.demand[a.item_id]
        half_day = half_days[a.half_day_key]
        rows.append(
            {
                "doctor_id": doctor.id,
                "doctor_name": doctor.name,
                "hospital_id": doctor.hospital_id,
                "date": half_day.date.isoformat(),
                "half_day": half_day.period,
                "site_id": item.site_id,
                "site_name": instance.sites[item.site_id].name,
                "item_id": item.id,
                "kind": item.kind.value,
                "specialty_id": item.specialty_id,
                "travel_minutes": instance.travel.home_minutes(
                    doctor.hospital_id, item.site_id, half_day.period
                ),
            }
        )
    return rows


def _write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        _write_csv_to(handle, columns, rows)


def _write_csv_to(handle: IO[str], columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> None:
    writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row[k] is None else row[k] for k in columns})


def _demand_rows(rows: Sequence[DemandRow], instance: Instance) -> Iterable[dict[str, Any]]:
    for row in rows:
        item = row.item
        yield {
            "item_id": item.id,
            "kind": item.kind.value,
            "name": item.name,
            "site_id": item.site_id,
            "consortium_id": row.consortium_id,
            "specialty_id": item.specialty_id,
            "allowed_hospitals": ";".join(sorted(item.allowed_hospitals)),
            "sessions": item.sessions,
            "min_title": item.min_title.code,
            "priority": item.priority,
            "team_id": item.team_id,
            "trailing_mean": row.trailing_mean,
            "seasonal_factor": row.seasonal_factor,
            "forecast": row.forecast,
            "by_referrals": row.by_referrals,
            "panel_floor": row.panel_floor,
        }


DEMAND_COLUMNS = (
    "item_id",
    "kind",
    "name",
    "site_id",
    "consortium_id",
    "specialty_id",
    "allowed_hospitals",
    "sessions",
    "min_title",
    "priority",
    "team_id",
    "trailing_mean",
    "seasonal_factor",
    "forecast",
    "by_referrals",
    "panel_floor",
)
UNMET_COLUMNS = (
    "item_id",
    "kind",
    "site_id",
    "site_name",
    "consortium_id",
    "specialty_id",
    "sessions",
    "missing",
    "reason_code",
    "reason",
)


def solve_report_md(report: dict[str, Any]) -> str:
    """A short human-readable solve report."""
    lines = [
        f"# Solve report {report['week']}",
        "",
        f"Status: **{report['status']}** · coverage {report['coverage_percent']} % "
        f"({report['sessions_covered']}/{report['sessions_required']} sessions) · "
        f"solve {report['solve_seconds']} s · {report['parts']} parts · seed {report['seed']}",
        "",
        "| level | objective | value | bound | status | seconds |",
        "|---|---|---:|---:|---|---:|",
    ]
    for lv in report["levels"]:
        lines.append(
            f"| {lv['label']} | {lv['name']} ({lv['sense']}) | {lv['value']} | {lv['bound']} "
            f"| {lv['status']} | {lv['wall_seconds']} |"
        )
    if report.get("data_version") is not None:
        lines += ["", f"Data: data version {report['data_version']}"]
    elif report.get("data_dir"):
        lines += ["", f"Data: {report['data_dir']}"]
    lines += ["", "Versions: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()), ""]
    return "\n".join(lines)


def _unmet_rows(instance: Instance, unmet: Iterable[UnmetItem]) -> Iterator[dict[str, Any]]:
    for u in unmet:
        item = instance.demand[u.item_id]
        site = instance.sites[item.site_id]
        yield {
            "item_id": u.item_id,
            "kind": item.kind.value,
            "site_id": item.site_id,
            "site_name": site.name,
            "consortium_id": site.consortium_id,
            "specialty_id": item.specialty_id,
            "sessions": item.sessions,
            "missing": u.missing,
            "reason_code": u.reason_code,
            "reason": u.reason,
        }


def write_run(
    out_dir: Path,
    instance: Instance,
    demand_rows: Sequence[DemandRow],
    result: Result,
    extra: dict[str, Any] | None = None,
    *,
    planner_files: bool = True,
) -> dict[str, Any]:
    """Write the whole run directory atomically (scheduler/io/output_dir.py);
    returns the report dict. Refuses a directory roster did not write."""
    with atomic_directory(Path(out_dir), OutputKind.RUN) as staging:
        return write_run_files(
            staging, instance, demand_rows, result, extra, planner_files=planner_files
        )


def write_run_files(
    directory: Path,
    instance: Instance,
    demand_rows: Sequence[DemandRow],
    result: Result,
    extra: dict[str, Any] | None = None,
    *,
    planner_files: bool = True,
    started: float | None = None,
) -> dict[str, Any]:
    """Write a run's files into ``directory`` (a staging directory, or one
    inside it); returns the report dict (see :func:`write_record`)."""
    record = run_record(instance, demand_rows, result, extra)
    return write_record(
        directory, record, result, planner_files=planner_files, started=started
    ).report


def run_record(
    instance: Instance,
    demand_rows: Sequence[DemandRow],
    result: Result,
    extra: dict[str, Any] | None = None,
    *,
    run_dir: Path | None = None,
) -> RunRecord:
    """The run of ``result`` as one value: report, KPIs, roster, unmet demand and
    the documents stored with it (``instance.json``, ``demand.csv``, as written)."""
    from scheduler.kpis import compute_kpis

    demand_csv = io.StringIO(newline="")
    _write_csv_to(demand_csv, DEMAND_COLUMNS, _demand_rows(demand_rows, instance))
    return RunRecord(
        instance=instance,
        assignments=result.assignments,
        unmet=result.unmet,
        report=report_dict(result, instance, extra or {}),
        kpis=compute_kpis(instance, result.assignments),
        documents={"instance.json": instance_text(instance), "demand.csv": demand_csv.getvalue()},
        run_dir=str(run_dir) if run_dir is not None else None,
    )


def write_record(
    directory: Path,
    record: RunRecord,
    result: Result,
    *,
    planner_files: bool = True,
    started: float | None = None,
) -> RunRecord:
    """Write ``record``'s files into ``directory`` (a staging directory, or one
    inside it); returns the record as written.

    ``result`` is the solve the record was built from (the workbook's summary).
    ``planner_files=False`` leaves out the workbook and the calendars (what-if
    variants: the rest is enough to check, compare and re-solve them).
    ``started`` (a ``time.perf_counter()`` value) adds ``wall_seconds`` up to
    the last file to the report: ``report.json`` is written last, so everything
    in the directory is final before it is put in place — nothing is patched after.
    """
    from scheduler.io.excel import write_workbook

    directory = Path(directory)
    instance = record.instance
    report = record.report
    calendars: multiprocessing.process.BaseProcess | None = None
    try:
        if planner_files:
            calendars = _write_calendars_aside(
                directory / "calendars", instance, record.assignments
            )
        (directory / "solve-report.md").write_text(solve_report_md(report), encoding="utf-8")
        (directory / "kpis.json").write_text(
            json.dumps(record.kpis.to_dict(), ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )
        for name in ("instance.json", "demand.csv"):
            (directory / name).write_text(record.documents[name], encoding="utf-8", newline="")
        _write_csv(
            directory / "roster.csv", ROSTER_COLUMNS, roster_rows(instance, record.assignments)
        )
        _write_csv(directory / "unmet.csv", UNMET_COLUMNS, _unmet_rows(instance, record.unmet))
        if planner_files:
            write_workbook(directory / "roster.xlsx", instance, result, record.kpis)
        if calendars is not None:
            calendars.join()
            if calendars.exitcode != 0:
                raise RuntimeError(f"writing the calendars failed (exit code {calendars.exitcode})")
        if started is not None:
            report = {**report, "wall_seconds": round(time.perf_counter() - started, 3)}
        (directory / "report.json").write_text(
            json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    except BaseException:
        if calendars is not None and calendars.is_alive():
            calendars.kill()
            calendars.join()
        raise
    return dataclasses.replace(record, report=report)


def _write_calendars_aside(
    directory: Path, instance: Instance, assignments: Sequence[Assignment]
) -> multiprocessing.process.BaseProcess | None:
    """Write the calendars in a forked process while the caller writes the rest.

    Serialising ~300 calendars takes icalendar most of a second, as long as
    every other output together; on two cores the two halves overlap. Where
    ``fork`` is not available they are written here and ``None`` is returned.
    """
    from scheduler.io.calendar import write_calendars

    if "fork" not in multiprocessing.get_all_start_methods():
        write_calendars(directory, instance, assignments)
        return None
    process = multiprocessing.get_context("fork").Process(
        target=write_calendars, args=(directory, instance, assignments), name="calendars"
    )
    process.start()
    return process


def read_roster(path: Path) -> list[Assignment]:
    """Read a run's ``roster.csv`` back into assignments (validated)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file is missing", file=str(path))
    try:
        return _read_roster(path)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"not a readable CSV file ({exc})", file=str(path)) from None


def _read_roster(path: Path) -> list[Assignment]:
    out = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [
            c
            for c in ("doctor_id", "date", "half_day", "item_id")
            if c not in (reader.fieldnames or [])
        ]
        if missing:
            raise InputError("column is missing", file=path.name, column=missing[0])
        for row_number, row in enumerate(reader, start=2):
            period = row["half_day"]
            if period not in ("AM", "PM"):
                raise InputError(
                    f"{period!r} is not AM or PM", file=path.name, row=row_number, column="half_day"
                )
            date = row["date"]
            try:
                dt.date.fromisoformat(date)
            except ValueError:
                raise InputError(
                    f"{date!r} is not a date", file=path.name, row=row_number, column="date"
                ) from None
            for column in ("doctor_id", "item_id"):
                if not row[column]:
                    raise InputError("empty value", file=path.name, row=row_number, column=column)
            out.append(Assignment(row["doctor_id"], row["item_id"], f"{date}_{period}"))
    return out


def read_json(path: Path) -> Any:
    """A run's JSON file (``report.json``, ``kpis.json``); missing or damaged
    (a truncated write, not JSON) is an ``InputError`` naming the file."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file is missing", file=str(path))
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid JSON ({exc})", file=str(path)) from None


def read_json_object(path: Path) -> dict[str, Any]:
    """``read_json`` for a file that must hold a JSON object."""
    content = read_json(path)
    if not isinstance(content, dict):
        raise InputError("not a JSON object", file=str(path))
    return content


def read_unmet(path: Path) -> list[UnmetItem]:
    """Read a run's ``unmet.csv`` back (validated: each error names row and column)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file is missing", file=str(path))
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            for column in ("item_id", "missing", "reason_code", "reason"):
                if column not in (reader.fieldnames or []):
                    raise InputError("column is missing", file=str(path), column=column)
            return [_unmet_item(path, n, row) for n, row in enumerate(reader, start=2)]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"not a readable CSV file ({exc})", file=str(path)) from None


def _unmet_item(path: Path, row_number: int, row: dict[str, str]) -> UnmetItem:
    file = str(path)
    if not row["item_id"]:
        raise InputError("empty value", file=file, row=row_number, column="item_id")
    try:
        missing = int(row["missing"] or "")
    except ValueError:
        raise InputError(
            f"{row['missing']!r} is not a whole number", file=file, row=row_number, column="missing"
        ) from None
    return UnmetItem(row["item_id"], missing, row["reason_code"] or "", row["reason"] or "")


def demand_rows_from_csv(text: str, instance: Instance) -> list[DemandRow]:
    """The rows of a stored ``demand.csv`` (a run's derived demand), for the
    instance's items (what a repair writes again without the data directory)."""

    def number(value: str, kind: type) -> Any:
        return kind(value) if value not in ("", "None") else None

    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        item = instance.demand.get(row["item_id"])
        if item is None:
            continue
        rows.append(
            DemandRow(
                item=item,
                consortium_id=row["consortium_id"],
                trailing_mean=number(row["trailing_mean"], float),
                seasonal_factor=number(row["seasonal_factor"], float),
                forecast=number(row["forecast"], float),
                by_referrals=number(row["by_referrals"], int),
                panel_floor=number(row["panel_floor"], int),
            )
        )
    return rows
