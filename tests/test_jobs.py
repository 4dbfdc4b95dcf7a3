"""Solve jobs over HTTP, end to end, on each database backend.

A planner starts a solve of the default week, polls it to completion, publishes
it; a viewer then reads a doctor's assignments, the calendar feed and the unmet
demand with reasons. Also: cancelling, a crashing solver, and a restart.
"""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from scheduler.jobs import JobRunner
from scheduler.settings import Settings
from scheduler.store.engine import open_database, transaction
from scheduler.store.keys import create_key
from scheduler.store.runs import create_run
from scheduler.store.schema import RunStatus, SolveRun

ROOT = Path(__file__).resolve().parent.parent
WEEK = "2026-W49"


def _settings(database_url: str, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "data_dir": ROOT / "data",
        "runs_dir": tmp_path / "jobs",
        "job_pool_size": 1,
        **overrides,
    }
    return Settings.model_validate(values)


def _poll(client: TestClient, key: str, job_id: str, seconds: float = 240) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(f"/solves/{job_id}", headers={"X-API-Key": key}).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job  # type: ignore[no-any-return]
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not finish in {seconds} s")


def test_solve_poll_publish_and_read_over_http(database_url: str, tmp_path: Path) -> None:
    app = create_app(_settings(database_url, tmp_path))
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


def test_cancel_a_running_job(database_url: str, tmp_path: Path) -> None:
    app = create_app(_settings(database_url, tmp_path))
    with TestClient(app) as client:
        planner = {"X-API-Key": create_key(app.state.engine, "p", "planner")}
        job_id = client.post("/solves", json={"week": WEEK}, headers=planner).json()["id"]
        cancelled = client.delete(f"/solves/{job_id}", headers=planner)
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        time.sleep(1.0)  # the child is gone and nothing overwrote the status
        assert client.get(f"/solves/{job_id}", headers=planner).json()["status"] == "cancelled"


def test_a_failing_solve_fails_the_job_not_the_api(database_url: str, tmp_path: Path) -> None:
    # No data directory: the solver process fails; the API keeps answering.
    app = create_app(_settings(database_url, tmp_path, data_dir=tmp_path / "missing"))
    with TestClient(app) as client:
        planner = {"X-API-Key": create_key(app.state.engine, "p", "planner")}
        job_id = client.post("/solves", json={"week": WEEK}, headers=planner).json()["id"]
        job = _poll(client, planner["X-API-Key"], job_id, seconds=60)
        assert job["status"] == "failed" and "does not exist" in job["error"]
        assert client.get("/health").status_code == 200


def test_jobs_left_running_by_a_dead_api_are_marked_failed(
    database_url: str, tmp_path: Path
) -> None:
    engine = open_database(database_url)
    stale = create_run(engine, WEEK, {}, created_by="old", status=RunStatus.RUNNING)
    runner = JobRunner(engine, _settings(database_url, tmp_path))
    runner.start()
    runner.stop()
    with transaction(engine) as session:
        run = session.get(SolveRun, stale)
        assert run is not None and run.status == RunStatus.FAILED
        assert run.error is not None and "interrupted" in run.error
    engine.dispose()
