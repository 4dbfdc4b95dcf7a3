"""The HTTP API (FastAPI), thin over ``scheduler``: published rosters, a doctor's
assignments and calendar feed, unmet demand, KPIs, reference data, runs,
publishing and keys. OpenAPI at ``/docs``; errors are problem+json.

``create_app(settings)`` builds the app: what it keeps on ``app.state`` (the
routes reach it through ``api.deps``), the error answers (``api.problems``),
the limits, then one router per resource (``api.routers``) in a fixed order —
the order of the OpenAPI document — and the web console. ``roster serve`` runs
it with uvicorn.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from api.data import ServerData
from api.jobs import Jobs
from api.limits import install_limits
from api.logs import redact_secrets_in_logs
from api.problems import install
from api.routers import (
    data,
    health,
    keys,
    reference,
    repairs,
    requests,
    rosters,
    runs,
    scenarios,
    solves,
)
from api.routers.doctors import doctors_router
from api.settings import ApiSettings
from api.web import install_console
from scheduler.store.engine import open_database


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """The API over ``settings.database_url`` and ``settings.data_dir``."""
    settings = settings or ApiSettings()
    engine = open_database(settings.database_url)
    app = FastAPI(
        title="Consortium roster API",
        version="1.0",
        description="Published specialist rosters of the consortium; keys in header X-API-Key.",
        lifespan=_lifespan(engine),
    )
    install(app)
    limiter = install_limits(app, settings)  # body size; rate limits of the guessable doors
    redact_secrets_in_logs()  # no calendar token or API key in the access log
    _keep_state(app, settings, engine)

    app.include_router(health.router)  # /health, /ready: no key
    app.include_router(rosters.router)
    app.include_router(doctors_router(limiter, settings.calendar_rate_limit))
    app.include_router(reference.router)
    app.include_router(runs.router)
    app.include_router(solves.router)
    app.include_router(keys.router)
    app.include_router(scenarios.router)
    app.include_router(repairs.router)
    app.include_router(data.router)
    app.include_router(requests.router)
    install_console(app)
    return app


def _lifespan(engine: Engine) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Long-lived objects (modules, the data set) out of the collector's way,
        # so that full collections during requests have less to traverse.
        gc.collect()
        gc.freeze()
        yield
        engine.dispose()

    return lifespan


def _keep_state(app: FastAPI, settings: ApiSettings, engine: Engine) -> None:
    """What the routes (through ``api.deps``) and the console reach on ``app.state``."""
    app.state.settings = settings
    app.state.engine = engine
    # Request sessions read in autocommit: every read is one consistent statement
    # (published versions never change), and PostgreSQL is spared the BEGIN and
    # ROLLBACK round trips of a transaction per request. Writes use transaction().
    app.state.sessions = sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
    )
    app.state.data = ServerData(engine, settings.data_dir)  # read on first use
    app.state.jobs = Jobs(engine, settings)  # jobs run in `roster worker` processes
