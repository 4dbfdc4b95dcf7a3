"""What a route may ask for, as ``Annotated`` dependencies.

Everything the app keeps on ``app.state`` (``api.app.create_app`` puts it
there) is reached through these, never by handing the app to a helper:

* ``Settings`` — the app's ``ApiSettings``;
* ``DbSession`` — a database session for the request (autocommit reads);
  ``Sessions`` — the session factory, for a fresh session per read
  (a job read again after it changed); ``DbEngine`` — the engine, for writes
  in their own transaction;
* ``Viewer``, ``Secretary``, ``Planner``, ``Admin`` — the caller, whose key has
  that role or above (401 without a valid key, 403 below: ``api.auth``); a
  secretary's key (role ``hospital``) names its hospital (``Caller.hospital_id``);
* ``JobsDep`` — the job queue (``api.jobs.Jobs``);
* ``ServerDataDep`` — the server's data set (``api.data.ServerData``).

Dependencies are ``async``. Besides the caller's key check, they only hand
over what the app holds — none reads the database or the disk — so adding one
to a route never changes which error a request gets first.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.auth import api_key_header, caller_with_role
from api.data import ServerData
from api.jobs import Jobs
from api.settings import ApiSettings
from scheduler.store.keys import Caller


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


def require(role: str) -> Callable[..., Awaitable[Caller]]:
    """A dependency admitting callers of ``role`` or above: 401 without a valid key, 403 below."""

    async def dependency(session: DbSession, key: str | None = Security(api_key_header)) -> Caller:
        return caller_with_role(session, key, role)

    return dependency


Viewer = Annotated[Caller, Depends(require("viewer"))]
Secretary = Annotated[Caller, Depends(require("hospital"))]  # or a planner: any hospital
Planner = Annotated[Caller, Depends(require("planner"))]
Admin = Annotated[Caller, Depends(require("admin"))]


async def _settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


async def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def _sessions(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    return factory


async def _jobs(request: Request) -> Jobs:
    jobs: Jobs = request.app.state.jobs
    return jobs


async def _server_data(request: Request) -> ServerData:
    data: ServerData = request.app.state.data
    return data


Settings = Annotated[ApiSettings, Depends(_settings)]
DbEngine = Annotated[Engine, Depends(_engine)]
Sessions = Annotated[sessionmaker[Session], Depends(_sessions)]
JobsDep = Annotated[Jobs, Depends(_jobs)]
ServerDataDep = Annotated[ServerData, Depends(_server_data)]
