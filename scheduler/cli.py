"""The ``roster`` command line.

Errors are one clear line, never a traceback: exit code 2 for bad input (an
output directory refused or not writable included), 1 for a solve that could
not finish, an unreachable database or a file-system failure — one handler
for every command (``_RosterGroup``, ``one_line``).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperGroup

from scheduler.errors import InputError, SolveError
from scheduler.io.output_dir import OutputKind, prepare_output

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from scheduler.repair.run import AbsenceRequest
    from scheduler.scenarios.run import Solved

log = logging.getLogger(__name__)
console = Console()
err = Console(stderr=True)

_GIVEN = "roster.given_args"  # ctx.meta key: the arguments as typed


def one_line(exc: BaseException, given: Sequence[str] = ()) -> tuple[str, int] | None:
    """The line and exit code the command line reports ``exc`` with; None for
    anything else (a bug, which keeps its traceback).

    * ``InputError`` (bad input, an output path refused or not writable) → 2;
    * ``StoreError`` (no such run, week or key; a conflict) → 2;
    * ``SolveError`` (a solve that could not finish) → 1;
    * a database error → ``scheduler.store.errors.describe``, 2 for a value the
      database cannot store, else 1 (unreachable, read-only, ...);
    * ``OSError`` → the path and the reason, 2 if the path is one of the
      arguments ``given`` or inside one (``--data DIR`` and a file in it), else 1.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from scheduler.store.errors import DatabaseFault, classify, describe
    from scheduler.store.runs import StoreError

    if isinstance(exc, SolveError):
        return f"solve failed: {exc}", 1
    if isinstance(exc, InputError):
        return f"error: {exc}", 2
    if isinstance(exc, StoreError):
        return f"error: {exc.message}", 2
    if isinstance(exc, SQLAlchemyError):
        return f"error: {describe(exc)}", 2 if classify(exc) is DatabaseFault.BAD_VALUE else 1
    if isinstance(exc, OSError):
        return f"error: {_os_error(exc)}", 2 if _is_given(exc.filename, given) else 1
    return None


def _os_error(exc: OSError) -> str:
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.filename is None:
        return reason
    where = os.fsdecode(exc.filename)
    if exc.filename2 is not None:
        where += f" → {os.fsdecode(exc.filename2)}"
    return f"{where}: {reason}"


def _is_given(filename: object, given: Sequence[str]) -> bool:
    """True if ``filename`` is a path given on the command line, or inside one."""
    if not isinstance(filename, str | bytes) or not filename:
        return False
    failed = Path(os.path.abspath(os.fsdecode(filename)))
    for arg in given:
        value = arg.split("=", 1)[1] if arg.startswith("--") and "=" in arg else arg
        if not value or value.startswith("-"):
            continue
        path = Path(os.path.abspath(value))
        if failed == path or path in failed.parents:
            return True
    return False


class _RosterGroup(TyperGroup):
    """The ``roster`` command group, with the one error handler all commands share.

    It wraps every command (``roster`` via ``main``, ``python -m
    scheduler.cli`` and ``CliRunner`` alike): the errors ``one_line`` knows
    become one line on stderr and exit code 1 or 2, never a traceback (with
    ``--verbose`` the traceback is logged too, for a bug report).
    """

    # Typer passes its own Context (a subclass of the click Context it vendors).
    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        ctx.meta[_GIVEN] = tuple(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: typer.Context) -> object:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except Exception as exc:
            reported = one_line(exc, ctx.meta.get(_GIVEN, ()))
            if reported is None:
                raise
            line, code = reported
            log.info("%s", line, exc_info=exc)
            label, _, text = line.partition(": ")
            err.print(f"[bold red]{label}:[/] {escape(text)}", highlight=False, soft_wrap=True)
            raise typer.Exit(code) from None


app = typer.Typer(
    cls=_RosterGroup,
    help="Weekly specialist roster for the Shapingba medical consortium.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DataOpt = Annotated[Path, typer.Option("--data", help="Data directory (see data/README.md).")]


def _week_option(value: str | None) -> str | None:
    """``--week`` in its canonical spelling (full-width ２０２６-Ｗ４９ → 2026-W49), so
    the run directory, the report and the database all name one week; a week
    that is malformed, does not exist or is outside the supported years is an
    ``InputError`` (one line, exit code 2, from the group's handler)."""
    from scheduler.week import canonical_week, parse_week

    if value is None:
        return None
    try:
        parse_week(value)
        return canonical_week(value)
    except InputError as exc:
        raise InputError(f"--week: {exc.message}") from None


def _week_opt(help_text: str) -> typer.models.OptionInfo:
    return typer.Option("--week", help=help_text, callback=_week_option)


WeekOpt = Annotated[str, _week_opt("ISO week, e.g. 2026-W49.")]


class Executor(StrEnum):
    """Where the parts of a solve run (scheduler/model/executors.py)."""

    LOCAL = "local"
    RAY = "ray"


ExecutorOpt = Annotated[
    Executor,
    typer.Option(help="Where parts run: local worker processes, or Ray (pip install -e '.[ray]')."),
]
RayAddressOpt = Annotated[
    str | None,
    typer.Option(help="Ray cluster address (e.g. ray://head:10001 or auto); default: a local Ray."),
]


def _fail(exc: Exception) -> typer.Exit:
    """Bad input: one line, exit code 2."""
    err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


@app.callback()
def _options(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
) -> None:
    """Generate data, solve a week, check a roster."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Directory to write the data set into.")] = Path("data"),
    seed: Annotated[int, typer.Option(help="Random seed (2026 = the default data set).")] = 2026,
    districts: Annotated[int, typer.Option(min=1, max=38, help="Districts (38 = whole city).")] = 1,
) -> None:
    """Rebuild the default data set (byte-identical for a seed), or a larger one."""
    from scheduler.generate import generate as run_generate

    run_generate(out, seed=seed, districts=districts)
    console.print(f"wrote data set ({districts} district(s), seed {seed}) to {out}")


@app.command()
def solve(
    week: WeekOpt,
    data: DataOpt = Path("data"),
    out: Annotated[Path | None, typer.Option(help="Run directory (default runs/WEEK).")] = None,
    previous: Annotated[
        Path | None, typer.Option(help="Last week's run directory (for continuity, L2).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Solver random seed.")] = 0,
    workers: Annotated[int, typer.Option(min=1, help="CP-SAT workers per part.")] = 1,
    processes: Annotated[int, typer.Option(min=0, help="Worker processes (0 = all cores).")] = 0,
    time_limit: Annotated[
        float, typer.Option(min=0.1, help="Wall seconds per level per part (safety net).")
    ] = 300.0,
    dtime: Annotated[
        float,
        typer.Option(min=0.1, help="CP-SAT deterministic time per level per part (reproducible)."),
    ] = 60.0,
    lp_bounds: Annotated[
        bool,
        typer.Option(help="Start each level from the LP bound (docs/model.md); off = CP-SAT only."),
    ] = True,
    executor: ExecutorOpt = Executor.LOCAL,
    ray_address: RayAddressOpt = None,
) -> None:
    """Solve a week and write the run directory (roster, unmet, KPIs, workbook, calendars)."""
    from scheduler.model.solve import Progress as SolveProgress
    from scheduler.model.solve import SolverParams
    from scheduler.pipeline import solve_week

    out_dir = out or Path("runs") / week
    params = SolverParams(
        workers=workers,
        processes=processes,
        seed=seed,
        time_limit_per_level=time_limit,
        deterministic_time_per_level=dtime,
        lp_bounds=lp_bounds,
        executor=executor.value,
        ray_address=ray_address,
    )
    columns = (
        TextColumn("[bold]solving {task.fields[week]}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("parts {task.fields[note]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("solve", total=None, week=week, note="")

        def on_progress(event: SolveProgress) -> None:
            note = ""
            if event.level is not None:
                note = (
                    f"· part {event.part_index + 1}: {event.level.label} "
                    f"value {event.value} bound {event.bound}"
                )
            bar.update(task, total=event.parts_total, completed=event.parts_done, note=note)

        outcome = solve_week(
            data, week, out_dir, previous_run=previous, params=params, progress=on_progress
        )
    _print_summary(outcome.report, outcome.out_dir)
    for warning in outcome.report.get("warnings", []):
        err.print(f"[bold yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)


def _print_summary(report: dict, out_dir: Path) -> None:  # type: ignore[type-arg]
    table = Table(title=f"Roster {report['week']} — {report['status']}", show_lines=False)
    for name, justify in (
        ("level", "left"),
        ("objective", "left"),
        ("value", "right"),
        ("bound", "right"),
        ("status", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for lv in report["levels"]:
        table.add_row(lv["label"], lv["name"], str(lv["value"]), str(lv["bound"]), lv["status"])
    console.print(table)
    console.print(
        f"coverage {report['coverage_percent']} % "
        f"({report['sessions_covered']}/{report['sessions_required']} sessions, "
        f"{report['sessions_unmet']} unmet) · {report['parts']} parts · "
        f"solve {report['solve_seconds']} s · total {report['wall_seconds']} s"
    )
    console.print(f"run directory: {out_dir}")


@app.command()
def check(
    run_dir: Annotated[Path, typer.Argument(help="A run directory written by solve.")],
) -> None:
    """Independently re-check rules R1–R8 and recompute L1–L5 (exit 1 on any violation)."""
    from scheduler.pipeline import check_run

    verdict = check_run(run_dir)
    table = Table(title=f"Check of {run_dir}")
    table.add_column("level")
    table.add_column("recomputed", justify="right")
    table.add_column("reported", justify="right")
    table.add_column("")
    for level, value in verdict.check.levels.items():
        reported = verdict.reported.get(level)
        mark = "ok" if reported == value else ("MISMATCH" if reported is not None else "")
        table.add_row(level.label, str(value), "" if reported is None else str(reported), mark)
    console.print(table)
    for violation in verdict.check.violations[:50]:
        console.print(f"[red]{violation.rule}[/] {violation.message}", highlight=False)
    count = len(verdict.check.violations)
    console.print(
        f"{count} violation(s) in {verdict.check.sessions} sessions; "
        f"{verdict.check.unmet_sessions} unmet sessions; "
        f"{len(verdict.mismatched)} level mismatch(es)"
    )
    if not verdict.ok:
        raise typer.Exit(code=1)


scenario_app = typer.Typer(help="What-if scenarios: run, sweep, capacity sensitivity.")
app.add_typer(scenario_app, name="scenario")

DatabaseOpt = Annotated[
    str | None,
    typer.Option("--database", help="SQLAlchemy URL (default: ROSTER_DATABASE_URL or roster.db)."),
]


ProcessesOpt = Annotated[int, typer.Option(min=0, help="Worker processes (0 = all cores).")]


def _kpi_table(title: str, rows: list[dict]) -> Table:  # type: ignore[type-arg]
    """Headline KPIs side by side (first row the baseline), differences in brackets."""
    table = Table(title=title)
    table.add_column("KPI")
    for row in rows:
        table.add_column(str(row["variant"]), justify="right")
    base = rows[0]
    for key, label in (
        ("coverage_percent", "coverage %"),
        ("unmet_sessions", "unmet sessions"),
        ("weighted_unmet", "L1 weighted unmet"),
        ("load_p50", "load p50"),
        ("load_p90", "load p90"),
        ("load_max", "load max"),
        ("travel_hours", "travel hours"),
        ("continuity_sessions", "continuity sessions"),
        ("status", "status"),
        ("solve_seconds", "solve s"),
        ("parts_reused", "parts reused"),
    ):
        cells = []
        for row in rows:
            value = row[key]
            cell = f"{value:g}" if isinstance(value, float) else str(value)
            if (
                row is not base
                and isinstance(value, (int, float))
                and key
                not in (
                    "solve_seconds",
                    "parts_reused",
                )
            ):
                delta = value - base[key]
                if delta:
                    cell += f" ({delta:+g})"
            cells.append(cell)
        table.add_row(label, *cells)
    return table


@scenario_app.command("run")
def scenario_run(
    file: Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON; docs/scenarios.md).")],
    out: Annotated[
        Path | None, typer.Option(help="Scenario directory (default scenario-runs/FILE-STEM).")
    ] = None,
    data: Annotated[
        Path, typer.Option("--data", help="Data directory when the file names none.")
    ] = Path("data"),
    processes: ProcessesOpt = 0,
    reuse: Annotated[
        bool, typer.Option(help="Take parts a change did not touch from the baseline.")
    ] = True,
    database: DatabaseOpt = None,
) -> None:
    """Solve the baseline and every variant; write the comparison (HTML, Excel, charts).

    With ``base.published`` in the file, the baseline is the week's published
    roster, read from the database."""
    from scheduler.scenarios.output import write_scenario
    from scheduler.scenarios.run import run_scenario
    from scheduler.scenarios.spec import load_scenario

    out_dir = out or Path("scenario-runs") / file.stem
    prepare_output(out_dir, OutputKind.SCENARIO)  # refused or not writable: before the solves
    scenario = load_scenario(file)
    bar, done = _progress_bar(scenario.name, len(scenario.variants) + 1)
    with bar:
        run = run_scenario(
            scenario,
            base_dir=file.parent,
            default_data=data,
            file=str(file),
            processes=processes,
            reuse=reuse,
            on_done=done,
            database_url=_database_url(database),
        )
    report = write_scenario(run, out_dir)
    console.print(
        _kpi_table(
            f"{scenario.name} — {scenario.base.week}", [v["kpis"] for v in report["variants"]]
        )
    )
    for variant in report["variants"][1:]:
        console.print(
            f"[bold]{variant['name']}[/]: " + "; ".join(variant["notes"]), highlight=False
        )
    console.print(f"scenario directory: {out_dir} (report.html, report.xlsx, charts/)")


def _write_table(path: Path, rows: list[dict]) -> None:  # type: ignore[type-arg]
    """rows as CSV (nested values as JSON) and as JSON beside it."""
    import csv
    import json

    columns = list(dict.fromkeys(k for row in rows for k in row))
    with open(path.with_suffix(".csv"), "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    k: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
                    for k, v in row.items()
                }
            )
    path.with_suffix(".json").write_text(
        json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def _progress_bar(title: str, total: int | None) -> tuple[Progress, Callable[[Solved], None]]:
    """A progress bar, and the callback that advances it when a variant is solved."""
    bar = Progress(
        TextColumn("[bold]{task.description}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    task = bar.add_task(title, total=total, note="")

    def done(solved: Solved) -> None:
        bar.update(task, advance=1, note=f"solved {solved.name}")

    return bar, done


@scenario_app.command("sweep")
def scenario_sweep(
    source: Annotated[
        Path,
        typer.Argument(help="A directory of scenario files, or a grid file (docs/scenarios.md)."),
    ],
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default scenario-runs/sweep-NAME).")
    ] = None,
    data: Annotated[
        Path, typer.Option("--data", help="Data directory when a file names none.")
    ] = Path("data"),
    processes: ProcessesOpt = 0,
    executor: ExecutorOpt = Executor.LOCAL,
    ray_address: RayAddressOpt = None,
) -> None:
    """Solve many scenarios in parallel (one baseline per base); one summary table and chart."""
    from scheduler.model.solve import SolverParams
    from scheduler.scenarios.report import write_sweep_report
    from scheduler.scenarios.sweep import run_sweep

    out_dir = out or Path("scenario-runs") / f"sweep-{source.stem}"
    output = prepare_output(out_dir, OutputKind.SWEEP)  # refused or not writable: before solving
    bar, done = _progress_bar(f"sweep {source.name}", None)
    with bar:
        result = run_sweep(
            source,
            default_data=data,
            params=SolverParams(executor=executor.value, ray_address=ray_address),
            processes=processes,
            on_done=done,
        )
    with output.staged() as staging:
        _write_table(staging.path / "summary", result.rows)
        write_sweep_report(result.rows, result.title, staging.path)
    table = Table(title=f"sweep {result.title}: {len(result.rows)} solves in {result.seconds:g} s")
    for column in ("scenario", "variant", "coverage %", "unmet", "L1", "travel h", "reused"):
        table.add_column(column, justify="left" if column in ("scenario", "variant") else "right")
    for row in result.rows:
        table.add_row(
            str(row["scenario"]),
            str(row["variant"]),
            f"{row['coverage_percent']:g}",
            str(row["unmet_sessions"]),
            str(row["weighted_unmet"]),
            f"{row['travel_hours']:g}",
            f"{row['parts_reused']}/{row['parts']}",
        )
    console.print(table)
    console.print(f"output: {out_dir} (summary.csv, sweep.html, sweep.xlsx, sweep.png)")


@scenario_app.command("sensitivity")
def scenario_sensitivity(
    week: WeekOpt,
    data: DataOpt = Path("data"),
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default scenario-runs/sensitivity-WEEK).")
    ] = None,
    previous: Annotated[
        Path | None, typer.Option(help="Last week's run directory (for continuity, L2).")
    ] = None,
    top: Annotated[int, typer.Option(min=1, help="Rows to print.")] = 10,
    processes: ProcessesOpt = 0,
) -> None:
    """Where would one more specialist help most? Every (hospital, key specialty), ranked."""
    from scheduler.scenarios.report import write_sensitivity_report
    from scheduler.scenarios.sensitivity import run_sensitivity

    out_dir = out or Path("scenario-runs") / f"sensitivity-{week}"
    output = prepare_output(out_dir, OutputKind.SENSITIVITY)  # before the solves
    bar, done = _progress_bar(f"sensitivity {week}", None)
    with bar:
        result = run_sensitivity(
            data,
            week,
            previous_run=previous,
            processes=processes,
            on_done=done,
        )
    with output.staged() as staging:
        _write_table(staging.path / "sensitivity", result.rows)
        write_sensitivity_report(result.rows, result.meta, staging.path)
    meta = result.meta
    table = Table(
        title=(
            f"One more specialist, {week}: baseline {meta['baseline_unmet_sessions']} unmet "
            f"sessions; {meta['pairs']} pairs ({meta['pairs_solved']} solved) "
            f"in {meta['seconds']:g} s"
        )
    )
    for column in ("rank", "hospital", "specialty", "+sessions", "L1 −", "unmet before"):
        table.add_column(column, justify="left" if column in ("hospital", "specialty") else "right")
    for row in result.rows[:top]:
        table.add_row(
            str(row["rank"]),
            f"{row['hospital_id']} {row['hospital_name']}",
            f"{row['specialty_id']} {row['specialty_name']}",
            str(row["extra_sessions"]),
            str(row["weighted_unmet_reduction"]),
            str(row["unmet_before"]),
        )
    console.print(table)
    console.print(
        "Each row adds one doctor like the pool's median doctor (template_doctor in "
        "sensitivity.csv); +sessions = unmet sessions saved, L1 − = fall in weighted unmet."
    )
    console.print(f"output: {out_dir} (sensitivity.csv, .html, .xlsx, .png)")


db_app = typer.Typer(help="The database (ROSTER_DATABASE_URL; default sqlite:///roster.db).")
keys_app = typer.Typer(help="API keys (roles: viewer, planner, admin).")
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")


def _database_url(database: str | None) -> str:
    from scheduler.settings import Settings

    return database or Settings().database_url


def _engine(database: str | None) -> Engine:
    from scheduler.store.engine import open_database

    return open_database(_database_url(database))


@db_app.command("upgrade")
def db_upgrade(database: DatabaseOpt = None) -> None:
    """Create or migrate the schema to the newest version."""
    engine = _engine(database)
    console.print(f"database ready: {engine.url.render_as_string(hide_password=True)}")


@db_app.command("import")
def db_import(
    run_dir: Annotated[Path, typer.Argument(help="A run directory written by roster solve.")],
    database: DatabaseOpt = None,
) -> None:
    """Store a run directory as a succeeded run; prints the run id."""
    from scheduler.store.runs import import_run_dir

    run_id = import_run_dir(_engine(database), run_dir)
    console.print(run_id)


@app.command()
def publish(
    run_id: Annotated[str, typer.Argument(help="A succeeded run's id (roster db import).")],
    note: Annotated[str | None, typer.Option(help="A note kept with the version.")] = None,
    database: DatabaseOpt = None,
) -> None:
    """Publish a run as the next version of its week's roster."""
    from scheduler.store.runs import publish as publish_run

    published = publish_run(_engine(database), run_id, actor="cli", note=note)
    console.print(
        f"published {published.week} version {published.version} "
        f"({published.sessions} sessions, run {published.run_id})"
    )


def _absences(absent: list[str], start: list[str], end: list[str]) -> list[AbsenceRequest]:
    """Pair ``--absent`` with ``--from`` / ``--to``: one of each for all, or one per absence."""
    from scheduler.repair.run import AbsenceRequest

    n = len(absent)
    if not n:
        raise InputError("name the absent doctor(s) with --absent", field="--absent")
    if len(start) not in (1, n):
        raise InputError(f"give one --from, or one per --absent ({n})", field="--from")
    if len(end) not in (0, 1, n):
        raise InputError(f"give no --to, one, or one per --absent ({n})", field="--to")
    return [
        AbsenceRequest(
            doctor_id,
            start[k if len(start) == n else 0],
            (end[k if len(end) == n else 0] if end else None),
        )
        for k, doctor_id in enumerate(absent)
    ]


@app.command()
def repair(
    week: Annotated[str, _week_opt("ISO week of the published roster, e.g. 2026-W49.")],
    absent: Annotated[
        list[str], typer.Option("--absent", help="Absent doctor's id (repeat for several).")
    ],
    start: Annotated[
        list[str],
        typer.Option("--from", help="DATE[:AM|PM] the absence starts (one, or one per --absent)."),
    ],
    end: Annotated[
        list[str] | None,
        typer.Option("--to", help="DATE[:AM|PM] it ends (default: the end of the week)."),
    ] = None,
    pin: Annotated[
        list[str] | None,
        typer.Option(help="Keep DOCTOR's sessions (or DOCTOR@DATE:AM|PM, one) as published."),
    ] = None,
    version: Annotated[
        int | None, typer.Option(min=1, help="The version repaired (default: the newest).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Repair directory (default repairs/WEEK-vN).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="A note kept with the new version.")] = None,
    database: DatabaseOpt = None,
) -> None:
    """Repair the published roster after absences; publish it as the next version.

    Half-days before the first absence stay as published; the parts of the
    week the absences touch are solved again — unmet first, then the fewest
    changed assignments, then the usual levels — and the rest is kept."""
    from scheduler.repair.diff import KIND_ZH
    from scheduler.repair.run import repair_week
    from scheduler.week import parse_week

    parse_week(week)
    requests = _absences(absent, start, end or [])
    outcome = repair_week(
        _engine(database),
        week,
        requests,
        pin or [],
        out_dir=out,
        actor="cli",
        version=version,
        note=note,
    )
    report = outcome.as_dict()
    table = Table(title=f"Repair {week}: version {outcome.repaired_version} → {outcome.version}")
    for name in ("level", "value", "bound", "status"):
        table.add_column(name, justify="left" if name in ("level", "status") else "right")
    for lv in report["levels"]:
        table.add_row(
            f"{lv['label']} {lv['level']}", str(lv["value"]), str(lv["bound"]), lv["status"]
        )
    console.print(table)
    counts = report["summary"]
    console.print(
        "changes: "
        + ", ".join(f"{kind} {n} ({KIND_ZH[kind]})" for kind, n in counts.items())
        + f" · parts re-solved {report['parts_resolved']} of {report['parts']}"
        + f" · {report['wall_seconds']} s"
    )
    console.print(
        f"{len(report['notifications']['doctors'])} doctors and "
        f"{len(report['notifications']['sites'])} sites to notify: "
        f"{outcome.out_dir / 'notifications.md'}"
    )
    console.print(f"repair directory: {outcome.out_dir}")


@app.command()
def changes(
    week: WeekOpt,
    since: Annotated[int, typer.Option(min=1, help="The earlier published version.")],
    version: Annotated[
        int | None, typer.Option(min=1, help="The later version (default: the newest).")
    ] = None,
    database: DatabaseOpt = None,
) -> None:
    """What changed in a week's published roster since version k, and whom to tell."""
    from scheduler.repair.diff import KIND_ZH, both, notifications, roster_diff, summary
    from scheduler.store.engine import transaction
    from scheduler.store.queries import published_roster

    with transaction(_engine(database)) as session:
        before = published_roster(session, week, since)
        after = published_roster(session, week, version)
    instance = both(before.instance, after.instance)
    found = roster_diff(instance, before.assignments, after.assignments)
    when = {h.key: h.zh for h in instance.half_days}
    table = Table(title=f"{week}: version {since} → {after.publication.version}")
    for name in ("half-day", "change", "where", "doctor", "before"):
        table.add_column(name)
    for c in found:
        table.add_row(
            when.get(c.half_day, c.half_day),
            f"{c.kind} {KIND_ZH[c.kind]}",
            f"{instance.sites[c.site_id].name} {c.item_id}",
            c.doctor_id or "—",
            c.previous_doctor_id or "—",
        )
    console.print(table)
    console.print(", ".join(f"{k} {n}" for k, n in summary(found).items()))
    notices = notifications(instance, found)
    console.print(f"{len(notices['doctors'])} doctors and {len(notices['sites'])} sites affected")


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="Who holds the key.")],
    role: Annotated[str, typer.Option(help="viewer | planner | admin")] = "viewer",
    database: DatabaseOpt = None,
) -> None:
    """Create a key and print it (once; only its hash is stored)."""
    from scheduler.store.keys import create_key

    key = create_key(_engine(database), name, role)
    console.print(key, highlight=False, soft_wrap=True)


@keys_app.command("list")
def keys_list(database: DatabaseOpt = None) -> None:
    """List keys (id, name, role, created, revoked)."""
    from scheduler.store.engine import transaction
    from scheduler.store.keys import list_keys

    table = Table("id", "name", "role", "created", "revoked")
    with transaction(_engine(database)) as session:
        for key in list_keys(session):
            table.add_row(
                key.id,
                key.name,
                key.role,
                f"{key.created_at:%Y-%m-%d %H:%M}",
                f"{key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "",
            )
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: str, database: DatabaseOpt = None) -> None:
    """Revoke a key by its id."""
    from scheduler.store.keys import revoke_key

    revoke_key(_engine(database), key_id)
    console.print(f"revoked {key_id}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="API processes (uvicorn workers).")
    ] = 1,
    job_worker: Annotated[
        bool | None,
        typer.Option(
            "--job-worker/--no-job-worker",
            help="Start a job worker beside the API (default: yes on SQLite; on PostgreSQL "
            "run `roster worker` on one or more machines instead).",
        ),
    ] = None,
) -> None:
    """Serve the HTTP API (settings from ROSTER_* environment variables)."""
    import os

    import uvicorn

    from api.app import create_app
    from scheduler.settings import Settings
    from scheduler.store.engine import open_database
    from worker.main import spawn_local_worker

    settings = Settings()
    open_database(settings.database_url).dispose()  # migrated once, before any process starts
    local = settings.database_url.startswith("sqlite") if job_worker is None else job_worker
    child = spawn_local_worker(os.getpid()) if local else None
    try:
        if workers > 1:  # each process builds its own app (create_app reads the settings)
            uvicorn.run(
                "api.app:create_app",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_level="info",
                access_log=access_log,
            )
        else:
            uvicorn.run(
                create_app(settings), host=host, port=port, log_level="info", access_log=access_log
            )
    finally:
        if child is not None:
            child.terminate()  # the worker queues its running jobs again after its grace
            child.wait(timeout=settings.worker_grace_seconds + 30)


@app.command()
def worker(
    name: Annotated[str | None, typer.Option(help="The worker's name (default host:pid).")] = None,
    concurrency: Annotated[
        int | None, typer.Option(min=1, help="Jobs at once (default ROSTER_JOB_POOL_SIZE).")
    ] = None,
) -> None:
    """Run solve and scenario jobs from the queue until SIGTERM/SIGINT (docs/architecture.md).

    On PostgreSQL, run as many as you like, on any machine that reaches the
    database; on SQLite, on the database's machine (`roster serve` starts one)."""
    from scheduler.settings import Settings
    from worker.main import run_worker

    settings = Settings()
    if concurrency is not None:
        settings = settings.model_copy(update={"job_pool_size": concurrency})
    run_worker(settings, name=name)


def main() -> None:
    """The ``roster`` script (``[project.scripts]``), and ``python -m scheduler.cli``.

    Runs the command group; its ``invoke`` (``_RosterGroup``) turns input,
    database and file-system errors into one line and exit code 1 or 2.
    """
    app(prog_name="roster")


if __name__ == "__main__":  # pragma: no cover
    main()
