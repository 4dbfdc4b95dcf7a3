"""One typed record per input file: a row of that file, converted and validated.

The loader (``scheduler.io.load``) yields these instead of dicts, so the
builder and the scenario changes read ``row.hospital_id``, not
``row["hospital_id"]``. Each record's fields are the columns of its file in
``scheduler.io.schema`` (``SPECS``), in the same order and with the type its
column's kind converts to (a test compares them); ``FILE`` names the file.
A new column is added to the schema first, then here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class Record:
    """What every row record shares: the file it is a row of."""

    FILE: ClassVar[str]


@dataclass(frozen=True, slots=True)
class HospitalRow(Record):
    FILE: ClassVar[str] = "hospitals.csv"
    hospital_id: str
    name: str
    name_en: str
    side: str
    x_km: float
    y_km: float
    max_away_share: float


@dataclass(frozen=True, slots=True)
class SpecialtyRow(Record):
    FILE: ClassVar[str] = "specialties.csv"
    specialty_id: str
    name: str
    name_en: str
    patients_per_session: int
    chronic_panel: str | None
    panel_per_session: int | None


@dataclass(frozen=True, slots=True)
class KeySpecialtyRow(Record):
    FILE: ClassVar[str] = "key_specialties.csv"
    hospital_id: str
    specialty_id: str
    level: str


@dataclass(frozen=True, slots=True)
class SiteRow(Record):
    FILE: ClassVar[str] = "sites.csv"
    site_id: str
    name: str
    name_en: str
    kind: str
    consortium_id: str
    side: str
    x_km: float
    y_km: float
    closed_half_days: frozenset[str]


@dataclass(frozen=True, slots=True)
class ConsortiumRow(Record):
    FILE: ClassVar[str] = "consortia.csv"
    consortium_id: str
    name: str
    name_en: str
    lead_site_id: str


@dataclass(frozen=True, slots=True)
class ConsortiumPartnerRow(Record):
    FILE: ClassVar[str] = "consortium_partners.csv"
    consortium_id: str
    hospital_id: str


@dataclass(frozen=True, slots=True)
class DepartmentRow(Record):
    FILE: ClassVar[str] = "departments.csv"
    department_id: str
    site_id: str
    name: str
    hospital_id: str
    specialty_id: str
    sessions_per_week: int
    min_title: str
    priority: int


@dataclass(frozen=True, slots=True)
class ClinicRow(Record):
    FILE: ClassVar[str] = "clinics.csv"
    clinic_id: str
    site_id: str
    specialty_id: str
    sessions_per_week: int
    min_title: str
    priority: int


@dataclass(frozen=True, slots=True)
class TeamRow(Record):
    FILE: ClassVar[str] = "teams.csv"
    team_id: str
    name: str
    site_id: str
    hypertension_panel: int
    diabetes_panel: int
    copd_panel: int
    priority: int


@dataclass(frozen=True, slots=True)
class ReferralRow(Record):
    FILE: ClassVar[str] = "referrals.csv"
    team_id: str
    week: str
    specialty_id: str
    referrals: int


@dataclass(frozen=True, slots=True)
class DoctorRow(Record):
    FILE: ClassVar[str] = "doctors.csv"
    doctor_id: str
    name: str
    hospital_id: str
    specialty_id: str
    title: str
    weekly_cap: int
    home_duty_half_days: frozenset[str]
    preferred_weekdays: frozenset[str]


@dataclass(frozen=True, slots=True)
class LeaveRow(Record):
    FILE: ClassVar[str] = "leave.csv"
    doctor_id: str
    start_date: dt.date
    end_date: dt.date
    reason: str


@dataclass(frozen=True, slots=True)
class HolidayRow(Record):
    FILE: ClassVar[str] = "holidays.csv"
    date: dt.date
    name: str


RECORDS: tuple[type[Record], ...] = (
    HospitalRow,
    SpecialtyRow,
    KeySpecialtyRow,
    SiteRow,
    ConsortiumRow,
    ConsortiumPartnerRow,
    DepartmentRow,
    ClinicRow,
    TeamRow,
    ReferralRow,
    DoctorRow,
    LeaveRow,
    HolidayRow,
)
RECORD_OF: dict[str, type[Record]] = {record.FILE: record for record in RECORDS}
"""The record type of each file, by file name."""
