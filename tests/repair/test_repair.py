"""Repairing the published default week after an absence, on each database backend.

The week is solved once (``default_run``) and published; a doctor falls ill
on Tuesday morning. The repair must keep Monday as published, leave the
doctor nothing from Tuesday on, pass the checker (Δ recomputed), change fewer
assignments than solving the week again from scratch with the absence, and
publish the result as version 2 — or nothing at all.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from scheduler.domain import Level
from scheduler.errors import InputError
from scheduler.io.run_dir import read_roster
from scheduler.model.params import SolverParams
from scheduler.model.solve import solve
from scheduler.pipeline import check_run
from scheduler.repair.run import AbsenceRequest, repair_week
from scheduler.store.engine import open_database, transaction
from scheduler.store.errors import Conflict, NotFound
from scheduler.store.queries import published_roster
from scheduler.store.runs import import_run_dir
from scheduler.store.runs import publish as publish_run
from tests.paths import DATA, ROOT

WEEK = "2026-W49"
TUESDAY = "2026-12-01"


@pytest.fixture
def published(database_url: str, default_run: Path):  # type: ignore[no-untyped-def]
    engine = open_database(database_url)
    publish_run(engine, import_run_dir(engine, default_run), actor="test")
    yield engine
    engine.dispose()


def _busiest_from_tuesday(engine) -> str:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        roster = published_roster(session, WEEK, None).assignments
    counts = Counter(a.doctor_id for a in roster if a.half_day_key >= TUESDAY)
    return max(sorted(counts), key=lambda d: counts[d])


def test_an_absence_is_repaired_with_few_changes(published, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    doctor = _busiest_from_tuesday(published)
    with transaction(published) as session:
        before = published_roster(session, WEEK, None)
    outcome = repair_week(
        published, WEEK, [AbsenceRequest(doctor, TUESDAY)], out_dir=tmp_path / "r", actor="test"
    )
    assert (outcome.repaired_version, outcome.version) == (1, 2)
    verdict = check_run(tmp_path / "r")
    assert verdict.ok, (verdict.check.violations[:3], verdict.mismatched)
    after = outcome.result.assignments
    old = set(before.assignments)
    new = set(after)
    # Monday is past: exactly as published.
    assert {t for t in old if t[2] < TUESDAY} == {t for t in new if t[2] < TUESDAY}
    assert not [t for t in new if t[0] == doctor and t[2] >= TUESDAY]
    # The diff lists what changed, nothing else, and only from Tuesday.
    assert all(c.half_day >= TUESDAY for c in outcome.changes)
    delta = outcome.result.level(Level.CHANGES).value
    assert delta == len(old ^ new) > 0
    assert outcome.result.parameters["parts_resolved"] < outcome.result.components
    # From scratch with the same absence (Monday is past there too: frozen as
    # published): the same unmet, more assignments changed.
    scratch_instance = dataclasses.replace(
        outcome.instance, policy=before.instance.policy, reference=frozenset()
    )
    scratch = solve(scratch_instance, SolverParams())
    made = set(scratch.assignments)
    assert outcome.result.level(Level.UNMET).value == scratch.level(Level.UNMET).value
    assert delta < len(old ^ made)
    # Notifications: the absent doctor, and every site whose sessions changed.
    notified = {d["doctor_id"] for d in outcome.notices["doctors"]}
    assert doctor in notified
    assert {s["site_id"] for s in outcome.notices["sites"]} == {
        c.site_id for c in outcome.changes
    } | {c.previous_site_id for c in outcome.changes if c.previous_site_id}
    assert (tmp_path / "r" / "notifications.md").read_text(encoding="utf-8").count("###") == len(
        notified
    ) + len(outcome.notices["sites"])
    # Published as version 2, in the database.
    with transaction(published) as session:
        newest = published_roster(session, WEEK, None)
    assert newest.publication.version == 2 and len(newest.assignments) == len(after)


def test_a_repair_of_an_old_version_publishes_nothing(published, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    doctor = _busiest_from_tuesday(published)
    absence = [AbsenceRequest(doctor, TUESDAY)]
    repair_week(published, WEEK, absence, out_dir=tmp_path / "first", actor="test")
    with pytest.raises(Conflict) as caught:
        repair_week(published, WEEK, absence, version=1, out_dir=tmp_path / "late", actor="t")
    assert "version 2" in caught.value.message
    assert not (tmp_path / "late").exists()


def test_unavoidable_unmet_is_explained(published, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Every doctor of one hospital's pediatrics away all week: some sessions go unmet.
    with transaction(published) as session:
        instance = published_roster(session, WEEK, None).instance
    team = sorted(d.id for d in instance.doctors.values() if d.specialty_id == "PEDI")
    outcome = repair_week(
        published,
        WEEK,
        [AbsenceRequest(d, "2026-11-30") for d in team],
        out_dir=tmp_path / "r",
        actor="test",
    )
    pediatric = [
        u for u in outcome.result.unmet if instance.demand[u.item_id].specialty_id == "PEDI"
    ]
    assert pediatric and all(u.reason and u.reason_code for u in pediatric)
    assert {c.kind for c in outcome.changes} == {"dropped"}
    assert check_run(tmp_path / "r").ok


def test_bad_absences_name_the_field(published, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cases = [
        (AbsenceRequest("NOBODY", TUESDAY), "absences[0].doctor_id"),
        (AbsenceRequest("H01-CARD-01", "2026-12-24"), "absences[0].from"),
        (AbsenceRequest("H01-CARD-01", "Tuesday"), "absences[0].from"),
        (AbsenceRequest("H01-CARD-01", "2026-12-02", "2026-12-01"), "absences[0].to"),
    ]
    for absence, field in cases:
        with pytest.raises(InputError) as caught:
            repair_week(published, WEEK, [absence], out_dir=tmp_path / "no", actor="t")
        assert caught.value.field == field, str(caught.value)
    with pytest.raises(NotFound) as missing:
        repair_week(published, "2026-W50", [absence], out_dir=tmp_path / "no", actor="t")
    assert "no published roster" in missing.value.message
    assert not (tmp_path / "no").exists()


def test_repair_over_the_api(database_url: str, default_run: Path, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import ApiSettings
    from scheduler.store.keys import create_key

    root = ROOT
    settings = ApiSettings.model_validate(
        {"database_url": database_url, "data_dir": root / "data", "runs_dir": tmp_path / "jobs"}
    )
    app = create_app(settings)
    engine = app.state.engine
    planner = {"X-API-Key": create_key(engine, "planner", "planner")}
    viewer = {"X-API-Key": create_key(engine, "viewer", "viewer")}
    publish_run(engine, import_run_dir(engine, default_run), actor="test")
    doctor = _busiest_from_tuesday(engine)
    body = {"absences": [{"doctor_id": doctor, "from": f"{TUESDAY}:AM"}], "note": "病假"}
    client = TestClient(app)
    assert client.post(f"/weeks/{WEEK}/repairs", json=body, headers=viewer).status_code == 403
    bad = {"absences": [{"doctor_id": "NOBODY", "from": TUESDAY}]}
    answer = client.post(f"/weeks/{WEEK}/repairs", json=bad, headers=planner)
    assert answer.status_code == 422 and "absences[0].doctor_id" in answer.json()["detail"]

    answer = client.post(f"/weeks/{WEEK}/repairs", json=body, headers=planner)
    assert answer.status_code == 201, answer.text
    repaired = answer.json()
    assert (repaired["repaired_version"], repaired["version"]) == (1, 2)
    assert repaired["summary"]["dropped"] + repaired["summary"]["reassigned"] >= 1
    assert any(d["doctor_id"] == doctor for d in repaired["notifications"]["doctors"])
    changed = client.get(f"/weeks/{WEEK}/changes", params={"since": 1}, headers=viewer).json()
    assert changed["version"] == 2 and changed["note"] == "病假"
    assert changed["summary"] == repaired["summary"]
    assert changed["changes"] == repaired["changes"]
    own = client.get(
        f"/weeks/{WEEK}/roster", params={"doctor": doctor, "limit": 1000}, headers=viewer
    ).json()
    assert own["version"] == 2 and all(s["date"] < TUESDAY for s in own["items"])
    # Version 1 is no longer the newest: repairing it again is a conflict.
    stale = client.post(f"/weeks/{WEEK}/repairs", json={**body, "version": 1}, headers=planner)
    assert stale.status_code == 409
    engine.dispose()


def test_the_repair_command(tmp_path: Path, default_run: Path) -> None:
    import json

    from typer.testing import CliRunner

    from cli.app import app

    database = f"sqlite:///{tmp_path / 'roster.db'}"
    engine = open_database(database)
    publish_run(engine, import_run_dir(engine, default_run), actor="test")
    with transaction(engine) as session:
        roster = published_roster(session, WEEK, None).assignments
    engine.dispose()
    first = _busiest_doctor(roster)
    second = _busiest_doctor([a for a in roster if a.doctor_id != first])
    keep = _busiest_doctor([a for a in roster if a.doctor_id not in (first, second)])
    cli = ["repair", "--week", WEEK, "--database", database, "--out", str(tmp_path / "r")]
    absences = ["--absent", first, "--from", TUESDAY, "--absent", second, "--from", "2026-12-02"]
    answer = CliRunner().invoke(app, [*cli, *absences, "--to", "2026-12-02:PM", "--pin", keep])
    assert answer.exit_code == 0, answer.output
    assert "version 1 → 2" in answer.output and "notifications.md" in answer.output
    report = json.loads((tmp_path / "r" / "repair.json").read_text(encoding="utf-8"))
    assert [a["doctor_id"] for a in report["notifications"]["doctors"]].count(first) == 1
    repaired = set(read_roster(tmp_path / "r" / "roster.csv"))
    kept = [a for a in roster if a.doctor_id == keep]
    assert kept and set(kept) <= repaired  # pinned: every published session of theirs
    assert check_run(tmp_path / "r").ok
    # A what-if scenario cannot take the repaired version as a baseline from the data.
    scenario = tmp_path / "s.yaml"
    data = DATA
    scenario.write_text(
        f"name: s\nbase: {{week: {WEEK}, published: true, data: {data}}}\n"
        "changes: [{type: scale_travel, factor: 1.2}]\n",
        encoding="utf-8",
    )
    refused = CliRunner().invoke(
        app,
        ["scenario", "run", str(scenario), "--database", database, "--out", str(tmp_path / "s")],
    )
    assert refused.exit_code == 2 and "is a repair" in refused.output
    # --to once for two absences would be ambiguous only with two --from: one line, exit 2.
    bad = CliRunner().invoke(
        app,
        [
            *cli,
            "--absent",
            first,
            "--absent",
            second,
            "--from",
            TUESDAY,
            "--to",
            "a",
            "--to",
            "b",
            "--to",
            "c",
        ],
    )
    assert bad.exit_code == 2 and "--to" in bad.output


def _busiest_doctor(roster) -> str:  # type: ignore[no-untyped-def]
    counts = Counter(a.doctor_id for a in roster if a.half_day_key >= TUESDAY)
    return max(sorted(counts), key=lambda d: counts[d])
