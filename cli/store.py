"""``roster db``, ``roster publish`` and ``roster keys``: the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.options import (
    DatabaseOpt,
    console,
    engine_for,
)

db_app = typer.Typer(help="The database (ROSTER_DATABASE_URL; default sqlite:///roster.db).")


keys_app = typer.Typer(help="API keys (roles: viewer, hospital, planner, admin).")


@db_app.command("upgrade")
def db_upgrade(database: DatabaseOpt = None) -> None:
    """Create or migrate the schema to the newest version."""
    engine = engine_for(database)
    console.print(f"database ready: {engine.url.render_as_string(hide_password=True)}")


@db_app.command("import")
def db_import(
    run_dir: Annotated[Path, typer.Argument(help="A run directory written by roster solve.")],
    database: DatabaseOpt = None,
) -> None:
    """Store a run directory as a succeeded run; prints the run id."""
    from scheduler.store.runs import import_run_dir

    run_id = import_run_dir(engine_for(database), run_dir)
    console.print(run_id)


def publish(
    run_id: Annotated[str, typer.Argument(help="A succeeded run's id (roster db import).")],
    note: Annotated[str | None, typer.Option(help="A note kept with the version.")] = None,
    database: DatabaseOpt = None,
) -> None:
    """Publish a run as the next version of its week's roster."""
    from scheduler.store.runs import publish as publish_run

    published = publish_run(engine_for(database), run_id, actor="cli", note=note)
    console.print(
        f"published {published.week} version {published.version} "
        f"({published.sessions} sessions, run {published.run_id})"
    )


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="Who holds the key.")],
    role: Annotated[str, typer.Option(help="viewer | hospital | planner | admin")] = "viewer",
    hospital: Annotated[
        str | None, typer.Option(help="role hospital: the secretary's hospital id (H01).")
    ] = None,
    database: DatabaseOpt = None,
) -> None:
    """Create a key and print it (once; only its hash is stored)."""
    from scheduler.store.keys import create_key

    key = create_key(engine_for(database), name, role, hospital_id=hospital)
    console.print(key, highlight=False, soft_wrap=True)


@keys_app.command("list")
def keys_list(database: DatabaseOpt = None) -> None:
    """List keys (id, name, role, created, revoked)."""
    from scheduler.store.engine import transaction
    from scheduler.store.keys import list_keys

    table = Table("id", "name", "role", "created", "revoked")
    with transaction(engine_for(database)) as session:
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

    revoke_key(engine_for(database), key_id)
    console.print(f"revoked {key_id}")
