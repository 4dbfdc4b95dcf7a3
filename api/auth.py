"""API keys (header ``X-API-Key``) and roles: viewer < planner < admin.

The routes ask for a role through ``api.deps`` (``Viewer``, ``Planner``,
``Admin``); this module checks a key against the store, with a short cache.
"""

from __future__ import annotations

import threading

from cachetools import TTLCache
from fastapi import HTTPException
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session

from scheduler.store.keys import Caller, allows, authenticate

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key.")


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


def caller_with_role(session: Session, key: str | None, role: str) -> Caller:
    """The caller of ``key`` if it may act as ``role``: 401 without a valid key, 403 below."""
    caller = _caller(session, key) if key else None
    if caller is None:
        raise HTTPException(401, "a valid API key is required (header X-API-Key)")
    if not allows(caller.role, role):
        raise HTTPException(403, f"this needs the {role} role; the key is {caller.role}")
    return caller
