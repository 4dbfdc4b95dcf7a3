"""Repair after one absence on the default week: median wall time, against a fresh solve.

    python benchmarks/bench_repair.py            # 5 runs each
    python benchmarks/bench_repair.py --runs 9

The default week (2026-W49) is solved once and published in a SQLite
database. Each run copies that database and runs the real command line,
``roster repair --week 2026-W49 --absent D --from 2026-12-01`` (D: the doctor
with the most published sessions from Tuesday on), in a subprocess: start-up,
reading the published week, the solve of the touched parts, the repair
directory (workbook and calendars included) and the publication. Side by
side, the same number of ``roster solve --week 2026-W49`` runs: the from-
scratch alternative. Printed: median and range of each, the repair's own
solve time, Δ (changed assignments) and the ratio; and the same repair run
in this process (``repair_week``, what ``POST /weeks/{week}/repairs`` does,
without the interpreter's start-up).

Benchmarks are not tests: read medians and ratios measured side by side.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_solve import measured  # noqa: E402

WEEK = "2026-W49"
TUESDAY = "2026-12-01"


def main() -> None:
    from scheduler.pipeline import solve_week
    from scheduler.repair.run import AbsenceRequest, repair_week
    from scheduler.store.engine import open_database
    from scheduler.store.runs import import_run_dir, publish

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        outcome = solve_week(ROOT / "data", WEEK, tmp / "run")
        database = tmp / "published.db"
        engine = open_database(f"sqlite:///{database}")
        publish(engine, import_run_dir(engine, tmp / "run"), actor="bench")
        engine.dispose()
        counts = Counter(
            a.doctor_id for a in outcome.result.assignments if a.half_day_key >= TUESDAY
        )
        doctor = max(sorted(counts), key=lambda d: counts[d])
        repairs, solves, own, inside, delta = [], [], [], [], None
        for k in range(args.runs):
            copy = tmp / f"db-{k}.db"
            shutil.copy(database, copy)
            out = tmp / f"repair-{k}"
            wall, _, code = measured(
                [sys.executable, "-m", "cli", "repair", "--week", WEEK,
                 "--absent", doctor, "--from", TUESDAY, "--out", str(out),
                 "--database", f"sqlite:///{copy}"]
            )  # fmt: skip
            if code != 0:
                raise SystemExit(f"repair failed with exit code {code}")
            repairs.append(wall)
            report = json.loads((out / "repair.json").read_text(encoding="utf-8"))
            own.append(report["wall_seconds"])
            delta = next(lv["value"] for lv in report["levels"] if lv["level"] == "changes")
            wall, _, code = measured(
                [sys.executable, "-m", "cli", "solve", "--week", WEEK,
                 "--out", str(tmp / f"solve-{k}")]
            )  # fmt: skip
            solves.append(wall)
            # The same repair in this process (no interpreter start-up): the API's path.
            shutil.copy(database, copy)
            engine = open_database(f"sqlite:///{copy}")
            started = time.perf_counter()
            repair_week(
                engine,
                WEEK,
                [AbsenceRequest(doctor, TUESDAY)],
                out_dir=tmp / f"inside-{k}",
                actor="bench",
            )
            inside.append(time.perf_counter() - started)
            engine.dispose()
    print(f"absent doctor {doctor} from {TUESDAY} ({counts[doctor]} sessions); Δ = {delta}")
    print("| command | runs | median wall s | min–max s | ratio |")
    print("|---|---:|---:|---:|---:|")
    base = statistics.median(repairs)
    for name, walls in (
        (f"`roster repair --absent {doctor} --from {TUESDAY}`", repairs),
        ("`roster solve --week 2026-W49` (from scratch)", solves),
    ):
        median = statistics.median(walls)
        print(
            f"| {name} | {len(walls)} | **{median:.2f}** | {min(walls):.2f}–{max(walls):.2f} "
            f"| {median / base:.2f} |"
        )
    print(f"repair solve (in the command): median {statistics.median(own):.2f} s")
    print(
        f"repair in one process (what POST /weeks/{{week}}/repairs does): median "
        f"{statistics.median(inside):.2f} s ({min(inside):.2f}–{max(inside):.2f})"
    )


if __name__ == "__main__":
    main()
