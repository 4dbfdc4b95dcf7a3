"""Every ``roster`` command turns input, database and file-system errors into one
line and exit code 1 or 2 — never a traceback (cli/app.py ``one_line``).

Most cases run in-process through ``CliRunner`` (the handler lives in the
command group, which ``CliRunner``, ``python -m cli`` and the
``roster`` script all go through); a few run the real entry points in a
child process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.exc import DataError, OperationalError
from typer.testing import CliRunner, Result

from cli.app import app, one_line
from scheduler.errors import InputError
from scheduler.io.run_dir import write_run
from scheduler.store.engine import open_database
from scheduler.store.errors import NotFound
from scheduler.week import parse_week
from tests.factories import tiny_instance, tiny_result
from tests.paths import DATA, ROOT

WEEK = "2026-W49"
CLOSED_PORT = "postgresql+psycopg://postgres@127.0.0.1:1/x"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def the_line(result: Result) -> str:
    """The one line a failed command printed (stderr), with no traceback anywhere."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """A small but complete run directory (the tiny instance, its valid roster)."""
    instance = tiny_instance()
    out = tmp_path / "run"
    write_run(out, instance, [], tiny_result(instance))
    return out


# --- weeks -----------------------------------------------------------------------


@pytest.mark.parametrize("week", ["1979-W10", "1999-W52", "2100-W01"])
def test_a_week_outside_the_supported_years_is_refused_when_read(week: str) -> None:
    with pytest.raises(InputError, match="outside the supported years 2000–2099"):
        parse_week(week)


def test_solve_of_a_week_before_1980_is_one_line_not_a_late_crash(tmp_path: Path) -> None:
    # Before: solved the whole week, then the workbook's zip refused a 1979 date.
    result = invoke(
        "solve", "--week", "1979-W10", "--data", str(DATA), "--out", str(tmp_path / "r")
    )
    assert result.exit_code == 2
    assert "1979-W10" in the_line(result) and "supported years" in the_line(result)
    assert list(tmp_path.iterdir()) == []


# --- unreadable input files ------------------------------------------------------


def test_a_directory_where_a_data_file_belongs_is_one_line(tmp_path: Path) -> None:
    data = shutil.copytree(DATA, tmp_path / "data")
    (data / "doctors.csv").unlink()
    (data / "doctors.csv").mkdir()
    result = invoke("solve", "--week", WEEK, "--data", str(data), "--out", str(tmp_path / "r"))
    assert result.exit_code == 2
    assert "doctors.csv" in the_line(result)


def test_an_unreadable_data_file_is_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chmod 000 does not stop root (CI runs as root): the read is made to fail
    as it would for another user, with EACCES on that one file."""
    data = shutil.copytree(DATA, tmp_path / "data")
    unreadable = data / "doctors.csv"
    read_bytes = Path.read_bytes

    def denied(path: Path) -> bytes:
        if path == unreadable:
            raise PermissionError(13, "Permission denied", str(unreadable))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", denied)
    result = invoke("solve", "--week", WEEK, "--data", str(data), "--out", str(tmp_path / "r"))
    assert result.exit_code == 2  # a path the user gave (inside --data)
    assert the_line(result) == f"error: {unreadable}: Permission denied"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file anyway")
def test_a_chmod_000_data_file_is_one_line(tmp_path: Path) -> None:
    data = shutil.copytree(DATA, tmp_path / "data")
    (data / "doctors.csv").chmod(0)
    result = invoke("solve", "--week", WEEK, "--data", str(data), "--out", str(tmp_path / "r"))
    assert result.exit_code == 2
    assert "doctors.csv" in the_line(result)


# --- damaged run directories -----------------------------------------------------


def _remove(name: str) -> Callable[[Path], None]:
    return lambda run: (run / name).unlink()


def _truncate(name: str) -> Callable[[Path], None]:
    def damage(run: Path) -> None:
        text = (run / name).read_text(encoding="utf-8")
        (run / name).write_text(text[: len(text) // 2], encoding="utf-8")

    return damage


def _write(name: str, text: str) -> Callable[[Path], None]:
    return lambda run: (run / name).write_text(text, encoding="utf-8")


DAMAGE = {
    "no report.json": (_remove("report.json"), "no report.json"),
    "empty report.json": (_write("report.json", ""), "report.json: not valid JSON"),
    "truncated report.json": (_truncate("report.json"), "report.json: not valid JSON"),
    "report.json a list": (_write("report.json", "[]\n"), "report.json: not a JSON object"),
    "no kpis.json": (_remove("kpis.json"), "kpis.json: file is missing"),
    "truncated kpis.json": (_truncate("kpis.json"), "kpis.json: not valid JSON"),
    "truncated instance.json": (_truncate("instance.json"), "instance.json: not valid JSON"),
    "no unmet.csv": (_remove("unmet.csv"), "unmet.csv: file is missing"),
    "unmet.csv bad number": (
        _write("unmet.csv", "item_id,missing,reason_code,reason\nI2,one,x,y\n"),
        "unmet.csv row 2, column missing: 'one' is not a whole number",
    ),
    "unmet.csv bad header": (
        _write("unmet.csv", "item,missing\nI2,1\n"),
        "unmet.csv column item_id: column is missing",
    ),
    "roster.csv not UTF-8": (
        lambda run: (run / "roster.csv").write_bytes(b"doctor_id\n\xff\xfe\n"),
        "roster.csv: not a readable CSV file",
    ),
    "no demand.csv": (_remove("demand.csv"), "demand.csv: file is missing"),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_db_import_of_a_damaged_run_directory_names_the_file(
    case: str, run_dir: Path, tmp_path: Path
) -> None:
    damage, words = DAMAGE[case]
    damage(run_dir)
    result = invoke("db", "import", str(run_dir), "--database", f"sqlite:///{tmp_path / 'r.db'}")
    assert result.exit_code == 2, result.output
    assert words in the_line(result)


def test_check_of_a_run_with_an_empty_report_is_one_line(run_dir: Path) -> None:
    (run_dir / "report.json").write_text("", encoding="utf-8")
    result = invoke("check", str(run_dir))
    assert result.exit_code == 2
    assert "report.json: not valid JSON" in the_line(result)


# --- databases -------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["db", "upgrade"],
        ["keys", "list"],
        ["keys", "create", "--name", "x"],
        ["publish", "0" * 32],
        ["changes", "--week", WEEK, "--since", "1"],
        ["repair", "--week", WEEK, "--absent", "D1", "--from", "2026-12-01"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_a_closed_database_port_is_one_line(command: list[str]) -> None:
    result = invoke(*command, "--database", CLOSED_PORT)
    assert result.exit_code == 1
    assert the_line(result).startswith("error: the database is unavailable: connection failed")


def test_db_import_into_a_closed_port_is_one_line(run_dir: Path) -> None:
    result = invoke("db", "import", str(run_dir), "--database", CLOSED_PORT)
    assert result.exit_code == 1
    assert "the database is unavailable" in the_line(result)


def test_a_read_only_sqlite_database_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "roster.db"
    open_database(f"sqlite:///{path}").dispose()  # migrated, then opened read-only
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    result = invoke("keys", "create", "--name", "张主任", "--database", read_only)
    assert result.exit_code == 1
    assert "readonly database" in the_line(result)


def test_serve_with_an_unreachable_database_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    # Before: uvicorn never started, and 150 lines of traceback said why.
    monkeypatch.setenv("ROSTER_DATABASE_URL", CLOSED_PORT)
    result = invoke("serve", "--port", "1")
    assert result.exit_code == 1
    assert the_line(result).startswith("error: the database is unavailable")


# --- the handler ------------------------------------------------------------------


def test_one_line_maps_each_kind_of_error() -> None:
    given = ["solve", "--data", "mydata", "--out=runs/x"]
    assert one_line(InputError("bad", file="f.csv")) == ("error: f.csv: bad", 2)
    assert one_line(NotFound("no run 'x'")) == ("error: no run 'x'", 2)
    denied = PermissionError(13, "Permission denied", "mydata/doctors.csv")
    assert one_line(denied, given) == ("error: mydata/doctors.csv: Permission denied", 2)
    assert one_line(PermissionError(13, "Permission denied", "runs/x/a"), given)[1] == 2  # type: ignore[index]
    assert one_line(OSError(28, "No space left on device", "/srv/exports/y"), given) == (
        "error: /srv/exports/y: No space left on device",
        1,
    )
    bad_value = DataError("INSERT ...", {}, Exception("integer out of range"))
    assert one_line(bad_value) == (
        "error: a value the database cannot store: integer out of range",
        2,
    )
    down = OperationalError("SELECT 1", {}, Exception("connection refused"))
    assert one_line(down) == ("error: the database is unavailable: connection refused", 1)
    assert one_line(KeyError("a bug")) is None  # keeps its traceback


def test_a_bug_keeps_its_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object, **__: object) -> None:
        raise KeyError("a bug, not an input error")

    monkeypatch.setattr("scheduler.pipeline.check_run", broken)
    result = invoke("check", "anything")
    assert isinstance(result.exception, KeyError)


# --- the entry points ------------------------------------------------------------------


def test_the_roster_script_runs_main() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"]["roster"] == "cli.app:main"


@pytest.mark.parametrize(
    "entry",
    [
        [sys.executable, "-m", "cli"],
        [sys.executable, "-c", "import sys; from cli.app import main; sys.exit(main())"],
    ],
    ids=["python -m cli", "main()"],
)
def test_entry_points_print_one_line(entry: list[str]) -> None:
    done = subprocess.run(
        [*entry, "keys", "list", "--database", CLOSED_PORT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "the database is unavailable" in lines[0], done.stderr
