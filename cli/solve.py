"""``roster solve`` and ``roster check``: the main job and its independent check."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from scheduler.io.data_files import DataFiles

from cli.options import (
    DatabaseOpt,
    DataOpt,
    Executor,
    ExecutorOpt,
    RayAddressOpt,
    WeekOpt,
    console,
    engine_for,
    err,
)


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
    data_version: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Solve a data version of the database (roster data versions) instead of --data.",
        ),
    ] = None,
    database: DatabaseOpt = None,
) -> None:
    """Solve a week and write the run directory (roster, unmet, KPIs, workbook, calendars)."""
    from scheduler.model.outcomes import Progress as SolveProgress
    from scheduler.model.params import Deployment, SolverParams
    from scheduler.pipeline import solve_week

    out_dir = out or Path("runs") / week
    source = data if data_version is None else _stored_data(data_version, database)
    params = SolverParams(
        workers=workers,
        seed=seed,
        time_limit_per_level=time_limit,
        deterministic_time_per_level=dtime,
        lp_bounds=lp_bounds,
    )
    deployment = Deployment(executor.value, processes, ray_address)
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
            source,
            week,
            out_dir,
            previous_run=previous,
            params=params,
            deployment=deployment,
            progress=on_progress,
        )
    _print_summary(outcome.report, outcome.out_dir)
    for warning in outcome.report.get("warnings", []):
        err.print(f"[bold yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)


def _stored_data(version: int, database: str | None) -> DataFiles:
    """Data version ``version`` of the database."""
    from scheduler.store.data_versions import data_files
    from scheduler.store.engine import transaction

    with transaction(engine_for(database)) as session:
        return data_files(session, version)


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
