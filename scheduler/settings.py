"""Settings from the environment (``ROSTER_*``), with defaults for zero set-up."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything a deployment sets: ``ROSTER_DATABASE_URL``, ``ROSTER_DATA_DIR``, ..."""

    model_config = SettingsConfigDict(env_prefix="ROSTER_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///roster.db",
        description="SQLAlchemy URL: a SQLite file (default) or postgresql+psycopg://...",
    )
    data_dir: Path = Field(default=Path("data"), description="The data set to solve.")
    runs_dir: Path = Field(default=Path("runs/jobs"), description="Run directories of jobs.")
    scenarios_dir: Path = Field(
        default=Path("scenarios"), description="Example scenario files the console offers."
    )
    solve_time_limit: float = Field(default=300.0, gt=0, description="Wall s per level, part.")
    solve_dtime: float = Field(default=60.0, gt=0, description="Deterministic time per level.")
    solve_workers: int = Field(default=1, ge=1, description="CP-SAT workers per part.")
    solve_processes: int = Field(
        default=0, ge=0, description="Processes per solve job (0 = all cores but one, for the API)."
    )
    job_pool_size: int = Field(default=2, ge=1, description="Solve jobs running at once.")
    session_secret: SecretStr | None = Field(
        default=None,
        description="Signs the web console's session cookie; unset: a random one per process "
        "(sign-ins end when the server restarts). Set it when several processes serve.",
    )
    session_https_only: bool = Field(
        default=False, description="Send the console's cookie over HTTPS only (behind TLS)."
    )
