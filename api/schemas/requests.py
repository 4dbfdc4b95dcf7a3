"""Schemas of leave requests and their decisions."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.data import RowChangeOut
from api.types import IdField


class LeaveRequestIn(BaseModel):
    """A doctor away from ``start`` to ``end`` (dates, inclusive), and why."""

    model_config = ConfigDict(extra="forbid")

    doctor_id: IdField
    start: dt.date
    end: dt.date
    reason: str = Field(
        min_length=1, max_length=200, description="why: annual leave, a course, a meeting"
    )


class LeaveRequestOut(BaseModel):
    """A request, its decision, and the published weeks its days fall in (approving
    it changes the data; those weeks need a repair to follow)."""

    id: str
    created_at: dt.datetime
    created_by: str
    hospital_id: str
    doctor_id: str
    start_date: dt.date
    end_date: dt.date
    reason: str
    status: Literal["pending", "approved", "rejected"]
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str | None
    data_version: int | None
    published_weeks: list[str]


class Decision(BaseModel):
    """Why (optional to approve)."""

    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=500)


class Rejection(BaseModel):
    """Why the request is rejected (told to the hospital)."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=1, max_length=500)


class Approved(BaseModel):
    """The approved request, the data version it made, and what that changed."""

    request: LeaveRequestOut
    version: int
    changes: list[RowChangeOut]
