"""Engines, sessions and migrations.

``open_database(url)`` returns an engine whose schema is at the newest
migration (it runs ``alembic upgrade head`` once; idempotent). SQLite files
run in WAL mode with ``synchronous=FULL`` (a committed transaction survives a
crash) and foreign keys on; PostgreSQL needs nothing special.

Transactions are serialisable on SQLite: every ``transaction()`` starts with
``BEGIN IMMEDIATE``, which takes the database's write lock at once (waiting up
to the busy timeout for another writer). Python's sqlite3 module would
otherwise begin only at the first write, so a check read before it ("is
version k still the newest?") could be stale by the time the write lands —
two processes would both pass it (a lost update). Reads of the API run in
autocommit and take no lock. On PostgreSQL (read committed), writes derived
from a read are guarded by a constraint or a lock (``scheduler/store/runs.py``,
``scheduler/store/jobs.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
CONNECT_TIMEOUT_SECONDS = 10
"""How long a PostgreSQL connection attempt may take."""


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (``sqlite:///roster.db``, ``postgresql+psycopg://...``)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            connection.isolation_level = None  # transactions begin where we say (below)
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
                return
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # No pre-ping (a round trip per request); recycle connections instead.
    # A server that does not answer fails a connection in seconds (a 503 from the
    # API, one line from the command line) instead of hanging until TCP gives up.
    return create_engine(
        url,
        pool_size=10,
        max_overflow=10,
        pool_recycle=1800,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )


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


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session for reads only: each statement on its own (autocommit), so on SQLite
    no write lock is taken (``transaction`` begins IMMEDIATE) and on PostgreSQL no
    BEGIN/ROLLBACK round trips. For reads that need no snapshot across statements."""
    with Session(engine.execution_options(isolation_level="AUTOCOMMIT")) as session:
        yield session
