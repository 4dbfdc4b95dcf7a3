"""Benchmark scenario sweeps and capacity sensitivity on the default data.

Runs the real command lines in subprocesses, several times each, and prints a
Markdown table: median, min and max wall seconds (Python start-up, loading,
every solve, every output file), the solves per run, peak memory of the
process tree, and each row's ratio to the first.

    python benchmarks/bench_scenarios.py                 # 3 runs of each
    python benchmarks/bench_scenarios.py --runs 5 --all  # also the examples and the district grid

Rows:
* the 20-variant grid ``scenarios/sweeps/endocrinology-grid.yaml`` (+ its baseline);
* ``roster scenario sensitivity --week 2026-W49`` (48 hospital × key specialty pairs);
* with ``--all``: every example in ``scenarios/`` (15 variants, several of them
  district-wide) and ``scenarios/sweeps/district-grid.yaml`` (12 variants, each
  touching every part: nothing to reuse).

Benchmarks are not tests: the machines are shared and noisy, so read medians
and ratios measured side by side in the same invocation.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_solve import measured  # noqa: E402


def run_once(args: list[str], out_name: str) -> tuple[float, int, int]:
    """One command; returns (wall seconds, peak tree RSS in MiB, solves)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        command = [sys.executable, "-m", "cli", "scenario", *args, "--out", str(out)]
        wall, peak, code = measured(command)
        if code != 0:
            raise SystemExit(f"{' '.join(command)} failed (exit code {code})")
        with open(out / out_name, newline="", encoding="utf-8") as handle:
            solves = sum(1 for _ in csv.DictReader(handle))
        return wall, peak, solves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--all", action="store_true", help="also the examples and district grid")
    options = parser.parse_args()
    rows = [
        (
            "sweep: endocrinology grid (20 variants)",
            ["sweep", "scenarios/sweeps/endocrinology-grid.yaml"],
            "summary.csv",
        ),
        (
            "sensitivity 2026-W49 (48 pairs)",
            ["sensitivity", "--week", "2026-W49"],
            "sensitivity.csv",
        ),
    ]
    if options.all:
        rows += [
            ("sweep: scenarios/ (7 files, 15 variants)", ["sweep", "scenarios"], "summary.csv"),
            (
                "sweep: district grid (12 variants, nothing reused)",
                ["sweep", "scenarios/sweeps/district-grid.yaml"],
                "summary.csv",
            ),
        ]
    print(f"{os.cpu_count()} cores, {options.runs} runs each\n")
    print("| command | runs | median wall s | min–max s | rows | peak RSS MiB | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    first = None
    results = {}
    for label, args, out_name in rows:
        walls, peaks, solves = [], [], 0
        for _ in range(options.runs):
            wall, peak, solves = run_once(args, out_name)
            walls.append(wall)
            peaks.append(peak)
        median = statistics.median(walls)
        first = first or median
        results[label] = walls
        print(
            f"| {label} | {options.runs} | {median:.1f} | {min(walls):.1f}–{max(walls):.1f} "
            f"| {solves} | {max(peaks)} | {median / first:.2f} |",
            flush=True,
        )
    print("\n" + json.dumps({k: [round(w, 2) for w in v] for k, v in results.items()}))


if __name__ == "__main__":
    main()
