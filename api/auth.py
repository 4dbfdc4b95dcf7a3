"""API keys (header ``X-API-Key``) and roles: viewer < planner < admin."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from cachetools import TTLCache
from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session, sessionmaker

from scheduler.store.keys import Caller, allows, authenticate

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key.")


async def db_session(request: Request) -> AsyncIterator[Session]:
    """A session on the app's database for one request.

    Dependencies and read routes are ``async`` and call the database directly:
    its queries take about a millisecond, and three thread-pool hops per
    request cost more than that (benchmarks/bench_api.py).
    """
    factory: sessionmaker[Session] = request.app.state.sessions
    with factory() as session:
        yield session


DbSession = Annotated[Session, Depends(db_session)]


# Valid keys seen in the last few seconds: a key check is a database round trip,
# and the hottest routes would pay it on every request. A revoked key therefore
# keeps working for at most KEY_CACHE_SECONDS in each API process.
KEY_CACHE_SECONDS = 5
_known_keys: TTLCache[str, Caller] = TTLCache(maxsize=4096, ttl=KEY_CACHE_SECONDS)
_known_keys_lock = threading.Lock()


def _caller(session: Session, key: str) -> Caller | None:
    with _known_keys_lock:
        caller = _known_keys.get(key)
    if caller is None:
        caller = authenticate(session, key)
        if caller is not None:
            with _known_keys_lock:
                _known_keys[key] = caller
    return caller


def require(role: str) -> Callable[..., Awaitable[Caller]]:
    """A dependency admitting callers of ``role`` or above: 401 without a valid key, 403 below."""

    async def dependency(session: DbSession, key: str | None = Security(api_key_header)) -> Caller:
        caller = _caller(session, key) if key else None
        if caller is None:
            raise HTTPException(401, "a valid API key is required (header X-API-Key)")
        if not allows(caller.role, role):
            raise HTTPException(403, f"this needs the {role} role; the key is {caller.role}")
        return caller

    return dependency


Viewer = Annotated[Caller, Depends(require("viewer"))]
Planner = Annotated[Caller, Depends(require("planner"))]
Admin = Annotated[Caller, Depends(require("admin"))]
