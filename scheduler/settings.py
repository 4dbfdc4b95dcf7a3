"""Settings from the environment (``ROSTER_*``), with defaults for zero set-up.

What every door needs — the database, the data set, the run directories, the
solver's limits, the job worker's leases. What only the HTTP API and its
console need (the session cookie, request limits, job limits per key) is in
``api/settings.py`` (``ApiSettings``, the same ``ROSTER_*`` variables).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """What every door sets: ``ROSTER_DATABASE_URL``, ``ROSTER_DATA_DIR``, ..."""

    model_config = SettingsConfigDict(env_prefix="ROSTER_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///roster.db",
        description="SQLAlchemy URL: a SQLite file (default) or postgresql+psycopg://...",
    )
    data_dir: Path = Field(default=Path("data"), description="The data set to solve.")
    runs_dir: Path = Field(default=Path("runs/jobs"), description="Run directories of jobs.")
    solve_time_limit: float = Field(default=300.0, gt=0, description="Wall s per level, part.")
    solve_dtime: float = Field(default=60.0, gt=0, description="Deterministic time per level.")
    solve_workers: int = Field(default=1, ge=1, description="CP-SAT workers per part.")
    solve_processes: int = Field(
        default=0, ge=0, description="Processes per solve job (0 = all cores but one, for the API)."
    )
    job_pool_size: int = Field(
        default=2, ge=1, description="Jobs one worker (roster worker) runs at once."
    )
    job_heartbeat_seconds: float = Field(
        default=2.0, gt=0, description="How often a worker tells the database a job is alive."
    )
    job_lease_seconds: float = Field(
        default=30.0,
        gt=0,
        description="A running job whose worker has not beaten for this long is taken as lost "
        "(its worker died): it is queued again, or failed after job_max_attempts.",
    )
    job_max_attempts: int = Field(
        default=2, ge=1, description="Attempts of a job whose worker dies (2: retried once)."
    )
    worker_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often a worker on SQLite looks for queued jobs."
    )
    worker_grace_seconds: float = Field(
        default=10.0,
        ge=0,
        description="On shutdown, how long a worker lets running jobs finish before it stops "
        "them and queues them again.",
    )
