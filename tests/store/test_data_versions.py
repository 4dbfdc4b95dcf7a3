"""The data set in the database, versioned (issue 15, SPEC §12), on SQLite and PostgreSQL.

Import → version 1; export → the same bytes; a changed directory → version 2
with exactly its row changes; bad data → one line, nothing stored; two
changes derived from one version at once → exactly one commits (409 for the
other, raced by real processes); every version re-solves to the roster its
directory gives.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.app import app
from scheduler.errors import InputError
from scheduler.io.data_files import DATA_FILES, DataFiles
from scheduler.store.data_versions import (
    DataSource,
    RowChange,
    commit_version,
    data_files,
    list_versions,
    load_version,
    newest_version,
    version_changes,
)
from scheduler.store.engine import make_engine, open_database, transaction
from scheduler.store.errors import Conflict, NotFound
from tests.paths import DATA

runner = CliRunner()


def _digests(directory: Path) -> dict[str, str]:
    return {
        name: hashlib.sha256((directory / name).read_bytes()).hexdigest() for name in DATA_FILES
    }


def _edited(tmp_path: Path) -> Path:
    """data/ with a doctor's weekly cap raised and leave for Tuesday to Thursday (the
    default roster has them out on Tuesday and Wednesday)."""
    edited = tmp_path / "edited"
    shutil.copytree(DATA, edited)
    (edited / ".roster-output").unlink()
    doctors = (edited / "doctors.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    for k, line in enumerate(doctors):
        if line.startswith("H01-CARD-01,"):
            cells = line.split(",")
            assert cells[5] == "3"
            cells[5] = "4"
            doctors[k] = ",".join(cells)
    (edited / "doctors.csv").write_text("".join(doctors), encoding="utf-8")
    with (edited / "leave.csv").open("a", encoding="utf-8") as handle:
        handle.write("H01-CARD-01,2026-12-01,2026-12-03,年假\n")
    return edited


def test_import_then_export_gives_the_same_bytes(database_url: str, tmp_path: Path) -> None:
    answer = runner.invoke(app, ["data", "import", str(DATA), "--database", database_url])
    assert answer.exit_code == 0, answer.output
    assert "data version 1" in answer.output
    out = tmp_path / "export"
    answer = runner.invoke(app, ["data", "export", str(out), "--database", database_url])
    assert answer.exit_code == 0, answer.output
    assert _digests(out) == _digests(DATA)
    again = runner.invoke(app, ["data", "import", str(DATA), "--database", database_url])
    assert again.exit_code == 0 and "unchanged: data version 1" in again.output
    with transaction(make_engine(database_url)) as session:
        assert newest_version(session) == 1


def test_a_changed_directory_is_the_next_version_with_its_row_changes(
    database_url: str, tmp_path: Path
) -> None:
    engine = open_database(database_url)
    commit_version(engine, DataFiles.read(DATA), base=None, actor="t", source=DataSource.IMPORT)
    edited = _edited(tmp_path)
    made = commit_version(
        engine, DataFiles.read(edited), base=1, actor="张主任", source=DataSource.EDIT, note="why"
    )
    assert made is not None and made[0] == 2
    expected = [
        RowChange("doctors.csv", "H01-CARD-01", "changed", "weekly_cap", "3", "4"),
        RowChange("leave.csv", "H01-CARD-01/2026-12-01/2026-12-03/年假", "added"),
    ]
    assert made[1] == expected
    with transaction(engine) as session:
        assert version_changes(session, 2) == expected
        listed = list_versions(session)
        assert [(v.version, v.created_by, v.source, v.note, v.changes) for v in listed] == [
            (2, "张主任", "edit", "why", 2),
            (1, "t", "import", None, 0),
        ]
        assert data_files(session, 1).digests() == DataFiles.read(DATA).digests()
        assert data_files(session).digests() == DataFiles.read(edited).digests()
        assert load_version(session).table  # loads: a stored version always validates
    out = tmp_path / "v1"
    answer = runner.invoke(
        app, ["data", "export", str(out), "--version", "1", "--database", database_url]
    )
    assert answer.exit_code == 0, answer.output
    assert _digests(out) == _digests(DATA)


def test_bad_data_is_one_line_and_nothing_is_stored(database_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(DATA, bad)
    (bad / ".roster-output").unlink()
    text = (bad / "doctors.csv").read_text(encoding="utf-8")
    (bad / "doctors.csv").write_text(text.replace(",H01,CARD,", ",H99,CARD,", 1), encoding="utf-8")
    answer = runner.invoke(app, ["data", "import", str(bad), "--database", database_url])
    assert answer.exit_code == 2
    assert "doctors.csv row 2, column hospital_id: unknown hospital 'H99'" in answer.output
    engine = open_database(database_url)
    with transaction(engine) as session:
        assert newest_version(session) is None
        with pytest.raises(NotFound):
            data_files(session)
    with pytest.raises(InputError):
        commit_version(engine, DataFiles.read(bad), base=None, actor="t", source="edit")


def test_a_change_from_an_older_version_is_refused(database_url: str, tmp_path: Path) -> None:
    engine = open_database(database_url)
    commit_version(engine, DataFiles.read(DATA), base=None, actor="t", source=DataSource.IMPORT)
    commit_version(
        engine, DataFiles.read(_edited(tmp_path)), base=1, actor="a", source=DataSource.EDIT
    )
    with pytest.raises(Conflict, match="data version 1 is no longer the newest \\(now 2\\)"):
        commit_version(engine, DataFiles.read(DATA), base=1, actor="b", source=DataSource.EDIT)
    with pytest.raises(Conflict):
        commit_version(engine, DataFiles.read(DATA), base=None, actor="b", source="import")


def _commit_together(url: str, directory: str, actor: str, barrier: Any, results: Any) -> None:
    """One planner's change derived from version 1, in its own process."""
    import scheduler.store.data_versions as versions

    engine = make_engine(url)
    files = DataFiles.read(Path(directory))
    newest = versions.newest_version
    waited = []

    def newest_after_all_read(session: Any) -> int | None:
        found = newest(session)
        if not waited:  # the check of the compare-and-set (not the loser's message)
            waited.append(True)
            barrier.wait(timeout=60)  # every contender has read "1 is the newest"; now insert
        return found

    versions.newest_version = newest_after_all_read  # type: ignore[assignment]
    try:
        made = versions.commit_version(engine, files, base=1, actor=actor, source="edit")
        results.put((actor, "committed", made[0] if made else None))
    except Conflict as exc:
        results.put((actor, "Conflict", exc.message))
    except Exception as exc:  # anything else fails the test
        results.put((actor, type(exc).__name__, str(exc)))


@pytest.mark.slow
def test_two_changes_of_one_version_at_once_commit_exactly_one(
    database_url: str, tmp_path: Path
) -> None:
    engine = open_database(database_url)
    commit_version(engine, DataFiles.read(DATA), base=None, actor="t", source=DataSource.IMPORT)
    edited = _edited(tmp_path)
    context = multiprocessing.get_context("spawn")
    contenders = 3
    on_sqlite = database_url.startswith("sqlite")
    # SQLite serialises writers from the start of the transaction (BEGIN IMMEDIATE):
    # a barrier inside it would wait for ever; there the race is the insert itself.
    barrier = context.Barrier(1 if on_sqlite else contenders)
    results = context.Queue()
    processes = [
        context.Process(
            target=_commit_together, args=(database_url, str(edited), f"p{k}", barrier, results)
        )
        for k in range(contenders)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    kinds = sorted(kind for _, kind, _ in outcomes)
    assert kinds == ["Conflict"] * (contenders - 1) + ["committed"], outcomes
    with transaction(engine) as session:
        assert newest_version(session) == 2
        assert len(version_changes(session, 2)) == 2


@pytest.mark.slow
def test_a_data_version_solves_to_the_roster_of_its_directory(
    database_url: str, tmp_path: Path, default_run: Path
) -> None:
    runner.invoke(app, ["data", "import", str(DATA), "--database", database_url])
    out = tmp_path / "from-db"
    answer = runner.invoke(
        app,
        [
            "solve",
            "--week",
            "2026-W49",
            "--data-version",
            "1",
            "--database",
            database_url,
            "--out",
            str(out),
        ],
    )
    assert answer.exit_code == 0, answer.output
    for name in ("roster.csv", "unmet.csv", "instance.json"):
        assert (out / name).read_bytes() == (default_run / name).read_bytes(), name
    import json

    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["data_version"] == 1 and report["data_dir"] is None
    assert "Data: data version 1" in (out / "solve-report.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_server_jobs_solve_the_newest_data_version(
    database_url: str, tmp_path: Path, job_worker: Any
) -> None:
    """A server on a fresh database imports its data directory as version 1 at the
    first job; a version imported later is what the next job solves — the run
    records it, the report says it, and the change is in the roster."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from scheduler.pipeline import check_run
    from scheduler.store.keys import create_key
    from scheduler.store.schema import SolveRun
    from tests.store.test_jobs import WEEK, _poll, _settings

    settings = _settings(database_url, tmp_path)
    server = create_app(settings)
    job_worker(settings)
    with TestClient(server) as client:
        key = create_key(server.state.engine, "planner", "planner")
        first = client.post("/solves", json={"week": WEEK}, headers={"X-API-Key": key}).json()
        edited = str(_edited(tmp_path))
        answer = runner.invoke(app, ["data", "import", edited, "--database", database_url])
        assert answer.exit_code == 0 and "data version 2" in answer.output, answer.output
        second = client.post("/solves", json={"week": WEEK}, headers={"X-API-Key": key}).json()
        for job in (first, second):
            assert _poll(client, key, job["id"])["status"] == "succeeded"
        with transaction(server.state.engine) as session:
            runs = [session.get(SolveRun, job["id"]) for job in (first, second)]
            assert [(r.data_version, r.report["data_version"]) for r in runs] == [(1, 1), (2, 2)]
            run_dirs = [Path(r.run_dir) for r in runs]
        rows = (run_dirs[1] / "roster.csv").read_text(encoding="utf-8").splitlines()
        on_leave = [r for r in rows if r.startswith("H01-CARD-01,")]
        assert all(
            r.split(",")[3][:10] not in {"2026-12-01", "2026-12-02", "2026-12-03"} for r in on_leave
        ), on_leave
        assert check_run(run_dirs[1]).ok


def test_the_workbook_round_trip_on_the_command_line(database_url: str, tmp_path: Path) -> None:
    """roster data template writes a new file only; roster data upload lists the
    changes and applies them as the next version (source excel)."""
    from openpyxl import load_workbook

    runner.invoke(app, ["data", "import", str(DATA), "--database", database_url])
    book = tmp_path / "data.xlsx"
    made = runner.invoke(app, ["data", "template", str(book), "--database", database_url])
    assert made.exit_code == 0 and book.is_file(), made.output
    twice = runner.invoke(app, ["data", "template", str(book), "--database", database_url])
    assert twice.exit_code == 2 and "exists" in twice.output
    wb = load_workbook(book)
    row = next(r for r in wb["医生"].iter_rows(min_row=2) if r[0].value == "H01-CARD-01")
    row[5].value = "5"
    wb.save(book)
    declined = runner.invoke(
        app, ["data", "upload", str(book), "--database", database_url], input="n\n"
    )
    assert "weekly_cap" in declined.output and "not applied" in declined.output
    applied = runner.invoke(app, ["data", "upload", str(book), "--yes", "--database", database_url])
    assert applied.exit_code == 0 and "data version 2 (1 row change(s))" in applied.output
    with transaction(make_engine(database_url)) as session:
        assert [(v.version, v.source) for v in list_versions(session)] == [
            (2, "excel"),
            (1, "import"),
        ]
