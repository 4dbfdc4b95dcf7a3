"""Capacity sensitivity: where would one more specialist help most?

For every (hospital, key specialty) pair of the data, one variant adds one
doctor like the pool's typical doctor (``changes.typical_doctor``: the
median by weekly cap, home duties and title) and is solved through every
level, exactly as a week would be. ``extra_sessions`` is the baseline's
unmet sessions minus the variant's.

Cheap by construction:
* a new doctor of specialty S joins S's part only; every other part is the
  baseline's, taken by fingerprint (``scheduler.model.reuse``);
* a specialty with nothing unmet in the baseline cannot gain (unmet sessions
  are never below 0 and the other parts do not change), so its pairs are 0
  without a solve;
* the remaining variants run in local worker processes.

Because each variant is solved exactly as a re-solve of the week with that
doctor added would be, the predicted gain is the gain a planner gets.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scheduler.io.load import DataSet, load_dataset
from scheduler.io.records import KeySpecialtyRow
from scheduler.model.executors import worker_pool
from scheduler.model.outcomes import PartOutcome
from scheduler.model.params import Deployment, SolverParams
from scheduler.pipeline import previous_pairs
from scheduler.scenarios.changes import typical_doctor
from scheduler.scenarios.run import (
    WORKER_MODULES,
    Solved,
    VariantTask,
    solve_baseline,
    solve_variants,
)
from scheduler.scenarios.spec import AddDoctors
from scheduler.week import canonical_week, parse_week


@dataclass
class Sensitivity:
    """The ranked table and what it was computed from."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


def _unmet_sessions(solved: Solved) -> int:
    return sum(u.missing for u in solved.unmet)


def _weighted(solved: Solved) -> int:
    return int(next(lv.value for lv in solved.levels if lv.level == "unmet"))


def _row(
    data: DataSet,
    baseline: Solved,
    pair: tuple[str, str],
    one: Solved | None,
    unmet_before: int,
) -> dict[str, Any]:
    """One (hospital, specialty) pair: its template doctor and what one more would
    cover (0 when its variant was not solved: nothing of the specialty unmet)."""
    base, (hospital, specialty) = baseline.instance, pair
    template = typical_doctor(data, hospital, specialty)
    return {
        "hospital_id": hospital,
        "hospital_name": base.hospitals[hospital].name,
        "specialty_id": specialty,
        "specialty_name": base.specialties[specialty].name,
        "template_doctor": template.doctor_id,
        "title": template.title,
        "weekly_cap": template.weekly_cap,
        "extra_sessions": _unmet_sessions(baseline) - _unmet_sessions(one) if one else 0,
        "weighted_unmet_reduction": _weighted(baseline) - _weighted(one) if one else 0,
        "unmet_before": unmet_before,
        "solved": one is not None,
        "solve_seconds": one.solve_seconds if one else 0.0,
    }


def _ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Most extra sessions first (then weighted unmet, hospital, specialty), each
    row led by its rank."""
    rows = sorted(
        rows,
        key=lambda r: (
            -r["extra_sessions"],
            -r["weighted_unmet_reduction"],
            r["hospital_id"],
            r["specialty_id"],
        ),
    )
    return [{"rank": rank, **row} for rank, row in enumerate(rows, start=1)]


def _variant_tasks(pairs: list[tuple[str, str]]) -> list[VariantTask]:
    """One variant per (hospital, specialty): one more doctor there."""
    return [
        VariantTask(
            f"{h}-{s}",
            f"one more {s} doctor at {h}",
            (AddDoctors(type="add_doctors", hospital=h, specialty=s, count=1),),
            "pairs",
        )
        for h, s in pairs
    ]


def run_sensitivity(
    data_dir: Path,
    week: str,
    *,
    previous_run: Path | None = None,
    params: SolverParams | None = None,
    deployment: Deployment | None = None,
    specialties: Sequence[str] = (),
    on_done: Callable[[Solved], None] | None = None,
) -> Sensitivity:
    """Rank every (hospital, key specialty) by the sessions one more doctor would cover
    (only pairs of ``specialties`` when given)."""
    started = time.perf_counter()
    parse_week(week)
    week = canonical_week(week)
    params = params or SolverParams()
    deployment = (deployment or Deployment()).resolved()
    with worker_pool(deployment, preload=WORKER_MODULES):  # one pool for every solve
        data = load_dataset(Path(data_dir))
        previous = (
            frozenset(previous_pairs(previous_run, week=week)) if previous_run else frozenset()
        )
        cache: dict[str, PartOutcome] = {}
        baseline = solve_baseline(
            data,
            week,
            previous=previous,
            params=params,
            deployment=deployment,
            cache=cache,
            on_done=on_done,
        )
        base = baseline.instance
        unmet_by_specialty: Counter[str] = Counter()
        for u in baseline.unmet:
            unmet_by_specialty[base.demand[u.item_id].specialty_id] += u.missing
        pairs = sorted(
            (r.hospital_id, r.specialty_id)
            for r in data.table(KeySpecialtyRow)
            if not specialties or r.specialty_id in specialties
        )
        to_solve = [(h, s) for h, s in pairs if unmet_by_specialty[s] > 0]
        tasks = _variant_tasks(to_solve)
        solved = dict(
            zip(
                to_solve,
                solve_variants(
                    data,
                    week,
                    tasks,
                    previous=previous,
                    params=params,
                    deployment=deployment,
                    cache=cache,
                    on_done=on_done,
                ),
                strict=True,
            )
        )
    before_sessions, before_weighted = _unmet_sessions(baseline), _weighted(baseline)
    rows = [_row(data, baseline, p, solved.get(p), unmet_by_specialty[p[1]]) for p in pairs]
    return Sensitivity(
        rows=_ranked(rows),
        meta={
            "week": week,
            "data_dir": str(data_dir),
            "baseline_unmet_sessions": before_sessions,
            "baseline_weighted_unmet": before_weighted,
            "pairs": len(pairs),
            "pairs_solved": len(to_solve),
            "seconds": round(time.perf_counter() - started, 3),
        },
    )
