"""City scale: our solve against the alternatives, side by side on the same instances.

    python benchmarks/bench_city.py                   # N = 1, 4, 16, 38; the others on 1, 4
    python benchmarks/bench_city.py --districts 1 4 --budget 300
    python benchmarks/bench_city.py --write-docs      # also write docs/benchmarks-city.md

For each N: the data set of ``roster generate --districts N`` (seed 2026, kept
in ``.bench-data/``), week 2026-W49. Rows, each in a subprocess of its own
(wall time and the peak RSS of its process tree):

* **ours** — ``roster solve`` as shipped (decomposition, LP bound first,
  local worker processes on every core), then the independent checker;
* **monolithic CP-SAT** — one CpModel of the whole instance with the same rules
  and objective expressions (scheduler.model), CP-SAT's default parameters,
  levels one after another (each held before the next, the previous roster
  as a hint), within ``--budget`` seconds in all;
* **HiGHS MIP** — the same model as a MIP (every variable integer, through
  OR-Tools' model builder), levels one after another within the budget;
* **greedy** — highest priority first, the nearest free qualified doctor
  (scheduler.greedy): what is done by hand today, for solution quality.

Every roster is re-checked (rules R1–R8, levels recomputed) by the checker.
Ratios: an alternative's time to prove the same L1 ÷ ours, and to finish every
level; greedy's unmet sessions against ours. Not a test: read medians and
ratios measured in one invocation.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_solve import measured  # noqa: E402

WEEK = "2026-W49"
DATA_ROOT = ROOT / ".bench-data"


def dataset(districts: int) -> Path:
    """The generated data set of N districts (generated once, then reused)."""
    from datasets.generate import generate

    path = DATA_ROOT / f"city-{districts}"
    if not (path / "doctors.csv").is_file():
        generate(path, seed=2026, districts=districts)
    return path


def run_ours(data: Path, tmp: Path) -> dict[str, Any]:
    from scheduler.pipeline import check_run

    out = tmp / "ours"
    wall, rss, code = measured(
        [sys.executable, "-m", "cli", "solve", "--week", WEEK, "--data", str(data),
         "--out", str(out)],
        timeout=3600,
    )  # fmt: skip
    if code != 0:
        return {"name": "ours", "error": f"exit {code}", "wall": wall, "rss": rss}
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    verdict = check_run(out)
    return {
        "name": "ours",
        "wall": wall,
        "rss": rss,
        "levels": [
            {k: lv[k] for k in ("label", "value", "bound", "status")} for lv in report["levels"]
        ],
        "l1_seconds": wall,  # every level is proven when the command ends
        "unmet_sessions": report["sessions_unmet"],
        "parts": report.get("parts"),
        "check": "ok" if verdict.ok else f"{len(verdict.check.violations)} violations",
    }


def run_alternative(kind: str, data: Path, budget: float, tmp: Path) -> dict[str, Any]:
    out = tmp / f"{kind}.json"
    wall, rss, code = measured(
        [sys.executable, __file__, "--alternative", kind, "--data", str(data),
         "--budget", str(budget), "--json", str(out)],
        timeout=budget + 600,
    )  # fmt: skip
    if code != 0 or not out.is_file():
        return {"name": kind, "error": f"exit {code}", "wall": wall, "rss": rss}
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    result.update(wall=wall, rss=rss)
    return result


# --------------------------------------------------------------------------- in the subprocess


def _alternative(kind: str, data: Path, budget: float) -> dict[str, Any]:
    """Solve the whole instance one way; levels, times and the checker's verdict."""
    from ortools.linear_solver.python import model_builder_helper as mbh
    from ortools.sat.python import cp_model

    from scheduler.build import build_instance
    from scheduler.checker import check_roster
    from scheduler.domain import Assignment, Level, Triple
    from scheduler.greedy import greedy_roster
    from scheduler.io.load import load_dataset
    from scheduler.model.candidates import candidate_triples
    from scheduler.model.levels import level_expression
    from scheduler.model.relaxation import LinearRelaxation
    from scheduler.model.rules import ALL_RULES, RULES
    from scheduler.model.variables import AssignmentVars

    started = time.perf_counter()
    instance = build_instance(load_dataset(data), WEEK)
    triples = candidate_triples(instance, ALL_RULES)
    levels: list[dict[str, Any]] = []
    l1_seconds: float | None = None
    if kind == "greedy":
        chosen: list[Triple] = list(greedy_roster(instance, triples))
    else:
        model = cp_model.CpModel()
        v = AssignmentVars.create(instance, model, triples, ALL_RULES)
        for rule in RULES:
            if rule.constrain is not None:
                rule.constrain(v)
        items = sorted(instance.demand)
        relaxation = LinearRelaxation(model) if kind == "highs" else None
        current: dict[Any, bool] = {}
        for level in instance.policy.level_order:
            left = budget - (time.perf_counter() - started)
            if left <= 1:
                levels.append({"label": level.label, "status": "not reached"})
                continue
            expr, _ = level_expression(level, v, items)
            if level.sense == "max":
                model.maximize(expr)
            else:
                model.minimize(expr)
            sign = -1 if level.sense == "max" else 1
            if relaxation is None:
                model.clear_hints()
                for triple, on in current.items():
                    model.add_hint(v.x[triple], on)
                solver = cp_model.CpSolver()
                solver.parameters.max_time_in_seconds = left
                code = solver.solve(model)
                found = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
                status = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible"}.get(
                    code, "timed out"
                )
                if found:
                    value = round(solver.objective_value)
                    bound = round(solver.best_objective_bound)
                    current = {t: bool(solver.boolean_value(x)) for t, x in v.x.items()}
            else:
                mip = relaxation.builder(integral=True)
                solver_ = mbh.ModelSolverHelper("highs")
                solver_.set_time_limit_in_seconds(left)
                solver_.solve(mip)
                code_ = solver_.status()
                found = solver_.has_solution()
                status = "optimal" if code_ == mbh.SolveStatus.OPTIMAL else (
                    "feasible" if found else "timed out"
                )  # fmt: skip
                if found:
                    value = sign * round(solver_.objective_value())
                    bound = sign * round(solver_.best_objective_bound())
                    values = solver_.variable_values()
                    current = {t: values[x.index] > 0.5 for t, x in v.x.items()}
            if not found:
                levels.append({"label": level.label, "status": status})
                break
            elapsed = time.perf_counter() - started
            levels.append(
                {"label": level.label, "value": value, "bound": bound, "status": status,
                 "seconds": round(elapsed, 2)}
            )  # fmt: skip
            if level is Level.UNMET and status == "optimal":
                l1_seconds = elapsed
            model.add(expr >= value if level.sense == "max" else expr <= value)
        chosen = [t for t, on in current.items() if on]
    roster = [Assignment._make(t) for t in chosen]
    check = check_roster(instance, roster)
    if kind == "greedy":
        levels = [
            {"label": lv.label, "value": check.levels[lv], "status": "heuristic"}
            for lv in instance.policy.level_order
        ]
    return {
        "name": kind,
        "levels": levels,
        "l1_seconds": l1_seconds,
        "seconds": round(time.perf_counter() - started, 2),
        "unmet_sessions": check.unmet_sessions,
        "check": "ok" if not check.violations else f"{len(check.violations)} violations",
    }


# --------------------------------------------------------------------------- the table


def _levels(result: dict[str, Any]) -> str:
    if "error" in result:
        return result["error"]
    marks = []
    for lv in result["levels"]:
        if lv["status"] == "optimal":
            marks.append(f"{lv['label']} ✓")
        elif "value" in lv and lv["status"] != "heuristic":
            gap = abs(lv["value"] - lv["bound"])
            marks.append(f"{lv['label']} gap {gap}")
        elif lv["status"] != "heuristic":
            marks.append(f"{lv['label']} {lv['status']}")
    return " ".join(marks) or "—"


def _value(result: dict[str, Any], label: str) -> str:
    for lv in result.get("levels", []):
        if lv["label"] == label and "value" in lv:
            return str(lv["value"])
    return "—"


def table(rows: list[tuple[int, dict[str, Any]]]) -> str:
    lines = [
        "| N | method | wall s | peak RSS MiB | L1 | unmet sessions | levels | L1 proven after s "
        "| ratio (L1) | check |",
        "|---:|---|---:|---:|---:|---:|---|---:|---:|---|",
    ]
    ours: dict[int, dict[str, Any]] = {}
    for n, result in rows:
        if result["name"] == "ours":
            ours[n] = result
        base = ours.get(n, {}).get("l1_seconds")
        l1 = result.get("l1_seconds")
        ratio = f"{l1 / base:.1f}×" if l1 and base and result["name"] != "ours" else (
            "1.0×" if result["name"] == "ours" else "—"
        )  # fmt: skip
        lines.append(
            f"| {n} | {result['name']} | {result['wall']:.1f} | {result['rss']} "
            f"| {_value(result, 'L1')} | {result.get('unmet_sessions', '—')} | {_levels(result)} "
            f"| {f'{l1:.1f}' if l1 else '—'} | {ratio} | {result.get('check', '—')} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, nargs="+", default=[1, 4, 16, 38])
    parser.add_argument(
        "--alternatives", type=int, nargs="*", default=[1, 4], help="N that also get the others"
    )
    parser.add_argument("--budget", type=float, default=600.0, help="seconds per alternative")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument(
        "--alternative", choices=["cpsat", "highs", "greedy"], help=argparse.SUPPRESS
    )
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.alternative:  # the subprocess of one alternative
        result = _alternative(options.alternative, options.data, options.budget)
        options.json.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        return
    rows: list[tuple[int, dict[str, Any]]] = []
    print(f"{os.cpu_count()} cores; budget {options.budget:g} s per alternative\n", flush=True)
    with tempfile.TemporaryDirectory() as name:
        for n in options.districts:
            data = dataset(n)
            tmp = Path(name) / f"n{n}"
            tmp.mkdir()
            rows.append((n, run_ours(data, tmp)))
            if n in options.alternatives:
                for kind in ("cpsat", "highs", "greedy"):
                    rows.append((n, run_alternative(kind, data, options.budget, tmp)))
            print(table(rows), "\n", flush=True)
    text = table(rows)
    print(json.dumps([{"n": n, **r} for n, r in rows], ensure_ascii=False))
    if options.write_docs:
        (ROOT / "docs" / "benchmarks-city.md").write_text(
            "# City-scale benchmark (`benchmarks/bench_city.py`)\n\n"
            f"{os.cpu_count()} cores, budget {options.budget:g} s per alternative.\n\n{text}\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
