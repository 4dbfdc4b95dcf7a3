"""Shared fixtures: a database of each backend (SQLite file, PostgreSQL server).

Every storage test runs twice, against SQLite and against the PostgreSQL server
(``ROSTER_TEST_POSTGRES_URL``, default the local one at 127.0.0.1:5432). Each
test session gets a database of its own, each test an empty schema. Without a
reachable server the PostgreSQL cases are skipped — except under ``CI``, where
they must run and fail loudly instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from tests.paths import DATA

POSTGRES_ADMIN_URL = os.environ.get(
    "ROSTER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"roster_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        if os.environ.get("CI"):
            raise RuntimeError(f"PostgreSQL is required in CI: {exc}") from exc
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}")
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each backend (schema not yet created)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'roster.db'}"
    url: str = request.getfixturevalue("postgres_url")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default week (2026-W49 on data/) solved once for every test that reads a run."""
    from scheduler.pipeline import solve_week

    out = tmp_path_factory.mktemp("runs") / "2026-W49"
    solve_week(DATA, "2026-W49", out)
    return out


@pytest.fixture
def job_worker() -> Iterator[Callable[[Any], None]]:
    """Start a job worker (``roster worker``'s loop, in a thread of the test process)
    for a ``Settings``; every worker started is stopped after the test.

    The API only queues jobs; without a worker nothing runs them."""
    from worker.service import start_in_thread

    stops: list[Callable[[], None]] = []

    def start(settings: Any) -> None:
        stops.append(start_in_thread(settings))

    yield start
    for stop in stops:
        stop()
