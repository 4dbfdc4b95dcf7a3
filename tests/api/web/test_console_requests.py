"""Leave requests, the repair of a published week, and the data workbook's import in
the console (issue 15), on each database backend.

A hospital's secretary submits for the hospital's doctors only, and sees only the
hospital's requests; a planner approves (a new data version) or rejects (a note
required); an approved leave in a published week is repaired after a preview,
and publishing the preview makes the week's next version (a stale preview: 409
in words). The import page downloads the workbook, uploads a changed one, shows
its changes and applies them; a workbook the loader refuses is a 422 naming the
sheet, one that changes nothing a 409.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.app import create_app
from api.settings import ApiSettings
from scheduler.store.data_versions import list_versions
from scheduler.store.engine import reading
from scheduler.store.keys import create_key
from scheduler.store.queries import newest_published_week
from scheduler.store.runs import import_run_dir, publish, published_version
from tests.api.web.test_console import Console, _csrf
from tests.paths import ROOT

LEAVE = {"doctor_id": "H01-CARD-01", "start_date": "2026-12-01", "end_date": "2026-12-03"}
OTHER_DOCTOR = "H02-CARD-01"  # of hospital H02


@pytest.fixture
def console(database_url: str, tmp_path: Path) -> Iterator[Console]:
    settings = ApiSettings.model_validate(
        {"database_url": database_url, "data_dir": ROOT / "data", "runs_dir": tmp_path / "jobs"}
    )
    app = create_app(settings)
    engine = app.state.engine
    keys = {role: create_key(engine, f"测试{role}", role) for role in ("viewer", "planner")}
    keys["h01"] = create_key(engine, "王秘书", "hospital", hospital_id="H01")
    keys["h02"] = create_key(engine, "刘秘书", "hospital", hospital_id="H02")
    with TestClient(app) as client:
        yield Console(client, keys, engine)


def _submit(console: Console, doctor_id: str = LEAVE["doctor_id"], **fields: str) -> Any:
    page = console.client.get("/console/requests").text
    form = {**LEAVE, "doctor_id": doctor_id, "reason": "年假", "csrf": _csrf(page), **fields}
    return console.client.post("/console/requests", data=form, follow_redirects=False)


def _request_id(page: str, doctor_id: str = LEAVE["doctor_id"]) -> str:
    found = re.search(
        rf'<tr id="req-(\w+)">\s*<th scope="row">[^<]* <span class="id">{doctor_id}<', page
    )
    assert found is not None, page[-3000:]
    return found.group(1)


def _versions(console: Console) -> list[int]:
    with reading(console.engine) as session:
        return [v.version for v in list_versions(session)]


def test_a_secretary_submits_for_their_hospital(console: Console) -> None:
    console.signin("h01")
    page = console.client.get("/console/requests").text
    assert 'href="/console/requests" aria-current="page"' in page  # in their navigation
    assert "/console/solve" not in page  # what a secretary cannot use is not offered
    assert 'value="H01-CARD-01"' in page and f'value="{OTHER_DOCTOR}"' not in page
    answer = _submit(console)
    assert answer.status_code == 303, answer.text[-2000:]
    page = console.client.get(answer.headers["location"]).text
    assert "申请已提交" in page and "年假" in page and "待审批" in page
    _request_id(page)
    assert "/approve" not in page and "/reject" not in page  # no decision forms for them
    bad = _submit(console, end_date="2026-11-30")  # before the start
    assert bad.status_code == 422
    assert re.search(r'id="submit-end_date-error">[^<]*must not be before start', bad.text)


def test_a_secretary_cannot_see_or_act_for_another_hospital(console: Console) -> None:
    console.signin("h01")
    assert _submit(console).status_code == 303
    request_id = _request_id(console.client.get("/console/requests").text)
    console.signin("h02")
    page = console.client.get("/console/requests").text
    assert request_id not in page and "年假" not in page
    assert _submit(console, doctor_id="H01-CARD-01").status_code == 403
    approve = console.client.post(
        f"/console/requests/{request_id}/approve", data={"csrf": _csrf(page)}
    )
    assert approve.status_code == 403
    console.signin("viewer")  # a viewer may not use the page (as GET /requests refuses)
    assert console.client.get("/console/requests").status_code == 403
    assert "/console/requests" not in console.client.get("/console/week").text


def test_a_planner_approves_and_rejects(console: Console) -> None:
    console.signin("h01")
    assert _submit(console).status_code == 303
    assert _submit(console, doctor_id="H01-CARD-02", reason="进修").status_code == 303
    console.signin("planner")
    page = console.client.get("/console/requests").text
    first, second = _request_id(page), _request_id(page, "H01-CARD-02")
    before = _versions(console)
    approved = console.client.post(
        f"/console/requests/{first}/approve",
        data={"csrf": _csrf(page), "note": "同意"},
        follow_redirects=False,
    )
    assert approved.status_code == 303, approved.text[-2000:]
    assert len(_versions(console)) == len(before) + 1
    page = console.client.get(approved.headers["location"]).text
    assert (
        f'已批准，请假已写入数据版本 <a href="/console/data/versions/{max(_versions(console))}">'
        in page
    )
    refused = console.client.post(
        f"/console/requests/{second}/reject", data={"csrf": _csrf(page), "note": " "}
    )
    assert refused.status_code == 422
    assert re.search(rf'id="reject-{second}-note-error">请填写驳回原因', refused.text)
    rejected = console.client.post(
        f"/console/requests/{second}/reject",
        data={"csrf": _csrf(page), "note": "人手不足"},
        follow_redirects=False,
    )
    assert rejected.status_code == 303
    page = console.client.get("/console/requests").text
    assert "申请已驳回" in page and "人手不足" in page and "已驳回" in page
    again = console.client.post(
        f"/console/requests/{second}/reject", data={"csrf": _csrf(page), "note": "x"}
    )
    assert again.status_code == 409 and "该申请已被处理" in again.text


def test_the_repair_is_previewed_then_published(console: Console, default_run: Path) -> None:
    engine = console.engine
    publish(engine, import_run_dir(engine, default_run), actor="test")
    with reading(engine) as session:
        week = newest_published_week(session)
    console.signin("h01")
    assert _submit(console).status_code == 303
    console.signin("planner")
    page = console.client.get("/console/requests").text
    request_id = _request_id(page)
    assert f'<span class="flag">{week}</span>' in page  # the published week, flagged
    approved = console.client.post(
        f"/console/requests/{request_id}/approve", data={"csrf": _csrf(page)}
    )
    assert approved.status_code == 200  # followed back to the page
    link = f"/console/requests/{request_id}/repair?week={week}"
    assert f'href="{link}">预览修复 {week}</a>' in approved.text
    preview = console.client.get(link)
    assert preview.status_code == 200, preview.text[-2000:]
    assert "修复预览" in preview.text and '<td data-label="原医生">' in preview.text
    assert "H01-CARD-01" in preview.text
    with reading(engine) as session:
        assert published_version(session, week).version == 1  # a preview publishes nothing
    form = {"csrf": _csrf(preview.text), "week": week, "version": "1"}
    done = console.client.post(link.split("?")[0], data=form, follow_redirects=False)
    assert done.status_code == 303, done.text[-2000:]
    with reading(engine) as session:
        assert published_version(session, week).version == 2
    stale = console.client.post(link.split("?")[0], data=form)
    assert stale.status_code == 409
    assert "预览之后该周已发布了新的版本（2），预览的是版本 1" in stale.text


def _workbook(content: bytes, sheet: str, header: str, value: Any) -> bytes:
    """The workbook with the first data row's ``header`` cell of ``sheet`` set to ``value``."""
    book = load_workbook(io.BytesIO(content))
    rows = book[sheet]
    column = next(c.column for c in rows[1] if c.value == header)
    rows.cell(row=2, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(console: Console, content: bytes, note: str = "调整上限") -> Any:
    page = console.client.get("/console/data/import").text
    return console.client.post(
        "/console/data/import",
        data={"csrf": _csrf(page), "note": note},
        files={"workbook": ("data.xlsx", content, "application/octet-stream")},
        follow_redirects=False,
    )


def test_the_workbook_is_uploaded_previewed_and_applied(console: Console) -> None:
    console.signin("planner")
    page = console.client.get("/console/data/import").text
    assert 'href="/console/data/template.xlsx"' in page and "数据版本 1" in page
    template = console.client.get("/console/data/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    unchanged = _upload(console, template.content)
    assert unchanged.status_code == 409 and "no change" in unchanged.text
    bad = _upload(console, _workbook(template.content, "医生", "每周上限", 99))
    assert bad.status_code == 422 and "sheet 医生 row 2" in bad.text
    uploaded = _upload(console, _workbook(template.content, "医生", "每周上限", 5))
    assert uploaded.status_code == 303, uploaded.text[-2000:]
    preview = console.client.get(uploaded.headers["location"]).text
    assert '医生 <span class="id">doctors.csv</span>' in preview
    assert '每周上限 <span class="id">weekly_cap</span>' in preview and "<ins>5</ins>" in preview
    assert _versions(console) == [1]  # nothing changes before it is applied
    apply_url = re.search(r'action="(/console/data/import/\w+/apply)"', preview)
    assert apply_url is not None
    applied = console.client.post(
        apply_url.group(1), data={"csrf": _csrf(preview)}, follow_redirects=False
    )
    assert applied.status_code == 303 and applied.headers["location"] == "/console/data/versions/2"
    assert sorted(_versions(console)) == [1, 2]
    twice = console.client.post(apply_url.group(1), data={"csrf": _csrf(preview)})
    assert twice.status_code == 409 and "already data version 2" in twice.text
    console.signin("viewer")
    assert "导入导出" in console.client.get("/console/data/import").text
    assert _upload(console, template.content).status_code == 403
