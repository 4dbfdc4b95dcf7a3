"""``roster generate`` (the synthetic data sets) and ``roster data`` (the data set
in the database, versioned)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.options import DatabaseOpt, console, engine_for

data_app = typer.Typer(
    help="The data set in the database, versioned: import a data directory, export a "
    "version, list versions and their changes."
)

LOCAL_TIME = "Asia/Shanghai"


def generate(
    out: Annotated[Path, typer.Option(help="Directory to write the data set into.")] = Path("data"),
    seed: Annotated[int, typer.Option(help="Random seed (2026 = the default data set).")] = 2026,
    districts: Annotated[int, typer.Option(min=1, max=38, help="Districts (38 = whole city).")] = 1,
) -> None:
    """Rebuild the default data set (byte-identical for a seed), or a larger one."""
    from datasets.generate import generate as run_generate

    run_generate(out, seed=seed, districts=districts)
    console.print(f"wrote data set ({districts} district(s), seed {seed}) to {out}")


@data_app.command("import")
def data_import(
    directory: Annotated[Path, typer.Argument(help="A data directory (see data/README.md).")],
    note: Annotated[str | None, typer.Option(help="Why: kept with the version.")] = None,
    database: DatabaseOpt = None,
) -> None:
    """Store a data directory as the next data version (version 1 in a new database),
    after checking it by the loader's rules; nothing is stored when it is unchanged."""
    from scheduler.io.data_files import DataFiles
    from scheduler.store.data_versions import DataSource, commit_version, newest_version
    from scheduler.store.engine import transaction

    files = DataFiles.read(directory)
    engine = engine_for(database)
    with transaction(engine) as session:
        base = newest_version(session)
    made = commit_version(
        engine,
        files,
        base=base,
        actor="cli",
        source=DataSource.IMPORT,
        note=note or f"imported from {directory}",
    )
    if made is None:
        console.print(f"unchanged: data version {base} already holds these files")
        return
    number, changes = made
    console.print(f"data version {number} ({len(changes)} row change(s))")


@data_app.command("export")
def data_export(
    directory: Annotated[Path, typer.Argument(help="Directory to write the data files into.")],
    version: Annotated[
        int | None, typer.Option(min=1, help="The data version (default: the newest).")
    ] = None,
    database: DatabaseOpt = None,
) -> None:
    """Write a data version back as a data directory, byte for byte as it was stored."""
    from scheduler.io.data_files import write_data_files
    from scheduler.store.data_versions import data_files
    from scheduler.store.engine import transaction

    with transaction(engine_for(database)) as session:
        files = data_files(session, version)
    write_data_files(files, directory, {"data_version": files.origin})
    console.print(f"wrote {files.origin} to {directory}")


@data_app.command("versions")
def data_versions(database: DatabaseOpt = None) -> None:
    """List the data versions, newest first: when (Beijing time), who, from what, why."""
    from zoneinfo import ZoneInfo

    from scheduler.store.data_versions import list_versions
    from scheduler.store.engine import transaction

    zone = ZoneInfo(LOCAL_TIME)
    table = Table("version", "created", "by", "source", "changes", "note")
    with transaction(engine_for(database)) as session:
        for v in list_versions(session):
            table.add_row(
                str(v.version),
                f"{v.created_at.astimezone(zone):%Y-%m-%d %H:%M}",
                v.created_by,
                v.source,
                str(v.changes),
                v.note or "",
            )
    console.print(table)


@data_app.command("changes")
def data_changes(
    version: Annotated[int, typer.Argument(min=1, help="The data version.")],
    database: DatabaseOpt = None,
) -> None:
    """What a data version changed against the one before: rows added, removed,
    cells changed."""
    from scheduler.store.data_versions import version_changes
    from scheduler.store.engine import transaction

    table = Table("file", "row", "change", "column", "old", "new")
    with transaction(engine_for(database)) as session:
        for c in version_changes(session, version):
            table.add_row(c.file, c.row_key, c.action, c.column or "", c.old or "", c.new or "")
    console.print(table)


@data_app.command("template")
def data_template(
    out: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx; must not exist).")],
    version: Annotated[
        int | None, typer.Option(min=1, help="The data version (default: the newest).")
    ] = None,
    database: DatabaseOpt = None,
) -> None:
    """Write a data version as an Excel workbook to send out: a sheet per table, Chinese
    headers, drop-down lists, an instructions sheet (bring it back with data upload)."""
    from scheduler.errors import OutputError
    from scheduler.io.data_workbook import write_data_workbook
    from scheduler.store.data_versions import data_files
    from scheduler.store.engine import transaction

    if out.exists() or out.is_symlink():
        raise OutputError(str(out), "exists: name a new file (roster never overwrites one)")
    with transaction(engine_for(database)) as session:
        files = data_files(session, version)
    content = write_data_workbook(files)
    with out.open("xb") as handle:  # exclusive: a file made meanwhile is not overwritten
        handle.write(content)
    console.print(f"wrote {files.origin} to {out}")


@data_app.command("upload")
def data_upload(
    workbook: Annotated[Path, typer.Argument(help="A filled data workbook (data template).")],
    note: Annotated[str | None, typer.Option(help="Why: kept with the version.")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Apply without asking.")] = False,
    database: DatabaseOpt = None,
) -> None:
    """Check a filled workbook, list what it changes, and on confirmation make it the
    next data version."""
    from scheduler.store.data_imports import apply_import, stage_import

    engine = engine_for(database)
    staged = stage_import(
        engine, workbook.read_bytes(), upload_name=workbook.name, actor="cli", note=note
    )
    table = Table("file", "row", "change", "column", "old", "new")
    for c in staged.changes:
        table.add_row(c.file, c.row_key, c.action, c.column or "", c.old or "", c.new or "")
    console.print(table)
    question = f"apply these {len(staged.changes)} change(s) to data version {staged.base}?"
    if not yes and not typer.confirm(question, default=False):
        console.print(f"not applied (import {staged.id} kept)")
        return
    number, _ = apply_import(engine, staged.id, actor="cli")
    console.print(f"data version {number} ({len(staged.changes)} row change(s))")
