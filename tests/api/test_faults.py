"""Failures answer as promised (issue 13): problem+json, a page on the console, never text/plain.

* A database that is unavailable — the SQLite file made read-only or deleted
  while the app runs, the PostgreSQL database dropped under it — is a 503 with
  ``Retry-After`` on every route that needs it (and on ``/ready``), while
  ``/health`` stays 200; the console answers a page in Chinese.
* Numbers the database cannot hold (a ``version`` past its integer) and NUL
  bytes are a 422, on SQLite and PostgreSQL alike.
* Anything unexpected is a one-line 500: the traceback in the log, never in
  the answer.

Each case failed before the fix with a ``text/plain`` 500 (or, on SQLite, a
404 for a version PostgreSQL refuses).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    DataError,
    IntegrityError,
    OperationalError,
    ProgrammingError,
    SQLAlchemyError,
)
from starlette.types import ASGIApp, Receive, Scope, Send

from api.app import create_app
from api.problems import RETRY_AFTER_SECONDS, install
from api.settings import ApiSettings
from scheduler.io.run_dir import write_run
from scheduler.store.engine import transaction
from scheduler.store.keys import create_key
from scheduler.store.runs import create_run, import_run_dir, now, publish
from scheduler.store.schema import JobWorker
from tests.conftest import POSTGRES_ADMIN_URL
from tests.factories import tiny_instance, tiny_result
from tests.paths import ROOT

WEEK = "2026-W49"
PROBLEM = "application/problem+json"
TOO_BIG = 99_999_999_999  # past PostgreSQL's integer: the case the generated requests found
PAST_INT64 = 2**64  # past SQLite's integer too


@dataclass
class Served:
    app: FastAPI
    client: TestClient
    keys: dict[str, str]

    def get(self, url: str, role: str = "viewer", **kwargs: Any) -> Response:
        return self.client.get(url, headers={"X-API-Key": self.keys[role]}, **kwargs)

    def post(self, url: str, role: str = "admin", **kwargs: Any) -> Response:
        return self.client.post(url, headers={"X-API-Key": self.keys[role]}, **kwargs)

    def sign_in(self) -> str:
        """Sign the client in to the console as a planner; the page's CSRF token."""
        self.client.post("/console/signin", data={"api_key": self.keys["planner"]})
        found = re.search(r'name="csrf" value="([^"]+)"', self.client.get("/console/week").text)
        assert found is not None
        return found.group(1)


@contextmanager
def serving(url: str, tmp_path: Path) -> Iterator[Served]:
    """The app over ``url``, with a key of each role and the tiny week published."""
    settings = ApiSettings.model_validate(
        {
            "database_url": url,
            "data_dir": ROOT / "data",
            "runs_dir": tmp_path / "jobs",
            "scenarios_dir": ROOT / "scenarios",
        }
    )
    app = create_app(settings)
    engine = app.state.engine
    keys = {role: create_key(engine, role, role) for role in ("viewer", "planner", "admin")}
    instance = tiny_instance()
    write_run(tmp_path / "run", instance, [], tiny_result(instance))
    publish(engine, import_run_dir(engine, tmp_path / "run"), actor="test")
    with TestClient(app) as client:
        yield Served(app, client, keys)


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[Served]:
    with serving(database_url, tmp_path) as found:
        yield found


def assert_problem(answer: Response, status: int) -> dict[str, object]:
    """``answer`` is a problem+json of ``status`` whose detail is one line."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    body: dict[str, object] = answer.json()
    assert body["status"] == status and "\n" not in str(body["detail"])
    return body


def assert_unavailable(answer: Response) -> None:
    """A 503 problem+json that says when to come back, and nothing about the server."""
    body = assert_problem(answer, 503)
    assert answer.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert "127.0.0.1" not in answer.text and "roster_" not in str(body["detail"])


def assert_console_unavailable(answer: Response) -> None:
    """The console's 503: a page in Chinese, not JSON or text/plain."""
    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert '<html lang="zh-CN">' in answer.text and "数据库暂不可用" in answer.text


# --- the handlers, one exception at a time -------------------------------------------------


def _raising(exc: Exception) -> FastAPI:
    app = FastAPI()
    install(app)

    @app.get("/boom")
    def boom() -> None:
        raise exc

    return app


def _db(kind: type[SQLAlchemyError], message: str) -> SQLAlchemyError:
    """A SQLAlchemy error as the driver raised it (the SQL and parameters included)."""
    return kind("INSERT INTO api_keys VALUES (?)", ("k",), sqlite3.Error(message))


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (_db(OperationalError, "attempt to write a readonly database"), 503),
        (_db(OperationalError, 'connection to server at "10.0.0.5" failed'), 503),
        (_db(DataError, "integer out of range"), 422),
        (_db(IntegrityError, "UNIQUE constraint failed: api_keys.id"), 409),
        (_db(ProgrammingError, "syntax error at or near"), 500),
        (RuntimeError("a bug\nwith a second line"), 500),
    ],
    ids=["read-only", "connection", "out-of-range", "unique", "programming", "bug"],
)
def test_every_failure_is_a_one_line_problem(
    exc: Exception, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO), TestClient(_raising(exc)) as client:
        answer = client.get("/boom")
    body = assert_problem(answer, status)
    # Never the SQL, its parameters, a server's address or a traceback.
    for leak in ("INSERT", "10.0.0.5", "Traceback", "second line"):
        assert leak not in answer.text
    if status == 503:
        assert answer.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    if status == 500:  # the traceback is in the log instead
        assert "internal error" in str(body["detail"])
        assert any(r.exc_info for r in caplog.records), "no traceback logged"


class _BrokenMiddleware:
    """A middleware outside ``LastResort`` that fails on every request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raise RuntimeError("a middleware broke")
        await self.app(scope, receive, send)


def test_an_error_outside_the_last_resort_is_still_a_problem() -> None:
    app = FastAPI()
    install(app)
    app.add_middleware(_BrokenMiddleware)  # added later: outside LastResort
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/anything")
    assert_problem(answer, 500)
    assert "broke" not in answer.text


# --- the database gone or read-only while the app runs --------------------------------------


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` read-only for the duration. Root writes through file modes, so as
    root the file is made immutable (``chattr +i``) instead, or the test skipped."""
    path.chmod(0o444)
    immutable = False
    try:
        if os.geteuid() == 0:
            chattr = shutil.which("chattr")
            done = chattr and subprocess.run([chattr, "+i", str(path)], check=False).returncode
            if not chattr or done != 0:
                pytest.skip("root without chattr +i: cannot make a file read-only")
            immutable = True
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o644)


def test_a_read_only_sqlite_file_is_503_on_writes(tmp_path: Path) -> None:
    db = tmp_path / "roster.db"
    with serving(f"sqlite:///{db}", tmp_path) as api:
        csrf = api.sign_in()
        with read_only(db):
            api.app.state.engine.dispose()  # connections opened from now on are read-only
            assert api.get(f"/weeks/{WEEK}/roster").status_code == 200  # reads still work
            assert_unavailable(api.post("/keys", json={"name": "new", "role": "viewer"}))
            assert_unavailable(api.post("/doctors/H01-CARD-01/calendar-token", role="planner"))
            assert_console_unavailable(
                api.client.post("/console/doctors/D1/feed", data={"csrf": csrf})
            )


def test_a_deleted_sqlite_file_is_503_everywhere_but_health(tmp_path: Path) -> None:
    db = tmp_path / "roster.db"
    with serving(f"sqlite:///{db}", tmp_path) as api:
        api.sign_in()
        for path in tmp_path.glob("roster.db*"):
            path.unlink()
        # The next connection finds no file (SQLite makes an empty one: no tables).
        api.app.state.engine.dispose()
        assert_unavailable(api.get(f"/weeks/{WEEK}/roster"))
        assert_unavailable(api.post("/keys", json={"name": "new", "role": "viewer"}))
        assert_unavailable(api.client.get("/ready"))
        assert api.client.get("/health").status_code == 200
        assert_console_unavailable(api.client.get("/console/week"))


@pytest.fixture
def throwaway_postgres(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL database of this test alone (the test may drop it)."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"roster_gone_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_dropped_postgres_database_is_503_everywhere_but_health(
    throwaway_postgres: str, tmp_path: Path
) -> None:
    with serving(throwaway_postgres, tmp_path) as api:
        csrf = api.sign_in()
        feed = api.post("/doctors/H01-CARD-01/calendar-token", role="planner").json()["feed"]
        assert api.get(f"/weeks/{WEEK}/roster").status_code == 200
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:  # FORCE: the app's connections are cut too
            name = make_url(throwaway_postgres).database
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()

        for _ in range(2):  # first the pool's cut connections, then no database to connect to
            assert_unavailable(api.get(f"/weeks/{WEEK}/roster"))
        assert_unavailable(api.get(f"/weeks/{WEEK}/kpis"))
        assert_unavailable(api.post("/keys", json={"name": "new", "role": "viewer"}))
        assert_unavailable(api.client.get(feed))
        assert_unavailable(api.client.get("/ready"))
        assert api.client.get("/health").status_code == 200
        assert_console_unavailable(api.client.get("/console/week"))
        assert_console_unavailable(api.client.post("/console/doctors/D1/feed", data={"csrf": csrf}))


# --- values the database cannot hold ---------------------------------------------------------


@pytest.mark.parametrize("number", [TOO_BIG, PAST_INT64])
def test_a_version_past_the_database_integer_is_422(served: Served, number: int) -> None:
    for url in (
        f"/weeks/{WEEK}/roster?version={number}",
        f"/weeks/{WEEK}/unmet?version={number}",
        f"/weeks/{WEEK}/kpis?version={number}",
        f"/weeks/{WEEK}/publication?version={number}",
        f"/weeks/{WEEK}/changes?since={number}",
        f"/weeks/{WEEK}/changes?since=1&version={number}",
    ):
        body = assert_problem(served.get(url), 422)
        assert re.search(r"query\.(version|since)", str(body["detail"])), url
    repair = {"absences": [{"doctor_id": "D1", "from": "2026-12-01"}], "version": number}
    body = assert_problem(served.post(f"/weeks/{WEEK}/repairs", json=repair), 422)
    assert "version" in str(body["detail"])
    scenario = {
        "name": "too far",
        "base": {"week": WEEK, "published": number},
        "variants": [{"name": "v", "changes": [{"type": "weekly_cap", "value": 1}]}],
    }
    body = assert_problem(served.post("/scenarios", json=scenario), 422)
    assert "base.published" in str(body["detail"])


def test_a_nul_byte_is_422_not_500(served: Served, database_url: str) -> None:
    for url in (
        f"/weeks/{WEEK}/roster?site=a%00b",
        f"/weeks/{WEEK}/roster?doctor=D1%00",
        f"/weeks/{WEEK}/sites/S1%00/roster",
        "/doctors/D1%00/assignments",
    ):
        assert_problem(served.get(url), 422)
    # A name with a NUL reaches the database: PostgreSQL cannot store it (422,
    # saying so), SQLite can.
    named = served.post("/keys", json={"name": "a\u0000b", "role": "viewer"})
    if database_url.startswith("postgresql"):
        assert "NUL" in str(assert_problem(named, 422)["detail"])
    else:
        assert named.status_code == 201
    # The console answers a page, whatever the backend makes of the key.
    signin = served.client.post("/console/signin", data={"api_key": "rk_a\u0000b_c"})
    assert signin.status_code in (401, 422)
    assert signin.headers["content-type"].startswith("text/html")
    # Nobody signed in: to the sign-in page before the parameters are read.
    anonymous = served.client.get("/console/week?consortium=K%00", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/console/signin?next=")
    served.sign_in()
    page = served.client.get("/console/week?consortium=K%00")
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")


# --- the unexpected ----------------------------------------------------------------------------


def test_an_unexpected_error_is_a_one_line_500_and_a_logged_traceback(
    served: Served, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise ZeroDivisionError("secret internals")

    feed = served.post("/doctors/H01-CARD-01/calendar-token", role="planner").json()["feed"]
    served.sign_in()
    monkeypatch.setattr("api.routers.doctors.doctor_feed", broken)
    monkeypatch.setattr("api.web.pages.week.week_view", broken)
    with caplog.at_level(logging.ERROR):
        answer = served.client.get(feed)
        page = served.client.get("/console/week")
    assert_problem(answer, 500)
    assert "secret internals" not in answer.text and "Traceback" not in answer.text
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "服务器出错了" in page.text and "secret internals" not in page.text
    logged = [r for r in caplog.records if r.exc_info and r.exc_info[0] is ZeroDivisionError]
    assert len(logged) == 2
    assert all("token" not in r.getMessage() for r in logged)  # the path, never the query


# --- readiness ---------------------------------------------------------------------------------


def test_ready_reports_the_database_the_queue_and_live_workers(served: Served) -> None:
    engine = served.app.state.engine
    assert served.client.get("/ready").json() == {
        "status": "ready",
        "database": "ok",
        "queued_jobs": 0,
        "workers": 0,
    }
    create_run(engine, WEEK, {}, created_by="test")  # queued
    beat = now()
    with transaction(engine) as session:
        for worker_id, heartbeat, stopped in (
            ("live", beat, None),
            ("silent", beat - dt.timedelta(minutes=5), None),
            ("stopped", beat, beat),
        ):
            session.add(
                JobWorker(
                    id=worker_id,
                    host="test",
                    pid=1,
                    queue="local",
                    concurrency=1,
                    started_at=beat - dt.timedelta(hours=1),
                    heartbeat_at=heartbeat,
                    stopped_at=stopped,
                )
            )
    ready = served.client.get("/ready")  # no key needed
    assert ready.status_code == 200
    assert ready.json()["queued_jobs"] == 1 and ready.json()["workers"] == 1
