"""Re-solve only the parts of the week that an absence touches.

A part (``decompose``; pools are not split here, so every level of a part is
its own) is touched when one of its items had a published session that no
candidate assignment can keep any more — the absent doctor's. Every other
part keeps its published sessions as they are: re-solving it would change
nothing at Δ = 0 and cost time. The touched parts are solved through L1, Δ
and the rest of the levels, warm-started from the published roster.

The week's level values are recomputed from the whole repaired roster (as
the checker does); a level's bound is its value less the touched parts' gaps,
and its status the weakest of theirs.
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict

from scheduler.domain import Assignment, Instance
from scheduler.model.candidates import candidate_triples
from scheduler.model.decompose import decompose
from scheduler.model.executors import run_parts
from scheduler.model.outcomes import PartOutcome
from scheduler.model.params import SolverParams
from scheduler.result import LevelResult, Result, SolveStatus


def touched_parts(
    instance: Instance, item_part: dict[str, int], admitted: set[tuple[str, str, str]]
) -> list[int]:
    """Parts with a published session that cannot be kept."""
    return sorted(
        {item_part[t[1]] for t in instance.reference if t not in admitted and t[1] in item_part}
    )


def solve_repair(instance: Instance, params: SolverParams | None = None) -> Result:
    """The repaired week: touched parts re-solved, the rest as published."""
    from scheduler.checker import recompute_levels
    from scheduler.reasons import explain_unmet

    started = time.perf_counter()
    params = params or SolverParams()
    triples = candidate_triples(instance, params.rules)
    parts, orphans = decompose(instance, triples, split_pools=False)
    item_part = {item_id: k for k, part in enumerate(parts) for item_id in part.item_ids}
    admitted = set(triples)
    todo = touched_parts(instance, item_part, admitted)
    hint = tuple(Assignment(d, h, i) for d, i, h in sorted(instance.reference))
    outcomes: list[PartOutcome] = []
    run_parts(
        instance,
        parts,
        todo,
        dataclasses.replace(params, hint=hint, split_pools=False),
        on_part=outcomes.append,
    )
    resolved = set(todo)
    kept = [
        Assignment(d, h, i)
        for d, i, h in instance.reference
        if (d, i, h) in admitted and item_part.get(i) not in resolved
    ]
    chosen = [Assignment(d, h, i) for o in outcomes for (d, i, h) in o.chosen]
    assignments = tuple(
        sorted(kept + chosen, key=lambda a: (a.doctor_id, a.half_day_key, a.item_id))
    )
    values = recompute_levels(instance, list(assignments))
    gaps: dict[object, int] = defaultdict(int)
    statuses = defaultdict(list)
    seconds: dict[object, float] = defaultdict(float)
    for outcome in outcomes:
        for lv in outcome.levels:
            gaps[lv.level] += lv.value - lv.bound
            statuses[lv.level].append(lv.status)
            seconds[lv.level] += lv.wall_seconds
    levels = tuple(
        LevelResult(
            level=level,
            value=values[level],
            bound=values[level] - gaps[level],
            status=SolveStatus.combine(statuses[level]),
            wall_seconds=seconds[level],
        )
        for level in instance.policy.level_order
    )
    return Result(
        week=instance.week,
        status=SolveStatus.combine([lv.status for lv in levels]),
        levels=levels,
        assignments=assignments,
        unmet=tuple(explain_unmet(instance, assignments)),
        wall_seconds=time.perf_counter() - started,
        seed=params.seed,
        components=len(parts),
        parameters={
            **params.as_dict(),
            "split_pools": False,
            "variables": len(triples),
            "orphan_items": len(orphans),
            "parts_resolved": len(todo),
        },
    )
