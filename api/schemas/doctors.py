"""Schemas of a doctor's published sessions and calendar feed."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas.rosters import Session_


class DoctorWeek(BaseModel):
    week: str
    version: int
    sessions: list[Session_]


class DoctorAssignments(BaseModel):
    doctor_id: str
    weeks: list[DoctorWeek]


class CalendarTokenOut(BaseModel):
    doctor_id: str
    token: str
    feed: str = Field(description="Subscribable URL path of the doctor's calendar feed")
