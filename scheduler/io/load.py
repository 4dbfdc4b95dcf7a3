"""Load and validate the data directory (pandas lives here, at the edge).

Every file and column of ``data/README.md`` is checked. The first problem stops
the load with an :class:`~scheduler.errors.InputError` naming file, row and
column, e.g. ``doctors.csv row 17, column hospital_id: unknown hospital 'H9'``.
Rows count the header as row 1. What comes out is plain Python: a
:class:`DataSet` of tables, each a list of typed row records
(``scheduler.io.records``: one frozen dataclass per file) with converted values.
"""

from __future__ import annotations

import datetime as dt
import io
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

import pandas as pd

from scheduler.domain import STANDARD_LEVELS, WEEKDAYS, Level, Title
from scheduler.errors import InputError
from scheduler.ids import check_id, is_valid_id
from scheduler.io.data_files import POLICY_FILE, DataFiles
from scheduler.io.records import (
    RECORD_OF,
    ClinicRow,
    ConsortiumPartnerRow,
    ConsortiumRow,
    DepartmentRow,
    DoctorRow,
    KeySpecialtyRow,
    LeaveRow,
    Record,
    SiteRow,
    SpecialtyRow,
    TeamRow,
)
from scheduler.io.schema import POLICY_KEYS, SPECS, TITLES, Column, TableSpec
from scheduler.week import canonical_week, is_half_day_token, parse_week

Table = list[Record]
R = TypeVar("R", bound=Record)


@dataclass
class Policy:
    """``policy.toml`` as read, with defaults for keys a file leaves out."""

    open_half_days: tuple[str, ...]
    travel_limit_minutes: int
    midday_gap_minutes: int
    am_peak_multiplier: float
    base_minutes: float
    minutes_per_km: float
    mountain_crossing_minutes: float
    crossing_multiplier: float
    forecast_window_weeks: int
    seasonal_clip: tuple[float, float]
    team_min_title: Title
    team_max_sessions: int
    level_order: tuple[Level, ...]


@dataclass
class DataSet:
    """Validated tables of a data set, keyed by file name, and the files they were
    read from."""

    origin: str  # the data directory, or "data version 4"
    policy: Policy
    tables: dict[str, Table] = field(default_factory=dict)
    files: DataFiles | None = None  # None for a data set changed in memory (a scenario's)

    def __getitem__(self, file: str) -> Table:
        return self.tables[file]

    def table(self, record: type[R]) -> list[R]:
        """The rows of ``record``'s file, typed (``data.table(DoctorRow)``)."""
        return cast(list[R], self.tables[record.FILE])


def load_dataset(source: Path | DataFiles) -> DataSet:
    """Read and validate every file of a data set: a data directory, or the files
    of a data version (``DataFiles``), checked by the same rules."""
    files = source if isinstance(source, DataFiles) else DataFiles.read(Path(source))
    policy = _load_policy(files.contents.get(POLICY_FILE))
    tables: dict[str, Table] = {}
    frames = {spec.file: _read_csv(files.contents.get(spec.file), spec) for spec in SPECS}
    for spec in SPECS:
        tables[spec.file] = _convert(spec, frames[spec.file])
    keys = {
        f"{spec.file[:-4]}.{spec.key[0]}": {getattr(row, spec.key[0]) for row in tables[spec.file]}
        for spec in SPECS
        if len(spec.key) == 1
    }
    for spec in SPECS:
        _check_refs(spec, tables[spec.file], keys)
    data = DataSet(origin=files.origin, policy=policy, tables=tables, files=files)
    _check_consistency(data)
    return data


# --------------------------------------------------------------------------- policy


def _load_policy(content: bytes | None) -> Policy:
    """Read ``policy.toml``; every key is checked for type and range."""
    file = POLICY_FILE
    if content is None:
        raise InputError("file is missing", file=file)
    try:
        raw = tomllib.loads(content.decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid TOML: {exc}", file=file) from None

    _check_policy_keys(raw)

    def get(section: str, key: str, default: Any) -> Any:
        value = raw.get(section, {}).get(key, default)
        return value

    def number(section: str, key: str, default: float, low: float, integer: bool) -> Any:
        value = get(section, key, default)
        kind_ok = isinstance(value, int) if integer else isinstance(value, int | float)
        if isinstance(value, bool) or not kind_ok or value < low:
            want = "an integer" if integer else "a number"
            raise InputError(
                f"{value!r} must be {want} ≥ {low}", file=file, column=f"{section}.{key}"
            )
        return value

    tokens = get("calendar", "open_half_days", _DEFAULT_OPEN)
    if not isinstance(tokens, list) or not all(
        isinstance(t, str) and is_half_day_token(t) for t in tokens
    ):
        raise InputError(
            "must be a list of half-day tokens such as MON_AM",
            file=file,
            column="calendar.open_half_days",
        )
    clip = get("demand", "seasonal_clip", [0.7, 1.5])
    if (
        not isinstance(clip, list)
        or len(clip) != 2
        or not all(isinstance(c, int | float) for c in clip)
        or not 0 < clip[0] <= 1 <= clip[1]
    ):
        raise InputError(
            "must be [low, high] with 0 < low ≤ 1 ≤ high", file=file, column="demand.seasonal_clip"
        )
    title = get("demand", "team_min_title", "attending")
    if title not in TITLES:
        raise InputError(
            f"unknown title {title!r} (one of {', '.join(TITLES)})",
            file=file,
            column="demand.team_min_title",
        )
    order = get("objective", "order", [lv.value for lv in STANDARD_LEVELS])
    names = [lv.value for lv in STANDARD_LEVELS]
    if not isinstance(order, list) or sorted(order) != sorted(names):
        raise InputError(
            f"must list each level once: {', '.join(names)}", file=file, column="objective.order"
        )
    return Policy(
        open_half_days=tuple(tokens),
        travel_limit_minutes=number("travel", "limit_minutes", 60, 1, True),
        midday_gap_minutes=number("travel", "midday_gap_minutes", 90, 0, True),
        am_peak_multiplier=float(number("travel", "am_peak_multiplier", 1.3, 1, False)),
        base_minutes=float(number("travel", "base_minutes", 8, 0, False)),
        minutes_per_km=float(number("travel", "minutes_per_km", 1.5, 0.01, False)),
        mountain_crossing_minutes=float(
            number("travel", "mountain_crossing_minutes", 18, 0, False)
        ),
        crossing_multiplier=float(number("travel", "crossing_multiplier", 1.0, 0.01, False)),
        forecast_window_weeks=number("demand", "forecast_window_weeks", 8, 1, True),
        seasonal_clip=(float(clip[0]), float(clip[1])),
        team_min_title=Title.parse(title),
        team_max_sessions=number("demand", "team_max_sessions", 2, 1, True),
        level_order=tuple(Level(v) for v in order),
    )


def _check_policy_keys(raw: dict[str, Any]) -> None:
    """Refuse a key ``data/README.md`` does not list (a misspelt one would be ignored)."""
    for section, table in raw.items():
        for key in table if isinstance(table, dict) else (None,):
            name = section if key is None else f"{section}.{key}"
            if name not in POLICY_KEYS:
                raise InputError(
                    f"unknown key (one of {', '.join(POLICY_KEYS)})", file=POLICY_FILE, column=name
                )


_DEFAULT_OPEN = [f"{d}_{p}" for d in WEEKDAYS[:5] for p in ("AM", "PM")] + ["SAT_AM"]


# --------------------------------------------------------------------------- tables


def _read_csv(content: bytes | None, spec: TableSpec) -> pd.DataFrame:
    if content is None:
        raise InputError("file is missing", file=spec.file)
    try:
        frame = pd.read_csv(
            io.BytesIO(content),
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",  # Excel on Windows saves UTF-8 with a BOM
            skipinitialspace=False,
        )
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=spec.file) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"not a readable CSV file ({exc})", file=spec.file) from None
    for column in spec.columns:
        if column.name not in frame.columns:
            raise InputError("column is missing", file=spec.file, column=column.name)
    return frame


def _first_bad(mask: pd.Series) -> int | None:
    """Row number (header = 1) of the first True in ``mask``, or None."""
    bad = mask.to_numpy().nonzero()[0]
    return int(bad[0]) + 2 if len(bad) else None


def _convert(spec: TableSpec, frame: pd.DataFrame) -> Table:
    converted: dict[str, list[Any]] = {}
    for column in spec.columns:
        raw = frame[column.name].astype(str).str.strip()
        empty = raw == ""
        if not column.optional:
            first = _first_bad(empty)
            if first is not None:
                raise InputError("empty value", file=spec.file, row=first, column=column.name)
        converted[column.name] = _convert_column(spec.file, column, raw, empty)
    record = RECORD_OF[spec.file]
    rows = [record(*values) for values in zip(*converted.values(), strict=True)]
    if spec.key:
        seen: dict[tuple[Any, ...], int] = {}
        for index, row in enumerate(rows):
            key = tuple(getattr(row, k) for k in spec.key)
            if key in seen:
                shown = key[0] if len(key) == 1 else key
                raise InputError(
                    f"duplicate {'/'.join(spec.key)} {shown!r} (first in row {seen[key]})",
                    file=spec.file,
                    row=index + 2,
                    column=spec.key[0],
                )
            seen[key] = index + 2
    return rows


def _convert_column(file: str, column: Column, raw: pd.Series, empty: pd.Series) -> list[Any]:
    """One column's cells checked and converted by its kind (the first bad one raises)."""
    kind = column.kind
    if kind in ("id", "text"):
        if kind == "id":
            _check_ids(file, column, raw, empty)
        return _with_none(raw.tolist(), empty)
    if kind in ("int", "float"):
        return _numbers(file, column, raw, empty)
    if kind == "enum":
        return _enum(file, column, raw, empty)
    if kind == "date":
        return _dates(file, column, raw, empty)
    if kind == "week":
        return _weeks(file, column, raw)
    if kind in ("half_days", "weekdays"):
        return _token_sets(file, column, raw)
    raise AssertionError(kind)


def _numbers(file: str, column: Column, raw: pd.Series, empty: pd.Series) -> list[Any]:
    kind = column.kind
    numbers = pd.to_numeric(raw.where(~empty), errors="coerce")
    bad = numbers.isna() & ~empty
    if kind == "int":
        bad |= ~empty & (numbers.notna()) & (numbers != numbers.round())
    row = _first_bad(bad)
    if row is not None:
        raise InputError(
            f"{raw.iloc[row - 2]!r} is not {'an integer' if kind == 'int' else 'a number'}",
            file=file,
            row=row,
            column=column.name,
        )
    out_of_range = pd.Series(False, index=raw.index)
    if column.low is not None:
        out_of_range |= numbers < column.low
    if column.high is not None:
        out_of_range |= numbers > column.high
    row = _first_bad(out_of_range & ~empty)
    if row is not None:
        bounds = _bounds(column)
        raise InputError(
            f"{raw.iloc[row - 2]} is out of range ({bounds})",
            file=file,
            row=row,
            column=column.name,
        )
    cast: Callable[[float], Any] = int if kind == "int" else float
    return [None if e else cast(v) for v, e in zip(numbers.tolist(), empty.tolist(), strict=True)]


def _enum(file: str, column: Column, raw: pd.Series, empty: pd.Series) -> list[Any]:
    bad = ~raw.isin(column.choices) & ~empty
    row = _first_bad(bad)
    if row is not None:
        raise InputError(
            f"unknown value {raw.iloc[row - 2]!r} (one of {', '.join(column.choices)})",
            file=file,
            row=row,
            column=column.name,
        )
    return _with_none(raw.tolist(), empty)


def _dates(file: str, column: Column, raw: pd.Series, empty: pd.Series) -> list[Any]:
    dates = pd.to_datetime(raw.where(~empty), format="%Y-%m-%d", errors="coerce")
    row = _first_bad(dates.isna() & ~empty)
    if row is not None:
        raise InputError(
            f"{raw.iloc[row - 2]!r} is not a date (YYYY-MM-DD)",
            file=file,
            row=row,
            column=column.name,
        )
    return [None if e else d.date() for d, e in zip(dates, empty, strict=True)]


def _weeks(file: str, column: Column, raw: pd.Series) -> list[Any]:
    out: list[Any] = []
    valid: dict[str, str] = {}  # a history repeats each week thousands of times
    for index, value in enumerate(raw.tolist()):
        if value not in valid:
            try:
                parse_week(value)
                valid[value] = canonical_week(value)  # one spelling: 2026-W49
            except InputError as exc:
                raise InputError(
                    exc.message, file=file, row=index + 2, column=column.name
                ) from None
        out.append(valid[value])
    return out


def _token_sets(file: str, column: Column, raw: pd.Series) -> list[Any]:
    kind = column.kind
    check = is_half_day_token if kind == "half_days" else (lambda t: t in WEEKDAYS)
    lists: list[Any] = []
    for index, value in enumerate(raw.tolist()):
        tokens = tuple(t.strip() for t in value.split(";") if t.strip())
        for token in tokens:
            if not check(token):
                example = "MON_AM" if kind == "half_days" else "MON"
                raise InputError(
                    f"bad token {token!r} (expected e.g. {example})",
                    file=file,
                    row=index + 2,
                    column=column.name,
                )
        lists.append(frozenset(tokens))
    return lists


def _check_ids(file: str, column: Column, raw: pd.Series, empty: pd.Series) -> None:
    """Every non-empty cell is an id by ``scheduler.ids`` (each distinct value
    checked once: a city's referral history repeats each team id thousands of times)."""
    bad = {value for value in pd.unique(raw[~empty]) if not is_valid_id(value)}
    if bad:
        row = _first_bad(raw.isin(bad))
        assert row is not None
        check_id(raw.iloc[row - 2], file=file, row=row, column=column.name)


def _with_none(values: list[Any], empty: pd.Series) -> list[Any]:
    """``values`` with the empty cells as None (lists, not Series: a city's
    referral history has millions of cells)."""
    if not empty.any():
        return values
    return [None if e else v for v, e in zip(values, empty.tolist(), strict=True)]


def _bounds(column: Column) -> str:
    low, high = column.low, column.high

    def fmt(v: float | None) -> str:
        return f"{v:g}" if v is not None else ""

    if low is not None and high is not None:
        return f"{fmt(low)}–{fmt(high)}"
    if low is not None:
        return f"≥ {fmt(low)}"
    return f"≤ {fmt(high)}"


def _check_refs(spec: TableSpec, rows: Table, keys: dict[str, set[Any]]) -> None:
    for column in spec.columns:
        if column.ref is None:
            continue
        known = keys[column.ref]
        for index, row in enumerate(rows):
            value = getattr(row, column.name)
            if value is not None and value not in known:
                noun = column.ref.split(".")[1].removesuffix("_id").replace("_", " ")
                raise InputError(
                    f"unknown {noun} {value!r}", file=spec.file, row=index + 2, column=column.name
                )


def _check_consistency(data: DataSet) -> None:
    """Checks that span several files or columns."""
    sites = {row.site_id: row for row in data.table(SiteRow)}
    key_pairs = {(r.hospital_id, r.specialty_id) for r in data.table(KeySpecialtyRow)}
    partners: dict[str, set[str]] = {}
    for partner in data.table(ConsortiumPartnerRow):
        partners.setdefault(partner.consortium_id, set()).add(partner.hospital_id)

    for index, specialty in enumerate(data.table(SpecialtyRow), start=2):
        if (specialty.chronic_panel is None) != (specialty.panel_per_session is None):
            raise InputError(
                "panel_per_session must be given exactly when chronic_panel is",
                file="specialties.csv",
                row=index,
                column="panel_per_session",
            )
    for index, consortium in enumerate(data.table(ConsortiumRow), start=2):
        if sites[consortium.lead_site_id].kind != "district_hospital":
            raise InputError(
                f"lead site {consortium.lead_site_id!r} is not a district hospital",
                file="consortia.csv",
                row=index,
                column="lead_site_id",
            )

    def expect_kind(file: str, index: int, site_id: str, kind: str) -> None:
        if sites[site_id].kind != kind:
            raise InputError(
                f"site {site_id!r} is a {sites[site_id].kind}, expected a {kind}",
                file=file,
                row=index,
                column="site_id",
            )

    def expect_key_specialty(file: str, index: int, hospital_id: str, specialty_id: str) -> None:
        if (hospital_id, specialty_id) not in key_pairs:
            raise InputError(
                f"{specialty_id!r} is not a key specialty of hospital {hospital_id!r}",
                file=file,
                row=index,
                column="specialty_id",
            )

    for index, department in enumerate(data.table(DepartmentRow), start=2):
        expect_kind("departments.csv", index, department.site_id, "district_hospital")
        expect_key_specialty(
            "departments.csv", index, department.hospital_id, department.specialty_id
        )
    for index, clinic in enumerate(data.table(ClinicRow), start=2):
        expect_kind("clinics.csv", index, clinic.site_id, "grassroots")
    for index, team in enumerate(data.table(TeamRow), start=2):
        expect_kind("teams.csv", index, team.site_id, "workstation")
    for index, doctor in enumerate(data.table(DoctorRow), start=2):
        expect_key_specialty("doctors.csv", index, doctor.hospital_id, doctor.specialty_id)
    for index, leave in enumerate(data.table(LeaveRow), start=2):
        if leave.end_date < leave.start_date:
            raise InputError(
                f"end_date {leave.end_date} is before start_date {leave.start_date}",
                file="leave.csv",
                row=index,
                column="end_date",
            )


def parse_date(text: str, *, field: str) -> dt.date:
    """Parse an ISO date given on the command line or in a request."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a date (YYYY-MM-DD)", column=field) from None
