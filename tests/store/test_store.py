"""Storage on SQLite and PostgreSQL: migrations, runs, publications, crash safety."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from scheduler.io.run_dir import write_run
from scheduler.store.engine import downgrade, migrate, open_database, transaction
from scheduler.store.errors import Conflict, NotFound
from scheduler.store.runs import (
    create_run,
    import_run_dir,
    publish,
    published_version,
)
from scheduler.store.schema import (
    AuditEvent,
    Publication,
    PublishedAssignment,
    RunAssignment,
    RunLevel,
    RunStatus,
    RunUnmet,
    SolveRun,
)
from tests.factories import tiny_instance, tiny_result, tiny_roster
from tests.paths import ROOT

TABLES = {
    "solve_runs",
    "run_levels",
    "run_assignments",
    "run_unmet",
    "run_documents",
    "publications",
    "published_assignments",
    "api_keys",
    "calendar_tokens",
    "audit_events",
}


def _run_dir(tmp_path: Path, name: str = "run", roster: tuple | None = None) -> Path:  # type: ignore[type-arg]
    instance = tiny_instance()
    result = tiny_result(instance, roster)
    out = tmp_path / name
    write_run(out, instance, [], result)
    return out


def test_migrations_create_every_table_and_go_back_down(database_url: str) -> None:
    engine = open_database(database_url)
    assert set(inspect(engine).get_table_names()) >= TABLES
    downgrade(engine, "base")
    assert not TABLES & set(inspect(engine).get_table_names())
    migrate(engine)  # and up again
    assert set(inspect(engine).get_table_names()) >= TABLES
    open_database(database_url)  # idempotent
    engine.dispose()


def test_imported_run_keeps_levels_roster_and_unmet_reasons(
    database_url: str, tmp_path: Path
) -> None:
    engine = open_database(database_url)
    run_id = import_run_dir(engine, _run_dir(tmp_path))
    with transaction(engine) as session:
        run = session.get(SolveRun, run_id)
        assert run is not None and run.status == RunStatus.SUCCEEDED
        assert run.week == tiny_instance().week
        assert run.data_fingerprint is not None and len(run.data_fingerprint) == 64
        levels = session.scalars(select(RunLevel).order_by(RunLevel.position)).all()
        assert [(lv.level, lv.value, lv.bound) for lv in levels] == [
            ("unmet", 2, 2),
            ("continuity", 2, 2),
            ("unfairness", 4, 4),
            ("travel", 118, 118),
            ("non_preferred", 1, 0),
        ]
        rows = session.scalars(select(RunAssignment).order_by(RunAssignment.date)).all()
        assert len(rows) == len(tiny_roster())
        assert {r.doctor_id for r in rows} == {"D1", "D2"}
        assert all(r.consortium_id for r in rows)
        unmet = session.scalars(select(RunUnmet)).one()
        assert (unmet.item_id, unmet.missing, unmet.reason_code) == ("I2", 1, "no_free_doctor")
        assert "内分泌科" in unmet.reason
    engine.dispose()


def test_publishing_adds_versions_and_keeps_the_old_ones(database_url: str, tmp_path: Path) -> None:
    engine = open_database(database_url)
    first = import_run_dir(engine, _run_dir(tmp_path, "a"))
    second = import_run_dir(engine, _run_dir(tmp_path, "b", tiny_roster()[:2]))
    v1 = publish(engine, first, actor="k1")
    v2 = publish(engine, second, actor="k2", note="fewer sessions")
    assert (v1.version, v1.sessions) == (1, 4)
    assert (v2.version, v2.sessions) == (2, 2)
    with transaction(engine) as session:
        week = tiny_instance().week
        assert published_version(session, week).version == 2
        old = published_version(session, week, 1)
        rows = session.scalars(
            select(PublishedAssignment).where(PublishedAssignment.publication_id == old.id)
        ).all()
        assert len(rows) == 4
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 2
        with pytest.raises(NotFound):
            published_version(session, "2031-W01")
    engine.dispose()


def test_only_a_succeeded_run_is_published(database_url: str) -> None:
    engine = open_database(database_url)
    run_id = create_run(engine, "2026-W49", {}, created_by="k1")
    with pytest.raises(Conflict):
        publish(engine, run_id, actor="k1")
    with pytest.raises(NotFound):
        publish(engine, "nope", actor="k1")
    engine.dispose()


KILLED_PUBLISHER = textwrap.dedent(
    """
    import sys, time
    from scheduler.store import runs
    from scheduler.store.engine import make_engine

    def stall(*args, **kwargs):  # inside the transaction, after the rows are copied
        print("copied", flush=True)
        time.sleep(600)

    runs.audit = stall
    runs.publish(make_engine(sys.argv[1]), sys.argv[2], actor="killed")
    """
)


def test_publisher_killed_mid_transaction_leaves_the_previous_version(
    database_url: str, tmp_path: Path
) -> None:
    engine = open_database(database_url)
    first = import_run_dir(engine, _run_dir(tmp_path, "a"))
    second = import_run_dir(engine, _run_dir(tmp_path, "b", tiny_roster()[:2]))
    publish(engine, first, actor="k1")
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_PUBLISHER, database_url, second],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "copied"  # the new rows are written, uncommitted
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    time.sleep(0.2)  # let the server notice the dropped connection (PostgreSQL)
    with transaction(engine) as session:
        week = tiny_instance().week
        latest = published_version(session, week)
        assert (latest.version, latest.run_id) == (1, first)
        assert session.scalar(select(func.count()).select_from(Publication)) == 1
        copied = session.scalar(select(func.count()).select_from(PublishedAssignment))
        assert copied == latest.sessions == 4  # no orphan rows of the killed publication
    # and the next publication goes through as version 2
    assert publish(engine, second, actor="k2").version == 2
    engine.dispose()


def test_concurrent_publications_of_a_week_get_distinct_versions(
    database_url: str, tmp_path: Path
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    engine = open_database(database_url)
    runs = [import_run_dir(engine, _run_dir(tmp_path, f"r{k}")) for k in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        versions = sorted(
            v.version for v in pool.map(lambda r: publish(engine, r, actor="k"), runs)
        )
    assert versions == [1, 2, 3, 4]
    with transaction(engine) as session:
        copied = session.scalar(select(func.count()).select_from(PublishedAssignment))
        assert copied == 4 * len(tiny_roster())
    engine.dispose()
