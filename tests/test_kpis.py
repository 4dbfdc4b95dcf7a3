"""KPIs recomputed from a hand-made roster of the tiny instance (tests/factories.py).

Roster: D1 (H1 CARD) holds I1 at S1 on MON_AM (26 min) and WED_PM (20 min) and
I3 at S3 on FRI_AM (52 min); D2 (H2 ENDO) holds I2 at S2 on TUE_AM (20 min);
D3 is idle. Demand: I1 ×2 (K1, east), I2 ×2 (K1, east), I3 ×1 (K2, west).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

import pytest

from scheduler.checker import check_roster
from scheduler.domain import Assignment, Instance, Level
from scheduler.kpis import CoverageTotal, Kpis, compute_kpis, percent, percentile
from tests.factories import key, tiny_instance, tiny_result, tiny_roster


def row(rows: list[dict], id_: str) -> dict:
    (match,) = [r for r in rows if r["id"] == id_]
    return match


def kpis_json(instance: Instance, roster: Sequence[Assignment]) -> dict[str, Any]:
    """The KPIs as ``kpis.json`` holds them: the shape the assertions below pin down."""
    return compute_kpis(instance, roster).to_dict()


def test_fixture_roster_is_valid_and_levels_match_tiny_result() -> None:
    # Guards the fixture itself: the numbers below are only meaningful for a valid roster.
    instance = tiny_instance()
    report = check_roster(instance, tiny_roster())
    assert report.ok, report.violations
    result = tiny_result(instance)
    assert report.levels == {lv.level: lv.value for lv in result.levels}
    assert (
        report.levels[Level.TRAVEL] == kpis_json(instance, tiny_roster())["travel"]["total_minutes"]
    )


def test_top_level_keys_in_fixed_order() -> None:
    kpis = kpis_json(tiny_instance(), tiny_roster())
    assert list(kpis) == [
        "sessions",
        "ignored_assignments",
        "coverage",
        "load",
        "travel",
        "continuity",
    ]
    assert list(kpis["coverage"]) == [
        "overall",
        "by_consortium",
        "by_specialty",
        "by_kind",
        "by_side",
        "by_hospital",
    ]
    assert kpis["sessions"] == 4
    assert kpis["ignored_assignments"] == 0
    json.dumps(kpis)  # JSON-ready


def test_overall_coverage() -> None:
    coverage = kpis_json(tiny_instance(), tiny_roster())["coverage"]
    assert coverage["overall"] == {"required": 5, "covered": 4, "unmet": 1, "percent": 80.0}


def test_coverage_by_consortium_specialty_kind_side() -> None:
    coverage = kpis_json(tiny_instance(), tiny_roster())["coverage"]
    assert coverage["by_consortium"] == [
        {
            "id": "K1",
            "name": "第一医共体",
            "required": 4,
            "covered": 3,
            "unmet": 1,
            "percent": 75.0,
        },
        {
            "id": "K2",
            "name": "第二医共体",
            "required": 1,
            "covered": 1,
            "unmet": 0,
            "percent": 100.0,
        },
    ]
    by_specialty = coverage["by_specialty"]
    assert [r["id"] for r in by_specialty] == ["CARD", "ENDO"]  # sorted by id
    assert {r["id"]: (r["required"], r["covered"], r["percent"]) for r in by_specialty} == {
        "CARD": (3, 3, 100.0),
        "ENDO": (2, 1, 50.0),
    }
    by_kind = coverage["by_kind"]
    assert [r["id"] for r in by_kind] == ["clinic", "department", "team_support"]
    assert row(by_kind, "clinic") == {
        "id": "clinic",
        "name": "基层坐诊",
        "required": 2,
        "covered": 1,
        "unmet": 1,
        "percent": 50.0,
    }
    assert row(by_kind, "department")["percent"] == 100.0
    by_side = coverage["by_side"]
    assert [(r["id"], r["name"], r["percent"]) for r in by_side] == [
        ("east", "中梁山以东", 75.0),
        ("west", "中梁山以西", 100.0),
    ]


def test_coverage_by_hospital_counts_an_item_for_each_allowed_hospital() -> None:
    by_hospital = kpis_json(tiny_instance(), tiny_roster())["coverage"]["by_hospital"]
    # H1 may serve I1, I2, I3 (5 sessions): its D1 holds I1 ×2 and I3; D2 of H2 holds one I2.
    assert row(by_hospital, "H1") == {
        "id": "H1",
        "name": "西南医院",
        "required": 5,
        "covered": 3,
        "unmet": 1,
        "percent": 60.0,
        "covered_by_others": 1,
    }
    # H2 may serve I2, I3 (3 sessions): its D2 holds one I2; I3 is held by H1's D1.
    h2 = row(by_hospital, "H2")
    assert (h2["required"], h2["covered"], h2["covered_by_others"], h2["unmet"]) == (3, 1, 1, 1)
    assert h2["percent"] == 33.3


def test_empty_group_is_100_percent() -> None:
    instance = tiny_instance()
    items = {i: dataclasses.replace(d, sessions=0) for i, d in instance.demand.items()}
    kpis = kpis_json(dataclasses.replace(instance, demand=items), [])
    assert kpis["coverage"]["overall"]["percent"] == 100.0
    assert all(r["percent"] == 100.0 for r in kpis["coverage"]["by_consortium"])


def test_sessions_beyond_demand_do_not_count_as_coverage() -> None:
    extra = (*tiny_roster(), Assignment("D1", "I1", key("THU_AM")))
    coverage = kpis_json(tiny_instance(), extra)["coverage"]
    assert coverage["overall"]["covered"] == 4
    assert row(coverage["by_hospital"], "H1")["covered"] == 3


def test_load_distribution_over_all_doctors() -> None:
    load = kpis_json(tiny_instance(), tiny_roster())["load"]
    # loads sorted: D3 0, D2 1, D1 3; p90 at rank 1.8 = 1 + 0.8 × (3 − 1) = 2.6
    assert load == {
        "doctors": 3,
        "doctors_used": 2,
        "capacity": 7,
        "utilisation_percent": 57.1,
        "distribution": {"p50": 1.0, "p90": 2.6, "max": 3, "mean": 1.3},
        "histogram": {"0": 1, "1": 1, "2": 0, "3": 1},
    }


def test_travel_totals() -> None:
    travel = kpis_json(tiny_instance(), tiny_roster())["travel"]
    # 26 + 20 + 52 (D1, H1 → S1 AM/PM, S3 AM) + 20 (D2, H2 → S2 AM) = 118
    assert travel == {
        "total_minutes": 118,
        "total_hours": 2.0,
        "mean_minutes_per_session": 29.5,
        "max_minutes": 52,
    }


def test_continuity() -> None:
    kpis = kpis_json(tiny_instance(), tiny_roster())
    # previous pairs (D1, I1) and (D2, I3): D1 holds I1 twice, D2 does not hold I3.
    assert kpis["continuity"] == {"sessions": 2, "percent": 50.0, "previous_pairs": 2}
    none = kpis_json(tiny_instance(previous=frozenset()), tiny_roster())["continuity"]
    assert none == {"sessions": 0, "percent": 0.0, "previous_pairs": 0}


def test_empty_roster() -> None:
    kpis = kpis_json(tiny_instance(), [])
    assert kpis["sessions"] == 0
    assert kpis["coverage"]["overall"] == {"required": 5, "covered": 0, "unmet": 5, "percent": 0.0}
    assert kpis["load"]["distribution"] == {"p50": 0.0, "p90": 0.0, "max": 0, "mean": 0.0}
    assert kpis["load"]["histogram"] == {"0": 3}
    assert kpis["travel"]["mean_minutes_per_session"] == 0.0
    assert kpis["continuity"]["percent"] == 0.0


def test_unknown_references_are_ignored_and_counted() -> None:
    roster = (
        *tiny_roster(),
        Assignment("D9", "I1", key("MON_PM")),
        Assignment("D1", "I9", key("MON_PM")),
        Assignment("D1", "I1", "2026-12-06_AM"),  # Sunday: not an open half-day
    )
    kpis = kpis_json(tiny_instance(), roster)
    assert (kpis["sessions"], kpis["ignored_assignments"]) == (4, 3)
    assert kpis["travel"]["total_minutes"] == 118


def test_deterministic_regardless_of_roster_order() -> None:
    forward = kpis_json(tiny_instance(), tiny_roster())
    backward = kpis_json(tiny_instance(), tuple(reversed(tiny_roster())))
    assert json.dumps(forward, ensure_ascii=False) == json.dumps(backward, ensure_ascii=False)


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([], 0.5, 0.0),
        ([4], 0.9, 4.0),
        ([0, 1, 3], 0.5, 1.0),
        ([0, 1, 3], 0.9, 2.6),
        ([3, 1, 2, 4], 0.5, 2.5),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9.1),
    ],
)
def test_percentile_linear_interpolation(
    values: list[int], fraction: float, expected: float
) -> None:
    assert percentile(values, fraction) == expected


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(0, 0, 100.0), (1, 3, 33.3), (2, 3, 66.7), (3, 3, 100.0)],
)
def test_percent(part: int, whole: int, expected: float) -> None:
    assert percent(part, whole) == expected


def test_kpis_read_back_from_their_json() -> None:
    # A stored kpis.json (or runs row) reads back to the same KPIs and the same JSON.
    kpis = compute_kpis(tiny_instance(), tiny_roster())
    stored = json.loads(json.dumps(kpis.to_dict(), ensure_ascii=False))
    assert Kpis.from_dict(stored) == kpis
    assert json.dumps(Kpis.from_dict(stored).to_dict()) == json.dumps(kpis.to_dict())


def test_kpis_attributes_match_their_json() -> None:
    kpis = compute_kpis(tiny_instance(), tiny_roster())
    assert kpis.coverage.overall == CoverageTotal(required=5, covered=4, unmet=1, percent=80.0)
    assert kpis.coverage.group("by_hospital") == kpis.coverage.by_hospital
    assert kpis.coverage.by_consortium[0].covered_by_others is None
    assert kpis.load.histogram == (1, 1, 0, 1)
    assert kpis.travel.total_minutes == 118


def test_an_unknown_coverage_group_is_refused() -> None:
    with pytest.raises(KeyError):
        compute_kpis(tiny_instance(), tiny_roster()).coverage.group("by_planet")
