"""API keys (header ``X-API-Key``) and roles: viewer < planner < admin."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session, sessionmaker

from scheduler.store.keys import Caller, allows, authenticate

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key.")


def db_session(request: Request) -> Iterator[Session]:
    """A session on the app's database for one request."""
    factory: sessionmaker[Session] = request.app.state.sessions
    with factory() as session:
        yield session


DbSession = Annotated[Session, Depends(db_session)]


def require(role: str) -> Callable[..., Caller]:
    """A dependency admitting callers of ``role`` or above: 401 without a valid key, 403 below."""

    def dependency(session: DbSession, key: str | None = Security(api_key_header)) -> Caller:
        caller = authenticate(session, key) if key else None
        if caller is None:
            raise HTTPException(401, "a valid API key is required (header X-API-Key)")
        if not allows(caller.role, role):
            raise HTTPException(403, f"this needs the {role} role; the key is {caller.role}")
        return caller

    return dependency


Viewer = Annotated[Caller, Depends(require("viewer"))]
Planner = Annotated[Caller, Depends(require("planner"))]
Admin = Annotated[Caller, Depends(require("admin"))]
