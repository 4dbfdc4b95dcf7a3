"""What-if scenarios: each change type, the file format's errors, part reuse, sensitivity.

Every change type has a test that would fail if the change were ignored: the
variant's instance (or its solved KPIs) must differ from the baseline in the
expected direction. Solved variants are re-checked by the independent checker.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel

from scheduler.checker import check_roster
from scheduler.domain import Instance, Level
from scheduler.errors import InputError
from scheduler.io.load import DataSet, load_dataset
from scheduler.io.records import HospitalRow
from scheduler.model.candidates import candidate_triples
from scheduler.model.decompose import decompose
from scheduler.model.outcomes import PartOutcome
from scheduler.model.params import Deployment, SolverParams
from scheduler.model.reuse import part_fingerprint
from scheduler.model.rules import ALL_RULES
from scheduler.model.solve import solve
from scheduler.result import Result
from scheduler.scenarios.changes import VariantInput, build_variant
from scheduler.scenarios.sensitivity import run_sensitivity
from scheduler.scenarios.spec import load_scenario, parse_scenario
from tests.paths import ROOT

WEEK = "2026-W49"  # Monday 2026-11-30
C = "variants[0].changes[0]"  # the field path of the first change


@pytest.fixture(scope="module")
def data() -> DataSet:
    return load_dataset(ROOT / "data")


@pytest.fixture(scope="module")
def base(data: DataSet) -> VariantInput:
    return build_variant(data, WEEK, [])


@pytest.fixture(scope="module")
def solved_base(base: VariantInput) -> tuple[Result, dict[str, PartOutcome]]:
    cache: dict[str, PartOutcome] = {}
    return solve(base.instance, SolverParams(), reuse=cache), cache


def variant(data: DataSet, *changes: dict[str, Any]) -> VariantInput:
    scenario = parse_scenario(
        {"name": "t", "base": {"week": WEEK}, "variants": [{"name": "v", "changes": changes}]},
        file="t.yaml",
    )
    return build_variant(
        data, WEEK, scenario.variants[0].changes, where="variants[0].changes", file="t.yaml"
    )


def sessions(instance: Instance, **where: str) -> int:
    return sum(
        item.sessions
        for item in instance.demand.values()
        if all(getattr(item, k) == v for k, v in where.items())
    )


def solve_checked(instance: Instance, cache: dict[str, PartOutcome] | None) -> Result:
    result = solve(instance, SolverParams(), reuse=cache)
    check = check_roster(instance, result.assignments)
    assert check.ok, check.violations[:3]
    assert check.levels[Level.UNMET] == result.level(Level.UNMET).value
    return result


def unmet_sessions(result: Result) -> int:
    return sum(u.missing for u in result.unmet)


# --------------------------------------------------------------------------- doctors


def test_removing_a_pool_for_the_week_drops_doctors_and_headcount(
    data: DataSet, base: VariantInput, solved_base: tuple[Result, dict[str, PartOutcome]]
) -> None:
    v = variant(
        data,
        {
            "type": "remove_doctors",
            "hospital": "H02",
            "specialty": "CARD",
            "count": 3,
            "select": "senior",
            "from": "2026-11-30",
            "to": "2026-12-27",
        },
    )
    gone = set(base.instance.doctors) - set(v.instance.doctors)
    assert len(gone) == 3 and all(d.startswith("H02-CARD") for d in gone)
    assert all(base.instance.doctors[d].title.code == "chief" for d in gone)
    assert v.instance.away_limit[("H02", "CARD")] < base.instance.away_limit[("H02", "CARD")]
    baseline, cache = solved_base
    result = solve_checked(v.instance, dict(cache))
    assert unmet_sessions(result) > unmet_sessions(baseline)
    assert result.parameters["parts_reused"] == result.components - 1


def test_removing_a_doctor_for_two_days_puts_them_on_leave(
    data: DataSet, base: VariantInput
) -> None:
    v = variant(
        data,
        {
            "type": "remove_doctors",
            "doctors": ["H01-CARD-01"],
            "from": "2026-12-02",
            "to": "2026-12-03",
        },
    )
    doctor = v.instance.doctors["H01-CARD-01"]
    added = doctor.unavailable - base.instance.doctors["H01-CARD-01"].unavailable
    assert {k[:10] for k in added} == {"2026-12-02", "2026-12-03"}
    assert v.instance.away_limit == base.instance.away_limit  # still on the staff


def test_added_doctors_copy_the_typical_doctor_and_respect_their_dates(
    data: DataSet, base: VariantInput
) -> None:
    v = variant(
        data,
        {"type": "add_doctors", "hospital": "H02", "specialty": "CARD", "count": 2},
        {
            "type": "add_doctors",
            "hospital": "H01",
            "specialty": "NEPH",
            "title": "chief",
            "weekly_cap": 4,
            "from": "2026-12-03",
        },
    )
    new = {d: v.instance.doctors[d] for d in set(v.instance.doctors) - set(base.instance.doctors)}
    assert sorted(new) == ["H01-NEPH-N01", "H02-CARD-N01", "H02-CARD-N02"]
    neph = new["H01-NEPH-N01"]
    assert neph.title.code == "chief" and neph.weekly_cap == 4
    assert {k[:10] for k in neph.unavailable} >= {"2026-11-30", "2026-12-01", "2026-12-02"}
    assert not any(k.startswith("2026-12-04") for k in neph.unavailable)
    pool = Counter((d.hospital_id, d.specialty_id) for d in v.instance.doctors.values())
    assert pool[("H02", "CARD")] == 12
    assert len(candidate_triples(v.instance, ALL_RULES)) > len(
        candidate_triples(base.instance, ALL_RULES)
    )


def test_weekly_cap_is_set_for_the_doctors_named(data: DataSet, base: VariantInput) -> None:
    everyone = variant(data, {"type": "weekly_cap", "value": 1})
    assert {d.weekly_cap for d in everyone.instance.doctors.values()} == {1}
    some = variant(data, {"type": "weekly_cap", "value": 1, "specialty": ["RESP", "PEDI"]})
    for doctor_id, doctor in some.instance.doctors.items():
        before = base.instance.doctors[doctor_id].weekly_cap
        assert doctor.weekly_cap == (1 if doctor.specialty_id in ("RESP", "PEDI") else before)


# --------------------------------------------------------------------------- demand and sites


def test_scaling_demand_keeps_the_total_exact(data: DataSet, base: VariantInput) -> None:
    v = variant(data, {"type": "scale_demand", "specialty": "ENDO", "factor": 1.2})
    before = sessions(base.instance, specialty_id="ENDO")
    assert sessions(v.instance, specialty_id="ENDO") == int(before * 1.2 + 0.5) > before
    assert sessions(v.instance) - sessions(base.instance) == int(before * 1.2 + 0.5) - before
    down = variant(data, {"type": "scale_demand", "consortium": "K3", "factor": 0.5})
    k3 = [
        i
        for i in base.instance.demand.values()
        if base.instance.sites[i.site_id].consortium_id == "K3"
    ]
    assert sessions(down.instance) == sessions(base.instance) - sum(i.sessions for i in k3) + int(
        sum(i.sessions for i in k3) * 0.5 + 0.5
    )


def test_closing_removes_demand_or_closes_half_days(data: DataSet, base: VariantInput) -> None:
    department = variant(data, {"type": "close", "departments": ["D067"]})
    assert "D067" in base.instance.demand and "D067" not in department.instance.demand
    site = variant(data, {"type": "close", "sites": ["S006"]})
    assert not [i for i in site.instance.demand.values() if i.site_id == "S006"]
    team = variant(data, {"type": "close", "teams": ["T001"]})
    assert not [i for i in team.instance.demand.values() if i.team_id == "T001"]
    assert [i for i in base.instance.demand.values() if i.team_id == "T001"]
    two_days = variant(
        data, {"type": "close", "sites": ["S025"], "from": "2026-12-02", "to": "2026-12-03"}
    )
    closed = two_days.instance.sites["S025"].closed - base.instance.sites["S025"].closed
    assert {k[:10] for k in closed} == {"2026-12-02", "2026-12-03"}


def test_a_new_workstation_brings_its_teams_demand(data: DataSet, base: VariantInput) -> None:
    v = variant(
        data,
        {
            "type": "open_site",
            "site": {
                "id": "S900",
                "name": "红岩家庭医生工作站·大学城熙街社区",
                "consortium": "K3",
                "side": "west",
                "x_km": 5.1,
                "y_km": 5.6,
            },
            "teams": [
                {"id": "T900", "name": "熙街1队", "diabetes_panel": 260, "referrals": {"CARD": 9}}
            ],
            "clinics": [{"specialty": "ENDO", "sessions": 2}],
        },
        {
            "type": "open_team",
            "team": {"id": "T901", "name": "虎溪新队", "site": "S100", "copd_panel": 240},
        },
    )
    assert "S900" in v.instance.sites
    new = {k: i for k, i in v.instance.demand.items() if k not in base.instance.demand}
    assert new["T900-CARD"].sessions >= 1  # 9 referrals a week, 7 patients a session
    assert new["T900-ENDO"].sessions == 1  # diabetes panel 260 // 250
    assert new["S900-ENDO"].sessions == 2 and new["S900-ENDO"].allowed_hospitals
    assert new["T901-RESP"].sessions == 2  # COPD panel 240 // 120
    assert sessions(v.instance) == sessions(base.instance) + sum(i.sessions for i in new.values())


# --------------------------------------------------------------------------- rule parameters


def test_rule_parameters_reach_the_instance(data: DataSet, base: VariantInput) -> None:
    triples = len(candidate_triples(base.instance, ALL_RULES))
    limit = variant(data, {"type": "travel_limit", "minutes": 45})
    assert limit.instance.policy.travel_limit_minutes == 45
    assert len(candidate_triples(limit.instance, ALL_RULES)) < triples
    gap = variant(data, {"type": "midday_gap", "minutes": 30})
    assert gap.instance.policy.midday_gap_minutes == 30 < base.instance.policy.midday_gap_minutes
    away = variant(data, {"type": "max_away_share", "value": 0.2, "hospital": "H01"})
    for (hospital, specialty), limit_ in away.instance.away_limit.items():
        before = base.instance.away_limit[(hospital, specialty)]
        assert limit_ < before if hospital == "H01" and before > 0 else limit_ == before
    days = variant(
        data,
        {"type": "open_half_days", "half_days": ["MON_AM", "TUE_AM", "WED_AM", "THU_AM", "FRI_AM"]},
    )
    assert len(days.instance.half_days) == 5 < len(base.instance.half_days)


def test_scaling_travel_crossing_only_or_all(data: DataSet, base: VariantInput) -> None:
    crossing = variant(data, {"type": "scale_travel", "factor": 1.5, "crossing_only": True})
    everything = variant(data, {"type": "scale_travel", "factor": 1.5})
    sites, hospitals = base.instance.sites, data.table(HospitalRow)
    side = {r.hospital_id: r.side for r in hospitals}
    same = cross = 0
    for (hospital, site, period), minutes in base.instance.travel.home.items():
        after = crossing.instance.travel.home[(hospital, site, period)]
        if side[hospital] == sites[site].side:
            assert after == minutes
            same += 1
        else:
            assert after > minutes
            cross += 1
        assert everything.instance.travel.home[(hospital, site, period)] >= minutes
    assert same and cross


def test_the_tunnel_lowers_coverage_when_solved(
    data: DataSet, solved_base: tuple[Result, dict[str, PartOutcome]]
) -> None:
    baseline, cache = solved_base
    v = variant(data, {"type": "scale_travel", "factor": 1.2, "crossing_only": True})
    result = solve_checked(v.instance, dict(cache))
    assert unmet_sessions(result) > unmet_sessions(baseline)


# --------------------------------------------------------------------------- reuse


def test_reused_parts_give_the_same_levels_as_a_fresh_solve(
    data: DataSet, solved_base: tuple[Result, dict[str, PartOutcome]]
) -> None:
    _, cache = solved_base
    v = variant(data, {"type": "scale_demand", "specialty": "ENDO", "factor": 1.2})
    reused = solve(v.instance, SolverParams(), reuse=dict(cache))
    fresh = solve(v.instance, SolverParams())
    assert reused.parameters["parts_reused"] == reused.components - 1
    assert [lv.value for lv in reused.levels] == [lv.value for lv in fresh.levels]
    assert reused.assignments == fresh.assignments


def test_fingerprints_see_a_changed_part_only(data: DataSet, base: VariantInput) -> None:
    v = variant(data, {"type": "weekly_cap", "value": 1, "specialty": "PEDI"})
    prints = []
    for instance in (base.instance, v.instance):
        parts, _ = decompose(instance, candidate_triples(instance, ALL_RULES))
        prints.append({part_fingerprint(instance, p, SolverParams()) for p in parts})
    assert len(prints[0] - prints[1]) == 1 and len(prints[1] - prints[0]) == 1
    other_seed = dataclasses.replace(SolverParams(), seed=7)
    parts, _ = decompose(base.instance, candidate_triples(base.instance, ALL_RULES))
    assert part_fingerprint(base.instance, parts[0], other_seed) not in prints[0]


# --------------------------------------------------------------------------- sensitivity


def test_the_top_ranked_specialist_covers_what_was_predicted(data: DataSet) -> None:
    result = run_sensitivity(
        ROOT / "data", WEEK, specialties=["NEPH", "PEDI"], deployment=Deployment(processes=2)
    )
    top = result.rows[0]
    assert top["extra_sessions"] >= 1 and result.meta["pairs_solved"] >= 2
    assert [r["rank"] for r in result.rows] == list(range(1, len(result.rows) + 1))
    # Re-solve the whole week from scratch with that doctor added (no reuse).
    v = variant(
        data,
        {"type": "add_doctors", "hospital": top["hospital_id"], "specialty": top["specialty_id"]},
    )
    fresh = solve_checked(v.instance, None)
    gained = result.meta["baseline_unmet_sessions"] - unmet_sessions(fresh)
    assert gained >= top["extra_sessions"]


# --------------------------------------------------------------------------- the file format


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"type": "grow_budget"}, "", "unknown change type"),
        ({"type": "scale_demand", "factor": 0}, C + ".factor", "greater than 0"),
        (
            {"type": "scale_demand", "factor": 1.2, "specialty": "XXXX"},
            C + ".specialty[0]",
            "unknown specialty",
        ),
        ({"type": "remove_doctors", "hospital": "H02"}, C, "hospital, specialty and count"),
        (
            {"type": "remove_doctors", "hospital": "H02", "specialty": "CARD", "count": 99},
            C + ".count",
            "cannot remove 99",
        ),
        ({"type": "remove_doctors", "doctors": ["NOBODY"]}, C + ".doctors[0]", "unknown doctor"),
        (
            {"type": "add_doctors", "hospital": "H09", "specialty": "CARD"},
            C + ".hospital",
            "unknown hospital",
        ),
        ({"type": "open_half_days", "half_days": ["MONDAY"]}, C + ".half_days", "MON_AM"),
        ({"type": "close", "teams": ["T001"], "from": "2026-12-01"}, C, "sites only"),
        ({"type": "weekly_cap", "value": 1, "colour": "red"}, C + ".colour", "Extra inputs"),
    ],
)
def test_bad_changes_name_the_field(
    data: DataSet, change: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(InputError) as caught:
        variant(data, change)
    assert caught.value.field == (field or C), str(caught.value)
    assert words in str(caught.value)
    assert str(caught.value).startswith("t.yaml")


def test_a_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nbase:\n  week: 2026-W49\n variants: [\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert caught.value.row is not None and "bad.yaml" in str(caught.value)


def test_every_example_scenario_is_valid_and_changes_its_instance(
    data: DataSet, base: VariantInput
) -> None:
    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    assert len(files) >= 6
    for path in files:
        scenario = load_scenario(path)
        for k, v in enumerate(scenario.variants):
            built = build_variant(data, scenario.base.week, v.changes, where=f"variants[{k}]")
            assert built.notes, (path.name, v.name)
            assert built.instance != base.instance, (path.name, v.name)


def test_shorthand_changes_make_one_variant() -> None:
    scenario = parse_scenario(
        {"name": "s", "base": {"week": WEEK}, "changes": [{"type": "midday_gap", "minutes": 60}]},
        file="s.yaml",
    )
    assert [v.name for v in scenario.variants] == ["s"]


@pytest.mark.parametrize(
    ("base", "field", "words"),
    [
        ({"published": False}, "base.published", "a version number"),
        ({"published": 0}, "base.published", "a version number"),
        ({"published": "newest"}, "base.published", "a version number"),
        ({"published": True, "run": "runs/x"}, "base", "not both"),
        ({"published": 2, "previous_run": "runs/x"}, "base", "continuity"),
    ],
)
def test_a_bad_published_base_names_the_field(base: dict[str, Any], field: str, words: str) -> None:
    document = {
        "name": "s",
        "base": {"week": "2026-W49", **base},
        "changes": [{"type": "scale_travel", "factor": 1.5}],
    }
    with pytest.raises(InputError) as caught:
        parse_scenario(document, file="t.yaml")
    assert caught.value.field == field and words in str(caught.value), str(caught.value)


def test_fingerprints_hash_every_field_the_model_reads(base: VariantInput) -> None:
    """Every Instance field but the deny-list changes a part's fingerprint (a field
    added later is hashed without being named); the deny-list's do not."""
    from scheduler.model.reuse import NOT_READ_BY_THE_MODEL

    instance = base.instance
    parts, _ = decompose(instance, candidate_triples(instance, ALL_RULES))
    part = parts[0]
    before = part_fingerprint(instance, part, SolverParams())
    doctor, item = sorted(part.doctor_ids)[0], sorted(part.item_ids)[0]
    triple = (doctor, item, instance.half_days[0].key)
    changed = {
        "previous": instance.previous | {(doctor, item)},
        "pinned": frozenset({triple}),
        "reference": frozenset({triple}),
        "frozen": frozenset({instance.half_days[0].key}),
        "holidays": {**instance.holidays, instance.half_days[0].date_iso: "test"},
    }
    for name, value in changed.items():
        assert (
            part_fingerprint(dataclasses.replace(instance, **{name: value}), part, SolverParams())
            != before
        ), name
    assert {"week", "hospitals", "specialties", "consortia"} == NOT_READ_BY_THE_MODEL
    assert (
        part_fingerprint(dataclasses.replace(instance, week="2026-W50"), part, SolverParams())
        == before
    )


# ------------------------------------------------------------------ the registry


def test_every_change_type_is_parsed_applied_and_documented() -> None:
    """The parser's ``Change`` union (spec.py), the editor's ``APPLY`` (changes.py)
    and the table of changes in docs/scenarios.md name the same change types."""
    from scheduler.scenarios.changes import APPLY
    from scheduler.scenarios.spec import CHANGE_MODELS, CHANGE_TYPES

    assert set(APPLY) == set(CHANGE_MODELS)
    docs = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    assert re.findall(r"^\| `([a-z_]+)` \|", docs, re.MULTILINE) == list(CHANGE_TYPES)


class _LongerMiddayGap(BaseModel):
    """A toy change type: lengthen R7's midday gap by ``minutes``."""

    type: Literal["longer_midday_gap"] = "longer_midday_gap"
    minutes: int


def _longer_midday_gap(edit: Any, change: _LongerMiddayGap, _: int) -> None:
    policy = edit.data.policy
    gap = policy.midday_gap_minutes + change.minutes
    edit.data.policy = dataclasses.replace(policy, midday_gap_minutes=gap)
    edit.notes.append(f"midday gap {gap} min")


def test_a_new_change_type_by_the_checklist(
    data: DataSet, base: VariantInput, monkeypatch: pytest.MonkeyPatch
) -> None:
    # docs/dev/adding-a-scenario-change-type.md, step 2, for a toy type.
    from scheduler.scenarios.changes import APPLY

    monkeypatch.setitem(APPLY, _LongerMiddayGap, _longer_midday_gap)
    # The parser does not know it (step 1 not done): the registry test says so.
    with pytest.raises(AssertionError):
        test_every_change_type_is_parsed_applied_and_documented()
    v = build_variant(data, WEEK, [_LongerMiddayGap(minutes=30)])  # type: ignore[list-item]
    before = base.instance.policy.midday_gap_minutes
    assert v.instance.policy.midday_gap_minutes == before + 30
    assert v.notes == [f"midday gap {before + 30} min"]
    assert data.policy.midday_gap_minutes == before  # the data set itself is untouched
