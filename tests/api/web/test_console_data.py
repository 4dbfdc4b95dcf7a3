"""Planners edit the planning inputs in the console (issue 15), on each database backend.

The data versions pages (who, when in Asia/Shanghai, why, what changed); the
edit forms of the doctor page (leave added and removed, weekly cap and
preferred weekdays), the sites page (closed half-days) and the demand page
(sessions, minimum title, priority). Every form carries the data version it
was rendered from: saved → a new version, named on the page it returns to;
a stale version → 409 saying so, nothing stored; a value the loader refuses
→ 422 with the message beside the field it names, nothing stored. A viewer
reads the pages and cannot edit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from scheduler.store.data_versions import data_files, list_versions, version_changes
from scheduler.store.engine import reading
from scheduler.store.keys import create_key
from tests.api.web.test_console import Console, _csrf
from tests.paths import ROOT

DOCTOR = "H01-CARD-01"
SITE = "S008"  # 沙坪坝区土主医院, of consortium K4 (data/sites.csv)
CLINIC = "C001"  # one session a week (data/clinics.csv)


@pytest.fixture
def console(database_url: str, tmp_path: Path) -> Iterator[Console]:
    """The console over the default data set (imported as data version 1); no
    roster published, no job worker: the data pages need neither."""
    settings = ApiSettings.model_validate(
        {"database_url": database_url, "data_dir": ROOT / "data", "runs_dir": tmp_path / "jobs"}
    )
    app = create_app(settings)
    engine = app.state.engine
    keys = {role: create_key(engine, f"测试{role}", role) for role in ("viewer", "planner")}
    with TestClient(app) as client:
        yield Console(client, keys, engine)


def _versions(console: Console) -> list[int]:
    with reading(console.engine) as session:
        return [v.version for v in list_versions(session)]


def _form(page: str, form: str) -> dict[str, str]:
    """The hidden fields (csrf, base, ...) of the form whose id is ``form``."""
    found = re.search(rf'<form [^>]*id="{re.escape(form)}"[^>]*>(.*?)</form>', page, re.S)
    assert found is not None, f"no form {form}"
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', found.group(1)))


def _post(console: Console, url: str, page: str, form: str, **fields: Any) -> Any:
    return console.client.post(url, data={**_form(page, form), **fields}, follow_redirects=False)


def _saved(console: Console, answer: Any, version: int) -> str:
    """The page an edit returned to names the new version (once)."""
    assert answer.status_code == 303, answer.text[-2000:]
    back = console.client.get(answer.headers["location"]).text
    assert (
        f'已保存，新的数据版本为 <a href="/console/data/versions/{version}">{version}</a>' in back
    )
    assert "已保存" not in console.client.get(answer.headers["location"]).text  # shown once
    return back


def _refused(answer: Any, status: int, field_id: str, words: str) -> None:
    """A 422 with the message beside the field, or the whole form's message."""
    assert answer.status_code == status, answer.text[-2000:]
    beside = re.search(rf'id="{re.escape(field_id)}-error">([^<]*)<', answer.text)
    assert beside is not None, answer.text[-3000:]
    assert words in beside.group(1)
    assert 'role="alert"' in answer.text and "修改没有保存" in answer.text


def _stale(answer: Any, base: int, newest: int) -> None:
    assert answer.status_code == 409, answer.text[-2000:]
    assert f"表单是按数据版本 {base} 填写的，但现在最新的是数据版本 {newest}" in answer.text
    assert "请重新加载页面" in answer.text and 'role="alert"' in answer.text


def test_the_data_versions_pages(console: Console) -> None:
    console.signin("viewer")
    listing = console.client.get("/console/data/versions")
    assert listing.status_code == 200
    assert '<a href="/console/data/versions" aria-current="page">数据版本</a>' in listing.text
    assert '<a href="/console/data/versions/1">数据版本 1</a>' in listing.text
    with reading(console.engine) as session:
        first = list_versions(session)[0]
    shanghai = first.created_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert first.created_at.utcoffset() == dt.timedelta(0)
    assert f">{shanghai:%Y-%m-%d %H:%M}</time>" in listing.text  # UTC+8, not UTC
    assert "时间（北京时间）" in listing.text and "导入" in listing.text
    one = console.client.get("/console/data/versions/1").text
    assert "此版本没有逐行改动" in one and "server" in one
    missing = console.client.get("/console/data/versions/9")
    assert missing.status_code == 404 and "找不到" in missing.text
    console.signin("planner")
    page = console.client.get(f"/console/doctors/{DOCTOR}").text
    _saved(
        console,
        _post(
            console,
            f"/console/doctors/{DOCTOR}/cap",
            page,
            "cap",
            weekly_cap="4",
            preferred_weekdays=["MON", "TUE", "WED"],
            note="门诊调整",
        ),
        2,
    )
    listing = console.client.get("/console/data/versions").text
    row = re.search(r'<a href="/console/data/versions/2">.*?</tr>', listing, re.S)
    assert row is not None
    assert "测试planner" in row.group(0) and "在线修改" in row.group(0)
    assert "门诊调整" in row.group(0) and '<td class="num">1</td>' in row.group(0)
    zh = console.client.get("/console/data/versions/2").text  # the workbook's Chinese names
    assert '医生 <span class="id">doctors.csv</span>' in zh
    assert '每周上限 <span class="id">weekly_cap</span>' in zh
    two = console.client.get("/console/data/versions/2", params={"lang": "en"}).text
    assert "doctors.csv" in two and DOCTOR in two and "weekly_cap" in two
    assert "<del>3</del> → <ins>4</ins>" in two and "changed" in two


def test_a_planner_adds_and_removes_leave(console: Console) -> None:
    console.signin("planner")
    url = f"/console/doctors/{DOCTOR}"
    page = console.client.get(url).text
    assert 'action="/console/doctors/H01-CARD-01/leave"' in page and "没有请假记录" in page
    leave = {"start_date": "2026-12-01", "end_date": "2026-12-03", "reason": "年假"}
    # The loader's rule, beside the field it names; nothing stored.
    backwards = {**leave, "end_date": "2026-11-30"}
    answer = _post(console, f"{url}/leave", page, "leave", note="年假", **backwards)
    _refused(answer, 422, "leave-end_date", "column end_date")
    assert 'value="2026-11-30"' in answer.text  # what was typed is kept
    nonsense = _post(
        console, f"{url}/leave", page, "leave", note="年假", **{**leave, "start_date": "12/01"}
    )
    _refused(nonsense, 422, "leave-start_date", "column start_date")
    why = _post(console, f"{url}/leave", page, "leave", note="  ", **leave)
    _refused(why, 422, "leave-note", "请填写修改原因")
    assert _versions(console) == [1]
    back = _saved(console, _post(console, f"{url}/leave", page, "leave", note="年假", **leave), 2)
    assert re.search(r">2026-12-01</td><td [^>]*>2026-12-03</td><td [^>]*>年假</td>", back)
    # The same form again (a double click): version 1 is no longer the newest.
    _stale(_post(console, f"{url}/leave", page, "leave", note="年假", **leave), 1, 2)
    assert _versions(console) == [2, 1]
    back = _saved(console, _post(console, f"{url}/leave/remove", back, "remove-0", note="取消"), 3)
    assert "没有请假记录" in back
    with reading(console.engine) as session:
        removed = version_changes(session, 3)
    assert [(c.file, c.row_key, c.action) for c in removed] == [
        ("leave.csv", f"{DOCTOR}/2026-12-01/2026-12-03/年假", "removed")
    ]


def test_a_planner_changes_a_doctors_cap_and_weekdays(console: Console) -> None:
    console.signin("planner")
    url = f"/console/doctors/{DOCTOR}"
    page = console.client.get(url).text
    assert re.search(r'id="cap-weekly_cap"[^>]*value="3"', page)
    wrong = _post(console, f"{url}/cap", page, "cap", weekly_cap="99", note="加量")
    _refused(wrong, 422, "cap-weekly_cap", "column weekly_cap")
    assert 'aria-invalid="true"' in wrong.text
    day = _post(
        console, f"{url}/cap", page, "cap", weekly_cap="3", preferred_weekdays=["SUN_AM"], note="x"
    )
    _refused(day, 422, "cap-preferred_weekdays", "column preferred_weekdays")
    assert _versions(console) == [1]
    back = _saved(
        console,
        _post(
            console,
            f"{url}/cap",
            page,
            "cap",
            weekly_cap="5",
            preferred_weekdays=["FRI", "MON"],
            note="加量",
        ),
        2,
    )
    assert re.search(r'id="cap-weekly_cap"[^>]*value="5"', back)
    with reading(console.engine) as session:
        changed = {c.column: (c.old, c.new) for c in version_changes(session, 2)}
    assert changed == {"weekly_cap": ("3", "5"), "preferred_weekdays": ("MON;TUE;WED", "MON;FRI")}
    same = _post(
        console,
        f"{url}/cap",
        back,
        "cap",
        weekly_cap="5",
        preferred_weekdays=["MON", "FRI"],
        note="再存",
    )
    assert same.status_code == 303
    assert "没有改动" in console.client.get(same.headers["location"]).text
    _stale(_post(console, f"{url}/cap", page, "cap", weekly_cap="6", note="旧页面"), 1, 2)
    assert _versions(console) == [2, 1]


def test_a_planner_closes_a_site_on_friday(console: Console) -> None:
    console.signin("planner")
    every = console.client.get("/console/sites").text
    k4 = console.client.get("/console/sites", params={"consortium": "K4"}).text
    assert 0 < k4.count('<tr id="row-site-') < every.count('<tr id="row-site-')
    assert f'id="site-{SITE}"' in k4 and '<option value="K4" selected>' in k4
    assert 'id="site-S001"' in every and 'id="site-S001"' not in k4  # S001 is of K1
    url = f"/console/sites/{SITE}/closed"
    forged = _post(console, url, k4, f"site-{SITE}", closed_half_days=["FRI"], note="停诊")
    _refused(forged, 422, f"site-{SITE}-closed_half_days", "column closed_half_days")
    assert "<details open>" in forged.text
    friday = ["FRI_PM", "FRI_AM"]  # ticked in any order, written in the policy's
    answer = _post(console, url, k4, f"site-{SITE}", closed_half_days=friday, note="周五停诊")
    assert answer.headers["location"] == "/console/sites?consortium=K4"
    back = _saved(console, answer, 2)
    assert re.search(rf'<tr id="row-site-{SITE}">.*?周五上午、周五下午', back, re.S)
    with reading(console.engine) as session:
        changes = version_changes(session, 2)
    assert [(c.row_key, c.column, c.old, c.new) for c in changes] == [
        (SITE, "closed_half_days", "", "FRI_AM;FRI_PM")
    ]
    _stale(_post(console, url, k4, f"site-{SITE}", closed_half_days=[], note="开诊"), 1, 2)
    assert _versions(console) == [2, 1]


def test_a_planner_changes_demand(console: Console) -> None:
    console.signin("planner")
    page = console.client.get("/console/demand").text
    assert "基层坐诊" in page and "共建科室" in page
    assert f'id="clinics-{CLINIC}"' in page and 'id="departments-D001"' in page
    url = f"/console/demand/clinics/{CLINIC}"
    cells = {"sessions_per_week": "2", "min_title": "attending", "priority": "3"}
    high = _post(console, url, page, f"clinics-{CLINIC}", **{**cells, "priority": "9"}, note="x")
    _refused(high, 422, f"clinics-{CLINIC}-priority", "column priority")
    title = _post(
        console, url, page, f"clinics-{CLINIC}", **{**cells, "min_title": "boss"}, note="x"
    )
    _refused(title, 422, f"clinics-{CLINIC}-min_title", "column min_title")
    assert _versions(console) == [1]
    _saved(console, _post(console, url, page, f"clinics-{CLINIC}", **cells, note="需求增加"), 2)
    _stale(_post(console, url, page, f"clinics-{CLINIC}", **cells, note="再加"), 1, 2)
    page = console.client.get("/console/demand").text
    department = {"sessions_per_week": "4", "min_title": "chief", "priority": "5"}
    _saved(
        console,
        _post(
            console,
            "/console/demand/departments/D001",
            page,
            "departments-D001",
            **department,
            note="提高要求",
        ),
        3,
    )
    with reading(console.engine) as session:
        two, three = version_changes(session, 2), version_changes(session, 3)
    assert [(c.file, c.row_key, c.column, c.old, c.new) for c in two] == [
        ("clinics.csv", CLINIC, "sessions_per_week", "1", "2")
    ]
    assert {(c.column, c.new) for c in three} == {("min_title", "chief"), ("priority", "5")}


def test_a_viewer_reads_but_cannot_edit(console: Console) -> None:
    console.signin("planner")
    planner_page = console.client.get(f"/console/doctors/{DOCTOR}").text
    console.signin("viewer")
    for url in (f"/console/doctors/{DOCTOR}", "/console/sites", "/console/demand"):
        page = console.client.get(url).text
        assert (
            "只有排班员可以修改排班数据" in page and 'method="post" action="/console/d' not in page
        )
        assert 'name="base"' not in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    token = {"csrf": csrf.group(1), "base": "1", "note": "x"}
    for url, fields in (
        (
            f"/console/doctors/{DOCTOR}/leave",
            {"start_date": "2026-12-01", "end_date": "2026-12-01", "reason": "年假"},
        ),
        (f"/console/doctors/{DOCTOR}/cap", {"weekly_cap": "4"}),
        (f"/console/sites/{SITE}/closed", {"closed_half_days": "FRI_AM"}),
        (
            f"/console/demand/clinics/{CLINIC}",
            {"sessions_per_week": "2", "min_title": "attending", "priority": "3"},
        ),
    ):
        refused = console.client.post(url, data={**token, **fields})
        assert refused.status_code == 403 and "没有权限" in refused.text, url
    # A hospital secretary's key (role hospital) reads the console and cannot edit either.
    secretary = create_key(console.engine, "医院秘书", "hospital", hospital_id="H01")
    console.client.post("/console/signin", data={"api_key": secretary})
    page = console.client.get(f"/console/doctors/{DOCTOR}")
    assert page.status_code == 200 and "医院秘书" in page.text and 'name="base"' not in page.text
    token = {**token, "csrf": _csrf(page.text)}
    refused = console.client.post(
        f"/console/doctors/{DOCTOR}/cap", data={**token, "weekly_cap": "4"}
    )
    assert refused.status_code == 403
    # A planner's form without its session's token (another site's) is refused too.
    console.signin("planner")
    stolen = {**_form(planner_page, "cap"), "csrf": "forged", "weekly_cap": "4", "note": "x"}
    assert console.client.post(f"/console/doctors/{DOCTOR}/cap", data=stolen).status_code == 403
    assert _versions(console) == [1]


def test_the_solve_job_page_names_its_data_version(console: Console) -> None:
    console.signin("planner")
    page = console.client.get(f"/console/doctors/{DOCTOR}").text
    _saved(
        console,
        _post(console, f"/console/doctors/{DOCTOR}/cap", page, "cap", weekly_cap="4", note="x"),
        2,
    )
    solve = console.client.get("/console/solve").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', solve)
    assert csrf is not None
    started = console.client.post(
        "/console/solve", data={"week": "2026-W49", "csrf": csrf.group(1)}, follow_redirects=False
    )
    assert started.status_code == 303
    job = console.client.get(started.headers["location"]).text  # queued: no worker here
    assert '求解所用数据: <a href="/console/data/versions/2">数据版本 2</a>' in job


def test_a_planner_changes_the_rule_parameters(console: Console) -> None:
    """规则参数: every parameter shown as the data holds it; a change is a new version
    with exactly that key changed (the file keeps its comments); a value the loader
    refuses is named beside its field; a viewer reads it read-only."""
    console.signin("viewer")
    read_only = console.client.get("/console/policy").text
    assert 'name="travel.limit_minutes"' in read_only and "readonly" in read_only
    assert 'name="note"' not in read_only
    console.signin("planner")
    shown = console.client.get("/console/policy").text
    assert '<a href="/console/policy" aria-current="page">规则参数</a>' in shown
    fields = dict(re.findall(r'name="([a-z_]+\.[a-z_]+)"[^>]*value="([^"]*)"', shown))
    assert fields["travel.limit_minutes"] == "60" and fields["travel.am_peak_multiplier"] == "1.3"
    opened = re.findall(r'name="calendar.open_half_days" value="(\w+)" checked', shown)
    assert opened == ["MON_AM", "MON_PM", "TUE_AM", "TUE_PM", "WED_AM", "WED_PM", "THU_AM",
                      "THU_PM", "FRI_AM", "FRI_PM", "SAT_AM"]  # fmt: skip
    sent = {**fields, "demand.team_min_title": "attending", "calendar.open_half_days": opened}
    bad = _post(
        console,
        "/console/policy",
        shown,
        "policy",
        **{**sent, "travel.limit_minutes": "0"},
        note="x",
    )
    _refused(bad, 422, "policy-travel.limit_minutes", "must be an integer")
    answer = _post(
        console,
        "/console/policy",
        shown,
        "policy",
        **{**sent, "travel.limit_minutes": "70"},
        note="山区路远",
    )
    assert answer.headers["location"] == "/console/policy"
    back = _saved(console, answer, 2)
    assert 'name="travel.limit_minutes"' in back and 'value="70"' in back
    with reading(console.engine) as session:
        changes = version_changes(session, 2)
        policy = data_files(session, 2).contents["policy.toml"].decode("utf-8")
    assert [(c.file, c.row_key, c.old, c.new) for c in changes] == [
        ("policy.toml", "travel.limit_minutes", "60", "70")
    ]
    assert policy.startswith("# Rule parameters") and "limit_minutes = 70\n" in policy
    assert "am_peak_multiplier = 1.30\n" in policy  # keys not changed keep their bytes
    _stale(_post(console, "/console/policy", shown, "policy", **sent, note="again"), 1, 2)
