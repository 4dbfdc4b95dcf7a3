"""The HTTP API's settings: the shared ones (``scheduler.settings``) and the API's own.

The same ``ROSTER_*`` environment variables; ``create_app`` takes an
``ApiSettings`` (default: read from the environment).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator

from scheduler.settings import Settings


class ApiSettings(Settings):
    """What the API and the console set besides the shared settings."""

    scenarios_dir: Path = Field(
        default=Path("scenarios"), description="Example scenario files the console offers."
    )
    job_limit_per_key: int = Field(
        default=3, ge=1, description="Unfinished (queued or running) jobs one API key may have."
    )
    job_limit_per_week: int = Field(
        default=3, ge=1, description="Unfinished jobs of one week (solves and scenarios)."
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
