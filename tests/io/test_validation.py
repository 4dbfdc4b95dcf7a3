"""Bad input: one clear message naming file, row and column; exit code 2; nothing written.

Each case copies the default data set, breaks one thing, and checks the exact
place the loader names.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from scheduler.errors import InputError
from scheduler.io.load import load_dataset
from scheduler.week import parse_week
from tests.paths import DATA

with (DATA / "sites.csv").open(encoding="utf-8") as _handle:
    FIRST_WORKSTATION = next(
        r["site_id"] for r in csv.DictReader(_handle) if r["kind"] == "workstation"
    )


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def edit(directory: Path, file: str, change: Callable[[list[list[str]]], None]) -> None:
    """Apply ``change`` to the rows (header first) of a CSV file."""
    path = directory / file
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def set_cell(file: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    """Set one cell; ``row`` counts the header as row 1."""

    def apply(directory: Path) -> None:
        def change(rows: list[list[str]]) -> None:
            rows[row - 1][rows[0].index(column)] = value

        edit(directory, file, change)

    return apply


def duplicate_row(file: str, row: int) -> Callable[[Path], None]:
    def apply(directory: Path) -> None:
        edit(directory, file, lambda rows: rows.insert(row, list(rows[row - 1])))

    return apply


def drop_column(file: str, column: str) -> Callable[[Path], None]:
    def apply(directory: Path) -> None:
        def change(rows: list[list[str]]) -> None:
            index = rows[0].index(column)
            for r in rows:
                del r[index]

        edit(directory, file, change)

    return apply


def remove_file(file: str) -> Callable[[Path], None]:
    return lambda directory: (directory / file).unlink()


def replace_text(file: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(directory: Path) -> None:
        path = directory / file
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")

    return apply


# (case id, breakage, file, row, column, words in the message)
CASES: list[tuple[str, Callable[[Path], None], str, int | None, str | None, str]] = [
    ("duplicate id", duplicate_row("doctors.csv", 5), "doctors.csv", 6, "doctor_id", "duplicate"),
    (
        "duplicate key pair",
        duplicate_row("key_specialties.csv", 2),
        "key_specialties.csv",
        3,
        "hospital_id",
        "duplicate",
    ),
    (
        "unknown hospital",
        set_cell("doctors.csv", 17, "hospital_id", "H9"),
        "doctors.csv",
        17,
        "hospital_id",
        "unknown hospital 'H9'",
    ),
    (
        "unknown site",
        set_cell("teams.csv", 4, "site_id", "S999"),
        "teams.csv",
        4,
        "site_id",
        "unknown site",
    ),
    (
        "unknown doctor in leave",
        set_cell("leave.csv", 2, "doctor_id", "NOBODY"),
        "leave.csv",
        2,
        "doctor_id",
        "unknown doctor",
    ),
    (
        "wrong type int",
        set_cell("doctors.csv", 3, "weekly_cap", "two"),
        "doctors.csv",
        3,
        "weekly_cap",
        "not an integer",
    ),
    (
        "wrong type float",
        set_cell("hospitals.csv", 2, "x_km", "east"),
        "hospitals.csv",
        2,
        "x_km",
        "not a number",
    ),
    (
        "fractional int",
        set_cell("departments.csv", 5, "sessions_per_week", "1.5"),
        "departments.csv",
        5,
        "sessions_per_week",
        "not an integer",
    ),
    (
        "negative cap",
        set_cell("doctors.csv", 8, "weekly_cap", "-1"),
        "doctors.csv",
        8,
        "weekly_cap",
        "out of range",
    ),
    (
        "negative referrals",
        set_cell("referrals.csv", 100, "referrals", "-3"),
        "referrals.csv",
        100,
        "referrals",
        "out of range",
    ),
    (
        "share above one",
        set_cell("hospitals.csv", 3, "max_away_share", "1.5"),
        "hospitals.csv",
        3,
        "max_away_share",
        "out of range",
    ),
    (
        "impossible sessions",
        set_cell("clinics.csv", 2, "sessions_per_week", "99"),
        "clinics.csv",
        2,
        "sessions_per_week",
        "out of range",
    ),
    (
        "unknown title",
        set_cell("doctors.csv", 4, "title", "professor"),
        "doctors.csv",
        4,
        "title",
        "unknown value 'professor'",
    ),
    (
        "bad half-day token",
        set_cell("doctors.csv", 6, "home_duty_half_days", "MONDAY"),
        "doctors.csv",
        6,
        "home_duty_half_days",
        "bad token 'MONDAY'",
    ),
    (
        "bad date",
        set_cell("holidays.csv", 2, "date", "2026-02-30"),
        "holidays.csv",
        2,
        "date",
        "not a date",
    ),
    (
        "bad week in history",
        set_cell("referrals.csv", 2, "week", "2026-W60"),
        "referrals.csv",
        2,
        "week",
        "does not exist",
    ),
    (
        "empty required cell",
        set_cell("sites.csv", 3, "name", ""),
        "sites.csv",
        3,
        "name",
        "empty value",
    ),
    (
        "end before start",
        set_cell("leave.csv", 2, "end_date", "2020-01-01"),
        "leave.csv",
        2,
        "end_date",
        "before start_date",
    ),
    (
        "department at a workstation",
        set_cell("departments.csv", 2, "site_id", FIRST_WORKSTATION),
        "departments.csv",
        2,
        "site_id",
        "expected a district_hospital",
    ),
    (
        "missing column",
        drop_column("teams.csv", "priority"),
        "teams.csv",
        None,
        "priority",
        "column is missing",
    ),
    ("missing file", remove_file("doctors.csv"), "doctors.csv", None, None, "file is missing"),
    (
        "policy wrong type",
        replace_text("policy.toml", "limit_minutes = 60", 'limit_minutes = "sixty"'),
        "policy.toml",
        None,
        "travel.limit_minutes",
        "must be an integer",
    ),
    (
        "policy misspelt key",
        replace_text("policy.toml", "limit_minutes = 60", "limit_minute = 60"),
        "policy.toml",
        None,
        "travel.limit_minute",
        "unknown key",
    ),
    (
        "policy bad order",
        replace_text("policy.toml", '"travel", ', ""),
        "policy.toml",
        None,
        "objective.order",
        "each level once",
    ),
]


@pytest.mark.parametrize(
    ("breakage", "file", "row", "column", "words"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_raises_naming_the_culprit(
    data_copy: Path,
    breakage: Callable[[Path], None],
    file: str,
    row: int | None,
    column: str | None,
    words: str,
) -> None:
    breakage(data_copy)
    with pytest.raises(InputError) as caught:
        load_dataset(data_copy)
    error = caught.value
    assert (error.file, error.row, error.column) == (file, row, column), str(error)
    assert words in str(error)


@pytest.mark.parametrize("week", ["2026-49", "2026-W54", "W49", "2026-W00", ""])
def test_raises_on_bad_week(week: str) -> None:
    with pytest.raises(InputError):
        parse_week(week)


def test_cli_bad_input_exits_2_and_writes_nothing(data_copy: Path, tmp_path: Path) -> None:
    set_cell("doctors.csv", 17, "hospital_id", "H9")(data_copy)
    out = tmp_path / "run"
    result = CliRunner().invoke(
        app, ["solve", "--week", "2026-W49", "--data", str(data_copy), "--out", str(out)]
    )
    assert result.exit_code == 2
    assert "doctors.csv row 17, column hospital_id: unknown hospital 'H9'" in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [data_copy]  # no staging directory left behind


def test_cli_bad_week_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["solve", "--week", "2026-W60", "--data", str(DATA), "--out", str(tmp_path / "r")]
    )
    assert result.exit_code == 2
    assert "2026-W60" in result.output
    assert not (tmp_path / "r").exists()


def test_every_schema_column_is_a_field_of_its_row_record() -> None:
    """scheduler/io/records.py has one record per file of the schema, whose fields
    are that file's columns in order (the loader builds records positionally)."""
    import dataclasses

    from scheduler.io.records import RECORD_OF
    from scheduler.io.schema import SPECS, column_names

    assert list(RECORD_OF) == [spec.file for spec in SPECS]
    for spec in SPECS:
        fields = tuple(f.name for f in dataclasses.fields(RECORD_OF[spec.file]))
        assert fields == column_names(spec.file), spec.file


def test_a_byte_order_mark_is_read_and_gbk_is_refused_in_one_line(data_copy: Path) -> None:
    """Excel on Windows saves "CSV UTF-8" with a BOM: the same data. Its plain "CSV"
    is GBK: refused, naming the file."""
    plain = load_dataset(data_copy)
    for name in ("doctors.csv", "policy.toml"):
        path = data_copy / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_dataset(data_copy).tables == plain.tables
    doctors = data_copy / "doctors.csv"
    doctors.write_bytes(doctors.read_bytes()[3:].decode("utf-8").encode("gbk"))
    with pytest.raises(InputError) as caught:
        load_dataset(data_copy)
    assert str(caught.value) == "doctors.csv: not UTF-8 text"
