"""Schemas of scenario jobs (the request body is ``scheduler.scenarios.spec.Scenario``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field


class ScenarioJob(BaseModel):
    """A scenario job: status, progress, and the comparison when it succeeded."""

    id: str
    name: str
    week: str
    status: str = Field(description="queued | running | succeeded | failed | cancelled")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    progress: dict[str, Any] | None = Field(description="variants_done / variants_total, last")
    error: str | None
    report: dict[str, Any] | None = Field(
        description="scheduler.scenarios.run.compare: KPIs side by side, coverage, unmet diff"
    )
    files: dict[str, str] = Field(description="the report's files (HTML, workbook, charts)")
