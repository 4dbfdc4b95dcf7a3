"""Engines, sessions and migrations.

``open_database(url)`` returns an engine whose schema is at the newest
migration (it runs ``alembic upgrade head`` once; idempotent). SQLite files
run in WAL mode with ``synchronous=FULL`` (a committed transaction survives a
crash) and foreign keys on; PostgreSQL needs nothing special.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (``sqlite:///roster.db``, ``postgresql+psycopg://...``)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    # No pre-ping (a round trip per request); recycle connections instead.
    return create_engine(url, pool_size=10, max_overflow=10, pool_recycle=1800)


def alembic_config(engine: Engine) -> Config:
    """Alembic's configuration, pointing at the package's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest)."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` (``base``: nothing)."""
    command.downgrade(alembic_config(engine), revision)


def open_database(url: str) -> Engine:
    """An engine with the schema migrated to the newest revision."""
    engine = make_engine(url)
    migrate(engine)
    log.info("database %s ready", engine.url.render_as_string(hide_password=True))
    return engine


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session inside one transaction: committed on success, rolled back on error."""
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session, session.begin():
        yield session
