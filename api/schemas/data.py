"""Schemas of the data set's versions, their changes, and planners' edits."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from scheduler.store.schema import MAX_VERSION

Cell = str | int | float
PolicyValue = bool | int | float | str | list[str] | list[float]


class DataVersionOut(BaseModel):
    """A data version: who made it, when, from what, why, how many row changes."""

    version: int
    created_at: dt.datetime
    created_by: str
    source: str = Field(description="import | edit | excel | request")
    note: str | None
    fingerprint: str = Field(description="SHA-256 over the names and digests of its files")
    changes: int


class RowChangeOut(BaseModel):
    """One change of a version against the one before: a row added or removed, or a
    cell (``column``) changed from ``old`` to ``new``; for policy.toml a key."""

    file: str
    row_key: str = Field(description="the row's key cells joined by /")
    action: Literal["added", "removed", "changed"]
    column: str | None = None
    old: str | None = None
    new: str | None = None


class RowEditIn(BaseModel):
    """A row of a data file added (every column in ``cells``), changed (the cells
    given) or removed; ``key`` names it by the table's key columns
    (doctors.csv: [doctor_id]; leave.csv, which has none: every column)."""

    model_config = ConfigDict(extra="forbid")

    file: str = Field(max_length=64, examples=["doctors.csv"])
    action: Literal["add", "change", "remove"]
    key: list[str] = Field(default=[], max_length=16, examples=[["H01-CARD-01"]])
    cells: dict[str, Cell] = Field(default={}, max_length=32, examples=[{"weekly_cap": 4}])


class PolicyEditIn(BaseModel):
    """A key of policy.toml set (``travel.limit_minutes``)."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(max_length=64, examples=["travel.limit_minutes"])
    value: PolicyValue


class DataEditRequest(BaseModel):
    """Edits made on data version ``base`` (the newest: else 409), with why."""

    model_config = ConfigDict(extra="forbid")

    base: int = Field(ge=1, le=MAX_VERSION, description="the version the edits were made on")
    note: str = Field(min_length=1, max_length=500, description="why (kept with the version)")
    rows: list[RowEditIn] = Field(default=[], max_length=500)
    policy: list[PolicyEditIn] = Field(default=[], max_length=20)


class DataEdited(BaseModel):
    """The new data version and what it changed."""

    version: int
    changes: list[RowChangeOut]


class DataImportOut(BaseModel):
    """An uploaded workbook, checked, with what it would change; ``applied_version``
    once a planner confirmed it."""

    id: str
    base: int = Field(description="the data version it was compared with")
    created_by: str
    created_at: dt.datetime
    upload_name: str
    note: str | None
    changes: list[RowChangeOut]
    applied_version: int | None
