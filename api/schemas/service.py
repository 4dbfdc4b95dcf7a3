"""Schemas of the service routes: liveness and readiness."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scheduler.store.health import WORKER_SEEN_SECONDS


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    """Everything ``/ready`` checked, all well."""

    status: str = Field(description="ready")
    database: str = Field(description="ok: the database answered")
    queued_jobs: int = Field(description="jobs waiting in the queue")
    workers: int = Field(
        description=f"job workers whose heartbeat is under {WORKER_SEEN_SECONDS} s old"
    )
