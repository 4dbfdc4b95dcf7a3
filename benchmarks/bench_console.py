"""The web console's pages on loopback: median and p95 render time of the default week.

    python benchmarks/bench_console.py              # 20 requests per page
    python benchmarks/bench_console.py --requests 50

The default week (2026-W49) is solved, stored and published in a SQLite
database; ``roster serve`` runs as shipped (one uvicorn process, access log
off) on 127.0.0.1; a viewer signs in through the sign-in form, then each page
is fetched once to warm up and ``--requests`` times measured, one after
another: the whole request as the browser would wait for it (server render,
loopback transfer), not the browser's own layout.

Benchmarks are not tests: read medians measured in one invocation.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_api import serving  # noqa: E402

WEEK = "2026-W49"
PAGES = (
    ("week, sites × half-days", "/console/week"),
    ("week, doctors × half-days", "/console/week?by=doctor"),
    ("week, one consortium", "/console/week?consortium=K1"),
    ("week as Excel", "/console/week.xlsx"),
    ("doctor search", "/console/doctors?q=CARD"),
    ("a doctor's week", "/console/doctors/H01-CARD-01"),
    ("unmet demand", "/console/unmet"),
    ("solve and publish", "/console/solve"),
    ("scenarios", "/console/scenarios"),
)


def main() -> None:
    from scheduler.pipeline import solve_week
    from scheduler.store.engine import open_database
    from scheduler.store.keys import create_key
    from scheduler.store.runs import import_run_dir, publish

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        solve_week(ROOT / "data", WEEK, tmp / "run")
        url = f"sqlite:///{tmp / 'roster.db'}"
        engine = open_database(url)
        publish(engine, import_run_dir(engine, tmp / "run"), actor="bench")
        key = create_key(engine, "bench viewer", "viewer")
        engine.dispose()
        env = {
            **os.environ,
            "ROSTER_DATABASE_URL": url,
            "ROSTER_DATA_DIR": str(ROOT / "data"),
            "ROSTER_SCENARIOS_DIR": str(ROOT / "scenarios"),
        }
        with (
            serving(env, tmp, ["--no-access-log"]) as base,
            httpx.Client(base_url=base) as client,
        ):
            client.post("/console/signin", data={"api_key": key})
            print(f"{args.requests} requests per page, after one warm-up; ms")
            print("| page | URL | median ms | p95 ms | max ms | KiB |")
            print("|---|---|---:|---:|---:|---:|")
            for name, path in PAGES:
                assert client.get(path).status_code == 200, path
                times = []
                size = 0
                for _ in range(args.requests):
                    started = time.perf_counter()
                    answer = client.get(path)
                    times.append(1000 * (time.perf_counter() - started))
                    size = len(answer.content)
                times.sort()
                p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
                print(
                    f"| {name} | `{path}` | **{statistics.median(times):.0f}** | {p95:.0f} "
                    f"| {times[-1]:.0f} | {size / 1024:.0f} |"
                )


if __name__ == "__main__":
    main()
