"""CP-SAT worker count on the largest parts of the default week, level by level.

    python benchmarks/bench_workers.py [--parts 2] [--workers 1 2 8] [--seconds 30] [--cp-sat-alone]

Each configuration solves the same parts through all five levels in this
process (no other load), with a wall-clock limit per level instead of the
deterministic one, so that the worker counts get equal time. Prints per part
and configuration: wall seconds per level, value, bound, and status.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from scheduler.build import build_instance
from scheduler.io.load import load_dataset
from scheduler.model.candidates import candidate_triples
from scheduler.model.decompose import decompose
from scheduler.model.params import SolverParams
from scheduler.model.rules import ALL_RULES
from scheduler.model.search import solve_part


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data")
    parser.add_argument("--week", default="2026-W49")
    parser.add_argument("--parts", type=int, default=2)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 8])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--cp-sat-alone", action="store_true", help="without the LP bound step")
    options = parser.parse_args()
    instance = build_instance(load_dataset(Path(options.data)), options.week)
    parts, _ = decompose(instance, candidate_triples(instance, ALL_RULES))
    largest = sorted(parts, key=lambda p: -len(p.triples))[: options.parts]
    print("| part (variables) | workers | wall s | L1 | L2 | L3 | L4 | L5 |")
    print("|---|---:|---:|---|---|---|---|---|")
    for part in largest:
        for workers in options.workers:
            params = SolverParams(
                workers=workers,
                time_limit_per_level=options.seconds,
                deterministic_time_per_level=1e9,
                lp_bounds=not options.cp_sat_alone,
            )
            started = time.perf_counter()
            outcome = solve_part(instance, part, 0, params)
            cells = [
                f"{lv.value}/{lv.bound} {'✓' if lv.status.value == 'optimal' else '✗'} "
                f"{lv.wall_seconds:.1f}s"
                for lv in outcome.levels
            ]
            print(
                f"| {len(part.triples)} | {workers} | {time.perf_counter() - started:.1f} | "
                + " | ".join(cells)
                + " |",
                flush=True,
            )


if __name__ == "__main__":
    main()
