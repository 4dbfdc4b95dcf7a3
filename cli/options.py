"""What the commands share: consoles, options, the database, progress bars."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from scheduler.errors import InputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from scheduler.scenarios.run import Solved

console = Console(soft_wrap=True)
"""Standard output. Lines are not wrapped at the terminal's width (a path printed
stays one string to copy, whatever the width); tables still fit it."""


err = Console(stderr=True)


DataOpt = Annotated[Path, typer.Option("--data", help="Data directory (see data/README.md).")]


def week_option(value: str | None) -> str | None:
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


def week_opt(help_text: str) -> typer.models.OptionInfo:
    return typer.Option("--week", help=help_text, callback=week_option)


WeekOpt = Annotated[str, week_opt("ISO week, e.g. 2026-W49.")]


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


DatabaseOpt = Annotated[
    str | None,
    typer.Option("--database", help="SQLAlchemy URL (default: ROSTER_DATABASE_URL or roster.db)."),
]


ProcessesOpt = Annotated[int, typer.Option(min=0, help="Worker processes (0 = all cores).")]


def database_url(database: str | None) -> str:
    from scheduler.settings import Settings

    return database or Settings().database_url


def engine_for(database: str | None) -> Engine:
    from scheduler.store.engine import open_database

    return open_database(database_url(database))


def progress_bar(title: str, total: int | None) -> tuple[Progress, Callable[[Solved], None]]:
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
