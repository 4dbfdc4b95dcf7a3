"""The web console in a real browser: Playwright driving Debian's Chromium.

A server (``roster serve``) runs on loopback over a SQLite database with the
default week published. A viewer signs in with the keyboard alone, opens the
week, filters it, finds a doctor, opens the unmet list and switches to
English; a planner makes a doctor's calendar feed, starts a solve, sees it
finish and publishes it, and runs a scenario — the buttons and links of those
flows pressed with the keyboard. No page may log a console error, and axe-core
(axe-playwright-python) finds no violation of its rules — contrast and labels
among them — on any page. Screenshots of every page go to
``ROSTER_SCREENSHOTS`` (default ``test-artifacts/screenshots``), which CI keeps.

Chromium is Debian's (``apt-get install chromium``; ``.ci/run`` installs it):
Playwright never downloads a browser here. Without it the tests are skipped,
except under ``CI``, where they must run.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.paths import ROOT

pytestmark = pytest.mark.slow  # a browser (Chromium) against a served app

CHROMIUM = os.environ.get("ROSTER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(os.environ.get("ROSTER_SCREENSHOTS", ROOT / "test-artifacts" / "screenshots"))

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"Chromium is required in CI (apt-get install chromium): {CHROMIUM}")
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

playwright_sync = pytest.importorskip("playwright.sync_api")
AXE = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, default_run: Path) -> Iterator[dict[str, str]]:
    from scheduler.store.engine import open_database
    from scheduler.store.keys import create_key
    from scheduler.store.runs import import_run_dir, publish

    tmp = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{tmp / 'roster.db'}"
    engine = open_database(url)
    publish(engine, import_run_dir(engine, default_run), actor="test")
    keys = {role: create_key(engine, f"测试{role}", role) for role in ("viewer", "planner")}
    keys["h01"] = create_key(engine, "王秘书", "hospital", hospital_id="H01")
    engine.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "ROSTER_DATABASE_URL": url,
        "ROSTER_DATA_DIR": str(ROOT / "data"),
        "ROSTER_RUNS_DIR": str(tmp / "jobs"),
        "ROSTER_SCENARIOS_DIR": str(ROOT / "scenarios"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port), "--no-access-log"],
        cwd=tmp,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("roster serve did not start")
        yield {"base": base, **keys}
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


class Watched:
    """A page whose console errors and uncaught exceptions are collected."""

    def __init__(self, browser: Any, **context: Any) -> None:
        self.context = browser.new_context(**context)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.violations: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def shot(self, name: str, *, full_page: bool = False) -> None:
        """A screenshot, and axe-core's accessibility rules (contrast, labels, ...) on the page."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)
        results = AXE.run(self.page)
        found = [
            f"{name}: {v['id']} ({v['impact']}) {v['help']} — {len(v['nodes'])} nodes"
            for v in results.response["violations"]
        ]
        self.violations.extend(found)

    def close(self) -> None:
        self.context.close()


def _sign_in(page: Any, base: str, key: str) -> None:
    """Through the sign-in form, to the week."""
    page.goto(f"{base}/console/signin")
    page.get_by_label("API 密钥").fill(key)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: url.endswith("/console/week") and "signin" not in url)


def test_a_viewer_signs_in_and_reads_the_week(browser: Any, server: dict[str, str]) -> None:
    w = Watched(browser, locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = w.page
    page.goto(f"{server['base']}/console/")
    assert "/console/signin" in page.url
    w.shot("01-signin")
    # Keyboard only: Tab reaches the skip link first, then the key field; Enter signs in.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.get_by_label("API 密钥").focus()
    page.keyboard.type(server["viewer"])
    page.keyboard.press("Enter")
    # (The sign-in page's own URL ends in ?next=/console/week: wait for the week itself.)
    page.wait_for_url(lambda url: url.endswith("/console/week") and "signin" not in url)
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.locator("div.s").first.wait_for()
    cells = page.locator("div.s").count()
    assert cells == 907
    w.shot("02-week")
    # Filter by specialty through the labelled select, by keyboard.
    page.get_by_label("专科").select_option("CARD")
    page.get_by_role("button", name="筛选").press("Enter")
    page.wait_for_url("**specialty=CARD**", wait_until="load")
    page.get_by_label("专科").and_(page.locator("select")).wait_for()
    assert 0 < page.locator("div.s").count() < cells
    w.shot("03-week-cardiology")
    # Find a doctor.
    page.get_by_role("link", name="医生", exact=True).click()
    page.get_by_label("搜索医生（姓名、拼音首字母或工号）").fill("H01-CARD-01")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=H01-CARD-01", wait_until="load")
    page.locator('a[href="/console/doctors/H01-CARD-01"]').click()
    page.wait_for_url("**/console/doctors/H01-CARD-01", wait_until="load")
    assert page.locator("table.list tbody tr").count() >= 1
    w.shot("04-doctor")
    # Unmet demand, with reasons; then English.
    page.get_by_role("link", name="未满足需求").click()
    page.wait_for_url("**/console/unmet", wait_until="load")
    assert "45" in page.locator("p.meta strong").inner_text()
    assert page.locator("section.group").count() >= 1
    w.shot("05-unmet")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**lang=en", wait_until="load")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Unmet demand 2026-W49").is_visible()
    w.shot("06-unmet-en")
    assert w.errors == []
    assert w.violations == []
    w.close()


def test_a_planner_makes_a_calendar_feed_on_a_phone(browser: Any, server: dict[str, str]) -> None:
    w = Watched(browser, locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = w.page
    _sign_in(page, server["base"], server["planner"])
    w.shot("07-week-phone")
    page.goto(f"{server['base']}/console/doctors/H01-CARD-01")
    page.get_by_role("button", name="生成订阅链接").click()
    page.wait_for_load_state("load")
    feed = page.get_by_label("日历订阅").input_value()
    assert "/doctors/H01-CARD-01/calendar.ics?token=" in feed
    assert "BEGIN:VCALENDAR" in httpx.get(feed).text
    w.shot("08-feed-phone")
    assert w.errors == []
    assert w.violations == []
    w.close()


def test_a_planner_starts_a_solve_sees_it_finish_and_publishes(
    browser: Any, server: dict[str, str]
) -> None:
    w = Watched(browser, locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = w.page
    _sign_in(page, server["base"], server["planner"])
    page.get_by_role("link", name="求解与发布").press("Enter")
    page.wait_for_url("**/console/solve")
    assert page.get_by_label("周次").input_value() == "2026-W49"
    w.shot("09-solve")
    page.get_by_role("button", name="开始求解").press("Enter")  # keyboard
    page.wait_for_url("**/console/solves/**")
    w.shot("10-solve-running")
    # solve.js polls the job and reloads the page when it ends.
    page.locator("#job-status", has_text="已完成").wait_for(timeout=240_000)
    assert page.locator("table.list tbody tr").count() == 5  # L1–L5
    w.shot("11-solve-done")
    page.get_by_role("button", name="发布").press("Enter")
    page.wait_for_url("**/console/week?week=2026-W49")
    assert "版本 2" in page.locator("p.meta").inner_text()
    w.shot("12-published")
    assert w.errors == []
    assert w.violations == []
    w.close()


def test_a_planner_runs_a_scenario_and_sees_the_charts(
    browser: Any, server: dict[str, str]
) -> None:
    w = Watched(browser, locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = w.page
    _sign_in(page, server["base"], server["planner"])
    page.get_by_role("link", name="情景分析").press("Enter")
    page.wait_for_url("**/console/scenarios")
    page.get_by_label("示例情景").select_option("xinqiao-cardiology-loss")
    w.shot("13-scenarios")
    page.get_by_role("button", name="运行情景").press("Enter")
    page.wait_for_url("**/console/scenarios/**")
    page.locator("#job-status", has_text="已完成").wait_for(timeout=240_000)
    assert page.locator("table.list thead th").count() == 4  # KPI, baseline, two variants
    images = page.locator(".charts img")
    assert images.count() == 3
    page.wait_for_load_state("networkidle")
    for k in range(3):  # every chart loaded as an image (not a broken link)
        assert images.nth(k).evaluate("img => img.complete && img.naturalWidth > 0")
    w.shot("14-scenario-done")
    assert w.errors == []
    assert w.violations == []
    w.close()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _save(page: Any, form: Any, note: str, button: str, version: int) -> None:
    """Fill the form's note, press its button with the keyboard, see version named."""
    form.get_by_label("修改原因（必填）").fill(note)
    form.get_by_role("button", name=button).press("Enter")
    page.locator("p.saved", has_text=f"新的数据版本为 {version}").wait_for()


def test_a_planner_enters_the_weeks_changes_to_the_data(
    browser: Any, server: dict[str, str], default_run: Path
) -> None:
    """The planner's week (issue 15): a doctor's leave Tuesday to Thursday, a site
    with Friday sessions closed on Friday, a clinic's sessions raised by one —
    data version 4 on the versions page. (The solve on it: tests/api/test_data.py.)"""
    friday = [r["site_id"] for r in _rows(default_run / "roster.csv") if r["date"] == "2026-12-04"]
    site = max(sorted(set(friday)), key=friday.count)  # the busiest site on Friday
    consortium = next(r for r in _rows(ROOT / "data" / "sites.csv") if r["site_id"] == site)
    clinic = next(r for r in _rows(ROOT / "data" / "clinics.csv") if r["clinic_id"] == "C001")
    base = server["base"]
    w = Watched(browser, locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = w.page
    _sign_in(page, base, server["planner"])
    page.goto(f"{base}/console/doctors/H01-CARD-01")
    leave = page.locator("form#leave")
    leave.get_by_label("开始日期").fill("2026-12-01")
    leave.get_by_label("结束日期").fill("2026-12-03")
    leave.get_by_label("请假原因").fill("年假")
    _save(page, leave, "蔡医生 12月1日至3日年假", "添加请假", 2)
    assert "2026-12-03" in page.locator("table.leave").inner_text()
    w.shot("15-doctor-leave")
    # A site closed on Friday: filter by its consortium, open its form, tick with Space.
    page.get_by_role("link", name="站点", exact=True).press("Enter")
    page.wait_for_url("**/console/sites")
    page.get_by_label("医联体").select_option(consortium["consortium_id"])
    page.get_by_role("button", name="筛选").press("Enter")
    page.wait_for_url(f"**consortium={consortium['consortium_id']}", wait_until="load")
    page.locator(f"#row-site-{site} summary").press("Enter")
    closed = page.locator(f"form#site-{site}")
    for half_day in ("周五上午", "周五下午"):
        closed.get_by_label(half_day).press("Space")
        assert closed.get_by_label(half_day).is_checked()
    w.shot("16-site-form")
    _save(page, closed, f"{consortium['name']} 周五停诊", "保存", 3)
    assert "周五上午、周五下午" in page.locator(f"#row-site-{site}").inner_text()
    w.shot("17-sites-saved")
    # C001 one session more.
    page.get_by_role("link", name="需求", exact=True).press("Enter")
    page.wait_for_url("**/console/demand")
    page.locator("#row-clinics-C001 summary").press("Enter")
    demand = page.locator("form#clinics-C001")
    demand.get_by_label("每周次数").fill(str(int(clinic["sessions_per_week"]) + 1))
    w.shot("18-demand-form")
    _save(page, demand, "慢病随访增加", "保存", 4)
    # The history: version 4 first, and what it changed.
    page.get_by_role("link", name="数据版本", exact=True).press("Enter")
    page.wait_for_url("**/console/data/versions")
    rows = page.locator("table.versions tbody tr")
    assert rows.count() == 4 and "数据版本 4" in rows.first.inner_text()
    assert "慢病随访增加" in rows.first.inner_text()
    w.shot("19-data-versions")
    page.get_by_role("link", name="数据版本 4").press("Enter")
    page.wait_for_url("**/console/data/versions/4")
    change = page.locator("table.changes tbody tr").first.inner_text()
    assert "C001" in change and f"{clinic['sessions_per_week']} → " in change
    w.shot("20-data-version-4")
    assert w.errors == []
    assert w.violations == []
    w.close()
    # The same pages on a phone.
    phone = Watched(browser, locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    _sign_in(phone.page, base, server["planner"])
    for name, path in (
        ("21-doctor-phone", "/console/doctors/H01-CARD-01"),
        ("22-sites-phone", f"/console/sites?consortium={consortium['consortium_id']}"),
        ("23-demand-phone", f"/console/demand?consortium={consortium['consortium_id']}"),
        ("24-data-versions-phone", "/console/data/versions"),
    ):
        phone.page.goto(f"{base}{path}")
        if name == "22-sites-phone":
            phone.page.locator(f"#row-site-{site} summary").press("Enter")
        phone.shot(name, full_page=True)
    assert phone.errors == []
    assert phone.violations == []
    phone.close()


def test_a_secretary_asks_for_leave_and_a_planner_repairs_the_week(
    browser: Any, server: dict[str, str], default_run: Path
) -> None:
    """Issue 15: a secretary on a phone asks for a day's leave; a planner approves it,
    previews the repair of the published week and publishes it; the import page."""
    away = next(  # a doctor of H01 at work that week (H01-CARD-01's leave is another test's)
        r
        for r in _rows(default_run / "roster.csv")
        if r["doctor_id"].startswith("H01-") and r["doctor_id"] != "H01-CARD-01"
    )
    doctor, day = away["doctor_id"], away["date"]
    base = server["base"]
    phone = Watched(browser, locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.page
    _sign_in(page, base, server["h01"])
    page.get_by_role("link", name="请假申请", exact=True).press("Enter")
    page.wait_for_url("**/console/requests")
    form = page.locator("form#submit")
    form.get_by_label("医生", exact=True).select_option(doctor)
    form.get_by_label("开始日期").fill(day)
    form.get_by_label("结束日期").fill(day)
    form.get_by_label("请假原因").fill("进修")
    form.get_by_role("button", name="提交请假申请").press("Enter")
    page.locator("p.saved", has_text="申请已提交").wait_for()
    phone.shot("25-requests-secretary-phone", full_page=True)
    assert phone.errors == []
    assert phone.violations == []
    phone.close()
    w = Watched(browser, locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = w.page
    _sign_in(page, base, server["planner"])
    page.get_by_role("link", name="请假申请", exact=True).press("Enter")
    page.wait_for_url("**/console/requests")
    w.shot("26-requests-queue")
    row = page.locator("#main tr", has_text=doctor).filter(has_text="进修").first
    row.get_by_role("button", name="批准").press("Enter")
    page.locator("p.saved", has_text="已批准").wait_for()
    page.locator("div.note").get_by_role("link", name="预览修复 2026-W49").press("Enter")
    page.wait_for_url("**/repair?week=2026-W49")
    assert page.locator("table.changes tbody tr").count() > 0
    w.shot("27-repair-preview", full_page=True)
    page.get_by_role("button", name=re.compile("^发布")).press("Enter")
    page.wait_for_url("**/console/week?week=2026-W49")
    page.get_by_role("link", name="导入导出", exact=True).press("Enter")
    page.wait_for_url("**/console/data/import")
    w.shot("28-data-import")
    assert w.errors == []
    assert w.violations == []
    w.close()
