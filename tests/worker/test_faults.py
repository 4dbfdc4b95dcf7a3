"""Jobs survive a dead process: real ``roster worker`` and ``roster serve`` processes,
killed with SIGKILL in the middle of a solve, on each database backend.

* A worker killed mid-job takes its whole process tree with it (solver, part
  workers, manager: no orphan goes on solving), and another worker queues the
  job again once the lease runs out and solves it: attempt 2 succeeds, and the
  job never changes state again.
* A job whose worker dies on both attempts is failed, once, and stays failed.
* The API killed mid-job: on PostgreSQL the job is in a separate worker and
  simply finishes; on SQLite ``roster serve``'s own worker goes with it
  (parent-death signal), and the next ``roster serve`` finishes the job.
* Cancel stops the solver at once.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from scheduler.store.engine import open_database, transaction
from scheduler.store.jobs import submit_job
from scheduler.store.keys import create_key
from scheduler.store.queue import queue_for
from scheduler.store.schema import RunStatus, SolveRun
from tests.paths import ROOT

pytestmark = pytest.mark.slow  # real workers, killed

WEEK = "2026-W49"
LEASE = 3.0


def _env(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "ROSTER_DATABASE_URL": database_url,
        "ROSTER_DATA_DIR": str(ROOT / "data"),
        "ROSTER_RUNS_DIR": str(tmp_path / "jobs"),
        "ROSTER_JOB_HEARTBEAT_SECONDS": "0.5",
        "ROSTER_JOB_LEASE_SECONDS": str(LEASE),
        "ROSTER_WORKER_POLL_SECONDS": "0.3",
        "ROSTER_WORKER_GRACE_SECONDS": "0",
        "ROSTER_SOLVE_PROCESSES": "2",  # a pool of part workers and a manager, to be orphaned
        "ROSTER_JOB_POOL_SIZE": "1",
        **extra,
    }


def _roster(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "cli", *args], env=env, stdout=handle, stderr=handle
    )


def _descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z":  # zombies are dead already
            parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    out = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if state[state.rindex(")") + 2] != "Z":
            out.add(pid)
    return out


def _wait(what: str, check: Callable[[], Any], seconds: float = 120) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _run(engine: Any, run_id: str) -> SolveRun:
    with transaction(engine) as session:
        run = session.get(SolveRun, run_id)
        assert run is not None
        session.expunge(run)
        return run


def _solving(engine: Any, run_id: str, attempt: int) -> Callable[[], bool]:
    def check() -> bool:
        run = _run(engine, run_id)
        return bool(run.status == RunStatus.RUNNING and run.attempts == attempt and run.worker_pid)

    return check


def _stays(engine: Any, run_id: str, status: str, seconds: float = 2 * LEASE) -> None:
    """No flip: the status holds for longer than a lease."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert _run(engine, run_id).status == status
        time.sleep(0.3)


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def _submit(engine: Any, database_url: str) -> str:
    return submit_job(
        engine,
        WEEK,
        {"seed": 0},
        created_by="test",
        kind="solve",
        limits=None,
        enqueue=queue_for(database_url).enqueue,
    )


def test_a_killed_worker_leaves_no_orphan_and_its_job_is_retried_once(
    database_url: str, tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    engine = open_database(database_url)
    env, log = _env(database_url, tmp_path), tmp_path / "workers.log"
    run_id = _submit(engine, database_url)
    first = _roster("worker", "--name", "first", env=env, log=log)
    processes.append(first)
    _wait("the first attempt", _solving(engine, run_id, 1))
    time.sleep(1.0)  # the part workers are up
    tree = _descendants(first.pid)
    assert len(tree) >= 2, tree  # a solver and its pool, at least
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    _wait("the first worker's processes to die", lambda: not _alive(tree), seconds=15)
    assert _run(engine, run_id).status == RunStatus.RUNNING  # until the lease runs out
    second = _roster("worker", "--name", "second", env=env, log=log)
    processes.append(second)
    _wait("the retry", lambda: _run(engine, run_id).status == RunStatus.SUCCEEDED, seconds=240)
    run = _run(engine, run_id)
    assert run.attempts == 2 and run.worker_id == "second" and run.error is None
    assert run.report and [lv["status"] for lv in run.report["levels"]] == ["optimal"] * 5
    _stays(engine, run_id, RunStatus.SUCCEEDED)
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=30) == 0
    engine.dispose()


def test_a_job_whose_worker_dies_twice_fails_once_and_stays_failed(
    database_url: str, tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    engine = open_database(database_url)
    env, log = _env(database_url, tmp_path), tmp_path / "workers.log"
    run_id = _submit(engine, database_url)
    for attempt, name in ((1, "first"), (2, "second")):
        worker = _roster("worker", "--name", name, env=env, log=log)
        processes.append(worker)
        _wait(f"attempt {attempt}", _solving(engine, run_id, attempt), seconds=60)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    third = _roster("worker", "--name", "third", env=env, log=log)
    processes.append(third)
    _wait("the failure", lambda: _run(engine, run_id).status == RunStatus.FAILED, seconds=60)
    run = _run(engine, run_id)
    assert run.attempts == 2
    assert run.error and "second stopped" in run.error and "attempt 2 of 2" in run.error
    _stays(engine, run_id, RunStatus.FAILED)
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(env: dict[str, str], log: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    process = _roster("serve", "--port", str(port), "--no-access-log", *extra, env=env, log=log)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{base}/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    _wait("roster serve", up, seconds=60)
    return process, base


def test_the_api_killed_mid_job_loses_no_work(
    database_url: str, tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    engine = open_database(database_url)
    planner = {"X-API-Key": create_key(engine, "planner", "planner")}
    env, log = _env(database_url, tmp_path), tmp_path / "serve.log"
    sqlite = database_url.startswith("sqlite")
    if not sqlite:  # the shared deployment: API and worker are separate processes
        processes.append(_roster("worker", "--name", "pg-worker", env=env, log=log))
    api, base = _serve(env, log)
    processes.append(api)
    started = httpx.post(f"{base}/solves", json={"week": WEEK}, headers=planner, timeout=30)
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    _wait("the solve", _solving(engine, run_id, 1))
    tree = _descendants(api.pid)
    api.send_signal(signal.SIGKILL)
    api.wait(timeout=10)
    if sqlite:
        # serve's own worker stops with it and gives the job back; nothing runs on.
        _wait("serve's worker and solver to stop", lambda: not _alive(tree), seconds=30)
        assert _run(engine, run_id).status == RunStatus.QUEUED
    api, base = _serve(env, log)  # on SQLite, the next roster serve's worker finishes it
    processes.append(api)
    done = _wait(
        "the job",
        lambda: _run(engine, run_id).status in RunStatus.FINISHED and _run(engine, run_id),
        seconds=240,
    )
    assert done.status == RunStatus.SUCCEEDED, done.error
    assert done.attempts == (2 if sqlite else 1)
    job = httpx.get(f"{base}/solves/{run_id}", headers=planner, timeout=30).json()
    assert job["status"] == "succeeded"
    _stays(engine, run_id, RunStatus.SUCCEEDED)
    engine.dispose()


def test_cancel_stops_the_solver(
    database_url: str, tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    engine = open_database(database_url)
    planner = {"X-API-Key": create_key(engine, "planner", "planner")}
    env, log = _env(database_url, tmp_path), tmp_path / "serve.log"
    if not database_url.startswith("sqlite"):
        processes.append(_roster("worker", env=env, log=log))
    api, base = _serve(env, log)
    processes.append(api)
    run_id = httpx.post(f"{base}/solves", json={"week": WEEK}, headers=planner).json()["id"]
    _wait("the solve", _solving(engine, run_id, 1))
    solver = _run(engine, run_id).worker_pid
    assert solver is not None
    tree = {solver} | _descendants(solver)
    cancelled = httpx.delete(f"{base}/solves/{run_id}", headers=planner, timeout=30)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    _wait("the solver to stop", lambda: not _alive(tree), seconds=15)
    _stays(engine, run_id, RunStatus.CANCELLED)
    engine.dispose()


def test_two_apis_two_workers_one_killed_every_job_ends_once(postgres_url: str) -> None:
    """benchmarks/chaos_jobs.py, small: PostgreSQL, two `roster serve`, two
    `roster worker`, one worker SIGKILLed once a job has finished. (The script
    makes a database of its own; ``postgres_url`` only says the server is there.)"""
    chaos = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "chaos_jobs.py"), "--jobs", "6", "--json"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert chaos.returncode == 0, chaos.stdout + chaos.stderr[-3000:]
    result = json.loads(chaos.stdout)
    assert result["outcome"] == {"succeeded": 6} and result["duplicated"] == 0
    assert result["killed_worker"] and result["orphans_after_kill"] == []
