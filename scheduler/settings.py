"""Settings from the environment (``ROSTER_*``), with defaults for zero set-up."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
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
    job_pool_size: int = Field(
        default=2, ge=1, description="Jobs one worker (roster worker) runs at once."
    )
    job_limit_per_key: int = Field(
        default=3, ge=1, description="Unfinished (queued or running) jobs one API key may have."
    )
    job_limit_per_week: int = Field(
        default=3, ge=1, description="Unfinished jobs of one week (solves and scenarios)."
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
    session_secret: SecretStr | None = Field(
        default=None,
        description="Signs the web console's session cookie; unset: a random one per process "
        "(sign-ins end when the server restarts). Set it when several processes serve.",
    )
    session_https_only: bool = Field(
        default=False, description="Send the console's cookie over HTTPS only (behind TLS)."
    )
    # Limits of the HTTP API (api/limits.py): a body too large is refused before
    # it is read; the public calendar feed and the console's sign-in, which a
    # guesser could hammer, are rate-limited per client address.
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        description="Largest request body the API accepts, in bytes (larger: 413, unread).",
    )
    calendar_rate_limit: str = Field(
        default="60/minute",
        description="Calendar-feed requests per client address (the token is the credential).",
    )
    signin_rate_limit: str = Field(
        default="10/minute", description="Console sign-in attempts per client address."
    )
    rate_limit_storage_uri: str = Field(
        default="memory://",
        description="Where rate-limit counts live: memory:// (each process its own) or a shared "
        "store such as redis://127.0.0.1:6379 when several API processes serve.",
    )

    @field_validator("calendar_rate_limit", "signin_rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        """A limit the rate limiter understands ("60/minute", "5/second;100/hour"): a
        typo must stop the server, not leave the route unlimited."""
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError(f"not a rate limit: {value!r} (e.g. '60/minute')") from None
        return value
