"""Schemas of a week's published roster: its sessions, unmet demand, KPIs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field


class Session_(BaseModel):
    """One session of a published roster."""

    doctor_id: str
    doctor_name: str
    hospital_id: str
    date: dt.date
    half_day: str = Field(description="AM | PM")
    site_id: str
    site_name: str
    consortium_id: str
    item_id: str
    kind: str
    specialty_id: str
    travel_minutes: int


class RosterPage(BaseModel):
    week: str
    version: int
    total: int
    offset: int
    limit: int
    items: list[Session_]


class Unmet(BaseModel):
    item_id: str
    kind: str
    site_id: str
    site_name: str
    consortium_id: str
    specialty_id: str
    sessions: int
    missing: int
    reason_code: str
    reason: str


class UnmetList(BaseModel):
    week: str
    version: int
    total_missing: int
    items: list[Unmet]


class Kpis(BaseModel):
    week: str
    version: int
    run_id: str
    kpis: dict[str, Any]
