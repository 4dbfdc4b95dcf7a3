"""Limits of the API: request body size, and rate limits on the guessable doors.

* Every request body is capped at ``ApiSettings.max_body_bytes`` (1 MiB by
  default; ``api.middleware.BodySizeLimit``): 413, the body left unread.
* Two doors take a secret without an API key, so a guesser could try secrets
  as fast as the server answers: a doctor's calendar feed (``?token=``) and the
  console's sign-in (an API key typed into a form). Both are rate-limited per
  client address with slowapi (``ApiSettings.calendar_rate_limit``,
  ``signin_rate_limit``); over the limit is a 429 with ``Retry-After`` —
  problem+json for the feed, a page for the console.

The counts live in memory (each API process its own) unless
``ApiSettings.rate_limit_storage_uri`` names a shared store (``redis://...``),
which several processes then share. Should that store stop answering, each
process falls back to counting in memory rather than refusing or admitting
everyone.
"""

from __future__ import annotations

import math
import time

from fastapi import FastAPI, Request
from fastapi.responses import Response
from slowapi import Limiter
from slowapi.errors import RateLimitExceeded
from slowapi.util import get_remote_address

from api.middleware import BodySizeLimit
from api.problems import answer
from api.settings import ApiSettings


def install_limits(app: FastAPI, settings: ApiSettings) -> Limiter:
    """Cap request bodies and make the app's rate limiter (``app.state.limiter``).

    Routes opt in with ``@limiter.limit(settings.<route>_rate_limit)`` below
    their route decorator (and take a ``request: Request`` parameter).
    """
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    limiter = Limiter(
        key_func=get_remote_address,  # the client's address (uvicorn applies X-Forwarded-For
        # from trusted proxies: FORWARDED_ALLOW_IPS)
        storage_uri=settings.rate_limit_storage_uri,
        strategy="moving-window",  # no double burst at the edge of a fixed window
        in_memory_fallback_enabled=True,
    )
    app.state.limiter = limiter

    @app.exception_handler(RateLimitExceeded)
    async def _too_many(request: Request, exc: RateLimitExceeded) -> Response:
        """429, saying the limit and when the next request will be let through."""
        wait = retry_after(request)
        return answer(
            request,
            429,
            f"too many requests from this address (at most {exc.detail}); try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )

    return limiter


def retry_after(request: Request) -> int:
    """Whole seconds until the limit that refused ``request`` lets one through."""
    limiter: Limiter = request.app.state.limiter
    hit = getattr(request.state, "view_rate_limit", None)  # (limit, key parts), set by slowapi
    if hit is None:
        return 60
    reset_at, _ = limiter.limiter.get_window_stats(hit[0], *hit[1])
    return max(1, math.ceil(reset_at - time.time()))
