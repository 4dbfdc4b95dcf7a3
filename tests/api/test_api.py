"""The HTTP API over each database backend: publishing, reads, calendar feed, auth."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.app import create_app
from api.problems import served_routes
from api.settings import ApiSettings
from scheduler.store.keys import create_key
from scheduler.store.runs import import_run_dir
from tests.paths import ROOT

WEEK = "2026-W49"
PUBLIC = {"/health", "/ready", "/doctors/{doctor_id}/calendar.ics"}


class Api:
    def __init__(self, client: TestClient, keys: dict[str, str], run_id: str) -> None:
        self.client, self.keys, self.run_id = client, keys, run_id

    def get(self, url: str, role: str = "viewer", **kwargs: object):  # type: ignore[no-untyped-def]
        return self.client.get(url, headers={"X-API-Key": self.keys[role]}, **kwargs)  # type: ignore[arg-type]

    def post(self, url: str, role: str = "planner", **kwargs: object):  # type: ignore[no-untyped-def]
        return self.client.post(url, headers={"X-API-Key": self.keys[role]}, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def api(database_url: str, default_run: Path) -> Iterator[Api]:
    app = create_app(ApiSettings(database_url=database_url, data_dir=ROOT / "data"))
    with TestClient(app) as client:
        engine = app.state.engine
        keys = {
            role: create_key(engine, f"test {role}", role)
            for role in ("viewer", "planner", "admin")
        }
        keys["hospital"] = create_key(engine, "test hospital", "hospital", hospital_id="H01")
        run_id = import_run_dir(engine, default_run)
        yield Api(client, keys, run_id)


def test_publish_then_read_the_week(api: Api) -> None:
    assert api.get(f"/weeks/{WEEK}/roster").status_code == 404  # nothing published yet
    published = api.post(f"/runs/{api.run_id}/publish", json={"note": "first"})
    assert published.status_code == 201, published.text
    assert published.json()["version"] == 1 and published.json()["sessions"] == 907

    page = api.get(f"/weeks/{WEEK}/roster", params={"limit": 50})
    assert page.status_code == 200
    body = page.json()
    assert (body["total"], len(body["items"]), body["version"]) == (907, 50, 1)
    doctor = body["items"][0]["doctor_id"]
    own = api.get(f"/weeks/{WEEK}/roster", params={"doctor": doctor, "limit": 1000}).json()
    assert own["total"] == len(own["items"]) >= 1
    assert {s["doctor_id"] for s in own["items"]} == {doctor}

    site = body["items"][0]["site_id"]
    at_site = api.get(f"/weeks/{WEEK}/sites/{site}/roster").json()
    assert at_site["total"] >= 1 and {s["site_id"] for s in at_site["items"]} == {site}
    hospital = api.get(f"/weeks/{WEEK}/hospitals/H01/roster").json()
    assert {s["hospital_id"] for s in hospital["items"]} <= {"H01"}

    unmet = api.get(f"/weeks/{WEEK}/unmet").json()
    assert unmet["total_missing"] == 45 and len(unmet["items"]) == 41
    assert all(item["reason"] for item in unmet["items"])
    kpis = api.get(f"/weeks/{WEEK}/kpis").json()
    assert kpis["kpis"]["coverage"]["overall"]["covered"] == 907

    mine = api.get(f"/doctors/{doctor}/assignments", params={"week": WEEK}).json()
    assert len(mine["weeks"]) == 1 and len(mine["weeks"][0]["sessions"]) == own["total"]
    assert api.get("/doctors/NOBODY/assignments").status_code == 404
    assert api.get("/reference/hospitals").json()[0]["hospital_id"].startswith("H")


def test_calendar_feed_needs_its_token(api: Api) -> None:
    api.post(f"/runs/{api.run_id}/publish")
    doctor = api.get(f"/weeks/{WEEK}/roster", params={"limit": 1}).json()["items"][0]["doctor_id"]
    sessions = api.get(f"/weeks/{WEEK}/roster", params={"doctor": doctor}).json()["total"]
    issued = api.post(f"/doctors/{doctor}/calendar-token")
    assert issued.status_code == 201
    feed = api.client.get(issued.json()["feed"])  # no API key: the token is the credential
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert feed.text.count("BEGIN:VEVENT") == sessions
    wrong = api.client.get(f"/doctors/{doctor}/calendar.ics", params={"token": "guess"})
    assert wrong.status_code == 401
    assert wrong.headers["content-type"] == "application/problem+json"


def test_publishing_a_run_that_is_not_finished_is_a_conflict(api: Api) -> None:
    from scheduler.store.runs import create_run

    queued = create_run(api.client.app.state.engine, WEEK, {}, created_by="test")  # type: ignore[attr-defined]
    response = api.post(f"/runs/{queued}/publish")
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert api.post("/runs/unknown/publish").status_code == 404


def _protected_routes() -> list[tuple[str, str]]:
    app = create_app(ApiSettings(database_url="sqlite://"))
    routes = [
        (method, route.path)
        for route in served_routes(app.routes)
        if isinstance(getattr(route, "original_route", route), APIRoute)
        and route.path not in PUBLIC
        # The console's pages sign in through a session, not a header (test_console.py).
        and not route.path.startswith("/console")
        for method in sorted(route.methods)
    ]
    assert len(routes) >= 26, routes  # every protected operation, routers' included
    return routes


@pytest.mark.parametrize(("method", "path"), _protected_routes())
def test_every_protected_route_refuses_no_key_and_a_wrong_key(
    api: Api, method: str, path: str
) -> None:
    url = re.sub(r"\{(\w+)\}", lambda m: WEEK if m.group(1) == "week" else "hospitals", path)
    assert api.client.request(method, url).status_code == 401
    bad = api.client.request(method, url, headers={"X-API-Key": "rk_nope_nope"})
    assert bad.status_code == 401
    assert bad.headers["content-type"] == "application/problem+json"
    needs = "admin" if path.startswith("/keys") else "planner" if method != "GET" else "viewer"
    below = {"viewer": None, "planner": "viewer", "admin": "planner"}[needs]
    if below is not None:
        response = api.client.request(method, url, headers={"X-API-Key": api.keys[below]})
        assert response.status_code == 403, (method, url, response.text)
    # A hospital's secretary reads as a viewer and submits leave requests, nothing more.
    if needs != "viewer" and (method, path) != ("POST", "/requests"):
        response = api.client.request(method, url, headers={"X-API-Key": api.keys["hospital"]})
        assert response.status_code == 403, (method, url, response.text)
