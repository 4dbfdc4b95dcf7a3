"""Solve jobs over HTTP, end to end, on each database backend.

A planner starts a solve of the default week, polls it to completion, publishes
it; a viewer then reads a doctor's assignments, the calendar feed and the unmet
demand with reasons. Also: cancelling, a crashing solver, the limits on
queued work, and the jobs of a worker that died (queued again once, then
failed). The API only queues; a job worker (``job_worker``) runs the jobs.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.settings import ApiSettings
from scheduler.store.engine import open_database, transaction
from scheduler.store.jobs import (
    claim,
    fail,
    heartbeat,
    reap_stale,
    recover_lost,
    submit_job,
)
from scheduler.store.keys import create_key
from scheduler.store.queue import queue_for
from scheduler.store.schema import RunStatus, SolveRun
from tests.paths import ROOT

pytestmark = pytest.mark.slow  # real jobs solved by workers

WEEK = "2026-W49"


def _settings(database_url: str, tmp_path: Path, **overrides: object) -> ApiSettings:
    values: dict[str, object] = {
        "database_url": database_url,
        "data_dir": ROOT / "data",
        "runs_dir": tmp_path / "jobs",
        "job_pool_size": 1,
        **overrides,
    }
    return ApiSettings.model_validate(values)


def _poll(client: TestClient, key: str, job_id: str, seconds: float = 240) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(f"/solves/{job_id}", headers={"X-API-Key": key}).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job  # type: ignore[no-any-return]
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not finish in {seconds} s")


def test_solve_poll_publish_and_read_over_http(
    database_url: str, tmp_path: Path, job_worker: Any
) -> None:
    settings = _settings(database_url, tmp_path)
    app = create_app(settings)
    job_worker(settings)
    with TestClient(app) as client:
        planner = create_key(app.state.engine, "planner", "planner")
        viewer = create_key(app.state.engine, "viewer", "viewer")
        as_planner, as_viewer = {"X-API-Key": planner}, {"X-API-Key": viewer}

        started = client.post("/solves", json={"week": WEEK}, headers=as_planner)
        assert started.status_code == 202, started.text
        job_id = started.json()["id"]
        assert started.headers["location"] == f"/solves/{job_id}"
        early = client.post(f"/solves/{job_id}/publish", headers=as_planner)
        assert early.status_code == 409  # not finished yet

        job = _poll(client, viewer, job_id)
        assert job["status"] == "succeeded", job
        assert [lv["status"] for lv in job["levels"]] == ["optimal"] * 5
        assert job["coverage"] and 88 <= job["coverage"] <= 97
        # Progress: every part done, each level's value and bound summed so far.
        progress = job["progress"]
        assert progress["parts_done"] == progress["parts_total"] > 1
        assert progress["level"] in {lv["level"] for lv in job["levels"]}
        assert progress["parts_done_levels"] == {
            lv["level"]: {"value": lv["value"], "bound": lv["bound"]} for lv in job["levels"]
        }

        published = client.post(f"/solves/{job_id}/publish", headers=as_planner)
        assert published.status_code == 201 and published.json()["version"] == 1

        first = client.get(f"/weeks/{WEEK}/roster", params={"limit": 1}, headers=as_viewer)
        doctor = first.json()["items"][0]["doctor_id"]
        mine = client.get(
            f"/doctors/{doctor}/assignments", params={"week": WEEK}, headers=as_viewer
        ).json()
        sessions = len(mine["weeks"][0]["sessions"])
        assert sessions >= 1
        token = client.post(f"/doctors/{doctor}/calendar-token", headers=as_planner).json()
        feed = client.get(token["feed"])
        assert feed.status_code == 200 and feed.text.count("BEGIN:VEVENT") == sessions
        unmet = client.get(f"/weeks/{WEEK}/unmet", headers=as_viewer).json()
        assert unmet["items"] and all(item["reason"] for item in unmet["items"])


def test_cancel_a_running_job(database_url: str, tmp_path: Path, job_worker: Any) -> None:
    settings = _settings(database_url, tmp_path, job_heartbeat_seconds=0.2)
    app = create_app(settings)
    job_worker(settings)
    with TestClient(app) as client:
        planner = {"X-API-Key": create_key(app.state.engine, "p", "planner")}
        job_id = client.post("/solves", json={"week": WEEK}, headers=planner).json()["id"]
        cancelled = client.delete(f"/solves/{job_id}", headers=planner)
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        time.sleep(1.0)  # the child is gone and nothing overwrote the status
        assert client.get(f"/solves/{job_id}", headers=planner).json()["status"] == "cancelled"


def test_a_failing_solve_fails_the_job_not_the_api(
    database_url: str, tmp_path: Path, job_worker: Any
) -> None:
    # The runs directory is a file: the solver process fails; the API keeps answering.
    (tmp_path / "jobs").write_text("not a directory", encoding="utf-8")
    settings = _settings(database_url, tmp_path)
    app = create_app(settings)
    job_worker(settings)
    with TestClient(app) as client:
        planner = {"X-API-Key": create_key(app.state.engine, "p", "planner")}
        job_id = client.post("/solves", json={"week": WEEK}, headers=planner).json()["id"]
        job = _poll(client, planner["X-API-Key"], job_id, seconds=60)
        assert job["status"] == "failed" and "jobs" in job["error"], job
        assert client.get("/health").status_code == 200


def test_a_server_without_a_data_set_says_so(database_url: str, tmp_path: Path) -> None:
    """No data version and no data directory to import: 503 naming the directory, as
    problem+json; nothing queued."""
    settings = _settings(database_url, tmp_path, data_dir=tmp_path / "missing")
    app = create_app(settings)
    with TestClient(app) as client:
        planner = {"X-API-Key": create_key(app.state.engine, "p", "planner")}
        for answer in (
            client.post("/solves", json={"week": WEEK}, headers=planner),
            client.get("/reference/doctors", headers=planner),
        ):
            assert answer.status_code == 503, answer.text
            assert answer.headers["content-type"] == "application/problem+json"
            assert "missing does not exist" in answer.json()["detail"]
        with transaction(app.state.engine) as session:
            assert session.query(SolveRun).count() == 0


def test_jobs_of_a_dead_worker_are_queued_again_once_then_failed(
    database_url: str, tmp_path: Path
) -> None:
    engine = open_database(database_url)
    enqueue = queue_for(database_url).enqueue
    first = submit_job(engine, WEEK, {}, created_by="k", kind="solve", limits=None, enqueue=enqueue)
    second = submit_job(
        engine, WEEK, {}, created_by="k", kind="solve", limits=None, enqueue=enqueue
    )
    attempt = claim(engine, first, "dead-worker")
    assert attempt is not None and attempt.number == 1
    assert claim(engine, first, "other") is None  # one attempt at a time
    # Still beating: not reaped.
    assert reap_stale(engine, lease_seconds=30, max_attempts=2, enqueue=enqueue) == []
    time.sleep(0.3)
    reaped = reap_stale(engine, lease_seconds=0.1, max_attempts=2, enqueue=enqueue)
    assert [(r.run_id, r.status) for r in reaped] == [(first, RunStatus.QUEUED)]
    # The dead worker's writes no longer land: no flip, whatever it finishes.
    assert not heartbeat(engine, attempt)
    assert not fail(engine, attempt, "late")
    retry = claim(engine, first, "live-worker")
    assert retry is not None and retry.number == 2
    time.sleep(0.3)
    reaped = reap_stale(engine, lease_seconds=0.1, max_attempts=2, enqueue=enqueue)
    assert [(r.run_id, r.status) for r in reaped] == [(first, RunStatus.FAILED)]
    with transaction(engine) as session:
        run = session.get(SolveRun, first)
        assert run is not None and run.status == RunStatus.FAILED and run.attempts == 2
        assert run.error is not None and "live-worker stopped" in run.error
        assert "attempt 2 of 2" in run.error
        untouched = session.get(SolveRun, second)
        assert untouched is not None and untouched.status == RunStatus.QUEUED
    assert reap_stale(engine, lease_seconds=0.1, max_attempts=2, enqueue=enqueue) == []
    engine.dispose()


def test_queued_work_is_limited_per_key_and_per_week(database_url: str, tmp_path: Path) -> None:
    settings = _settings(database_url, tmp_path, job_limit_per_key=2, job_limit_per_week=2)
    app = create_app(settings)  # no worker: everything stays queued
    with TestClient(app) as client:
        one = {"X-API-Key": create_key(app.state.engine, "one", "planner")}
        two = {"X-API-Key": create_key(app.state.engine, "two", "planner")}
        codes = [client.post("/solves", json={"week": WEEK}, headers=one).status_code]
        codes.append(client.post("/solves", json={"week": "2026-W50"}, headers=one).status_code)
        refused = client.post("/solves", json={"week": "2026-W51"}, headers=one)
        assert codes == [202, 202] and refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert "this key has 2 unfinished jobs (at most 2)" in refused.json()["detail"]
        assert refused.headers["retry-after"]
        assert client.post("/solves", json={"week": WEEK}, headers=two).status_code == 202
        refused = client.post("/solves", json={"week": WEEK}, headers=two)
        assert refused.status_code == 429
        assert f"week {WEEK} has 2 unfinished jobs (at most 2)" in refused.json()["detail"]
        # A cancelled job no longer counts.
        job = client.get("/runs", params={"week": WEEK}, headers=two).json()[0]["id"]
        assert client.delete(f"/solves/{job}", headers=two).status_code == 200
        assert client.post("/solves", json={"week": WEEK}, headers=two).status_code == 202


def test_a_queued_job_whose_queue_entry_was_lost_is_queued_again(
    database_url: str, tmp_path: Path
) -> None:
    engine = open_database(database_url)
    queue = queue_for(database_url)
    run_id = submit_job(
        engine, WEEK, {}, created_by="k", kind="solve", limits=None, enqueue=queue.enqueue
    )

    def recover() -> list[str]:
        return recover_lost(engine, lease_seconds=5, find_lost=queue.lost, enqueue=queue.enqueue)

    assert recover() == []  # its job waits in the queue
    if database_url.startswith("sqlite"):
        return  # the queued row is the queue: nothing can be lost
    with transaction(engine) as session:
        job = session.get(SolveRun, run_id).queue_job_id  # type: ignore[union-attr]
        # The queue lost it: a procrastinate job that failed before our claim.
        session.execute(
            text("UPDATE procrastinate_jobs SET status = 'failed' WHERE id = :id"), {"id": job}
        )
    assert recover() == [run_id]
    with transaction(engine) as session:
        again = session.get(SolveRun, run_id).queue_job_id  # type: ignore[union-attr]
        status = session.scalar(
            text("SELECT status FROM procrastinate_jobs WHERE id = :id"), {"id": again}
        )
    assert again != job and status == "todo"
    assert recover() == []
    engine.dispose()
