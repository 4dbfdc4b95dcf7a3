"""Schemas of runs, solve jobs and publishing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from api.types import WeekField


class Published(BaseModel):
    week: str
    version: int
    run_id: str
    sessions: int
    published_at: dt.datetime
    published_by: str


class PublishRequest(BaseModel):
    note: str | None = Field(default=None, max_length=2000)


class RunSummary(BaseModel):
    id: str
    week: str
    status: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    coverage: float | None
    levels: list[dict[str, Any]]


class SolveRequest(BaseModel):
    week: WeekField
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    data_version: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="the data version to solve (default: the newest); re-solve a run on "
        "exactly its data",
    )


class SolveJob(BaseModel):
    """A solve job (a run): status, progress while it runs, levels when done."""

    id: str
    week: str
    status: str = Field(description="queued | running | succeeded | failed | cancelled")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    progress: dict[str, Any] | None = Field(
        description=(
            "While running: parts_done / parts_total; level, value and bound of the level "
            "last reported (value and bound of that part); parts_done_levels: each level's "
            "value and bound summed over the parts done so far"
        )
    )
    levels: list[dict[str, Any]]
    coverage: float | None
    error: str | None
    data_version: int | None = Field(
        default=None, description="the data version solved (None: the data directory)"
    )
