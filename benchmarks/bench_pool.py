"""Before/after wall time of a scenario run and a plain solve, two source trees
side by side: the runs alternate (before, after, before, ...), so the shared
machine's noise falls on both.

    python benchmarks/bench_pool.py --before BEFORE_DIR --runs 3

``--before``: a copy of the tree to compare with (``git archive <commit> | tar
-x -C DIR``); the tree after is this one. Each command runs as a user runs it,
``python -m cli ...`` from the tree's root with ``PYTHONPATH=.``. Prints the
runs, medians and ratio (after / before) as Markdown rows.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "scenario": ["scenario", "run", "scenarios/xinqiao-cardiology-loss.yaml", "--data", "data"],
    "solve": ["solve", "--week", "2026-W49", "--data", "data"],
}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(tree: Path, args: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process tree) of one command."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "cli", *args, "--out", str(Path(tmp) / "out")]
        env = {**os.environ, "PYTHONPATH": "."}
        started, cpu = time.perf_counter(), _cpu()
        subprocess.run(command, cwd=tree, env=env, check=True, capture_output=True)
        return time.perf_counter() - started, _cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=sorted(COMMANDS), action="append")
    options = parser.parse_args()
    trees = {"before": options.before.resolve(), "after": ROOT}
    for name in options.only or list(COMMANDS):
        walls: dict[str, list[float]] = {"before": [], "after": []}
        cpus: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(options.runs):
            for label, tree in trees.items():
                wall, cpu = timed(tree, COMMANDS[name])
                walls[label].append(wall)
                cpus[label].append(cpu)
                print(
                    f"  {name} {label}: {wall:.2f} s, CPU {cpu:.2f} s", file=sys.stderr, flush=True
                )
        print("| command | tree | wall s (runs) | median wall s | median CPU s |")
        print("|---|---|---|---:|---:|")
        for label in ("before", "after"):
            runs = ", ".join(f"{w:.2f}" for w in walls[label])
            wall, cpu = statistics.median(walls[label]), statistics.median(cpus[label])
            print(f"| {name} | {label} | {runs} | {wall:.2f} | {cpu:.2f} |")
        ratio = statistics.median(walls["after"]) / statistics.median(walls["before"])
        cpu_ratio = statistics.median(cpus["after"]) / statistics.median(cpus["before"])
        print(f"| {name} | ratio after/before | | {ratio:.3f} | {cpu_ratio:.3f} |")


if __name__ == "__main__":
    main()
