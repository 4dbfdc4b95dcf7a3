"""Chaos run of the job queue: two API processes, two workers, one worker killed.

    python benchmarks/chaos_jobs.py [--jobs 20] [--kill-after 3] [--json]

On a fresh PostgreSQL database (``ROSTER_TEST_POSTGRES_URL``, default the local
server): two ``roster serve --no-job-worker`` processes and two ``roster worker``
processes; ``--jobs`` solves of the default week (seeds 0, 1, ...) are posted,
alternating between the two APIs. Once ``--kill-after`` jobs have finished,
the worker that holds a running job is killed with SIGKILL (no warning, no
clean-up) and a replacement worker is started, as a supervisor would. Then
every job is awaited.

It prints how every job ended: each must end exactly once (succeeded, or
failed after its last attempt), none lost (every posted id is in the table and
finished), none duplicated (one run per post; attempts > 1 only where a worker
died), the killed worker's solver processes gone, and no job changing state
after it finished (watched for twice the lease). Exit code 1 if any of this
fails. Not a test of speed: the machine is shared; the figures are counts.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_api import free_port  # noqa: E402  (benchmarks/ is the script's own directory)

from scheduler.store.engine import open_database, transaction  # noqa: E402
from scheduler.store.keys import create_key  # noqa: E402
from scheduler.store.schema import RunStatus, SolveRun  # noqa: E402

WEEK = "2026-W49"
LEASE = 5.0
POSTGRES_ADMIN = os.environ.get(
    "ROSTER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {c for c, p in parents.items() if p in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    out = set()
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if stat[stat.rindex(")") + 2] != "Z":
            out.add(pid)
    return out


def statuses(engine: Any) -> dict[str, tuple[str, int, str | None, str | None]]:
    with transaction(engine) as session:
        return {
            r.id: (r.status, r.attempts, r.worker_id, r.error)
            for r in session.scalars(select(SolveRun))
        }


def run(jobs: int, kill_after: int, tmp: Path) -> dict[str, Any]:
    name = f"roster_chaos_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN).set(database=name).render_as_string(hide_password=False)
    processes: list[subprocess.Popen[bytes]] = []
    log = (tmp / "chaos.log").open("ab")
    try:
        engine = open_database(url)
        planner = {"X-API-Key": create_key(engine, "chaos", "planner")}
        env = {
            **os.environ,
            "ROSTER_DATABASE_URL": url,
            "ROSTER_DATA_DIR": str(ROOT / "data"),
            "ROSTER_RUNS_DIR": str(tmp / "jobs"),
            "ROSTER_JOB_POOL_SIZE": "1",
            "ROSTER_SOLVE_PROCESSES": "1",
            "ROSTER_JOB_HEARTBEAT_SECONDS": "1",
            "ROSTER_JOB_LEASE_SECONDS": str(LEASE),
            "ROSTER_JOB_LIMIT_PER_KEY": str(jobs),
            "ROSTER_JOB_LIMIT_PER_WEEK": str(jobs),
            "ROSTER_WORKER_GRACE_SECONDS": "0",
        }

        def start(*args: str) -> subprocess.Popen[bytes]:
            process = subprocess.Popen(
                [sys.executable, "-m", "cli", *args], env=env, stdout=log, stderr=log
            )
            processes.append(process)
            return process

        bases = []
        for _ in range(2):
            port = free_port()
            start("serve", "--port", str(port), "--no-access-log", "--no-job-worker")
            bases.append(f"http://127.0.0.1:{port}")
        workers = {n: start("worker", "--name", n) for n in ("worker-a", "worker-b")}
        for base in bases:
            for _ in range(200):
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
        posted: list[str] = []
        answers: Counter[int] = Counter()
        started = time.monotonic()
        for k in range(jobs):
            base = bases[k % 2]
            answer = httpx.post(
                f"{base}/solves", json={"week": WEEK, "seed": k}, headers=planner, timeout=30
            )
            answers[answer.status_code] += 1
            if answer.status_code == 202:
                posted.append(answer.json()["id"])
        killed, orphans_after, replacement = None, None, None
        finished_at: dict[str, float] = {}
        transitions: list[tuple[str, str, str]] = []
        last: dict[str, str] = {}
        deadline = time.monotonic() + 60 * jobs
        while time.monotonic() < deadline:
            now = statuses(engine)
            for run_id, (status, *_rest) in now.items():
                if last.get(run_id) != status:
                    transitions.append((run_id, last.get(run_id, "-"), status))
                    last[run_id] = status
                if status in RunStatus.FINISHED:
                    finished_at.setdefault(run_id, time.monotonic())
            done = sum(1 for s in now.values() if s[0] in RunStatus.FINISHED)
            if killed is None and done >= kill_after:
                holding = {s[2] for s in now.values() if s[0] == RunStatus.RUNNING}
                victim = next((n for n in workers if n in holding), None)
                if victim is not None:
                    tree = descendants(workers[victim].pid)
                    workers[victim].send_signal(signal.SIGKILL)
                    workers[victim].wait(timeout=10)
                    killed = victim
                    time.sleep(3)
                    orphans_after = sorted(alive(tree))
                    replacement = start("worker", "--name", f"{victim}-replacement")
            if done == len(posted) and killed is not None:
                break
            time.sleep(0.5)
        wall = time.monotonic() - started
        time.sleep(2 * LEASE)  # watch for flips after the end
        final = statuses(engine)
        flips = [
            (run_id, before, after)
            for run_id, before, after in transitions
            if before in RunStatus.FINISHED and before != after
        ]
        flips += [
            (run_id, last[run_id], status)
            for run_id, (status, *_r) in final.items()
            if last.get(run_id) != status and last.get(run_id) in RunStatus.FINISHED
        ]
        outcome = Counter(final[r][0] for r in posted if r in final)
        attempts = Counter(final[r][1] for r in posted if r in final)
        result = {
            "jobs_posted": jobs,
            "answers": dict(answers),
            "runs_in_table": len(final),
            "lost": [r for r in posted if r not in final or final[r][0] not in RunStatus.FINISHED],
            "duplicated": len(final) - len(set(posted)),
            "outcome": dict(outcome),
            "attempts": {str(k): v for k, v in sorted(attempts.items())},
            "killed_worker": killed,
            "retried_runs": [r for r in posted if final[r][1] > 1],
            "orphans_after_kill": orphans_after,
            "flips_after_finish": flips,
            "wall_seconds": round(wall, 1),
            "replacement_started": replacement is not None,
        }
        engine.dispose()
        return result
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def ok(result: dict[str, Any]) -> bool:
    """Every job ended exactly once, none lost or duplicated, no orphan, no flip."""
    return (
        result["answers"] == {202: result["jobs_posted"]}
        and not result["lost"]
        and result["duplicated"] == 0
        and result["killed_worker"] is not None
        and result["orphans_after_kill"] == []
        and not result["flips_after_finish"]
        and set(result["outcome"]) <= {"succeeded", "failed"}
        and sum(result["outcome"].values()) == result["jobs_posted"]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--kill-after", type=int, default=3, help="finished jobs before the kill")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        result = run(options.jobs, options.kill_after, Path(name))
    if options.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
        print("OK" if ok(result) else "FAILED")
    sys.exit(0 if ok(result) else 1)


if __name__ == "__main__":
    main()
