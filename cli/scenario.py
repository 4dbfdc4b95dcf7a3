"""``roster scenario run | sweep | sensitivity``: what-if scenarios."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from scheduler.io.output_dir import OutputKind, prepare_output

if TYPE_CHECKING:
    from scheduler.scenarios.comparison import KpiRow

from cli.options import (
    DatabaseOpt,
    DataOpt,
    Executor,
    ExecutorOpt,
    ProcessesOpt,
    RayAddressOpt,
    WeekOpt,
    console,
    database_url,
    progress_bar,
)

scenario_app = typer.Typer(help="What-if scenarios: run, sweep, capacity sensitivity.")


def _kpi_table(title: str, rows: Sequence[KpiRow]) -> Table:
    """Headline KPIs side by side (first row the baseline), differences in brackets."""
    table = Table(title=title)
    table.add_column("KPI")
    for row in rows:
        table.add_column(str(row.variant), justify="right")
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
        before = base.value(key)
        for row in rows:
            value = row.value(key)
            cell = f"{value:g}" if isinstance(value, float) else str(value)
            if (
                row is not base
                and isinstance(value, (int, float))
                and isinstance(before, (int, float))
                and key not in ("solve_seconds", "parts_reused")
            ):
                delta = value - before
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
    from scheduler.model.params import Deployment
    from scheduler.scenarios.output import write_scenario
    from scheduler.scenarios.run import run_scenario
    from scheduler.scenarios.spec import load_scenario

    out_dir = out or Path("scenario-runs") / file.stem
    prepare_output(out_dir, OutputKind.SCENARIO)  # refused or not writable: before the solves
    scenario = load_scenario(file)
    bar, done = progress_bar(scenario.name, len(scenario.variants) + 1)
    with bar:
        run = run_scenario(
            scenario,
            base_dir=file.parent,
            default_data=data,
            file=str(file),
            deployment=Deployment(processes=processes),
            reuse=reuse,
            on_done=done,
            database_url=database_url(database),
        )
    report = write_scenario(run, out_dir)
    console.print(
        _kpi_table(f"{scenario.name} — {scenario.base.week}", [v.kpis for v in report.variants])
    )
    for variant in report.variants[1:]:
        console.print(f"[bold]{variant.name}[/]: " + "; ".join(variant.notes), highlight=False)
    console.print(f"scenario directory: {out_dir} (report.html, report.xlsx, charts/)")


def _write_table(path: Path, rows: Sequence[dict[str, Any]]) -> None:
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
    from scheduler.model.params import Deployment
    from scheduler.scenarios.report import write_sweep_report
    from scheduler.scenarios.sweep import run_sweep

    out_dir = out or Path("scenario-runs") / f"sweep-{source.stem}"
    output = prepare_output(out_dir, OutputKind.SWEEP)  # refused or not writable: before solving
    bar, done = progress_bar(f"sweep {source.name}", None)
    with bar:
        result = run_sweep(
            source,
            default_data=data,
            deployment=Deployment(executor.value, processes, ray_address),
            on_done=done,
        )
    with output.staged() as staging:
        _write_table(staging.path / "summary", [row.to_dict() for row in result.rows])
        write_sweep_report(result.rows, result.title, staging.path)
    table = Table(title=f"sweep {result.title}: {len(result.rows)} solves in {result.seconds:g} s")
    for column in ("scenario", "variant", "coverage %", "unmet", "L1", "travel h", "reused"):
        table.add_column(column, justify="left" if column in ("scenario", "variant") else "right")
    for row in result.rows:
        table.add_row(
            str(row.scenario),
            str(row.kpis.variant),
            f"{row.kpis.coverage_percent:g}",
            str(row.kpis.unmet_sessions),
            str(row.kpis.weighted_unmet),
            f"{row.kpis.travel_hours:g}",
            f"{row.kpis.parts_reused}/{row.kpis.parts}",
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
    from scheduler.model.params import Deployment
    from scheduler.scenarios.report import write_sensitivity_report
    from scheduler.scenarios.sensitivity import run_sensitivity

    out_dir = out or Path("scenario-runs") / f"sensitivity-{week}"
    output = prepare_output(out_dir, OutputKind.SENSITIVITY)  # before the solves
    bar, done = progress_bar(f"sensitivity {week}", None)
    with bar:
        result = run_sensitivity(
            data,
            week,
            previous_run=previous,
            deployment=Deployment(processes=processes),
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
