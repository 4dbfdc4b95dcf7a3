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
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from typer.core import TyperGroup

from cli import data, repair, scenario, serve, solve, store
from cli.options import err
from scheduler.errors import InputError, SolveError

log = logging.getLogger(__name__)


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

    from scheduler.store.errors import DatabaseFault, StoreError, classify, describe

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
    cli`` and ``CliRunner`` alike): the errors ``one_line`` knows
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


def main() -> None:
    """The ``roster`` script (``[project.scripts]``), and ``python -m cli``.

    Runs the command group; its ``invoke`` (``_RosterGroup``) turns input,
    database and file-system errors into one line and exit code 1 or 2.
    """
    app(prog_name="roster")


# The commands, in the order ``roster --help`` lists them.
for command in (
    data.generate,
    solve.solve,
    solve.check,
    store.publish,
    repair.repair,
    repair.changes,
    serve.serve,
    serve.worker,
):
    app.command()(command)
app.add_typer(scenario.scenario_app, name="scenario")
app.add_typer(data.data_app, name="data")
app.add_typer(store.db_app, name="db")
app.add_typer(store.keys_app, name="keys")
