"""Scenario jobs over HTTP, end to end, on each database backend.

A planner posts a scenario (the file format, as JSON), polls the job to
completion and fetches the comparison, the HTML report, the workbook and a
chart. Bad scenarios are refused with 422 naming the field, before any job
starts; server paths in ``base`` are refused; scenario and solve jobs do not
leak into each other's routes.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from api.settings import ApiSettings
from scheduler.store.engine import open_database
from scheduler.store.keys import create_key
from scheduler.store.runs import import_run_dir
from scheduler.store.schema import SolveRun
from tests.paths import ROOT

SCENARIO: dict[str, Any] = {
    "name": "儿科外派收紧",
    "base": {"week": "2026-W49"},
    "variants": [
        {"name": "儿科上限1", "changes": [{"type": "weekly_cap", "value": 1, "specialty": "PEDI"}]}
    ],
}


def _poll(client: TestClient, key: str, job_id: str, seconds: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/scenarios/{job_id}", headers={"X-API-Key": key}).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.5)
    raise AssertionError(f"scenario job {job_id} did not finish in {seconds} s")


def test_post_poll_and_fetch_a_scenario_report(
    database_url: str, tmp_path: Path, job_worker: Any
) -> None:
    settings = ApiSettings.model_validate(
        {
            "database_url": database_url,
            "data_dir": ROOT / "data",
            "runs_dir": tmp_path / "jobs",
            "job_pool_size": 1,
        }
    )
    engine = open_database(database_url)
    planner = {"X-API-Key": create_key(engine, "planner", "planner")}
    viewer = {"X-API-Key": create_key(engine, "viewer", "viewer")}
    engine.dispose()
    job_worker(settings)
    with TestClient(create_app(settings)) as client:
        refused = client.post("/scenarios", json=SCENARIO, headers=viewer)
        assert refused.status_code == 403
        started = client.post("/scenarios", json=SCENARIO, headers=planner)
        assert started.status_code == 202, started.text
        job_id = started.json()["id"]
        assert started.headers["location"] == f"/scenarios/{job_id}"
        early = client.get(f"/scenarios/{job_id}/report.html", headers=viewer)
        assert early.status_code in (200, 409)  # 409 until the job is done

        job = _poll(client, viewer["X-API-Key"], job_id)
        assert job["status"] == "succeeded", job
        assert job["progress"] == {"variants_done": 2, "variants_total": 2, "last": "儿科上限1"}
        written = (tmp_path / "jobs" / job_id / "report.json").read_text(encoding="utf-8")
        assert job["report"] == json.loads(written)  # the stored report is report.json's
        assert job["report"]["scenario"]["data_dir"] == "data version 1"  # the server's data set
        baseline, variant = (v["kpis"] for v in job["report"]["variants"])
        assert variant["unmet_sessions"] > baseline["unmet_sessions"]
        assert variant["parts_reused"] == variant["parts"] - 1

        html = client.get(job["files"]["html"], headers=viewer)
        assert html.status_code == 200 and "儿科上限1" in html.text
        assert html.headers["content-type"].startswith("text/html")
        xlsx = client.get(job["files"]["xlsx"], headers=viewer)
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
        chart = client.get(job["files"]["unmet_heatmap"], headers=viewer)
        assert chart.status_code == 200 and chart.content[:8] == b"\x89PNG\r\n\x1a\n"
        assert client.get(job["files"]["html"]).status_code == 401

        # A scenario job is not a solve job, and cannot be published.
        assert client.get(f"/solves/{job_id}", headers=viewer).status_code == 404
        assert client.post(f"/runs/{job_id}/publish", headers=planner).status_code == 409
        assert job_id not in {r["id"] for r in client.get("/runs", headers=viewer).json()}
        assert client.get(f"/scenarios/{'0' * 32}", headers=viewer).status_code == 404


def test_bad_scenarios_are_refused_before_a_job_starts(database_url: str, tmp_path: Path) -> None:
    settings = ApiSettings.model_validate(
        {"database_url": database_url, "data_dir": ROOT / "data", "runs_dir": tmp_path / "jobs"}
    )
    app = create_app(settings)
    planner = {"X-API-Key": create_key(app.state.engine, "planner", "planner")}
    client = TestClient(app)  # no lifespan: nothing may be queued anyway
    cases = [
        ({**SCENARIO, "base": {"week": "2026-W49", "data": "/etc"}}, "base.data"),
        (
            {
                **SCENARIO,
                "variants": [
                    {
                        "name": "v",
                        "changes": [{"type": "weekly_cap", "value": 1, "hospital": "H99"}],
                    }
                ],
            },
            "variants[0].changes[0].hospital[0]",
        ),
        (
            {
                **SCENARIO,
                "variants": [{"name": "v", "changes": [{"type": "scale_demand", "factor": -2}]}],
            },
            "factor",
        ),
        ({**SCENARIO, "base": {"week": "2026-W60"}}, "week"),
    ]
    for body, field in cases:
        answer = client.post("/scenarios", json=body, headers=planner)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert field in answer.json()["detail"], answer.json()
    with app.state.sessions() as session:
        assert session.scalar(select(func.count()).select_from(SolveRun)) == 0
    app.state.engine.dispose()


def test_a_scenario_on_the_published_roster(
    database_url: str, default_run: Path, tmp_path: Path, job_worker: Any
) -> None:
    """``base.published``: the baseline is the week's published roster, read from
    the database; its KPIs are those ``/weeks/{week}/kpis`` serves."""
    settings = ApiSettings.model_validate(
        {
            "database_url": database_url,
            "data_dir": ROOT / "data",
            "runs_dir": tmp_path / "jobs",
            "job_pool_size": 1,
        }
    )
    app = create_app(settings)
    job_worker(settings)
    with TestClient(app) as client:
        planner = {"X-API-Key": create_key(app.state.engine, "planner", "planner")}
        body = {**SCENARIO, "base": {"week": "2026-W49", "published": True}}
        nothing = client.post("/scenarios", json=body, headers=planner)
        assert nothing.status_code == 422, nothing.text
        assert "base.published" in nothing.json()["detail"]
        assert "no published roster" in nothing.json()["detail"]

        for _ in range(2):  # versions 1 and 2 (the same run, published twice)
            run_id = import_run_dir(app.state.engine, default_run)
            assert client.post(f"/runs/{run_id}/publish", headers=planner).status_code == 201
        missing = {**SCENARIO, "base": {"week": "2026-W49", "published": 3}}
        answer = client.post("/scenarios", json=missing, headers=planner)
        assert answer.status_code == 422 and "version 3" in answer.json()["detail"]

        started = client.post("/scenarios", json=body, headers=planner)
        assert started.status_code == 202, started.text
        job = _poll(client, planner["X-API-Key"], started.json()["id"])
        assert job["status"] == "succeeded", job
        baseline, variant = job["report"]["variants"]
        assert baseline["notes"] == [
            f"taken from the database: published version 2026-W49 v2 (run {run_id})"
        ]
        served = client.get("/weeks/2026-W49/kpis", headers=planner).json()
        assert served["version"] == 2
        k = served["kpis"]
        assert {
            key: baseline["kpis"][key]
            for key in (
                "required_sessions",
                "covered_sessions",
                "unmet_sessions",
                "coverage_percent",
                "doctors",
                "load_p50",
                "load_p90",
                "load_max",
                "travel_hours",
                "continuity_sessions",
            )
        } == {
            "required_sessions": k["coverage"]["overall"]["required"],
            "covered_sessions": k["coverage"]["overall"]["covered"],
            "unmet_sessions": k["coverage"]["overall"]["unmet"],
            "coverage_percent": k["coverage"]["overall"]["percent"],
            "doctors": k["load"]["doctors"],
            "load_p50": k["load"]["distribution"]["p50"],
            "load_p90": k["load"]["distribution"]["p90"],
            "load_max": k["load"]["distribution"]["max"],
            "travel_hours": k["travel"]["total_hours"],
            "continuity_sessions": k["continuity"]["sessions"],
        }
        by_consortium = {
            row["id"]: row["baseline"]["covered"] for row in job["report"]["coverage"]["consortium"]
        }
        assert by_consortium == {
            row["id"]: row["covered"] for row in k["coverage"]["by_consortium"]
        }
        unmet = client.get("/weeks/2026-W49/unmet", headers=planner).json()
        assert baseline["kpis"]["unmet_sessions"] == unmet["total_missing"] == 45
        # The variant (pediatrics capped at 1) is solved on the same data: worse.
        assert variant["kpis"]["unmet_sessions"] > baseline["kpis"]["unmet_sessions"]
        assert variant["kpis"]["required_sessions"] == baseline["kpis"]["required_sessions"]


def test_a_scenario_names_the_data_version_it_compares_on(
    database_url: str, tmp_path: Path, job_worker: Any
) -> None:
    """base.data_version: the scenario runs on that version though a newer one exists;
    a version that does not exist is a 422 naming the field, before any job."""
    settings = ApiSettings.model_validate(
        {
            "database_url": database_url,
            "data_dir": ROOT / "data",
            "runs_dir": tmp_path / "jobs",
            "job_pool_size": 1,
        }
    )
    engine = open_database(database_url)
    planner = {"X-API-Key": create_key(engine, "planner", "planner")}
    engine.dispose()
    job_worker(settings)
    with TestClient(create_app(settings)) as client:
        edit = {
            "base": 1,
            "note": "cap",
            "rows": [
                {
                    "file": "doctors.csv",
                    "action": "change",
                    "key": ["H01-CARD-01"],
                    "cells": {"weekly_cap": 1},
                }
            ],
        }
        assert client.post("/data/versions", json=edit, headers=planner).status_code == 201
        old = {**SCENARIO, "base": {"week": "2026-W49", "data_version": 1}}
        missing = {**SCENARIO, "base": {"week": "2026-W49", "data_version": 9}}
        refused = client.post("/scenarios", json=missing, headers=planner)
        assert refused.status_code == 422 and "base.data_version" in refused.json()["detail"]
        both = {**SCENARIO, "base": {"week": "2026-W49", "data_version": 1, "data": "x"}}
        assert client.post("/scenarios", json=both, headers=planner).status_code == 422
        started = client.post("/scenarios", json=old, headers=planner)
        assert started.status_code == 202, started.text
        job = _poll(client, planner["X-API-Key"], started.json()["id"])
        assert job["status"] == "succeeded", job
        assert job["report"]["scenario"]["data_dir"] == "data version 1"
