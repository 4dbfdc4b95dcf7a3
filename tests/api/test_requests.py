"""Leave requests: a hospital's secretary submits, a planner decides (issue 15), on
SQLite and PostgreSQL.

A secretary's key is scoped to one hospital: another hospital's doctor is a 403
and another hospital's request is not theirs to see. Approval is the next data
version, made in the transaction that marks the request approved — so of two
planners approving at once (real processes) exactly one does. A request that
falls in a published week says so.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from scheduler.store.data_requests import approve_request
from scheduler.store.engine import make_engine
from scheduler.store.errors import Conflict
from scheduler.store.keys import create_key
from scheduler.store.runs import import_run_dir, publish
from tests.paths import DATA

LEAVE = {"doctor_id": "H01-CARD-01", "start": "2026-12-01", "end": "2026-12-03", "reason": "年假"}


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Any:
    settings = ApiSettings.model_validate(
        {"database_url": database_url, "data_dir": DATA, "runs_dir": tmp_path / "jobs"}
    )
    app = create_app(settings)
    with TestClient(app) as client:
        engine = app.state.engine
        keys = {
            "planner": create_key(engine, "张主任", "planner"),
            "h01": create_key(engine, "王秘书", "hospital", hospital_id="H01"),
            "h02": create_key(engine, "刘秘书", "hospital", hospital_id="H02"),
            "viewer": create_key(engine, "李医生", "viewer"),
        }
        yield app, client, {role: {"X-API-Key": key} for role, key in keys.items()}


def test_a_secretary_submits_for_their_hospital_only(served: Any) -> None:
    _, client, key = served
    made = client.post("/requests", json=LEAVE, headers=key["h01"])
    assert made.status_code == 201, made.text
    request = made.json()
    assert made.headers["location"] == f"/requests/{request['id']}"
    assert (request["status"], request["hospital_id"], request["created_by"]) == (
        "pending",
        "H01",
        "王秘书",
    )
    other = client.post("/requests", json={**LEAVE, "doctor_id": "H02-CARD-01"}, headers=key["h01"])
    assert other.status_code == 403 and "not of hospital H01" in other.json()["detail"]
    unknown = client.post("/requests", json={**LEAVE, "doctor_id": "NOBODY"}, headers=key["h01"])
    assert unknown.status_code == 422 and "unknown doctor" in unknown.json()["detail"]
    backwards = client.post("/requests", json={**LEAVE, "end": "2026-11-30"}, headers=key["h01"])
    assert backwards.status_code == 422 and "field end" in backwards.json()["detail"]
    assert client.post("/requests", json=LEAVE, headers=key["viewer"]).status_code == 403
    assert [r["id"] for r in client.get("/requests", headers=key["h01"]).json()] == [request["id"]]
    assert client.get("/requests", headers=key["h02"]).json() == []
    assert client.get(f"/requests/{request['id']}", headers=key["h02"]).status_code == 404
    assert client.get("/requests?status=pending", headers=key["planner"]).json()[0] == request


def test_a_planner_approves_and_the_leave_is_the_next_data_version(
    served: Any, default_run: Path
) -> None:
    app, client, key = served
    publish(app.state.engine, import_run_dir(app.state.engine, default_run), actor="test")
    request = client.post("/requests", json=LEAVE, headers=key["h01"]).json()
    assert request["published_weeks"] == ["2026-W49"]  # approving it calls for a repair
    path = f"/requests/{request['id']}"
    assert client.post(f"{path}/approve", json={}, headers=key["h01"]).status_code == 403
    approved = client.post(f"{path}/approve", json={"note": "同意"}, headers=key["planner"])
    assert approved.status_code == 201, approved.text
    body = approved.json()
    assert body["version"] == 2 and body["request"]["status"] == "approved"
    assert body["request"]["data_version"] == 2 and body["request"]["decided_by"] == "张主任"
    assert body["changes"] == [
        {
            "file": "leave.csv",
            "row_key": "H01-CARD-01/2026-12-01/2026-12-03/年假",
            "action": "added",
            "column": None,
            "old": None,
            "new": None,
        }
    ]
    versions = client.get("/data/versions", headers=key["viewer"]).json()
    assert (versions[0]["version"], versions[0]["source"]) == (2, "request")
    again = client.post(f"{path}/approve", json={}, headers=key["planner"])
    assert again.status_code == 409 and "already approved" in again.json()["detail"]
    late = client.post(f"{path}/reject", json={"note": "x"}, headers=key["planner"])
    assert late.status_code == 409


def test_a_rejection_says_why(served: Any) -> None:
    _, client, key = served
    request = client.post("/requests", json=LEAVE, headers=key["h01"]).json()
    path = f"/requests/{request['id']}/reject"
    assert client.post(path, json={}, headers=key["planner"]).status_code == 422
    rejected = client.post(path, json={"note": "科室人手不足"}, headers=key["planner"])
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_note"] == "科室人手不足"
    assert [v["version"] for v in client.get("/data/versions", headers=key["viewer"]).json()] == [1]


def _approve(url: str, request_id: str, actor: str, barrier: Any, results: Any) -> None:
    engine = make_engine(url)
    barrier.wait(timeout=60)
    try:
        _, version, _ = approve_request(engine, request_id, actor=actor)
        results.put((actor, "approved", version))
    except Conflict as exc:
        results.put((actor, "Conflict", exc.message))
    except Exception as exc:  # anything else fails the test
        results.put((actor, type(exc).__name__, str(exc)))


@pytest.mark.slow
def test_two_planners_approving_at_once_approve_once(served: Any, database_url: str) -> None:
    _, client, key = served
    request = client.post("/requests", json=LEAVE, headers=key["h01"]).json()
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    processes = [
        context.Process(
            target=_approve, args=(database_url, request["id"], f"p{k}", barrier, results)
        )
        for k in range(2)
    ]
    for process in processes:
        process.start()
    outcomes = sorted(results.get(timeout=120)[1] for _ in processes)
    for process in processes:
        process.join(timeout=30)
    assert outcomes == ["Conflict", "approved"]
    versions = client.get("/data/versions", headers=key["viewer"]).json()
    assert [v["version"] for v in versions] == [2, 1]
    assert client.get(f"/requests/{request['id']}", headers=key["planner"]).json()["status"] == (
        "approved"
    )


def test_an_approved_request_in_a_published_week_is_repaired_after_a_preview(
    served: Any, default_run: Path
) -> None:
    """The secretary asks, the planner approves (a data version), previews the repair
    of the published week (nothing published), then publishes exactly that."""
    app, client, key = served
    publish(app.state.engine, import_run_dir(app.state.engine, default_run), actor="test")
    request = client.post("/requests", json=LEAVE, headers=key["h01"]).json()
    approved = client.post(f"/requests/{request['id']}/approve", headers=key["planner"]).json()
    [week] = approved["request"]["published_weeks"]
    repair = {
        "absences": [{"doctor_id": LEAVE["doctor_id"], "from": LEAVE["start"], "to": LEAVE["end"]}],
        "version": 1,
    }
    shown = client.post(
        f"/weeks/{week}/repairs", json={**repair, "preview": True}, headers=key["planner"]
    )
    assert shown.status_code == 201, shown.text
    preview = shown.json()
    assert preview["published"] is False and preview["version"] == 2 and preview["changes"]
    doctor = LEAVE["doctor_id"]
    assert any(c["previous_doctor_id"] == doctor for c in preview["changes"])  # sessions freed
    away = [
        c
        for c in preview["changes"]
        if c["doctor_id"] == doctor and LEAVE["start"] <= c["half_day"][:10] <= LEAVE["end"]
    ]
    assert not away  # nothing given to them while away
    assert client.get(f"/weeks/{week}/publication", headers=key["viewer"]).json()["version"] == 1
    done = client.post(f"/weeks/{week}/repairs", json=repair, headers=key["planner"])
    assert done.status_code == 201, done.text
    assert done.json()["published"] is True and done.json()["version"] == 2
    assert done.json()["changes"] == preview["changes"]  # what was shown is what was published
    diff = client.get(f"/weeks/{week}/changes?since=1", headers=key["viewer"]).json()
    assert diff["version"] == 2 and diff["changes"] == preview["changes"]
