"""Schemas of repairs and of what changed between two published versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.types import IdField
from scheduler.store.schema import MAX_VERSION


class Absence(BaseModel):
    """A doctor away from ``from`` to ``to`` (``DATE[:AM|PM]``; no ``to``: the rest of the week)."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    doctor_id: IdField
    start: str = Field(alias="from", examples=["2026-12-01:AM"])
    end: str | None = Field(default=None, alias="to", examples=["2026-12-02:PM"])


class RepairRequest(BaseModel):
    """Who is away, what must stay, and which version is being repaired."""

    model_config = ConfigDict(extra="forbid")

    absences: list[Absence] = Field(min_length=1, max_length=50)
    pins: list[str] = Field(
        default=[], max_length=200, description="DOCTOR (all their sessions) or DOCTOR@DATE:AM|PM"
    )
    version: int | None = Field(default=None, ge=1, le=MAX_VERSION, description="default: newest")
    note: str | None = Field(default=None, max_length=500)
    preview: bool = Field(
        default=False,
        description="solve and show the repair (levels, diff, notifications) without "
        "publishing it; publish by sending it again with preview false and version set",
    )


class Repaired(BaseModel):
    """The repair, published: the new version, its levels, the diff, the notifications."""

    week: str
    repaired_version: int
    version: int
    run_id: str
    sessions: int
    status: str
    levels: list[dict[str, Any]]
    parts_resolved: int | None
    parts: int
    wall_seconds: float
    summary: dict[str, int] = Field(
        description="changes by kind: dropped, reassigned, moved, added"
    )
    changes: list[dict[str, Any]]
    notifications: dict[str, Any] = Field(description="lines per affected doctor and site")
    published: bool = Field(default=True, description="false for a preview: nothing stored")


class Changes(BaseModel):
    """What changed in a week's published roster from version ``since`` to ``version``."""

    week: str
    since: int
    version: int
    published_at: dt.datetime
    note: str | None
    summary: dict[str, int]
    changes: list[dict[str, Any]]
    notifications: dict[str, Any]
