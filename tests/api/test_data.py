"""Planners edit the data set over the API (issue 15, SPEC §12), on SQLite and PostgreSQL.

Every edit is a new data version, checked by the loader's rules, committed
only on the newest version; the next solve uses it. The planner's week: a
doctor's leave for Tuesday to Thursday, a site closed on Friday, a clinic's
sessions raised — three edits, data version 4 — then a solve job on version
4 whose roster has none of those sessions, and passes the checker.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from scheduler.io.data_files import DataFiles
from scheduler.pipeline import check_run
from scheduler.store.data_versions import data_files
from scheduler.store.engine import transaction
from scheduler.store.keys import create_key
from scheduler.store.schema import SolveRun
from tests.paths import DATA

WEEK = "2026-W49"
DOCTOR = "H01-CARD-01"  # out on Tuesday and Wednesday in the default roster
CLINIC = "C001"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _settings(database_url: str, tmp_path: Path) -> ApiSettings:
    return ApiSettings.model_validate(
        {
            "database_url": database_url,
            "data_dir": DATA,
            "runs_dir": tmp_path / "jobs",
            "job_pool_size": 1,
        }
    )


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Any:
    app = create_app(_settings(database_url, tmp_path))
    with TestClient(app) as client:
        planner = {"X-API-Key": create_key(app.state.engine, "张主任", "planner")}
        viewer = {"X-API-Key": create_key(app.state.engine, "李医生", "viewer")}
        yield app, client, planner, viewer


def _edit(client: TestClient, key: dict[str, str], base: int, **body: Any) -> Any:
    return client.post("/data/versions", json={"base": base, "note": "测试", **body}, headers=key)


def test_an_edit_is_the_next_version_with_its_changes(served: Any) -> None:
    app, client, planner, viewer = served
    listed = client.get("/data/versions", headers=viewer)
    assert listed.status_code == 200 and [v["version"] for v in listed.json()] == [1]
    answer = _edit(
        client,
        planner,
        1,
        rows=[
            {
                "file": "doctors.csv",
                "action": "change",
                "key": [DOCTOR],
                "cells": {"weekly_cap": 4},
            },
            {
                "file": "leave.csv",
                "action": "add",
                "cells": {
                    "doctor_id": DOCTOR,
                    "start_date": "2026-12-01",
                    "end_date": "2026-12-03",
                    "reason": "年假",
                },
            },
        ],
        policy=[{"key": "travel.limit_minutes", "value": 70}],
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["location"] == "/data/versions/2/changes"
    assert answer.json() == {
        "version": 2,
        "changes": [
            {
                "file": "policy.toml",
                "row_key": "travel.limit_minutes",
                "action": "changed",
                "column": "travel.limit_minutes",
                "old": "60",
                "new": "70",
            },
            {
                "file": "doctors.csv",
                "row_key": DOCTOR,
                "action": "changed",
                "column": "weekly_cap",
                "old": "3",
                "new": "4",
            },
            {
                "file": "leave.csv",
                "row_key": f"{DOCTOR}/2026-12-01/2026-12-03/年假",
                "action": "added",
                "column": None,
                "old": None,
                "new": None,
            },
        ],
    }
    versions = client.get("/data/versions", headers=viewer).json()
    assert [
        (v["version"], v["created_by"], v["source"], v["note"], v["changes"]) for v in versions
    ] == [
        (2, "张主任", "edit", "测试", 3),
        (1, "server", "import", versions[1]["note"], 0),
    ]
    assert client.get("/data/versions/2/changes", headers=viewer).json() == answer.json()["changes"]
    with transaction(app.state.engine) as session:
        stored = data_files(session, 2)
    policy = stored.contents["policy.toml"].decode("utf-8")
    assert "limit_minutes = 70\n" in policy and policy.startswith(
        "# Rule parameters"
    )  # comments kept
    untouched = DataFiles.read(DATA)
    for name in ("sites.csv", "referrals.csv", "clinics.csv"):
        assert stored.contents[name] == untouched.contents[name]  # other files keep their bytes
    doctors = stored.contents["doctors.csv"].decode("utf-8").splitlines()
    before = untouched.contents["doctors.csv"].decode("utf-8").splitlines()
    assert [a for a, b in zip(doctors, before, strict=True) if a != b] == [
        next(line for line in doctors if line.startswith(DOCTOR + ","))
    ]  # one line changed


def test_edits_are_refused_naming_the_place_and_nothing_is_stored(served: Any) -> None:
    _app, client, planner, viewer = served
    cases = [
        (
            [
                {
                    "file": "doctors.csv",
                    "action": "change",
                    "key": [DOCTOR],
                    "cells": {"weekly_cap": -1},
                }
            ],
            "column weekly_cap",
        ),
        (
            [
                {
                    "file": "doctors.csv",
                    "action": "change",
                    "key": ["NOBODY"],
                    "cells": {"weekly_cap": 2},
                }
            ],
            "rows[0].key",
        ),
        (
            [{"file": "doctors.csv", "action": "change", "key": [DOCTOR], "cells": {"cap": 2}}],
            "rows[0].cells",
        ),
        ([{"file": "nurses.csv", "action": "remove", "key": ["N1"]}], "rows[0].file"),
        (
            [
                {
                    "file": "sites.csv",
                    "action": "change",
                    "key": ["S009"],
                    "cells": {"closed_half_days": "FRI"},
                }
            ],
            "sites.csv row",
        ),
        (
            [
                {
                    "file": "doctors.csv",
                    "action": "change",
                    "key": [DOCTOR],
                    "cells": {"hospital_id": "H99"},
                }
            ],
            "unknown hospital 'H99'",
        ),
    ]
    for rows, words in cases:
        answer = _edit(client, planner, 1, rows=rows)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert words in answer.json()["detail"], (words, answer.json())
    misspelt = _edit(client, planner, 1, policy=[{"key": "travel.limit_minute", "value": 70}])
    assert misspelt.status_code == 422 and "unknown key" in misspelt.json()["detail"]
    assert _edit(client, viewer, 1, rows=[]).status_code == 403
    nothing = _edit(client, planner, 1, rows=[])
    assert nothing.status_code == 409 and "no change" in nothing.json()["detail"]
    assert [v["version"] for v in client.get("/data/versions", headers=viewer).json()] == [1]


def test_an_edit_of_an_older_version_is_refused(served: Any) -> None:
    _, client, planner, _ = served
    cap = {"file": "doctors.csv", "action": "change", "key": [DOCTOR], "cells": {"weekly_cap": 4}}
    assert _edit(client, planner, 1, rows=[cap]).status_code == 201
    again = _edit(client, planner, 1, rows=[{**cap, "cells": {"weekly_cap": 5}}])  # a double click
    assert again.status_code == 409
    assert "data version 1 is no longer the newest (now 2)" in again.json()["detail"]
    assert _edit(client, planner, 9, rows=[cap]).status_code == 404


def _sessions(run_dir: Path) -> list[dict[str, str]]:
    with (run_dir / "roster.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.slow
def test_the_planners_week_leave_a_closure_more_sessions_then_the_solve(
    served: Any, job_worker: Any, default_run: Path
) -> None:
    app, client, planner, _viewer = served
    job_worker(app.state.settings)
    friday = "2026-12-04"
    busy = [s["site_id"] for s in _sessions(default_run) if s["date"] == friday]
    site = max(set(busy), key=busy.count)  # the site with the most sessions on Friday
    clinic_sessions = next(
        int(r["sessions_per_week"])
        for r in csv.DictReader((DATA / "clinics.csv").open(encoding="utf-8"))
        if r["clinic_id"] == CLINIC
    )
    edits = [
        {
            "file": "leave.csv",
            "action": "add",
            "cells": {
                "doctor_id": DOCTOR,
                "start_date": "2026-12-01",
                "end_date": "2026-12-03",
                "reason": "年假",
            },
        },
        {
            "file": "sites.csv",
            "action": "change",
            "key": [site],
            "cells": {"closed_half_days": "FRI_AM;FRI_PM"},
        },
        {
            "file": "clinics.csv",
            "action": "change",
            "key": [CLINIC],
            "cells": {"sessions_per_week": clinic_sessions + 1},
        },
    ]
    for base, row in enumerate(edits, start=1):
        answer = _edit(client, planner, base, rows=[row])
        assert answer.status_code == 201 and answer.json()["version"] == base + 1, answer.text
    job = client.post("/solves", json={"week": WEEK}, headers=planner).json()
    from tests.store.test_jobs import _poll

    assert _poll(client, planner["X-API-Key"], job["id"])["status"] == "succeeded"
    with transaction(app.state.engine) as session:
        run = session.get(SolveRun, job["id"])
        assert run is not None and run.data_version == 4 and run.report["data_version"] == 4
        run_dir = Path(str(run.run_dir))
    sessions = _sessions(run_dir)
    assert not [
        s
        for s in sessions
        if s["doctor_id"] == DOCTOR and "2026-12-01" <= s["date"] <= "2026-12-03"
    ]
    assert not [s for s in sessions if s["site_id"] == site and s["date"] == friday]
    demand = list(csv.DictReader((run_dir / "demand.csv").open(encoding="utf-8")))
    assert next(int(d["sessions"]) for d in demand if d["item_id"] == CLINIC) == clinic_sessions + 1
    assert check_run(run_dir).ok


def _workbook(client: TestClient, key: dict[str, str]) -> Any:
    from openpyxl import load_workbook

    answer = client.get("/data/template.xlsx", headers=key)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(answer.content))


def _upload(client: TestClient, key: dict[str, str], wb: Any, name: str = "回传.xlsx") -> Any:
    out = io.BytesIO()
    wb.save(out)
    return client.post(
        "/data/imports",
        files={"workbook": (name, out.getvalue(), XLSX)},
        data={"note": "第一医院回传"},
        headers=key,
    )


def _row(ws: Any, key: str) -> Any:
    return next(row for row in ws.iter_rows(min_row=2) if row[0].value == key)


def test_the_excel_round_trip_previews_exactly_its_changes_then_applies(served: Any) -> None:
    _, client, planner, viewer = served
    wb = _workbook(client, viewer)
    assert wb.sheetnames[:3] == ["填写说明", "选项", "医院"] and "医生" in wb.sheetnames
    doctors, sites = wb["医生"], wb["站点"]
    assert [c.value for c in doctors[1]][:2] == ["医生工号", "名称"]
    _row(doctors, DOCTOR)[5].value = "5"  # a cap
    doctors.append(["H01-CARD-99", "新医生", "H01", "CARD", "attending", "2", "", ""])  # a doctor
    _row(sites, "S008")[8].value = "FRI_AM;FRI_PM"  # a closure
    staged = _upload(client, planner, wb)
    assert staged.status_code == 201, staged.text
    preview = staged.json()
    assert preview["base"] == 1 and preview["applied_version"] is None
    assert [
        (c["file"], c["row_key"], c["action"], c["column"], c["new"]) for c in preview["changes"]
    ] == [
        ("sites.csv", "S008", "changed", "closed_half_days", "FRI_AM;FRI_PM"),
        ("doctors.csv", DOCTOR, "changed", "weekly_cap", "5"),
        ("doctors.csv", "H01-CARD-99", "added", None, None),
    ]
    assert [v["version"] for v in client.get("/data/versions", headers=viewer).json()] == [1]
    assert client.get(staged.headers["location"], headers=viewer).json() == preview
    assert client.post(f"/data/imports/{preview['id']}/apply", headers=viewer).status_code == 403
    applied = client.post(f"/data/imports/{preview['id']}/apply", headers=planner)
    assert applied.status_code == 201 and applied.json()["version"] == 2, applied.text
    again = client.post(f"/data/imports/{preview['id']}/apply", headers=planner)  # a double click
    assert again.status_code == 409 and "already data version 2" in again.json()["detail"]
    versions = client.get("/data/versions", headers=viewer).json()
    assert (versions[0]["version"], versions[0]["source"], versions[0]["note"]) == (
        2,
        "excel",
        "第一医院回传",
    )


def test_a_workbook_with_a_bad_cell_is_refused_naming_sheet_row_and_column(served: Any) -> None:
    _, client, planner, viewer = served
    for column, value, words in (
        (3, "H99", "sheet 医生 row 5, column 医院编号 (hospital_id): unknown hospital 'H99'"),
        (5, "professor", "sheet 医生 row 5, column 职称 (title): unknown value 'professor'"),
    ):
        wb = _workbook(client, viewer)
        wb["医生"].cell(row=5, column=column).value = value
        answer = _upload(client, planner, wb)
        assert answer.status_code == 422, answer.text
        assert words in answer.json()["detail"]
    not_excel = client.post(
        "/data/imports", files={"workbook": ("x.xlsx", b"not a workbook", XLSX)}, headers=planner
    )
    assert not_excel.status_code == 422 and "not an Excel workbook" in not_excel.json()["detail"]
    unchanged = _upload(client, planner, _workbook(client, viewer))
    assert unchanged.status_code == 409 and "no change" in unchanged.json()["detail"]
    assert [v["version"] for v in client.get("/data/versions", headers=viewer).json()] == [1]


@pytest.mark.slow
def test_every_data_version_is_solved_again_to_its_roster(
    served: Any, job_worker: Any, default_run: Path, tmp_path: Path
) -> None:
    """After an edit (version 2), a solve of version 1 gives the roster a solve of
    the original directory gives; a solve of version 2, the roster of version 2
    exported and solved from its directory by the command line."""
    from typer.testing import CliRunner

    from cli.app import app as roster

    app, client, planner, _ = served
    job_worker(app.state.settings)
    cap = {"file": "doctors.csv", "action": "change", "key": [DOCTOR], "cells": {"weekly_cap": 1}}
    assert _edit(client, planner, 1, rows=[cap]).status_code == 201
    runs = {}
    for version in (1, 2):
        job = client.post(
            "/solves", json={"week": WEEK, "data_version": version}, headers=planner
        ).json()
        from tests.store.test_jobs import _poll

        done = _poll(client, planner["X-API-Key"], job["id"])
        assert done["status"] == "succeeded" and done["data_version"] == version
        with transaction(app.state.engine) as session:
            runs[version] = Path(str(session.get(SolveRun, job["id"]).run_dir))  # type: ignore[union-attr]
    assert (runs[1] / "roster.csv").read_bytes() == (default_run / "roster.csv").read_bytes()
    url = str(app.state.settings.database_url)
    exported = tmp_path / "v2"
    cli = CliRunner()
    assert (
        cli.invoke(
            roster, ["data", "export", str(exported), "--version", "2", "--database", url]
        ).exit_code
        == 0
    )
    solved = cli.invoke(
        roster, ["solve", "--week", WEEK, "--data", str(exported), "--out", str(tmp_path / "r2")]
    )
    assert solved.exit_code == 0, solved.output
    assert (tmp_path / "r2" / "roster.csv").read_bytes() == (runs[2] / "roster.csv").read_bytes()
    assert (runs[2] / "roster.csv").read_bytes() != (runs[1] / "roster.csv").read_bytes()
    missing = client.post("/solves", json={"week": WEEK, "data_version": 9}, headers=planner)
    assert missing.status_code == 404
