"""Output directories: roster replaces only what it wrote, says so before solving, and
survives a kill at any point of writing (scheduler/io/output_dir.py, scheduler/faults.py).

The fast tests build directories by hand (a tiny run from ``tests.factories``,
a folder of a planner's documents, a copy of the data set). The crash tests
run ``roster solve`` / ``roster repair`` as child processes that SIGKILL
themselves at a named point (``ROSTER_FAULT``), then look at what is left:
the old run intact or the new one complete, ``roster check`` passing on it,
and no hidden staging directory once the next run has been beside it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from datasets.generate import OUTPUT_FILES, generate
from scheduler.errors import OutputError
from scheduler.io.output_dir import (
    HOST_TAG,
    MARKER,
    Leftover,
    OutputKind,
    atomic_directory,
    exchange,
    prepare_output,
    read_marker,
)
from scheduler.io.run_dir import write_run
from scheduler.pipeline import check_run
from scheduler.repair.run import complete_leftover
from scheduler.store.engine import open_database, transaction
from scheduler.store.runs import import_run_dir, publish, published_version, read_run_dir
from tests.factories import tiny_instance, tiny_result
from tests.paths import DATA, ROOT

pytestmark = pytest.mark.slow  # the command line killed at its crash points

WEEK = "2026-W49"


# --- helpers ---------------------------------------------------------------------


def tiny_run(path: Path) -> Path:
    """A small but complete run directory (marker included), written by roster."""
    instance = tiny_instance()
    write_run(path, instance, [], tiny_result(instance))
    return path


def documents(path: Path) -> Path:
    """A planner's folder: nothing roster wrote."""
    (path / "minutes").mkdir(parents=True)
    (path / "budget.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (path / "minutes" / "2026-11.md").write_text("会议纪要\n", encoding="utf-8")
    return path


def snapshot(path: Path) -> dict[str, bytes]:
    """Every file under ``path`` with its bytes (to prove nothing changed)."""
    return {str(p.relative_to(path)): p.read_bytes() for p in path.rglob("*") if p.is_file()}


def leftovers(parent: Path) -> list[str]:
    """Hidden staging / old directories roster left in ``parent``."""
    return sorted(p.name for p in parent.iterdir() if ".staging-" in p.name or ".old-" in p.name)


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


def roster(
    *args: str, cwd: Path = ROOT, fault: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``roster ARGS`` in a child process (``python -m cli``)."""
    env = {k: v for k, v in os.environ.items() if k != "ROSTER_FAULT"}
    if fault:
        env["ROSTER_FAULT"] = fault
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


FAST_SOLVE = ("--data", str(DATA), "--dtime", "0.5", "--processes", "1")


# --- the replace rule --------------------------------------------------------------


def _legacy_run(path: Path) -> Path:
    """A run written before markers: the same files, no marker."""
    tiny_run(path)
    (path / MARKER).unlink()
    return path


def _truncated_report(path: Path) -> Path:
    """A run an old crash left with an empty report.json: not recognisable."""
    _legacy_run(path)
    (path / "report.json").write_text("", encoding="utf-8")
    return path


def _scenario(path: Path) -> Path:
    path.mkdir()
    (path / MARKER).write_text('{"kind": "scenario"}\n', encoding="utf-8")
    (path / "report.html").write_text("<html></html>", encoding="utf-8")
    return path


def _data_copy(path: Path) -> Path:
    """A copy of data/ as a data set written before markers (README.md beside it)."""
    shutil.copytree(DATA, path)
    (path / MARKER).unlink(missing_ok=True)
    return path


def _data_set(path: Path) -> Path:
    generate(path)
    return path


def _a_file(path: Path) -> Path:
    path.write_text("a file, not a directory\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("make", "allowed", "words"),
    [
        (lambda p: p, True, ""),  # absent
        (lambda p: p.mkdir() or p, True, ""),  # empty
        (tiny_run, True, ""),  # marker of the same kind
        (_legacy_run, True, ""),  # written before markers: a readable run report.json
        (documents, False, "holds files roster did not write"),
        (_data_set, False, "holds a dataset output, not a run"),
        (_data_copy, False, "holds files roster did not write"),
        (_scenario, False, "holds a scenario output, not a run"),
        (_truncated_report, False, "holds files roster did not write"),
        (_a_file, False, "exists and is not a directory"),
    ],
    ids=[
        "absent",
        "empty",
        "marked-run",
        "legacy-run",
        "documents",
        "data-set",
        "data-set-before-markers",
        "scenario",
        "truncated-report",
        "file",
    ],
)
def test_a_run_replaces_only_a_directory_roster_wrote(
    tmp_path: Path, make: Callable[[Path], Path], allowed: bool, words: str
) -> None:
    target = make(tmp_path / "out")
    before = snapshot(target) if target.is_dir() else None
    if allowed:
        with atomic_directory(target, OutputKind.RUN) as staging:
            (staging / "new.txt").write_text("new", encoding="utf-8")
        assert sorted(p.name for p in target.iterdir()) == sorted([MARKER, "new.txt"])
        assert read_marker(target) is OutputKind.RUN
    else:
        with pytest.raises(OutputError) as caught:
            prepare_output(target, OutputKind.RUN)
        assert str(caught.value).startswith(f"{target}: ") and words in str(caught.value)
        if before is not None:
            assert snapshot(target) == before
    assert leftovers(tmp_path) == []


def test_a_symbolic_link_is_not_followed(tmp_path: Path) -> None:
    real = tiny_run(tmp_path / "real")
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(OutputError, match="symbolic link"):
        prepare_output(tmp_path / "link", OutputKind.RUN)


def test_the_working_directory_is_never_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = tiny_run(tmp_path / "run")
    (run / "calendars").mkdir(exist_ok=True)
    monkeypatch.chdir(run / "calendars")
    with pytest.raises(OutputError, match="holds the working directory"):
        prepare_output(run, OutputKind.RUN)


def test_solve_refuses_documents_and_the_data_set_before_solving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_solve(*_: object, **__: object) -> None:
        raise AssertionError("the solve started")

    monkeypatch.setattr("scheduler.pipeline.solve", no_solve)
    monkeypatch.setattr("scheduler.pipeline.load_dataset", no_solve)
    for target in (documents(tmp_path / "Documents"), _data_copy(tmp_path / "data")):
        before = snapshot(target)
        result = CliRunner().invoke(
            app, ["solve", "--week", WEEK, "--data", str(DATA), "--out", str(target)]
        )
        assert result.exit_code == 2, result.output
        line = one_line(result.stderr)
        assert line.startswith(f"error: {target}: holds "), line
        assert snapshot(target) == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "command",
    [
        ["generate"],
        ["scenario", "run", str(ROOT / "scenarios" / "diabetes-referrals-up.yaml")],
        ["scenario", "sweep", str(ROOT / "scenarios" / "sweeps")],
        ["scenario", "sensitivity", "--week", WEEK, "--data", str(DATA)],
    ],
    ids=["generate", "scenario-run", "sweep", "sensitivity"],
)
def test_every_writer_refuses_a_folder_of_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    def no_solve(*_: object, **__: object) -> None:
        raise AssertionError("the work started")

    for name in (
        "scheduler.scenarios.run.run_scenario",
        "scheduler.scenarios.sweep.run_sweep",
        "scheduler.scenarios.sensitivity.run_sensitivity",
    ):
        monkeypatch.setattr(name, no_solve)
    target = documents(tmp_path / "Documents")
    before = snapshot(target)
    result = CliRunner().invoke(app, [*command, "--out", str(target)])
    assert result.exit_code == 2, result.output
    assert one_line(result.stderr).startswith(f"error: {target}: holds files roster did not write")
    assert snapshot(target) == before


def test_an_out_under_a_file_is_one_line_before_solving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_solve(*_: object, **__: object) -> None:
        raise AssertionError("the solve started")

    monkeypatch.setattr("scheduler.pipeline.solve", no_solve)
    blocker = _a_file(tmp_path / "notes.txt")
    result = CliRunner().invoke(
        app, ["solve", "--week", WEEK, "--data", str(DATA), "--out", str(blocker / "run")]
    )
    assert result.exit_code == 2, result.output
    assert one_line(result.stderr) == (
        f"error: {blocker / 'run'}: cannot be written: {blocker} is not a directory"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only directory anyway")
def test_an_out_in_a_read_only_directory_is_one_line_before_solving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_solve(*_: object, **__: object) -> None:
        raise AssertionError("the solve started")

    monkeypatch.setattr("scheduler.pipeline.solve", no_solve)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = CliRunner().invoke(
            app, ["solve", "--week", WEEK, "--data", str(DATA), "--out", str(locked / "run")]
        )
    finally:
        locked.chmod(0o755)
    assert result.exit_code == 2, result.output
    assert "Permission denied" in one_line(result.stderr)


def test_prepare_leaves_nothing_behind(tmp_path: Path) -> None:
    prepared = prepare_output(tmp_path / "runs" / "x", OutputKind.RUN)
    assert prepared.target == tmp_path / "runs" / "x"
    assert list((tmp_path / "runs").iterdir()) == []  # writability proved, nothing left


# --- data sets -------------------------------------------------------------------


def test_generate_rebuilds_a_data_set_keeping_what_it_does_not_write(tmp_path: Path) -> None:
    data = _data_copy(tmp_path / "data")  # written before markers; README.md beside the files
    generate(data)
    assert {n: b for n, b in snapshot(data).items() if n != MARKER} == {
        n: b for n, b in snapshot(DATA).items() if n != MARKER
    }
    assert read_marker(data) is OutputKind.DATASET
    (data / "notes").mkdir()
    (data / "notes" / "why.md").write_text("kept\n", encoding="utf-8")
    generate(data)  # now by its marker; byte-identical again, the notes kept
    assert (data / "notes" / "why.md").read_text(encoding="utf-8") == "kept\n"
    assert {n: b for n, b in snapshot(data).items() if n in OUTPUT_FILES} == {
        n: b for n, b in snapshot(DATA).items() if n in OUTPUT_FILES
    }
    assert leftovers(tmp_path) == []


def test_a_hand_edited_data_set_is_not_replaced(tmp_path: Path) -> None:
    marked = _data_set(tmp_path / "marked")
    legacy = _data_copy(tmp_path / "legacy")
    for data in (marked, legacy):
        with (data / "doctors.csv").open("a", encoding="utf-8") as handle:
            handle.write("H01-CARD-99,王医生,H01,CARD,chief,3,,\n")  # a real doctor, added by hand
        before = snapshot(data)
        with pytest.raises(OutputError, match=r"doctors\.csv (was changed|differs)"):
            generate(data)
        assert snapshot(data) == before
    assert leftovers(tmp_path) == []


def test_committed_data_set_is_rebuilt_byte_identical_marker_included(tmp_path: Path) -> None:
    """data/.roster-output is committed with data/: `roster generate --out data` leaves
    git clean (the marker and its file hashes are deterministic)."""
    assert (DATA / MARKER).read_bytes() == (_data_set(tmp_path / "data") / MARKER).read_bytes()


def test_a_data_set_without_a_generator_file_is_not_recognised(tmp_path: Path) -> None:
    data = _data_copy(tmp_path / "data")
    (data / "leave.csv").unlink()
    before = snapshot(data)
    with pytest.raises(OutputError, match="holds files roster did not write"):
        generate(data)
    assert snapshot(data) == before


# --- leftovers of dead processes -------------------------------------------------------


def test_stale_staging_of_dead_processes_is_removed_and_nothing_else(tmp_path: Path) -> None:
    dead = dead_pid()
    names = {
        "dead": f".run.staging-{HOST_TAG}-{dead}-1a2b3c4d",
        "dead-other-name": f".other.staging-{HOST_TAG}-{dead}-0badcafe",
        "live": f".run.staging-{HOST_TAG}-{os.getpid()}-5e6f7a8b",
        "other-host": f".run.staging-00000000-{dead}-9c0d1e2f",
        "not-ours": ".run.tmp8x_k2q",
        "a-user-file": ".run.staging-notes",
    }
    for name in names.values():
        (tmp_path / name).mkdir()
        (tmp_path / name / "roster.csv").write_text("x\n", encoding="utf-8")
    prepare_output(tmp_path / "run", OutputKind.RUN)
    kept = {p.name for p in tmp_path.iterdir()}
    assert kept == {names[k] for k in ("live", "other-host", "not-ours", "a-user-file")}, (
        "only the dead processes' staging directories go"
    )


def test_an_interrupted_replace_is_put_back(tmp_path: Path) -> None:
    dead = dead_pid()
    old = tiny_run(tmp_path / f".run.old-{HOST_TAG}-{dead}-12345678")
    before = snapshot(old)
    prepare_output(tmp_path / "run", OutputKind.RUN)
    assert snapshot(tmp_path / "run") == before  # the target was missing: restored
    tiny_run(tmp_path / f".run.old-{HOST_TAG}-{dead}-87654321")
    prepare_output(tmp_path / "run", OutputKind.RUN)
    assert leftovers(tmp_path) == []  # the target is there: the old copy goes


def test_a_repair_leftover_is_only_decided_by_a_repair(tmp_path: Path) -> None:
    staged = tiny_run(tmp_path / f".2026-W49-v2.staging-{HOST_TAG}-{dead_pid()}-abcdef01")
    (staged / MARKER).write_text('{"kind": "repair"}\n', encoding="utf-8")
    prepare_output(tmp_path / "solo", OutputKind.RUN)
    assert staged.is_dir()  # a solve beside it cannot know whether it was published
    prepare_output(tmp_path / "2026-W49-v3", OutputKind.REPAIR, complete=lambda *_: Leftover.KEEP)
    assert staged.is_dir()
    prepare_output(tmp_path / "2026-W49-v3", OutputKind.REPAIR, complete=lambda *_: Leftover.REMOVE)
    assert not staged.exists()


def test_exchange_swaps_two_directories(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "which").write_text("a", encoding="utf-8")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "which").write_text("b", encoding="utf-8")
    if not exchange(tmp_path / "a", tmp_path / "b"):
        pytest.skip("no atomic exchange on this system (the fallback is tested below)")
    assert (tmp_path / "a" / "which").read_text(encoding="utf-8") == "b"
    assert (tmp_path / "b" / "which").read_text(encoding="utf-8") == "a"


def test_a_replace_without_exchange_also_replaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROSTER_FAULT", "no-exchange")
    target = tiny_run(tmp_path / "run")
    with atomic_directory(target, OutputKind.RUN) as staging:
        (staging / "new.txt").write_text("new", encoding="utf-8")
    assert sorted(p.name for p in target.iterdir()) == [MARKER, "new.txt"]
    assert leftovers(tmp_path) == []


# --- kills while writing -------------------------------------------------------------


def _report(run: Path) -> dict[str, object]:
    report: dict[str, object] = json.loads((run / "report.json").read_text(encoding="utf-8"))
    return report


def _checked(run: Path) -> None:
    verdict = check_run(run)
    assert verdict.ok, (verdict.check.violations[:3], verdict.mismatched)


def test_a_kill_before_the_swap_keeps_the_old_run(tmp_path: Path) -> None:
    target = tiny_run(tmp_path / "run")
    before = snapshot(target)
    done = roster("solve", "--week", WEEK, *FAST_SOLVE, "--out", str(target), fault="output-staged")
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert snapshot(target) == before  # the old run, whole
    assert leftovers(tmp_path)  # the staged new run, orphaned
    _checked(target)
    again = roster("solve", "--week", WEEK, *FAST_SOLVE, "--out", str(target))
    assert again.returncode == 0, again.stderr
    assert leftovers(tmp_path) == []  # the next run beside it cleaned up
    assert _report(target)["week"] == WEEK and "wall_seconds" in _report(target)
    _checked(target)


def test_a_kill_right_after_the_swap_leaves_the_new_run_complete(tmp_path: Path) -> None:
    target = tiny_run(tmp_path / "run")
    done = roster(
        "solve", "--week", WEEK, *FAST_SOLVE, "--out", str(target), fault="output-exchanged"
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    # Nothing is left to patch after the swap: the report is final (wall time included),
    # the checker and the database import read the run as it is.
    report = _report(target)
    assert report["sessions_required"] == 952 and isinstance(report["wall_seconds"], float)
    _checked(target)
    engine = open_database(f"sqlite:///{tmp_path / 'roster.db'}")
    assert import_run_dir(engine, target)
    engine.dispose()
    assert leftovers(tmp_path)  # the old run, swapped out
    prepare_output(target, OutputKind.RUN)  # the next run beside it
    assert leftovers(tmp_path) == []


def test_a_kill_between_two_renames_puts_the_old_run_back(tmp_path: Path) -> None:
    target = tiny_run(tmp_path / "run")
    before = snapshot(target)
    done = roster(
        "solve",
        "--week",
        WEEK,
        *FAST_SOLVE,
        "--out",
        str(target),
        fault="no-exchange,output-moved-aside",
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert not target.exists()  # between the renames: nothing at the target
    prepare_output(target, OutputKind.RUN)  # the next run beside it
    assert snapshot(target) == before and leftovers(tmp_path) == []
    _checked(target)


# --- repairs: stage, commit, put in place ---------------------------------------------------


@pytest.fixture
def published(tmp_path: Path) -> str:
    """A SQLite database with the tiny week published as version 1."""
    url = f"sqlite:///{tmp_path / 'roster.db'}"
    engine = open_database(url)
    publish(engine, import_run_dir(engine, tiny_run(tmp_path / "tiny")), actor="test")
    engine.dispose()
    return url


def test_a_repair_killed_after_its_commit_is_completed_by_the_next(
    tmp_path: Path, published: str
) -> None:
    repairs = tmp_path / "repairs"
    absent = ("--week", WEEK, "--database", published, "--from", "2026-12-01")
    done = roster("repair", *absent, "--absent", "D1", cwd=tmp_path, fault="repair-committed")
    assert done.returncode == -signal.SIGKILL, done.stderr
    engine = open_database(published)
    with transaction(engine) as session:
        v2 = published_version(session, WEEK, 2)
        run_id = v2.run_id
    assert not (repairs / f"{WEEK}-v2").exists() and leftovers(repairs)  # published, not in place
    again = roster("repair", *absent, "--absent", "D2", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert leftovers(repairs) == []
    completed = json.loads((repairs / f"{WEEK}-v2" / "repair.json").read_text(encoding="utf-8"))
    assert (completed["version"], completed["run_id"]) == (2, run_id)
    assert read_run_dir(repairs / f"{WEEK}-v2").report["repair"]
    _checked(repairs / f"{WEEK}-v2")
    _checked(repairs / f"{WEEK}-v3")
    engine.dispose()


def test_a_repair_leftover_never_published_is_removed(tmp_path: Path, published: str) -> None:
    engine = open_database(published)
    staged = tiny_run(tmp_path / "staged")
    target = tmp_path / f"{WEEK}-v2"
    (staged / "repair.json").write_text('{"run_id": "f00d", "version": 2}\n', encoding="utf-8")
    assert complete_leftover(engine, staged, target) is Leftover.REMOVE  # never committed
    (staged / "repair.json").write_text("{", encoding="utf-8")
    assert complete_leftover(engine, staged, target) is Leftover.REMOVE  # killed mid-write
    with transaction(engine) as session:
        v1 = published_version(session, WEEK, 1)
        run_id = v1.run_id
    (staged / "repair.json").write_text(json.dumps({"run_id": run_id, "version": 1}))
    assert complete_leftover(engine, staged, target) is Leftover.COMPLETE
    engine.dispose()
