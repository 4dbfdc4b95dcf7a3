"""Benchmark ``roster solve`` on the default data: median wall time and peak memory.

Runs the real command line in a subprocess, several times per configuration,
and samples the resident memory of the whole process tree (the main process and
its worker processes) from /proc. Prints a Markdown table: median, min and max
wall seconds, the median of the solver's own time, peak RSS, the status of
every level, and each configuration's ratio to the baseline (the first one).

    python benchmarks/bench_solve.py                      # default config, 5 runs
    python benchmarks/bench_solve.py --compare-workers    # 1/2/8 workers, 1 or 2 processes
    python benchmarks/bench_solve.py --compare-lp         # LP bound first vs CP-SAT alone

Benchmarks are not tests: the machines are shared and noisy, so read medians
and ratios measured side by side in the same invocation.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tree_rss_kib(pid: int) -> int:
    """Sum of VmRSS over a process and all its descendants (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    stack.extend(int(p) for p in handle.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def measured(command: list[str], timeout: float = 3600) -> tuple[float, int, int]:
    """Run a command; (wall seconds, peak RSS of its process tree in MiB, exit code).
    Killed after ``timeout`` seconds; its stderr's tail is shown on failure."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss_kib(process.pid))
        if time.perf_counter() - started > timeout:
            process.kill()
        time.sleep(0.02)
    if process.returncode != 0:
        assert process.stderr is not None
        sys.stderr.write(process.stderr.read().decode()[-2000:])
    return time.perf_counter() - started, peak // 1024, process.returncode


def run_once(args: list[str]) -> tuple[float, int, dict]:  # type: ignore[type-arg]
    """One solve; returns (wall seconds, peak tree RSS in MiB, report.json)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        command = [sys.executable, "-m", "cli", "solve", *args, "--out", str(out)]
        wall, peak, code = measured(command)
        if code != 0:
            raise SystemExit(f"solve failed with exit code {code}: {' '.join(command)}")
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return wall, peak, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--week", default="2026-W49")
    parser.add_argument("--data", default="data")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare-workers", action="store_true")
    parser.add_argument("--compare-lp", action="store_true")
    options = parser.parse_args()

    base = ["--week", options.week, "--data", options.data]
    configs: list[tuple[str, list[str]]] = [("default", [])]
    if options.compare_workers:
        configs = [
            ("1 worker, 2 processes (default)", ["--workers", "1", "--processes", "2"]),
            ("2 workers, 2 processes", ["--workers", "2", "--processes", "2"]),
            ("8 workers, 2 processes", ["--workers", "8", "--processes", "2"]),
            ("8 workers, 1 process", ["--workers", "8", "--processes", "1"]),
        ]
    if options.compare_lp:
        configs = [
            ("LP bound first (default)", []),
            ("CP-SAT alone (--no-lp-bounds)", ["--no-lp-bounds"]),
        ]
    print(f"{os.cpu_count()} cores, {options.runs} runs per configuration, week {options.week}\n")
    print(
        "| configuration | median wall s | min–max s | median solve s | peak RSS MiB "
        "| levels | ratio to first |"
    )
    print("|---|---:|---:|---:|---:|---|---:|")
    baseline = None
    for name, extra in configs:
        walls, solves, peaks, statuses = [], [], [], set()
        for _ in range(options.runs):
            wall, peak, report = run_once(base + extra)
            walls.append(wall)
            solves.append(report["solve_seconds"])
            peaks.append(peak)
            statuses.add(" ".join(f"{lv['label']}:{lv['status']}" for lv in report["levels"]))
        median = statistics.median(walls)
        baseline = baseline or median
        print(
            f"| {name} | {median:.2f} | {min(walls):.2f}–{max(walls):.2f} "
            f"| {statistics.median(solves):.2f} | {max(peaks)} | {' / '.join(sorted(statuses))} "
            f"| {median / baseline:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
