"""The web console over HTTP (server-rendered pages), on each database backend.

Sign-in keeps only the key's id in a signed, HTTP-only cookie; every page
re-checks the key. The week grid, its filters and Excel export, the doctor
search and page (a planner makes the calendar feed, a viewer cannot), the
unmet list with reasons and the English switch. (Render times are measured
by benchmarks/bench_console.py, not asserted here.)
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.app import create_app
from api.settings import ApiSettings
from scheduler.store.keys import create_key, revoke_key
from scheduler.store.runs import import_run_dir
from scheduler.store.runs import publish as publish_run
from tests.paths import ROOT

WEEK = "2026-W49"


class Console:
    def __init__(self, client: TestClient, keys: dict[str, str], engine) -> None:  # type: ignore[no-untyped-def]
        self.client, self.keys, self.engine = client, keys, engine

    def signin(self, role: str) -> None:
        answer = self.client.post(
            "/console/signin",
            data={"api_key": self.keys[role], "next": "/console/week"},
            follow_redirects=False,
        )
        assert answer.status_code == 303 and answer.headers["location"] == "/console/week"
        cookie = answer.headers["set-cookie"]
        assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
        assert self.keys[role] not in cookie  # the key itself is never in the cookie


@pytest.fixture
def console(
    database_url: str, default_run: Path, tmp_path: Path, job_worker: Any
) -> Iterator[Console]:
    settings = ApiSettings.model_validate(
        {
            "database_url": database_url,
            "data_dir": ROOT / "data",
            "runs_dir": tmp_path / "jobs",
            "scenarios_dir": ROOT / "scenarios",
        }
    )
    app = create_app(settings)
    job_worker(settings)  # runs the solve and scenario jobs the pages start
    engine = app.state.engine
    keys = {role: create_key(engine, f"测试{role}", role) for role in ("viewer", "planner")}
    publish_run(engine, import_run_dir(engine, default_run), actor="test")
    with TestClient(app) as client:
        yield Console(client, keys, engine)


def test_pages_need_a_signed_in_key(console: Console) -> None:
    page = console.client.get("/console/week", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/console/signin")
    wrong = console.client.post("/console/signin", data={"api_key": "rk_nope_nope"})
    assert wrong.status_code == 401 and 'role="alert"' in wrong.text
    console.signin("viewer")
    assert console.client.get("/console/week").status_code == 200
    # A revoked key ends the session at the next page.
    key_id = console.keys["viewer"].split("_")[1]
    revoke_key(console.engine, key_id)
    assert console.client.get("/console/week", follow_redirects=False).status_code == 303
    # After sign-in only pages of the console (no open redirect).
    answer = console.client.post(
        "/console/signin",
        data={"api_key": console.keys["planner"], "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/console/week"


def test_the_week_grid_filters_and_exports(console: Console) -> None:
    console.signin("viewer")
    page = console.client.get("/console/week")
    assert page.status_code == 200 and '<html lang="zh-CN">' in page.text
    assert "907 出诊" in page.text and "版本 1" in page.text
    assert page.text.count('<label for="f-') == 4  # every filter is labelled
    everything = page.text.count('<div class="s">')
    assert everything == 907
    cardiology = console.client.get("/console/week", params={"specialty": "CARD"}).text
    shown = cardiology.count('<div class="s">')
    assert 0 < shown < everything and "心血管内科" in cardiology
    by_doctor = console.client.get("/console/week", params={"by": "doctor", "hospital": "H01"})
    assert '<a href="/console/doctors/H01-' in by_doctor.text
    assert "/console/doctors/H02-" not in by_doctor.text
    workbook = console.client.get("/console/week.xlsx", params={"specialty": "CARD"})
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    cells = [c for row in sheet.iter_rows(min_row=2, min_col=2, values_only=True) for c in row if c]
    assert sum(str(c).count("\n") + 1 for c in cells) == shown
    again = console.client.get("/console/week.xlsx", params={"specialty": "CARD"})
    assert again.content == workbook.content  # same filters, same bytes


def test_find_a_doctor_and_the_calendar_feed(console: Console) -> None:
    console.signin("viewer")
    found = console.client.get("/console/doctors", params={"q": "H01-CARD-01"}).text
    assert '<a href="/console/doctors/H01-CARD-01">' in found
    name = re.search(r'<a href="/console/doctors/H01-CARD-01">([^<]+)</a>', found)
    assert name is not None
    by_name = console.client.get("/console/doctors", params={"q": name.group(1)}).text
    assert "H01-CARD-01" in by_name
    from api.web.pages.doctors import initials

    letters = initials(name.group(1))  # 蔡蕾琪 → clq
    assert len(letters) == len(name.group(1)) and letters.isascii()
    by_initials = console.client.get("/console/doctors", params={"q": letters.upper()}).text
    assert '<a href="/console/doctors/H01-CARD-01">' in by_initials
    page = console.client.get("/console/doctors/H01-CARD-01").text
    assert name.group(1) in page
    assert 'action="/console/doctors/H01-CARD-01/feed"' not in page  # a viewer cannot make one
    assert console.client.post("/console/doctors/H01-CARD-01/feed").status_code == 403
    console.signin("planner")
    page = console.client.get("/console/doctors/H01-CARD-01").text
    # A form without its session's token (another site's) is refused.
    assert console.client.post("/console/doctors/H01-CARD-01/feed").status_code == 403
    made = console.client.post("/console/doctors/H01-CARD-01/feed", data={"csrf": _csrf(page)})
    assert made.status_code == 200
    feed = re.search(r'value="(http[^"]+calendar\.ics\?token=[^"]+)"', made.text)
    assert feed is not None
    calendar = console.client.get(feed.group(1).replace("http://testserver", ""))
    assert calendar.status_code == 200 and "BEGIN:VCALENDAR" in calendar.text


def test_unmet_demand_with_reasons_and_english(console: Console) -> None:
    console.signin("viewer")
    page = console.client.get("/console/unmet").text
    assert "未满足出诊合计: <strong>45</strong>" in page
    assert page.count('<section class="group">') >= 1 and "每周外派上限" in page
    english = console.client.get("/console/unmet", params={"lang": "en"})
    assert '<html lang="en">' in english.text and "Unmet sessions in all" in english.text
    assert "lang=en" in english.headers["set-cookie"]
    assert '<html lang="en">' in console.client.get("/console/week").text  # remembered


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_a_planner_solves_watches_and_publishes(console: Console) -> None:
    console.signin("viewer")
    page = console.client.get("/console/solve").text
    assert "只有排班员可以求解和发布" in page and 'action="/console/solve"' not in page
    refused = console.client.post("/console/solve", data={"week": WEEK, "csrf": _csrf(page)})
    assert refused.status_code == 403
    console.signin("planner")
    page = console.client.get("/console/solve").text
    assert 'value="2026-W49"' in page  # the newest published week, as the default
    started = console.client.post(
        "/console/solve", data={"week": WEEK, "csrf": _csrf(page)}, follow_redirects=False
    )
    assert started.status_code == 303
    job = started.headers["location"]
    assert re.fullmatch(r"/console/solves/[0-9a-f]{32}", job)
    first = console.client.get(job).text
    assert "solve.js" in first or "已完成" in first  # live progress until it ends
    deadline = time.monotonic() + 240
    status = ""
    while time.monotonic() < deadline:
        progress = console.client.get(f"{job}/progress.json").json()
        status = progress["status"]
        if status in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(0.5)
    assert status == "succeeded", progress
    done = console.client.get(job).text
    assert "已完成" in done and "L1" in done and "覆盖率" in done
    published = console.client.post(
        f"{job}/publish", data={"csrf": _csrf(done)}, follow_redirects=False
    )
    assert published.status_code == 303 and published.headers["location"].endswith(WEEK)
    week = console.client.get(published.headers["location"]).text
    assert "版本 2" in week


def _wait(console: Console, url: str) -> dict[str, object]:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        job: dict[str, object] = console.client.get(url).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.5)
    raise AssertionError(f"{url} did not finish")


def test_a_planner_runs_a_scenario_and_reads_the_comparison(console: Console) -> None:
    console.signin("planner")
    page = console.client.get("/console/scenarios").text
    assert '<option value="diabetes-referrals-up">' in page
    # An uploaded file with an unknown specialty: shown on the form, naming the field.
    bad = console.client.post(
        "/console/scenarios",
        data={"csrf": _csrf(page)},
        files={
            "upload": (
                "bad.yaml",
                "name: x\nbase: {week: 2026-W49}\n"
                "changes: [{type: scale_demand, factor: 1.2, specialty: XXXX}]\n",
                "application/yaml",
            )
        },
    )
    assert bad.status_code == 422 and "changes[0].specialty[0]" in bad.text
    started = console.client.post(
        "/console/scenarios",
        data={"csrf": _csrf(page), "example": "diabetes-referrals-up"},
        follow_redirects=False,
    )
    assert started.status_code == 303
    job = started.headers["location"]
    assert _wait(console, f"{job}/progress.json")["status"] == "succeeded"
    done = console.client.get(job).text
    assert "糖尿病" in done and "内分泌需求+20%" in done and "(+23)" in done
    charts = re.findall(r'<img src="([^"]+\.png)"', done)
    assert len(charts) == 3
    for chart in charts:
        image = console.client.get(chart)
        assert image.status_code == 200 and image.content[:8] == b"\x89PNG\r\n\x1a\n"
    html = console.client.get(f"{job}/files/report.html")
    assert html.status_code == 200 and "内分泌需求+20%" in html.text
    assert console.client.get(f"{job}/files/../../etc/passwd").status_code == 404
    console.signin("viewer")
    assert (
        console.client.post(
            "/console/scenarios", data={"csrf": _csrf(page), "example": "diabetes-referrals-up"}
        ).status_code
        == 403
    )


def test_the_solve_page_says_when_no_worker_runs_and_when_the_queue_is_full(
    database_url: str, tmp_path: Path
) -> None:
    settings = ApiSettings.model_validate(
        {
            "database_url": database_url,
            "data_dir": ROOT / "data",
            "runs_dir": tmp_path / "jobs",
            "job_limit_per_week": 1,
        }
    )
    app = create_app(settings)  # and no worker
    console = Console(
        TestClient(app), {"planner": create_key(app.state.engine, "p", "planner")}, app.state.engine
    )
    with console.client:
        console.signin("planner")
        page = console.client.get("/console/solve").text
        assert "现在没有运行中的求解进程" in page
        first = console.client.post(
            "/console/solve", data={"week": WEEK, "csrf": _csrf(page)}, follow_redirects=False
        )
        assert first.status_code == 303
        waiting = console.client.get(first.headers["location"]).text
        assert "排队中" in waiting and "现在没有运行中的求解进程" in waiting
        full = console.client.post("/console/solve", data={"week": WEEK, "csrf": _csrf(page)})
        assert full.status_code == 429 and full.headers["retry-after"]
        assert "未完成的任务太多" in full.text and 'role="alert"' in full.text
        stale = console.client.post("/console/signout", data={"csrf": "stale"})
        assert stale.status_code == 403 and "text/html" in stale.headers["content-type"]
        assert "没有权限" in stale.text
