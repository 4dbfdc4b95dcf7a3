"""The input files and their columns: the one description the data follows.

The loader (``scheduler.io.load``) checks and converts by it, the synthetic
data generator (``datasets.generate``) writes its columns in this order, and
``data/README.md`` documents the same files and columns (a test compares
them). A new column is added here first.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.domain import Title


@dataclass(frozen=True)
class Column:
    """How one CSV column is checked and converted."""

    name: str
    kind: str  # id | text | int | float | enum | date | week | half_days | weekdays
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    optional: bool = False  # empty cell allowed
    ref: str | None = None  # "table.column" that must contain the value


@dataclass(frozen=True)
class TableSpec:
    """A CSV file: its columns and its key (unique) columns."""

    file: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()


TITLES = tuple(t.code for t in Title)
SIDES = ("east", "west")

SPECS: tuple[TableSpec, ...] = (
    TableSpec(
        "hospitals.csv",
        (
            Column("hospital_id", "id"),
            Column("name", "text"),
            Column("name_en", "text"),
            Column("side", "enum", choices=SIDES),
            Column("x_km", "float"),
            Column("y_km", "float"),
            Column("max_away_share", "float", low=0, high=1),
        ),
        key=("hospital_id",),
    ),
    TableSpec(
        "specialties.csv",
        (
            Column("specialty_id", "id"),
            Column("name", "text"),
            Column("name_en", "text"),
            Column("patients_per_session", "int", low=1),
            Column(
                "chronic_panel", "enum", choices=("hypertension", "diabetes", "copd"), optional=True
            ),
            Column("panel_per_session", "int", low=1, optional=True),
        ),
        key=("specialty_id",),
    ),
    TableSpec(
        "key_specialties.csv",
        (
            Column("hospital_id", "id", ref="hospitals.hospital_id"),
            Column("specialty_id", "id", ref="specialties.specialty_id"),
            Column("level", "enum", choices=("national", "municipal")),
        ),
        key=("hospital_id", "specialty_id"),
    ),
    TableSpec(
        "sites.csv",
        (
            Column("site_id", "id"),
            Column("name", "text"),
            Column("name_en", "text"),
            Column("kind", "enum", choices=("district_hospital", "grassroots", "workstation")),
            Column("consortium_id", "id", ref="consortia.consortium_id"),
            Column("side", "enum", choices=SIDES),
            Column("x_km", "float"),
            Column("y_km", "float"),
            Column("closed_half_days", "half_days", optional=True),
        ),
        key=("site_id",),
    ),
    TableSpec(
        "consortia.csv",
        (
            Column("consortium_id", "id"),
            Column("name", "text"),
            Column("name_en", "text"),
            Column("lead_site_id", "id", ref="sites.site_id"),
        ),
        key=("consortium_id",),
    ),
    TableSpec(
        "consortium_partners.csv",
        (
            Column("consortium_id", "id", ref="consortia.consortium_id"),
            Column("hospital_id", "id", ref="hospitals.hospital_id"),
        ),
        key=("consortium_id", "hospital_id"),
    ),
    TableSpec(
        "departments.csv",
        (
            Column("department_id", "id"),
            Column("site_id", "id", ref="sites.site_id"),
            Column("name", "text"),
            Column("hospital_id", "id", ref="hospitals.hospital_id"),
            Column("specialty_id", "id", ref="specialties.specialty_id"),
            Column("sessions_per_week", "int", low=0, high=14),
            Column("min_title", "enum", choices=TITLES),
            Column("priority", "int", low=1, high=5),
        ),
        key=("department_id",),
    ),
    TableSpec(
        "clinics.csv",
        (
            Column("clinic_id", "id"),
            Column("site_id", "id", ref="sites.site_id"),
            Column("specialty_id", "id", ref="specialties.specialty_id"),
            Column("sessions_per_week", "int", low=0, high=14),
            Column("min_title", "enum", choices=TITLES),
            Column("priority", "int", low=1, high=5),
        ),
        key=("clinic_id",),
    ),
    TableSpec(
        "teams.csv",
        (
            Column("team_id", "id"),
            Column("name", "text"),
            Column("site_id", "id", ref="sites.site_id"),
            Column("hypertension_panel", "int", low=0),
            Column("diabetes_panel", "int", low=0),
            Column("copd_panel", "int", low=0),
            Column("priority", "int", low=1, high=5),
        ),
        key=("team_id",),
    ),
    TableSpec(
        "referrals.csv",
        (
            Column("team_id", "id", ref="teams.team_id"),
            Column("week", "week"),
            Column("specialty_id", "id", ref="specialties.specialty_id"),
            Column("referrals", "int", low=0, high=10_000),
        ),
        key=("team_id", "week", "specialty_id"),
    ),
    TableSpec(
        "doctors.csv",
        (
            Column("doctor_id", "id"),
            Column("name", "text"),
            Column("hospital_id", "id", ref="hospitals.hospital_id"),
            Column("specialty_id", "id", ref="specialties.specialty_id"),
            Column("title", "enum", choices=TITLES),
            Column("weekly_cap", "int", low=0, high=14),
            Column("home_duty_half_days", "half_days", optional=True),
            Column("preferred_weekdays", "weekdays", optional=True),
        ),
        key=("doctor_id",),
    ),
    TableSpec(
        "leave.csv",
        (
            Column("doctor_id", "id", ref="doctors.doctor_id"),
            Column("start_date", "date"),
            Column("end_date", "date"),
            Column("reason", "text"),
        ),
    ),
    TableSpec(
        "holidays.csv",
        (Column("date", "date"), Column("name", "text")),
        key=("date",),
    ),
)


POLICY_KEYS: tuple[str, ...] = (
    "calendar.open_half_days",
    "travel.limit_minutes",
    "travel.midday_gap_minutes",
    "travel.am_peak_multiplier",
    "travel.base_minutes",
    "travel.minutes_per_km",
    "travel.mountain_crossing_minutes",
    "travel.crossing_multiplier",
    "demand.forecast_window_weeks",
    "demand.seasonal_clip",
    "demand.team_min_title",
    "demand.team_max_sessions",
    "objective.order",
)
"""The keys of ``policy.toml`` (section.key), as data/README.md lists them; any
other is refused (a misspelt key would otherwise be ignored)."""

SPEC_OF: dict[str, TableSpec] = {spec.file: spec for spec in SPECS}
"""The spec of each file, by file name."""


def column_names(file: str) -> tuple[str, ...]:
    """The columns of ``file``, in the order a data set writes them."""
    return tuple(column.name for column in SPEC_OF[file].columns)
