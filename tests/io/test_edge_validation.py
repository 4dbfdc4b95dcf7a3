"""Ids and weeks at the edge, and the two silent wrong answers (issue 13).

* Ids follow one rule (``scheduler.ids``): the loader refuses any other id in
  every id column, the API in every path and query id, and the calendar writer
  never turns an id into a path out of its directory.
* Weeks have one spelling (``scheduler.week.canonical_week``): full-width forms
  typed through a Chinese IME become the ASCII week everywhere; other digits,
  dashes or a lower-case ``w`` are refused in one line.
* A week outside the referral history is refused instead of being solved with
  an empty forecast; a window partly outside averages the weeks it has and
  says so. ``--previous`` must be last week's run.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from typer.testing import CliRunner

from api.app import create_app
from api.schemas.runs import SolveRequest
from api.settings import ApiSettings
from cli.app import app
from cli.options import week_option
from datasets.generate import generate
from scheduler.demand import derive_demand, forecast_window
from scheduler.errors import InputError
from scheduler.ids import ID_MAX_LENGTH, is_valid_id
from scheduler.io.calendar import write_calendars
from scheduler.io.load import load_dataset
from scheduler.io.records import DoctorRow, ReferralRow
from scheduler.io.schema import SPECS
from scheduler.model.params import Deployment
from scheduler.pipeline import previous_pairs
from scheduler.scenarios.sensitivity import run_sensitivity
from scheduler.scenarios.spec import parse_scenario
from scheduler.store.keys import create_key
from scheduler.store.runs import import_run_dir, publish
from scheduler.week import canonical_week, parse_week
from tests.factories import tiny_instance, tiny_roster
from tests.paths import DATA

WEEK = "2026-W49"
FULL_WIDTH_WEEK = "２０２６－Ｗ４９"  # what a Chinese IME in full-width mode types

ID_COLUMNS = [
    (spec.file, column.name) for spec in SPECS for column in spec.columns if column.kind == "id"
]


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def set_cell(directory: Path, file: str, row: int, column: str, value: str) -> None:
    """Set one cell of a CSV file; ``row`` counts the header as row 1."""
    path = directory / file
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[row - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


# --------------------------------------------------------------------------- ids


@pytest.mark.parametrize(
    "text", ["H01", "H01-CARD-03", "X02-T117", "T001-CARD", "a.b_c", "9" * ID_MAX_LENGTH]
)
def test_valid_ids(text: str) -> None:
    assert is_valid_id(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        ".",
        "..",
        "../../x",
        ".hidden",
        "-x",
        "_x",
        "a/b",
        "a\\b",
        "a b",
        "a;b",
        "a,b",
        "H01\n",
        "Ｈ01",  # full-width H: looks like H01, is not
        "é",
        "9" * (ID_MAX_LENGTH + 1),
    ],
)
def test_raises_on_bad_id(text: str) -> None:
    assert not is_valid_id(text)


def test_every_id_of_the_data_and_of_a_generated_city_follows_the_rule(tmp_path: Path) -> None:
    generate(tmp_path / "city", districts=3)  # ids prefixed X01- ... as in the 38-district city
    for directory in (DATA, tmp_path / "city"):
        data = load_dataset(directory)
        for file, column in ID_COLUMNS:
            bad = {
                getattr(row, column) for row in data[file] if not is_valid_id(getattr(row, column))
            }
            assert not bad, (directory.name, file, column, bad)
    city = load_dataset(tmp_path / "city")
    assert any(row.doctor_id.startswith("X03-") for row in city.table(DoctorRow))


@pytest.mark.parametrize(("file", "column"), ID_COLUMNS, ids=[f"{f}:{c}" for f, c in ID_COLUMNS])
def test_loader_refuses_a_path_as_id_in_every_id_column(
    data_copy: Path, file: str, column: str
) -> None:
    set_cell(data_copy, file, 2, column, "../../x")
    with pytest.raises(InputError) as caught:
        load_dataset(data_copy)
    error = caught.value
    assert (error.file, error.row, error.column) == (file, 2, column), str(error)
    assert "bad id '../../x'" in str(error)


@pytest.mark.parametrize("value", ["Ｈ01-CARD-01", ".H01-CARD-01", "H01-CARD-01" + "9" * 60])
def test_loader_refuses_ids_the_api_would_refuse(data_copy: Path, value: str) -> None:
    set_cell(data_copy, "doctors.csv", 17, "doctor_id", value)
    with pytest.raises(InputError) as caught:
        load_dataset(data_copy)
    assert str(caught.value).startswith("doctors.csv row 17, column doctor_id: bad id")


def test_cli_names_the_bad_id_in_one_line(data_copy: Path, tmp_path: Path) -> None:
    set_cell(data_copy, "doctors.csv", 17, "doctor_id", "../../escape")
    out = tmp_path / "run"
    result = CliRunner().invoke(
        app, ["solve", "--week", WEEK, "--data", str(data_copy), "--out", str(out)]
    )
    assert result.exit_code == 2
    assert "doctors.csv row 17, column doctor_id: bad id '../../escape'" in result.output
    assert not out.exists() and not (tmp_path / "escape.ics").exists()


def test_calendars_never_write_outside_their_directory(tmp_path: Path) -> None:
    # An instance that did not come through the loader (instance.json, a scenario).
    instance = tiny_instance()
    bad = "../../escape"
    doctors = {
        (bad if k == "D1" else k): (dataclasses.replace(d, id=bad) if k == "D1" else d)
        for k, d in instance.doctors.items()
    }
    instance = dataclasses.replace(instance, doctors=doctors)
    roster = [a._replace(doctor_id=bad) if a.doctor_id == "D1" else a for a in tiny_roster()]
    calendars = tmp_path / "run" / "calendars"
    with pytest.raises(InputError, match=re.escape("bad id '../../escape'")):
        write_calendars(calendars, instance, roster)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # nothing written anywhere


# --------------------------------------------------------------------------- weeks


@pytest.mark.parametrize(
    "text", [FULL_WIDTH_WEEK, "２０２６-W４９", "2026-Ｗ49", "2026－W49", " 2026-W49\u3000", WEEK]
)
def test_full_width_weeks_become_the_ascii_week(text: str) -> None:
    assert canonical_week(text) == WEEK
    assert parse_week(text) == (2026, 49)


@pytest.mark.parametrize(
    "text",
    [
        "2026-w49",  # lower-case w
        "٢٠٢٦-W49",  # Arabic-Indic digits: \d matches them
        "२०२६-W49",  # Devanagari digits
        "2026–W49",  # en dash
        "2026-W049",
        "20261-W49",
        "2026W49",
        "2026-W49x",
    ],
)
def test_raises_on_other_weeks(text: str) -> None:
    with pytest.raises(InputError, match="bad ISO week"):
        canonical_week(text)
    with pytest.raises(InputError):
        parse_week(text)


def test_loader_stores_the_canonical_week(data_copy: Path) -> None:
    set_cell(data_copy, "referrals.csv", 2, "week", "２０２５-W４１")
    rows = load_dataset(data_copy).table(ReferralRow)
    assert rows[0].week == "2025-W41"
    assert all(r.week.isascii() for r in rows)


def test_cli_week_option_is_canonical_or_one_line(tmp_path: Path) -> None:
    assert week_option(FULL_WIDTH_WEEK) == WEEK
    out = tmp_path / "r"
    result = CliRunner().invoke(app, ["solve", "--week", "٢٠٢٦-W49", "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: --week: bad ISO week '٢٠٢٦-W49': expected YYYY-Www, e.g. 2026-W49"
    ]
    assert not out.exists()


def test_scenario_base_week_is_canonical_and_new_ids_follow_the_rule() -> None:
    scenario = {
        "name": "s",
        "base": {"week": FULL_WIDTH_WEEK},
        "changes": [{"type": "midday_gap", "minutes": 60}],
    }
    assert parse_scenario(scenario, file="s.yaml").base.week == WEEK
    bad_week = {**scenario, "base": {"week": "2026-w49"}}
    with pytest.raises(InputError) as caught:
        parse_scenario(bad_week, file="s.yaml")
    assert caught.value.field == "base.week"
    new_team = {
        "type": "open_team",
        "team": {"id": "../x", "name": "新团队", "site": "S036"},
    }
    with pytest.raises(InputError) as caught:
        parse_scenario({**scenario, "changes": [new_team]}, file="s.yaml")
    assert caught.value.field == "variants[0].changes[0].team.id"
    assert "bad id '../x'" in str(caught.value)


def test_solve_request_week_is_canonical() -> None:
    assert SolveRequest(week=FULL_WIDTH_WEEK).week == WEEK
    with pytest.raises(ValidationError):
        SolveRequest(week="٢٠٢٦-W49")


# --------------------------------------------------------------------------- referral history


def test_default_week_reads_its_whole_window() -> None:
    window = forecast_window(load_dataset(DATA), WEEK)
    assert window.covered == window.needed and len(window.needed) == 8
    assert window.warning is None


def test_week_beyond_the_history_is_refused_in_one_line() -> None:
    data = load_dataset(DATA)
    for week in ("2027-W30", "2025-W41"):  # after the history; just at its start
        with pytest.raises(InputError) as caught:
            derive_demand(data, week)
        error = caught.value
        assert error.file == "referrals.csv"
        assert "2025-W41…2026-W48" in str(error) and "none of them" in str(error)
    with pytest.raises(InputError, match="2027-W22…2027-W29"):
        forecast_window(data, "2027-W30")


def test_window_partly_outside_the_history_averages_the_weeks_it_has() -> None:
    data = load_dataset(DATA)
    week = "2026-W51"  # window 2026-W43…W50; the history ends at 2026-W48
    window = forecast_window(data, week)
    assert window.covered == tuple(f"2026-W{w}" for w in range(43, 49))
    assert window.warning is not None and "6 of its 8" in window.warning
    assert "2026-W49, 2026-W50" in window.warning
    counts: dict[tuple[str, str], int] = {}
    for row in data.table(ReferralRow):
        if row.week in window.covered:
            pair = (row.team_id, row.specialty_id)
            counts[pair] = counts.get(pair, 0) + row.referrals
    rows = [r for r in derive_demand(data, week) if r.item.team_id is not None]
    assert rows
    for row in rows:
        expected = counts.get((row.item.team_id or "", row.item.specialty_id), 0) / 6
        assert row.trailing_mean == round(expected, 3), row.item.id  # not the sum / 8


def test_solve_reports_and_prints_the_partial_window(tmp_path: Path) -> None:
    out = tmp_path / "w51"
    result = CliRunner().invoke(app, ["solve", "--week", "2026-W51", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert len(report["warnings"]) == 1 and "6 of its 8" in report["warnings"][0]
    warned = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert len(warned) == 1 and "referrals.csv covers 2025-W41…2026-W48" in warned[0]


# --------------------------------------------------------------------------- --previous


def test_previous_run_must_be_last_week(default_run: Path) -> None:
    with pytest.raises(InputError) as caught:
        previous_pairs(default_run, week=WEEK)
    message = str(caught.value)
    assert "the previous run is of 2026-W49" in message and "is 2026-W48" in message
    assert previous_pairs(default_run, week="２０２６－Ｗ５０")  # the week after: fine


def test_previous_run_without_a_week_is_refused(tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text("doctor_id,date,half_day,item_id\n", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape("no report.json or instance.json")):
        previous_pairs(tmp_path, week="2026-W50")


def test_cli_refuses_the_same_week_as_previous(default_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "again"
    result = CliRunner().invoke(
        app,
        ["solve", "--week", FULL_WIDTH_WEEK, "--previous", str(default_run), "--out", str(out)],
    )
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "the previous run is of 2026-W49, but the week before 2026-W49 is 2026-W48" in lines[0]
    assert not out.exists()


def test_sensitivity_refuses_the_same_week_as_previous(default_run: Path) -> None:
    with pytest.raises(InputError, match="the week before 2026-W49 is 2026-W48"):
        run_sensitivity(DATA, WEEK, previous_run=default_run, deployment=Deployment(processes=1))


# --------------------------------------------------------------------------- API and console


class Client:
    def __init__(self, client: TestClient, keys: dict[str, str]) -> None:
        self.client, self.keys = client, keys

    def get(self, url: str, role: str = "viewer", **kwargs: object):  # type: ignore[no-untyped-def]
        return self.client.get(url, headers={"X-API-Key": self.keys[role]}, **kwargs)  # type: ignore[arg-type]

    def post(self, url: str, role: str = "planner", **kwargs: object):  # type: ignore[no-untyped-def]
        return self.client.post(url, headers={"X-API-Key": self.keys[role]}, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def published(database_url: str, default_run: Path, tmp_path: Path) -> Iterator[Client]:
    """The API with the default week published once."""
    settings = ApiSettings.model_validate(
        {"database_url": database_url, "data_dir": DATA, "runs_dir": tmp_path / "jobs"}
    )
    api = create_app(settings)
    with TestClient(api) as client:
        engine = api.state.engine
        keys = {role: create_key(engine, role, role) for role in ("viewer", "planner")}
        publish(engine, import_run_dir(engine, default_run), actor="test")
        yield Client(client, keys)


def test_api_reads_full_width_weeks_as_the_published_week(published: Client) -> None:
    page = published.get(f"/weeks/{FULL_WIDTH_WEEK}/roster", params={"limit": 1})
    assert page.status_code == 200, page.text
    assert page.json()["week"] == WEEK and page.json()["total"] == 907
    assert published.get(f"/weeks/{FULL_WIDTH_WEEK}/kpis").json()["week"] == WEEK
    runs = published.get("/runs", params={"week": "２０２６-W４９"}).json()
    assert [r["week"] for r in runs] == [WEEK]
    doctor = page.json()["items"][0]["doctor_id"]
    mine = published.get(f"/doctors/{doctor}/assignments", params={"week": FULL_WIDTH_WEEK})
    assert [w["week"] for w in mine.json()["weeks"]] == [WEEK]
    changes = published.get(f"/weeks/{FULL_WIDTH_WEEK}/changes", params={"since": 1})
    assert changes.status_code == 200 and changes.json()["week"] == WEEK


@pytest.mark.parametrize(
    "url",
    [
        "/weeks/2026-w49/roster",
        "/weeks/٢٠٢٦-W49/roster",
        "/weeks/2026–W49/unmet",
        "/runs?week=٢٠٢٦-W49",
        "/doctors/H01-CARD-01/assignments?week=2026-w49",
    ],
)
def test_api_refuses_other_weeks_with_422_naming_the_field(published: Client, url: str) -> None:
    answer = published.get(url)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert "week" in answer.json()["detail"] and "bad ISO week" in answer.json()["detail"]


def test_api_a_week_no_calendar_has_is_not_found(published: Client) -> None:
    assert published.get("/weeks/2025-W53/roster").status_code == 404
    assert published.get("/weeks/2025-W53/publication").status_code == 404
    answer = published.post("/solves", json={"week": "2026-w49"})
    assert answer.status_code == 422 and "body.week" in answer.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/doctors/.hidden/assignments",
        "/doctors/Ｈ01-CARD-01/assignments",
        "/weeks/2026-W49/sites/-S001/roster",
        "/weeks/2026-W49/roster?site=../x",
        "/weeks/2026-W49/roster?doctor=..",
        "/solves/.x",
    ],
)
def test_api_refuses_ids_outside_the_rule(published: Client, url: str) -> None:
    answer = published.get(url)
    assert answer.status_code == 422, answer.text


def test_repair_body_ids_follow_the_rule(published: Client) -> None:
    body = {"absences": [{"doctor_id": "../x", "from": "2026-12-01"}]}
    answer = published.post(f"/weeks/{WEEK}/repairs", json=body)
    # Refused by the request's type, before the repair reads the published week.
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("body.absences.0.doctor_id:")


def test_console_reads_full_width_weeks_and_refuses_bad_ids(published: Client) -> None:
    client = published.client
    signed = client.post(
        "/console/signin",
        data={"api_key": published.keys["viewer"], "next": "/console/week"},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    page = client.get("/console/week", params={"week": FULL_WIDTH_WEEK})
    assert page.status_code == 200
    assert WEEK in page.text and FULL_WIDTH_WEEK not in page.text
    assert "version" in page.text.lower() or "版本" in page.text  # the published roster shows
    assert client.get("/console/week", params={"week": "2026-w49"}).status_code == 422
    assert client.get("/console/week", params={"specialty": "../x"}).status_code == 422
    assert client.get("/console/doctors/.hidden").status_code == 422
