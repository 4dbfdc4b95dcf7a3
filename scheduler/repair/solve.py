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

import time
from collections import defaultdict
from dataclasses import replace

from scheduler.domain import Assignment, Instance, Triple
from scheduler.model.decompose import Part
from scheduler.model.params import Deployment, SolverParams
from scheduler.model.solve import report_parameters, solve
from scheduler.result import LevelResult, Result, SolveStatus


class TouchedParts:
    """``solve``'s ``only_parts`` for a repair: a part is touched when one of its
    items has a published session that none of its candidate assignments can
    keep. Remembers the items of the parts it leaves as published."""

    def __init__(self, instance: Instance) -> None:
        self.published: dict[str, list[Triple]] = defaultdict(list)
        for triple in instance.reference:
            self.published[triple[1]].append(triple)
        self.kept_items: set[str] = set()

    def __call__(self, part: Part) -> bool:
        admitted = set(part.triples)
        touched = any(
            triple not in admitted for i in part.item_ids for triple in self.published.get(i, ())
        )
        if not touched:
            self.kept_items.update(part.item_ids)
        return touched


def solve_repair(
    instance: Instance,
    params: SolverParams | None = None,
    *,
    deployment: Deployment | None = None,
) -> Result:
    """The repaired week: touched parts re-solved, the rest as published."""
    from scheduler.checker import recompute_levels
    from scheduler.reasons import explain_unmet

    started = time.perf_counter()
    params = params or SolverParams()
    deployment = deployment or Deployment()
    touched = TouchedParts(instance)
    solved = solve(
        instance,
        replace(params, split_pools=False),
        deployment=deployment,
        hint=tuple(Assignment._make(t) for t in sorted(instance.reference)),
        only_parts=touched,
    )
    # Every item of an untouched part keeps all its published sessions (each of
    # them is one of the part's candidate assignments).
    kept = [Assignment._make(t) for t in instance.reference if t[1] in touched.kept_items]
    assignments = tuple(
        sorted(
            kept + list(solved.assignments),
            key=lambda a: (a.doctor_id, a.half_day_key, a.item_id),
        )
    )
    values = recompute_levels(instance, list(assignments))
    # The re-solved parts' totals: a level's gap over them is what the week's
    # bound lacks (the kept parts' levels are as published, at no gap).
    levels = tuple(
        LevelResult(
            level=lv.level,
            value=values[lv.level],
            bound=values[lv.level] - (lv.value - lv.bound),
            status=lv.status,
            wall_seconds=lv.wall_seconds,
        )
        for lv in solved.levels
    )
    return Result(
        week=instance.week,
        status=SolveStatus.combine([lv.status for lv in levels]),
        levels=levels,
        assignments=assignments,
        unmet=tuple(explain_unmet(instance, assignments)),
        wall_seconds=time.perf_counter() - started,
        seed=params.seed,
        components=solved.components,
        parameters={
            **report_parameters(replace(params, split_pools=False), deployment),
            "variables": solved.parameters["variables"],
            "orphan_items": solved.parameters["orphan_items"],
            "parts_resolved": solved.parameters["parts_solved"],
        },
    )
