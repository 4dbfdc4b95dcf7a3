"""Lexicographic CP-SAT solve of an instance, part by part.

For each independent part (``decompose``): build the model once (variables for
admitted triples, the rules' constraints in ``RULES`` order), then for each
objective level in the policy's order: set the level as the objective, solve
with the previous level's solution as a hint, record value, bound and status,
and hold the level at its value (``≤`` / ``≥``) before the next one. No
combined weights. A part of a fairness pool split over several parts is solved
through every level with its own largest load held, and again (``Stage``:
the levels after L3, with the pool's largest load as a cap) only where that
cap gives one of its doctors room. Parts run where ``executors.run_parts`` sends them (local worker
processes or Ray); ``CpModel`` does not pickle, so each worker builds its own
model from its part's instance.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
from collections import Counter

from scheduler.domain import Assignment, Instance, Level
from scheduler.model.candidates import candidate_triples
from scheduler.model.decompose import Part, decompose
from scheduler.model.executors import run_parts
from scheduler.model.outcomes import LevelOutcome, PartOutcome, Progress, ProgressFn, Stage
from scheduler.model.params import SolverParams
from scheduler.model.reuse import PartCache, part_fingerprint
from scheduler.result import LevelResult, Result, SolveStatus

log = logging.getLogger(__name__)


def solve_instance(
    instance: Instance,
    params: SolverParams | None = None,
    progress: ProgressFn | None = None,
    *,
    reuse: PartCache | None = None,
) -> Result:
    """Solve every part through every level; assemble the week's result.

    The roster depends only on the instance and ``params`` (same seed, same
    roster), never on how many processes ran the parts. With ``reuse`` (a
    mapping of part fingerprints to outcomes, see ``scheduler.model.reuse``),
    parts found there are not solved again, and parts solved are added to it.
    """
    from scheduler.reasons import explain_unmet  # plain Python, no solver

    params = params or SolverParams()
    started = time.perf_counter()
    triples = candidate_triples(instance, params.rules)
    parts, orphans = decompose(
        instance, triples, split_pools=params.split_pools and "R2" in params.rules
    )
    pools = [part.pool for part in parts]
    log.info("%d candidate assignments in %d parts", len(triples), len(parts))
    outcomes: list[PartOutcome] = []
    total = len(parts)
    todo = list(range(total))
    fingerprints: list[str] = []
    if reuse is not None:
        fingerprints = _fingerprints(instance, parts, params)
        outcomes = [
            dataclasses.replace(reuse[fp], index=k)
            for k, fp in enumerate(fingerprints)
            if fp in reuse
        ]
        todo = [k for k, fp in enumerate(fingerprints) if fp not in reuse]
    reused = len(outcomes)

    def on_level(index: int, outcome: LevelOutcome) -> None:
        if progress:
            progress(
                Progress(len(outcomes), total, index, outcome.level, outcome.value, outcome.bound)
            )

    # Pools split over parts (see Stage): every part is first solved through
    # every level with its own largest load held; once all of a pool's parts
    # are in, the pool's largest load M is known, and a part is solved again
    # (its later levels, loads capped at M) only where M gives it more room.
    order = instance.policy.level_order
    position = order.index(Level.UNFAIRNESS) if Level.UNFAIRNESS in order else len(order) - 1
    two_stages = position < len(order) - 1
    pending: dict[str, list[PartOutcome]] = {}
    pool_size = Counter(pools[k] for k in todo if pools[k] is not None)
    second: dict[int, Stage] = {}
    first_stage: dict[int, PartOutcome] = {}

    def finish(outcome: PartOutcome) -> None:
        if outcome.index in first_stage:  # the second stage: count both stages' time
            outcome = dataclasses.replace(
                outcome,
                wall_seconds=outcome.wall_seconds + first_stage[outcome.index].wall_seconds,
            )
        outcomes.append(outcome)
        if progress:
            progress(
                Progress(
                    len(outcomes),
                    total,
                    outcome.index,
                    so_far=_so_far(instance, outcomes, orphans, pools),
                )
            )

    def on_part(outcome: PartOutcome) -> None:
        pool = pools[outcome.index]
        if not two_stages or pool is None or outcome.index in first_stage:
            finish(outcome)
            return
        members = pending.setdefault(pool, [])
        members.append(outcome)
        if len(members) < pool_size[pool]:
            return
        peak = max(o.levels[position].value for o in members)
        for member in sorted(members, key=lambda o: o.index):
            if _cap_gives_room(instance, parts[member.index], member, position, peak, params):
                first_stage[member.index] = member
                second[member.index] = Stage(
                    done=member.levels[: position + 1], load_cap=peak, hint=member.chosen
                )
            else:
                finish(member)

    run_parts(
        instance, parts, todo, params, on_level=on_level if progress else None, on_part=on_part
    )
    if second:
        log.info("%d parts solved again with their pool's largest load", len(second))
        run_parts(
            instance,
            parts,
            sorted(second),
            params,
            stages=second,
            on_level=on_level if progress else None,
            on_part=on_part,
        )
    outcomes.sort(key=lambda o: o.index)
    if reuse is not None:
        for outcome in outcomes:
            reuse.setdefault(fingerprints[outcome.index], outcome)

    levels = _sum_levels(instance, outcomes, orphans, pools)
    assignments = tuple(
        sorted(
            (Assignment(d, h, i) for o in outcomes for (d, i, h) in o.chosen),
            key=lambda a: (a.doctor_id, a.half_day_key, a.item_id),
        )
    )
    unmet = explain_unmet(instance, assignments)
    return Result(
        week=instance.week,
        status=SolveStatus.combine([lv.status for lv in levels]),
        levels=levels,
        assignments=assignments,
        unmet=tuple(unmet),
        wall_seconds=time.perf_counter() - started,
        seed=params.seed,
        components=len(parts),
        parameters={
            **params.as_dict(),
            "variables": len(triples),
            "orphan_items": len(orphans),
            "parts_reused": reused,
            "parts_solved_twice": len(second),
        },
    )


def _cap_gives_room(
    instance: Instance,
    part: Part,
    outcome: PartOutcome,
    position: int,
    peak: int,
    params: SolverParams,
) -> bool:
    """Would capping loads at the pool's ``peak`` (instead of the part's own largest
    load, held when its later levels were solved) let any doctor of the part work
    more? Not when the part's load is the peak, nor when every doctor's weekly cap
    (R5) is at most the part's own largest load: then the model is the same."""
    own = outcome.levels[position].value
    if own >= peak:
        return False
    if "R5" not in params.rules:
        return True
    doctors = {doctor_id for doctor_id, _, _ in part.triples}
    return any(min(instance.doctors[d].weekly_cap, peak) > own for d in doctors)


def _fingerprints(instance: Instance, parts: list[Part], params: SolverParams) -> list[str]:
    """Each part's fingerprint; a part of a split pool also carries its pool's parts'
    (its second stage depends on all of them)."""
    own = [part_fingerprint(instance, part, params) for part in parts]
    by_pool: dict[str, list[str]] = {}
    for part, fp in zip(parts, own, strict=True):
        if part.pool is not None:
            by_pool.setdefault(part.pool, []).append(fp)
    out = []
    for part, fp in zip(parts, own, strict=True):
        if part.pool is not None:
            fp = hashlib.sha256("|".join([fp, *sorted(by_pool[part.pool])]).encode()).hexdigest()
        out.append(fp)
    return out


def _so_far(
    instance: Instance,
    outcomes: list[PartOutcome],
    orphans: list[str],
    pools: list[str | None],
) -> dict[str, tuple[int, int]]:
    return {
        lv.level.value: (lv.value, lv.bound)
        for lv in _sum_levels(instance, outcomes, orphans, pools)
    }


def _level_sum(
    level: Level, per_part: list[LevelOutcome], part_pools: list[str | None], attribute: str
) -> int:
    """A level's total over parts; L3 of a split pool is the maximum over its parts."""
    if level is not Level.UNFAIRNESS:
        return sum(int(getattr(p, attribute)) for p in per_part)
    total, peaks = 0, dict[str, int]()
    for outcome, pool in zip(per_part, part_pools, strict=True):
        amount = int(getattr(outcome, attribute))
        if pool is None:
            total += amount
        else:
            peaks[pool] = max(peaks.get(pool, 0), amount)
    return total + sum(peaks.values())


def _sum_levels(
    instance: Instance,
    outcomes: list[PartOutcome],
    orphans: list[str],
    pools: list[str | None],
) -> tuple[LevelResult, ...]:
    results = []
    part_pools = [pools[o.index] for o in outcomes]
    for k, level in enumerate(instance.policy.level_order):
        per_part = [o.levels[k] for o in outcomes]
        value = _level_sum(level, per_part, part_pools, "value")
        bound = _level_sum(level, per_part, part_pools, "bound")
        if level is Level.UNMET:
            # Items nobody can serve: wholly unmet, known without search.
            extra = sum(instance.demand[i].priority * instance.demand[i].sessions for i in orphans)
            value += extra
            bound += extra
        results.append(
            LevelResult(
                level=level,
                value=value,
                bound=bound,
                status=SolveStatus.combine([p.status for p in per_part]),
                wall_seconds=sum(p.wall_seconds for p in per_part),
            )
        )
    return tuple(results)
