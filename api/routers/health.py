"""Liveness and readiness: ``GET /health`` and ``GET /ready`` (no key needed).

``/health`` is liveness (the process answers; no database), for a supervisor
deciding whether to restart it. ``/ready`` is for a load balancer deciding
whether to send it traffic: it asks the database (one round trip), the job
queue (``solve_runs``, where jobs wait) and the job workers' heartbeats
(``job_workers``), each a cheap statement (``scheduler.store.health``). All
answer: 200 ``{"status": "ready", "database": "ok", "queued_jobs": n,
"workers": n}``. The first that fails: 503 problem+json with ``Retry-After``,
naming it in ``detail`` and ``errors``; what the database said goes to the
log, not to this unauthenticated caller. No workers is not "not ready": the
API still takes jobs, which wait in the queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.deps import DbSession
from api.problems import RETRY_AFTER_SECONDS, answer, responses
from api.schemas.service import Health, Readiness
from scheduler.store.errors import DATABASE_ERRORS, describe
from scheduler.store.health import live_workers, ping, queued_jobs

log = logging.getLogger(__name__)

router = APIRouter(tags=["service"])


@router.get("/health")
def health() -> Health:
    """Liveness (no key needed)."""
    return Health(status="ok")


@router.get("/ready", response_model=Readiness, responses=responses(503))
def ready(request: Request, session: DbSession) -> Response | Readiness:
    """Readiness: the database, the job queue and its workers (no key needed).

    A plain function (run in the thread pool): a database that hangs must
    not hold up the event loop.
    """
    checks: list[tuple[str, Callable[[Session], int | None]]] = [
        ("database", ping),
        ("job queue", queued_jobs),
        ("job workers", live_workers),
    ]
    found: dict[str, int | None] = {}
    for name, check in checks:
        try:
            found[name] = check(session)
        except DATABASE_ERRORS as exc:
            log.warning("not ready: %s: %s", name, describe(exc))
            return answer(
                request,
                503,
                f"not ready: {name} unavailable",
                errors=[{"field": name, "problem": "unavailable"}],
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
    return Readiness(
        status="ready",
        database="ok",
        queued_jobs=found["job queue"] or 0,
        workers=found["job workers"] or 0,
    )
