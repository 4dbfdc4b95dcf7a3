"""Schemas of API keys."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class KeyRequest(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(pattern="^(viewer|planner|admin)$")


class KeyCreated(BaseModel):
    id: str
    name: str
    role: str
    key: str = Field(description="Shown once; only its hash is stored")


class KeyInfo(BaseModel):
    id: str
    name: str
    role: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
