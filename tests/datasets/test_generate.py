"""Tests of the seeded dataset generator (datasets/generate.py) against data/README.md."""

from __future__ import annotations

import csv
import re
import tomllib
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from datasets.generate import COLUMNS, OUTPUT_FILES, generate
from scheduler.build import travel_model
from scheduler.io.load import load_dataset
from scheduler.io.output_dir import MARKER
from scheduler.io.schema import POLICY_KEYS
from scheduler.travel import Place
from tests.paths import DATA, ROOT

REPO = ROOT

Table = list[dict[str, str]]


def read(directory: Path, name: str) -> Table:
    """All rows of one CSV file as dicts."""
    with (directory / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load(directory: Path) -> dict[str, Table]:
    """Every CSV file of a dataset, by file name."""
    return {name: read(directory, name) for name in COLUMNS}


@pytest.fixture(scope="module")
def default_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default dataset (seed 2026, one district), generated once."""
    out = tmp_path_factory.mktemp("default")
    generate(out)
    return out


@pytest.fixture(scope="module")
def city_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A three-district city, generated once."""
    out = tmp_path_factory.mktemp("city")
    generate(out, districts=3)
    return out


def test_writes_exactly_the_contract_files(default_dir: Path) -> None:
    # and the marker that says roster wrote them (scheduler/io/output_dir.py)
    assert sorted(p.name for p in default_dir.iterdir()) == sorted([*OUTPUT_FILES, MARKER])


def test_headers_follow_data_readme(default_dir: Path) -> None:
    """Column names and order of every CSV are those of the tables in data/README.md."""
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    sections = re.split(r"^## ", readme, flags=re.MULTILINE)
    documented: dict[str, list[str]] = {}
    for section in sections:
        title = section.split("\n", 1)[0]
        match = re.match(r"([a-z_]+\.csv)", title)
        if match is None:
            continue
        columns = []
        for line in section.splitlines():
            if line.startswith("| `"):
                first_cell = line.split("|")[1]
                columns.extend(re.findall(r"`([a-z_]+)`", first_cell))
        documented[match.group(1)] = columns
    assert set(documented) == set(COLUMNS)
    for name, contract in COLUMNS.items():
        assert list(contract) == documented[name], name
        with (default_dir / name).open(encoding="utf-8") as handle:
            assert handle.readline().rstrip("\n").split(",") == list(contract), name


def test_policy_has_every_documented_key(default_dir: Path) -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    policy_section = readme.split("## policy.toml", 1)[1].split("\n## ", 1)[0]
    keys = re.findall(r"^\| `([a-z_.]+)`", policy_section, flags=re.MULTILINE)
    assert keys == list(POLICY_KEYS)  # the loader refuses any other key
    policy = tomllib.loads((default_dir / "policy.toml").read_text(encoding="utf-8"))
    for key in keys:
        table, name = key.split(".")
        assert name in policy[table], key
    assert policy["calendar"]["open_half_days"] == [
        "MON_AM", "MON_PM", "TUE_AM", "TUE_PM", "WED_AM", "WED_PM",
        "THU_AM", "THU_PM", "FRI_AM", "FRI_PM", "SAT_AM",
    ]  # fmt: skip
    assert policy["travel"]["limit_minutes"] == 60
    assert policy["travel"]["midday_gap_minutes"] == 90
    assert policy["demand"]["forecast_window_weeks"] == 8
    assert policy["demand"]["seasonal_clip"] == [0.7, 1.5]
    assert policy["demand"]["team_min_title"] == "attending"
    assert policy["demand"]["team_max_sessions"] == 2
    assert policy["objective"]["order"] == [
        "unmet",
        "continuity",
        "unfairness",
        "travel",
        "non_preferred",
    ]


def test_default_has_the_real_counts(default_dir: Path) -> None:
    data = load(default_dir)
    sites = Counter(row["kind"] for row in data["sites.csv"])
    assert len(data["hospitals.csv"]) == 6
    assert len(data["key_specialties.csv"]) == 48
    assert len(data["departments.csv"]) == 100
    assert len(data["consortia.csv"]) == 4
    assert sites["workstation"] == 119
    assert len(data["teams.csv"]) == 220
    assert 300 <= len(data["doctors.csv"]) <= 500
    assert 6 <= sites["district_hospital"] <= 8
    per_consortium = Counter(
        row["consortium_id"] for row in data["sites.csv"] if row["kind"] == "grassroots"
    )
    assert all(6 <= n <= 9 for n in per_consortium.values())
    partners = Counter(row["consortium_id"] for row in data["consortium_partners.csv"])
    assert all(2 <= n <= 3 for n in partners.values())
    teams_per_site = Counter(row["site_id"] for row in data["teams.csv"])
    assert len(teams_per_site) == 119 and max(teams_per_site.values()) <= 3
    names = {row["name"] for row in data["hospitals.csv"]}
    assert {"西南医院", "新桥医院", "重庆大学附属肿瘤医院"} <= names
    assert (default_dir / "referrals.csv").stat().st_size < 2_000_000


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", seed=7)
    generate(tmp_path / "b", seed=7)
    for name in OUTPUT_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_different_seed_gives_different_data(tmp_path: Path) -> None:
    generate(tmp_path / "a", seed=7)
    generate(tmp_path / "b", seed=8)
    differing = [
        name
        for name in OUTPUT_FILES
        if (tmp_path / "a" / name).read_bytes() != (tmp_path / "b" / name).read_bytes()
    ]
    assert {"doctors.csv", "referrals.csv", "departments.csv", "teams.csv"} <= set(differing)


def test_committed_data_is_the_seed_2026_output(default_dir: Path) -> None:
    """data/ must be rebuilt (roster generate --out data) whenever the generator changes."""
    for name in OUTPUT_FILES:
        assert (DATA / name).read_bytes() == (default_dir / name).read_bytes(), name


def test_files_are_utf8_lf_and_sorted(default_dir: Path) -> None:
    for name in COLUMNS:
        raw = (default_dir / name).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw, name
        with (default_dir / name).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))[1:]
        assert rows == sorted(rows), name


def test_three_districts_triple_the_counts_with_unique_ids(
    default_dir: Path, city_dir: Path
) -> None:
    one, city = load(default_dir), load(city_dir)
    for name in (
        "hospitals.csv",
        "key_specialties.csv",
        "consortia.csv",
        "sites.csv",
        "departments.csv",
        "teams.csv",
    ):
        assert len(city[name]) == 3 * len(one[name]), name
    assert 3 * 300 <= len(city["doctors.csv"]) <= 3 * 500
    # consortia of districts 1 and 2 also get one hospital of the next district
    assert len(city["consortium_partners.csv"]) == 3 * len(one["consortium_partners.csv"]) + 2 * 4
    id_columns = {
        "hospitals.csv": "hospital_id",
        "consortia.csv": "consortium_id",
        "sites.csv": "site_id",
        "departments.csv": "department_id",
        "clinics.csv": "clinic_id",
        "teams.csv": "team_id",
        "doctors.csv": "doctor_id",
    }
    for name, column in id_columns.items():
        ids = [row[column] for row in city[name]]
        assert len(ids) == len(set(ids)), name
        assert all(re.match(r"X0[123]-", i) for i in ids), name
        assert {i.split("-", 1)[0] for i in ids} == {"X01", "X02", "X03"}, name


@pytest.mark.parametrize("which", ["default", "city"])
def test_every_foreign_key_resolves(which: str, default_dir: Path, city_dir: Path) -> None:
    data = load(default_dir if which == "default" else city_dir)
    hospitals = {r["hospital_id"] for r in data["hospitals.csv"]}
    specialties = {r["specialty_id"]: r for r in data["specialties.csv"]}
    keys = {(r["hospital_id"], r["specialty_id"]) for r in data["key_specialties.csv"]}
    sites = {r["site_id"]: r for r in data["sites.csv"]}
    consortia = {r["consortium_id"]: r for r in data["consortia.csv"]}
    teams = {r["team_id"] for r in data["teams.csv"]}
    doctors = {r["doctor_id"] for r in data["doctors.csv"]}
    partners: dict[str, set[str]] = defaultdict(set)

    assert len(keys) == len(data["key_specialties.csv"])
    for r in data["key_specialties.csv"]:
        assert r["hospital_id"] in hospitals and r["specialty_id"] in specialties
    for r in data["consortium_partners.csv"]:
        assert r["consortium_id"] in consortia and r["hospital_id"] in hospitals
        partners[r["consortium_id"]].add(r["hospital_id"])
    for r in data["consortia.csv"]:
        lead = sites[r["lead_site_id"]]
        assert lead["kind"] == "district_hospital" and lead["consortium_id"] == r["consortium_id"]
    for r in data["sites.csv"]:
        assert r["consortium_id"] in consortia
    for r in data["departments.csv"]:
        site = sites[r["site_id"]]
        assert site["kind"] == "district_hospital"
        assert (r["hospital_id"], r["specialty_id"]) in keys
        assert r["hospital_id"] in partners[site["consortium_id"]]
    for r in data["clinics.csv"]:
        site = sites[r["site_id"]]
        assert site["kind"] == "grassroots"
        assert any((h, r["specialty_id"]) in keys for h in partners[site["consortium_id"]])
    for r in data["teams.csv"]:
        assert sites[r["site_id"]]["kind"] == "workstation"
    for r in data["referrals.csv"]:
        assert r["team_id"] in teams and r["specialty_id"] in specialties
    for r in data["doctors.csv"]:
        assert (r["hospital_id"], r["specialty_id"]) in keys
    for r in data["leave.csv"]:
        assert r["doctor_id"] in doctors
    # every key specialty is paired with at least one jointly built department
    assert keys == {(r["hospital_id"], r["specialty_id"]) for r in data["departments.csv"]}


def test_values_are_in_their_documented_domains(default_dir: Path) -> None:
    data = load(default_dir)
    half_days = {
        f"{d}_{p}" for d in ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN") for p in ("AM", "PM")
    }
    weekdays = {"MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"}
    titles = {"chief", "associate_chief", "attending"}
    for r in data["hospitals.csv"]:
        assert r["side"] == "east" and 0.34 <= float(r["max_away_share"]) <= 0.5
    for r in data["specialties.csv"]:
        assert 6 <= int(r["patients_per_session"]) <= 10
        assert r["chronic_panel"] in {"", "hypertension", "diabetes", "copd"}
        assert (r["panel_per_session"] == "") == (r["chronic_panel"] == "")
    for r in data["sites.csv"]:
        assert r["side"] == ("west" if float(r["x_km"]) < 9 else "east")
        assert all(t in half_days for t in r["closed_half_days"].split(";") if t)
    for r in data["departments.csv"]:
        assert (
            1 <= int(r["sessions_per_week"]) <= 4
            and r["min_title"] in titles
            and 3 <= int(r["priority"]) <= 5
        )
    for r in data["clinics.csv"]:
        assert (
            1 <= int(r["sessions_per_week"]) <= 2
            and r["min_title"] in titles
            and 2 <= int(r["priority"]) <= 4
        )
    for r in data["teams.csv"]:
        assert 150 <= int(r["hypertension_panel"]) <= 600
        assert 60 <= int(r["diabetes_panel"]) <= 300
        assert 20 <= int(r["copd_panel"]) <= 150
        assert 1 <= int(r["priority"]) <= 3
    pools = Counter((r["hospital_id"], r["specialty_id"]) for r in data["doctors.csv"])
    assert min(pools.values()) >= 3 and max(pools.values()) <= 14
    for r in data["doctors.csv"]:
        assert r["title"] in titles and 1 <= int(r["weekly_cap"]) <= 4
        assert all(t in half_days for t in r["home_duty_half_days"].split(";") if t)
        assert all(t in weekdays for t in r["preferred_weekdays"].split(";") if t)
    planning = (date(2026, 11, 30), date(2026, 12, 5))
    overlapping = 0
    for r in data["leave.csv"]:
        start, end = date.fromisoformat(r["start_date"]), date.fromisoformat(r["end_date"])
        assert start <= end
        overlapping += start <= planning[1] and end >= planning[0]
    assert 0.05 <= len(data["leave.csv"]) / len(data["doctors.csv"]) <= 0.08
    assert overlapping >= 5
    holidays = [r["date"] for r in data["holidays.csv"]]
    assert len(holidays) == len(set(holidays))
    assert {"2025-01-28", "2026-02-17", "2026-10-01", "2027-01-01"} <= set(holidays)


def test_referral_history_is_the_60_weeks_before_the_planning_week(default_dir: Path) -> None:
    rows = read(default_dir, "referrals.csv")
    weeks = sorted({r["week"] for r in rows})
    assert len(weeks) == 60
    assert weeks[0] == "2025-W41" and weeks[-1] == "2026-W48"
    per_pair = Counter((r["team_id"], r["specialty_id"]) for r in rows)
    assert set(per_pair.values()) == {60}  # zeros are written, nothing omitted
    per_team = Counter(team for team, _ in per_pair)
    assert min(per_team.values()) >= 3 and max(per_team.values()) <= 6


def test_other_planning_week_moves_the_history(tmp_path: Path) -> None:
    generate(tmp_path, planning_week="2027-W10")
    weeks = sorted({r["week"] for r in read(tmp_path, "referrals.csv")})
    assert weeks[-1] == "2027-W09" and len(weeks) == 60


def test_travel_times_match_the_district_shape(default_dir: Path) -> None:
    """Same side 10-35 min, across 中梁山 30-60 min off-peak; the far west is out of AM reach."""
    hospitals = read(default_dir, "hospitals.csv")
    sites = read(default_dir, "sites.csv")

    model = travel_model(load_dataset(default_dir))  # the formula with the data's policy

    def point(r: dict[str, str]) -> Place:
        return Place(r["side"], float(r["x_km"]), float(r["y_km"]))

    def travel_minutes(a: Place, b: Place, *, am: bool = False) -> float:
        return model.off_peak(a, b) * (model.am_peak_multiplier if am else 1.0)

    same = [
        travel_minutes(point(h), point(s)) for h in hospitals for s in sites if s["side"] == "east"
    ]
    cross = [
        travel_minutes(point(h), point(s)) for h in hospitals for s in sites if s["side"] == "west"
    ]
    assert min(same) >= 8 and max(same) <= 35
    assert min(cross) >= 30 and max(cross) <= 60
    far_west = [s for s in sites if float(s["x_km"]) < 3]
    assert far_west
    for s in far_west:
        assert sum(travel_minutes(point(h), point(s), am=True) > 60 for h in hospitals) >= 3
    west = [s for s in sites if s["kind"] != "district_hospital" and s["side"] == "west"]
    share = len(west) / sum(s["kind"] != "district_hospital" for s in sites)
    assert 0.3 <= share <= 0.4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"districts": 0}, "districts"),
        ({"planning_week": "2026-49"}, "planning_week"),
        ({"planning_week": "2026-W60"}, "ISO"),
    ],
)
def test_raises_on_bad_arguments(tmp_path: Path, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate(tmp_path, **kwargs)  # type: ignore[arg-type]


def test_loader_and_generator_follow_one_schema() -> None:
    """scheduler/io/schema.py is the one list of files and columns: the loader
    checks by it and the generator writes by it (and data/README.md documents
    it: test_headers_follow_data_readme)."""
    from scheduler.io import load
    from scheduler.io.schema import SPECS, column_names

    assert load.SPECS is SPECS
    assert dict(COLUMNS) == {spec.file: column_names(spec.file) for spec in SPECS}
