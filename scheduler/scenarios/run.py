"""Solve a scenario's baseline and variants and compare them.

The baseline is solved first (or read from a solved run directory); every
variant is then solved with the baseline's parts at hand, so a part that a
change did not touch is not solved again (``scheduler.model.reuse``): a
change to one specialty re-solves one part of 27. Variants run in local
worker processes, one variant each, when there are at least as many
variants as processes; otherwise one after another, each spreading its own
parts over the processes.

:func:`compare` turns the solved variants into the report's JSON: a KPI
table side by side, coverage by consortium / specialty / hospital / kind,
unmet sessions by reason, and the unmet diff item by item — a
:class:`~scheduler.scenarios.comparison.ScenarioReport`, whose ``to_dict()`` is
``report.json``.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from scheduler.demand import DemandRow
from scheduler.domain import Assignment, Instance, Level
from scheduler.errors import InputError
from scheduler.io.data_files import DataFiles
from scheduler.io.instance_json import instance_to_dict, read_instance
from scheduler.io.load import DataSet, load_dataset
from scheduler.io.run_dir import read_roster
from scheduler.kpis import CoverageTotal, Kpis, compute_kpis
from scheduler.model.executors import run_tasks, worker_pool
from scheduler.model.outcomes import PartOutcome
from scheduler.model.params import Deployment, SolverParams
from scheduler.model.reuse import PartCache
from scheduler.model.solve import solve
from scheduler.pipeline import previous_pairs
from scheduler.reasons import explain_unmet
from scheduler.result import Result, UnmetItem
from scheduler.scenarios.changes import build_variant
from scheduler.scenarios.comparison import (
    GroupCoverage,
    KpiRow,
    LevelSummary,
    ReportNames,
    ScenarioCoverage,
    ScenarioInfo,
    ScenarioReport,
    UnmetChange,
    VariantReport,
)
from scheduler.scenarios.spec import Change, Scenario

log = logging.getLogger(__name__)

BASELINE = "baseline"

WORKER_MODULES = ("scheduler.model.solve", "scheduler.scenarios.run")
"""What a worker of a scenario's pool imports as it starts: a part's solve and a
variant's (``executors.worker_pool``)."""


@dataclass
class Solved:
    """One solved variant (or the baseline)."""

    name: str
    description: str
    notes: list[str]
    instance: Instance
    demand_rows: list[DemandRow]
    levels: tuple[LevelSummary, ...]
    status: str
    assignments: tuple[Assignment, ...]
    unmet: list[UnmetItem]
    kpis: Kpis
    solve_seconds: float
    parts: int
    parts_reused: int
    result: Result | None = None  # None for a baseline read from a run directory


@dataclass
class ScenarioRun:
    """A scenario with its baseline and variants solved."""

    scenario: Scenario
    file: str | None
    data_origin: str  # the data directory, or "data version 4"
    solved: list[Solved] = field(default_factory=list)  # baseline first

    @property
    def baseline(self) -> Solved:
        return self.solved[0]


def resolve_base(
    scenario: Scenario, base_dir: Path, default_data: Path
) -> tuple[Path, Path | None]:
    """(data directory, baseline run directory or None), paths relative to the file."""
    run_dir = (base_dir / scenario.base.run) if scenario.base.run else None
    if scenario.base.data:
        data_dir = base_dir / scenario.base.data
    elif run_dir is not None:
        report = json.loads((run_dir / "report.json").read_text(encoding="utf-8"))
        data_dir = Path(report.get("data_dir") or default_data)
    else:
        data_dir = default_data
    return data_dir, run_dir


def _stored_data(version: int, database_url: str | None, file: str | None) -> DataFiles:
    """Data version ``version`` of the database (``base.data_version``)."""
    from scheduler.store.data_versions import data_files
    from scheduler.store.engine import open_database, reading
    from scheduler.store.errors import StoreError

    if database_url is None:
        raise InputError("a data version needs a database", file=file, field="base.data_version")
    engine = open_database(database_url)
    try:
        with reading(engine) as session:
            return data_files(session, version)
    except StoreError as exc:
        raise InputError(exc.message, file=file, field="base.data_version") from None
    finally:
        engine.dispose()


def _data_source(
    scenario: Scenario, base_dir: Path, default_data: Path | DataFiles
) -> tuple[Path | DataFiles, Path | None]:
    """(the data — a directory, or a data version's files — and the baseline run
    directory or None). A data version is the default; ``base.data`` or
    ``base.run`` name directories instead, relative to ``base_dir``."""
    if isinstance(default_data, DataFiles) and not scenario.base.data and not scenario.base.run:
        return default_data, None
    fallback = default_data if isinstance(default_data, Path) else base_dir
    return resolve_base(scenario, base_dir, fallback)


def solve_one(
    name: str,
    description: str,
    notes: list[str],
    instance: Instance,
    rows: list[DemandRow],
    params: SolverParams,
    cache: PartCache | None,
    deployment: Deployment,
) -> Solved:
    """Solve one variant (or the baseline) with the parts of ``cache`` at hand."""
    started = time.perf_counter()
    result = solve(instance, params, deployment=deployment, reuse=cache)
    return Solved(
        name=name,
        description=description,
        notes=notes,
        instance=instance,
        demand_rows=rows,
        levels=tuple(
            LevelSummary(lv.level.value, lv.level.label, lv.value, lv.bound, lv.status.value)
            for lv in result.levels
        ),
        status=result.status.value,
        assignments=tuple(result.assignments),
        unmet=list(result.unmet),
        kpis=compute_kpis(instance, result.assignments),
        solve_seconds=round(time.perf_counter() - started, 3),
        parts=result.components,
        parts_reused=int(result.parameters.get("parts_reused", 0)),  # type: ignore[call-overload]
        result=result,
    )


def _baseline_from_run(run_dir: Path, rows: list[DemandRow]) -> Solved:
    if not (run_dir / "instance.json").is_file():
        raise InputError("not a run directory (no instance.json)", file=str(run_dir))
    instance = read_instance(run_dir / "instance.json")
    roster = read_roster(run_dir / "roster.csv")
    report = json.loads((run_dir / "report.json").read_text(encoding="utf-8"))
    return Solved(
        name=BASELINE,
        description=f"solved run {run_dir.name}",
        notes=[f"taken from the run directory {run_dir.name}"],
        instance=instance,
        demand_rows=rows,
        levels=tuple(
            LevelSummary(*(lv.get(k) for k in ("level", "label", "value", "bound", "status")))
            for lv in report.get("levels", [])
        ),
        status=str(report.get("status", "")),
        assignments=tuple(roster),
        unmet=explain_unmet(instance, roster),
        kpis=compute_kpis(instance, roster),
        solve_seconds=0.0,
        parts=int(report.get("components", 0)),
        parts_reused=0,
    )


def baseline_from_database(
    database_url: str, scenario: Scenario, data: DataSet, data_origin: str, file: str | None
) -> Solved:
    """The week's published roster (``base.published``) as the baseline.

    The variants are built from ``data``, so the published run must have
    solved this very data: the instance built from it (with the run's own
    last-week continuity) must equal the run's stored instance, else the
    comparison would mix two versions of the reference data.
    """
    from scheduler.store.engine import open_database, transaction
    from scheduler.store.queries import published_roster
    from scheduler.store.runs import StoreError

    week, wanted = scenario.base.week, scenario.base.published
    version = None if wanted is True else wanted
    engine = open_database(database_url)
    try:
        with transaction(engine) as session:
            stored = published_roster(session, week, version)
    except StoreError as exc:
        raise InputError(exc.message, file=file, field="base.published") from None
    finally:
        engine.dispose()
    label = f"{week} v{stored.publication.version}"
    built = build_variant(data, week, [], previous=stored.instance.previous)
    mine, theirs = instance_to_dict(built.instance), instance_to_dict(stored.instance)
    differ = [key for key in theirs if mine.get(key) != theirs[key]]
    if differ and stored.instance.reference:
        raise InputError(
            f"the published roster {label} is a repair (roster repair): its absences and "
            f"frozen half-days are not in {data_origin}; take the version it repaired, or "
            "data with the absences as leave",
            file=file,
            field="base.published",
        )
    if differ:
        raise InputError(
            f"the published roster {label} was solved on other data than {data_origin} "
            f"(its {', '.join(differ)} differ); name the data it was solved on in base.data",
            file=file,
            field="base.published",
        )
    run = stored.run
    return Solved(
        name=BASELINE,
        description=f"published roster {label}",
        notes=[f"taken from the database: published version {label} (run {run.id})"],
        instance=stored.instance,
        demand_rows=built.demand_rows,
        levels=tuple(
            LevelSummary(lv.level, Level(lv.level).label, lv.value, lv.bound, lv.status)
            for lv in stored.levels
        ),
        status=str((run.report or {}).get("status", "")),
        assignments=tuple(stored.assignments),
        unmet=explain_unmet(stored.instance, stored.assignments),
        kpis=compute_kpis(stored.instance, stored.assignments),
        solve_seconds=0.0,
        parts=int((run.report or {}).get("components", 0)),
        parts_reused=0,
    )


# What every variant of a map reads (set once per worker process by _setup).
_SHARED: _Shared | None = None


@dataclass(frozen=True)
class _Shared:
    data: DataSet
    cache: dict[str, PartOutcome] | None  # the baseline's parts
    week: str
    previous: frozenset[tuple[str, str]]
    params: SolverParams
    deployment: Deployment  # where each variant's parts run


def _setup(shared: _Shared) -> None:
    """Once per process that solves variants: the data set, and a copy of the
    baseline's parts (the variants a process solves add theirs to it)."""
    global _SHARED
    cache = dict(shared.cache) if shared.cache is not None else None
    _SHARED = replace(shared, cache=cache)


@dataclass(frozen=True)
class VariantTask:
    """A variant to solve: its name, description, changes and where they are written."""

    name: str
    description: str
    changes: tuple[Change, ...]
    where: str
    file: str | None = None


def _solve_variant(task: VariantTask) -> Solved:
    shared = _SHARED
    assert shared is not None
    variant = build_variant(
        shared.data,
        shared.week,
        task.changes,
        previous=shared.previous,
        where=task.where,
        file=task.file,
    )
    return solve_one(
        task.name,
        task.description,
        variant.notes,
        variant.instance,
        variant.demand_rows,
        shared.params,
        shared.cache,
        shared.deployment,
    )


def solve_baseline(
    data: DataSet,
    week: str,
    *,
    previous: frozenset[tuple[str, str]],
    params: SolverParams,
    deployment: Deployment,
    cache: dict[str, PartOutcome] | None,
    on_done: Callable[[Solved], None] | None = None,
) -> Solved:
    """The week as the data stands, solved (its parts go into ``cache``)."""
    base = build_variant(data, week, [], previous=previous)
    baseline = solve_one(
        BASELINE,
        "the week as the data stands",
        [],
        base.instance,
        base.demand_rows,
        params,
        cache,
        deployment,
    )
    if on_done:
        on_done(baseline)
    return baseline


def solve_variants(
    data: DataSet,
    week: str,
    tasks: Sequence[VariantTask],
    *,
    previous: frozenset[tuple[str, str]],
    params: SolverParams,
    deployment: Deployment,
    cache: dict[str, PartOutcome] | None,
    on_done: Callable[[Solved], None] | None = None,
) -> list[Solved]:
    """Solve ``tasks`` with the baseline's parts in ``cache`` (``None``: solve every
    part); results (and ``on_done``) in task order.

    Every change is validated (``build_variant``) before any solve starts, so a
    bad variant fails the scenario at once, with its field path. Variants run
    side by side (``executors.run_tasks``), each solving its parts one after
    another, on Ray or when there are at least as many variants as processes;
    otherwise one after another, each spreading its own parts over the processes.
    """
    for task in tasks:
        build_variant(data, week, task.changes, previous=previous, where=task.where, file=task.file)
    deployment = deployment.resolved()
    processes = deployment.processes
    if deployment.executor == "ray" or (processes > 1 and len(tasks) >= processes):
        outer, inner = deployment, Deployment(processes=1)  # variants side by side
    else:
        outer, inner = Deployment(processes=1), deployment  # parts side by side
    return run_tasks(
        _solve_variant,
        tasks,
        outer,
        describe=lambda k: f"variant {tasks[k].name!r}",
        setup=_setup,
        shared=_Shared(data, cache, week, previous, params, inner),
        cpus_per_task=params.workers,
        on_result=(lambda _, solved: on_done(solved)) if on_done else None,
        ordered=True,
    )


def run_scenario(
    scenario: Scenario,
    *,
    base_dir: Path,
    default_data: Path | DataFiles,
    file: str | None = None,
    params: SolverParams | None = None,
    deployment: Deployment | None = None,
    reuse: bool = True,
    on_done: Callable[[Solved], None] | None = None,
    database_url: str | None = None,
) -> ScenarioRun:
    """Solve (or read) the baseline, then every variant; nothing is written.

    The baseline is read from ``base.run`` (a run directory) or, with
    ``base.published``, from the database at ``database_url``; otherwise it
    is solved. ``reuse=False`` solves every part of every variant again (a
    cross-check of the reuse; slower). The baseline's parts and the variants run on
    one pool of worker processes, started before the data is loaded."""
    params = replace(params or SolverParams(), seed=scenario.base.seed)
    deployment = (deployment or Deployment()).resolved()
    if scenario.base.data_version is not None:
        default_data = _stored_data(scenario.base.data_version, database_url, file)
    with worker_pool(deployment, preload=WORKER_MODULES):  # one pool for every solve
        source, run_dir = _data_source(scenario, Path(base_dir), default_data)
        data = load_dataset(source)
        week = scenario.base.week
        previous: frozenset[tuple[str, str]] = frozenset()
        if scenario.base.previous_run:
            previous = frozenset(
                previous_pairs(Path(base_dir) / scenario.base.previous_run, week=week)
            )
        run = ScenarioRun(scenario, file, data.origin)
        cache: dict[str, PartOutcome] | None = {} if reuse else None
        if scenario.base.published is None and run_dir is None:
            baseline = solve_baseline(
                data,
                week,
                previous=previous,
                params=params,
                deployment=deployment,
                cache=cache,
                on_done=on_done,
            )
        else:
            baseline = _stored_baseline(scenario, data, run_dir, previous, file, database_url)
            if scenario.base.published is not None:
                previous = baseline.instance.previous
            if on_done:
                on_done(baseline)
        run.solved.append(baseline)
        tasks = [
            VariantTask(v.name, v.description, tuple(v.changes), f"variants[{k}].changes", file)
            for k, v in enumerate(scenario.variants)
        ]
        run.solved.extend(
            solve_variants(
                data,
                week,
                tasks,
                previous=previous,
                params=params,
                deployment=deployment,
                cache=cache,
                on_done=on_done,
            )
        )
        return run


def _stored_baseline(
    scenario: Scenario,
    data: DataSet,
    run_dir: Path | None,
    previous: frozenset[tuple[str, str]],
    file: str | None,
    database_url: str | None,
) -> Solved:
    """The baseline read, not solved: the published roster (``base.published``) or a
    run directory (``base.run``)."""
    week = scenario.base.week
    if scenario.base.published is not None:
        if database_url is None:
            raise InputError(
                "a published baseline needs a database", file=file, field="base.published"
            )
        return baseline_from_database(database_url, scenario, data, data.origin, file)
    assert run_dir is not None
    rows = build_variant(data, week, [], previous=previous).demand_rows
    baseline = _baseline_from_run(run_dir, rows)
    if baseline.instance.week != week:
        raise InputError(
            f"the run is of {baseline.instance.week}, the scenario of {week}",
            file=file,
            field="base.run",
        )
    return baseline


# --------------------------------------------------------------------------- comparison


def _unmet_sessions(solved: Solved) -> int:
    return sum(u.missing for u in solved.unmet)


def kpi_row(solved: Solved) -> KpiRow:
    """The headline KPIs of one solved variant, flat."""
    k = solved.kpis
    by_reason: Counter[str] = Counter()
    for u in solved.unmet:
        by_reason[u.reason_code] += u.missing
    return KpiRow(
        variant=solved.name,
        status=solved.status,
        required_sessions=k.coverage.overall.required,
        covered_sessions=k.coverage.overall.covered,
        unmet_sessions=k.coverage.overall.unmet,
        coverage_percent=k.coverage.overall.percent,
        weighted_unmet=next(lv.value for lv in solved.levels if lv.level == "unmet"),
        doctors=k.load.doctors,
        load_p50=k.load.distribution.p50,
        load_p90=k.load.distribution.p90,
        load_max=k.load.distribution.max,
        utilisation_percent=k.load.utilisation_percent,
        travel_hours=k.travel.total_hours,
        continuity_sessions=k.continuity.sessions,
        unmet_by_reason=dict(sorted(by_reason.items())),
        solve_seconds=solved.solve_seconds,
        parts=solved.parts,
        parts_reused=solved.parts_reused,
    )


def _by_group(run: ScenarioRun, group: str) -> tuple[GroupCoverage, ...]:
    """The rows of the coverage breakdown ``by_<group>``: every variant's sessions, by id."""
    names: dict[str, str] = {}
    totals: dict[str, dict[str, CoverageTotal]] = {}
    for solved in run.solved:
        for row in solved.kpis.coverage.group(f"by_{group}"):
            names.setdefault(row.id, row.name)
            totals.setdefault(row.id, {})[solved.name] = CoverageTotal(
                row.required, row.covered, row.unmet, row.percent
            )
    return tuple(GroupCoverage(k, names[k], totals[k]) for k in sorted(totals))


def _unmet_diff(run: ScenarioRun, solved: Solved) -> tuple[UnmetChange, ...]:
    base = {u.item_id: u for u in run.baseline.unmet}
    mine = {u.item_id: u for u in solved.unmet}
    out = []
    for item_id in sorted(set(base) | set(mine)):
        before = base[item_id].missing if item_id in base else 0
        after = mine[item_id].missing if item_id in mine else 0
        if before == after and (
            item_id not in base
            or item_id not in mine
            or base[item_id].reason_code == mine[item_id].reason_code
        ):
            continue
        instance = solved.instance if item_id in solved.instance.demand else run.baseline.instance
        item = instance.demand[item_id]
        site = instance.sites[item.site_id]
        reason = mine[item_id] if item_id in mine else base[item_id]
        out.append(
            UnmetChange(
                item_id=item_id,
                name=item.name,
                site_name=site.name,
                consortium_id=site.consortium_id,
                specialty_id=item.specialty_id,
                baseline_missing=before,
                variant_missing=after,
                change=after - before,
                reason_code=reason.reason_code,
                reason=reason.reason,
            )
        )
    out.sort(key=lambda r: (-abs(r.change), r.item_id))
    return tuple(out)


def _heatmap(solved: Solved) -> dict[str, dict[str, int]]:
    """Unmet sessions by specialty × consortium."""
    grid: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for u in solved.unmet:
        item = solved.instance.demand[u.item_id]
        grid[item.specialty_id][solved.instance.sites[item.site_id].consortium_id] += u.missing
    return {s: dict(sorted(c.items())) for s, c in sorted(grid.items())}


def _variant(solved: Solved) -> VariantReport:
    """One solved variant as the report shows it (no run directory yet)."""
    return VariantReport(
        name=solved.name,
        description=solved.description,
        notes=tuple(solved.notes),
        status=solved.status,
        levels=solved.levels,
        kpis=kpi_row(solved),
        load_histogram=solved.kpis.load.histogram_dict(),
        unmet_heatmap=_heatmap(solved),
    )


def compare(run: ScenarioRun) -> ScenarioReport:
    """The scenario report (see docs/scenarios.md, "Report"); ``to_dict()`` is its JSON.

    Every variant's ``run_dir`` is ``None``: ``output.write_scenario`` sets it
    for the variants it writes as run directories.
    """
    scenario, baseline = run.scenario, run.baseline.instance
    return ScenarioReport(
        scenario=ScenarioInfo(
            name=scenario.name,
            description=scenario.description,
            file=run.file,
            week=scenario.base.week,
            data_dir=run.data_origin,
            seed=scenario.base.seed,
        ),
        variants=tuple(_variant(s) for s in run.solved),
        coverage=ScenarioCoverage(
            consortium=_by_group(run, "consortium"),
            specialty=_by_group(run, "specialty"),
            hospital=_by_group(run, "hospital"),
            kind=_by_group(run, "kind"),
            side=_by_group(run, "side"),
        ),
        unmet_diff={s.name: _unmet_diff(run, s) for s in run.solved[1:]},
        names=ReportNames(
            specialties={k: v.name for k, v in baseline.specialties.items()},
            consortia={k: v.name for k, v in baseline.consortia.items()},
            hospitals={k: v.name for k, v in baseline.hospitals.items()},
        ),
    )
