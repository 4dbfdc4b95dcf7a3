"""Load benchmark of the API: GET a doctor's week, on SQLite and PostgreSQL.

    python benchmarks/bench_api.py [--seconds 60] [--rate 200] [--backends sqlite postgresql]
                                   [--generator wrk|locust]

For each backend: a fresh database with the default week solved, stored and
published; `roster serve --job-worker` on a loopback port (``--api-processes``
uvicorn processes, default one, and a job worker process beside them — the
API itself runs no solve); a load
generator at ``--rate`` requests per second in total (20 connections, random
doctors, exponential gaps) for ``--seconds``: first with the server idle, then
while solve jobs run back to back. Prints a Markdown table: requests,
throughput, p50 and p99 latency, failures (connection errors, timeouts and
non-2xx answers). Traffic goes to 127.0.0.1 only. Not a test: the machine is
shared and noisy; compare rows of one invocation.

The default generator is wrk (``apt-get install wrk``; C, a few per cent of a
core at 200 req/s) with benchmarks/doctor_week.lua; ``--generator locust``
uses benchmarks/locustfile.py instead, which costs most of a core of Python
itself and so inflates the latency it measures on a 2-core machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scheduler.pipeline import solve_week  # noqa: E402
from scheduler.store.engine import open_database  # noqa: E402
from scheduler.store.keys import create_key  # noqa: E402
from scheduler.store.runs import import_run_dir, publish  # noqa: E402

WEEK = "2026-W49"
USERS = 20
SERVE_FLAGS: list[str] = []
POSTGRES_ADMIN = os.environ.get(
    "ROSTER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(env: dict[str, str], cwd: Path, flags: Sequence[str] = SERVE_FLAGS) -> Iterator[str]:
    """``roster serve`` on a free loopback port with ``env``; yields its base URL once
    ``/health`` answers, and stops it afterwards."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port), *flags],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def database(backend: str, tmp: Path) -> tuple[str, str | None]:
    """(URL, database name to drop afterwards)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'bench.db'}", None
    name = f"roster_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES_ADMIN).set(database=name).render_as_string(hide_password=False), name


def drop(name: str | None) -> None:
    if name is None:
        return
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def request(url: str, key: str, body: dict | None = None) -> dict:  # type: ignore[type-arg]
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url,
        data=data,
        method="POST" if body is not None else "GET",
        headers={"X-API-Key": key, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


LOAD_PREFIX: list[str] = []  # e.g. ["taskset", "-c", "1"]: the load generator on its own core


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    failures: int


def wrk(host: str, key: str, doctors: list[str], seconds: int, rate: float, out: Path) -> Load:
    env = {
        **os.environ,
        "ROSTER_BENCH_KEY": key,
        "ROSTER_BENCH_DOCTORS": ",".join(doctors),
        "ROSTER_BENCH_WEEK": WEEK,
        "ROSTER_BENCH_RATE": str(rate / USERS),
    }
    command = ["wrk", "-t", "2", "-c", str(USERS), "-d", f"{seconds}s", "--timeout", "5s"]
    script = ["-s", str(ROOT / "benchmarks" / "doctor_week.lua"), host]
    done = subprocess.run(
        [*LOAD_PREFIX, *command, *script], env=env, check=True, capture_output=True, text=True
    )
    out.with_suffix(".txt").write_text(done.stdout)
    stats = json.loads(done.stdout.strip().splitlines()[-1])
    return Load(
        requests=stats["requests"],
        seconds=stats["duration_us"] / 1e6,
        p50_ms=stats["p50_us"] / 1000,
        p99_ms=stats["p99_us"] / 1000,
        max_ms=stats["max_us"] / 1000,
        failures=stats["errors"],
    )


def locust(host: str, key: str, doctors: list[str], seconds: int, rate: float, out: Path) -> Load:
    env = {
        **os.environ,
        "ROSTER_BENCH_KEY": key,
        "ROSTER_BENCH_DOCTORS": ",".join(doctors),
        "ROSTER_BENCH_WEEK": WEEK,
        "ROSTER_BENCH_RATE": str(rate / USERS),
    }
    subprocess.run(
        [
            *LOAD_PREFIX,
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            "-u",
            str(USERS),
            "-r",
            str(USERS),
            "-t",
            f"{seconds}s",
            "--host",
            host,
            "--csv",
            str(out),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with open(f"{out}_stats.csv", newline="") as handle:
        stats = {row["Name"]: row for row in csv.DictReader(handle)}["Aggregated"]
    return Load(
        requests=int(stats["Request Count"]),
        seconds=seconds,
        p50_ms=float(stats["50%"]),
        p99_ms=float(stats["99%"]),
        max_ms=float(stats["Max Response Time"]),
        failures=int(stats["Failure Count"]),
    )


GENERATOR: list[Callable[[str, str, list[str], int, float, Path], Load]] = []


def solves_back_to_back(base: str, key: str, stop: threading.Event, done: list[str]) -> None:
    while not stop.is_set():
        job = request(f"{base}/solves", key, {"week": WEEK})
        while not stop.is_set():
            status = request(f"{base}/solves/{job['id']}", key)["status"]
            if status not in ("queued", "running"):
                done.append(status)
                break
            time.sleep(0.5)


def bench(backend: str, run_dir: Path, seconds: int, rate: float, tmp: Path) -> list[str]:
    url, name = database(backend, tmp)
    try:
        engine = open_database(url)
        publish(engine, import_run_dir(engine, run_dir), actor="bench")
        viewer = create_key(engine, "bench viewer", "viewer")
        planner = create_key(engine, "bench planner", "planner")
        engine.dispose()
        with open(run_dir / "roster.csv", newline="", encoding="utf-8") as handle:
            doctors = sorted({row["doctor_id"] for row in csv.DictReader(handle)})
        env = {
            **os.environ,
            "ROSTER_DATABASE_URL": url,
            "ROSTER_RUNS_DIR": str(tmp / f"jobs-{backend}"),
            "ROSTER_JOB_POOL_SIZE": "1",
        }
        with serving(env, ROOT) as base:
            for doctor in doctors[:5]:  # warm up: reference data, connections
                request(f"{base}/doctors/{doctor}/assignments?week={WEEK}", viewer)
            rows = []
            idle = GENERATOR[0](base, viewer, doctors, seconds, rate, tmp / f"{backend}-idle")
            rows.append(_row(backend, "idle", idle))
            stop, finished = threading.Event(), []
            solver = threading.Thread(
                target=solves_back_to_back, args=(base, planner, stop, finished)
            )
            solver.start()
            busy = GENERATOR[0](base, viewer, doctors, seconds, rate, tmp / f"{backend}-busy")
            stop.set()
            solver.join()
            rows.append(_row(backend, f"solving ({len(finished)} solves done)", busy))
            return rows
    finally:
        drop(name)


def _row(backend: str, phase: str, load: Load) -> str:
    return (
        f"| {backend} | {phase} | {load.requests} | {load.requests / load.seconds:.1f} "
        f"| {load.p50_ms:.1f} | {load.p99_ms:.1f} | {load.max_ms:.0f} | {load.failures} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--rate", type=float, default=200.0, help="requests/s, all users")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--no-access-log", action="store_true", help="serve without access log")
    parser.add_argument("--generator", choices=["wrk", "locust"], default="wrk")
    parser.add_argument("--load-cpu", type=int, help="pin the load generator to a core (taskset)")
    parser.add_argument("--api-processes", type=int, default=1, help="uvicorn processes")
    options = parser.parse_args()
    if options.no_access_log:
        SERVE_FLAGS.append("--no-access-log")
    # The jobs run in a worker process beside the API, on both databases.
    SERVE_FLAGS.extend(["--job-worker", "--workers", str(options.api_processes)])
    if options.load_cpu is not None:
        LOAD_PREFIX.extend(["taskset", "-c", str(options.load_cpu)])
    if options.generator == "wrk" and shutil.which("wrk") is None:
        parser.error("wrk is not installed: apt-get install wrk (or use --generator locust)")
    GENERATOR.append(wrk if options.generator == "wrk" else locust)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        run_dir = tmp / "run"
        solve_week(ROOT / "data", WEEK, run_dir)
        print(
            f"{os.cpu_count()} cores; {options.generator}; {options.rate:g} req/s target, "
            f"{USERS} connections, "
            f"{options.seconds} s per phase\n"
        )
        print("| backend | phase | requests | req/s | p50 ms | p99 ms | max ms | failures |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for backend in options.backends:
            for row in bench(backend, run_dir, options.seconds, options.rate, tmp):
                print(row, flush=True)


if __name__ == "__main__":
    main()
