"""Schemas of API keys."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from api.types import IdField


class KeyRequest(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(pattern="^(viewer|hospital|planner|admin)$")
    hospital_id: IdField | None = Field(
        default=None, description="role hospital: the secretary's hospital"
    )


class KeyCreated(BaseModel):
    id: str
    name: str
    role: str
    hospital_id: str | None = None
    key: str = Field(description="Shown once; only its hash is stored")


class KeyInfo(BaseModel):
    id: str
    name: str
    role: str
    hospital_id: str | None = None
    created_at: dt.datetime
    revoked_at: dt.datetime | None
