"""The web console for bureau planners: server-rendered pages over the same store.

Pages (``/console/...``), zh-CN by default with an English switch:

* sign in with an API key — checked once, then the key's id is kept in a
  signed, HTTP-only session cookie (the key itself is never stored); every
  page re-checks that the key still exists and is not revoked;
* the week: the published roster as a grid (sites or doctors × half-days),
  filters by consortium, hospital and specialty, coverage badges, an Excel
  export of what is shown;
* doctors: search by name or id; a doctor's week; the calendar-feed link
  (made by a planner);
* solve and publish, scenarios: a planner's jobs and their pages;
* unmet demand: grouped by consortium and specialty, with reasons, and a
  heatmap;
* planning inputs: the data set's versions and their change lists; a
  planner changes a doctor's leave, cap and preferred weekdays, a site's
  closed half-days, a demand item's sessions, title and priority — each
  change a new data version (``editing``);
* leave requests: a hospital's secretary asks, a planner approves or rejects,
  then previews and publishes the repair of a published week;
* import and export of the data workbook: download, upload, preview, apply.

The pages read what the API reads (``scheduler.store.queries``); they hold no
logic of their own beyond arranging it. Layout:

* ``pages/`` — one ``APIRouter`` per page family (signin, week, doctors,
  solves, scenarios, unmet, sites, demand, data, imports, requests), each with
  its typed view models;
* ``deps`` — who is signed in (``SignedIn``: the one sign-in check), CSRF;
* ``render`` — templates and the context every page shares;
* ``reads`` — what the pages read from the store;
* ``editing`` — an edit form sent: the next data version, or the form again
  saying why not;
* ``errors``, ``i18n`` — error pages, the console's words.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from api.web.deps import PREFIX, SignInRequired, answer_sign_in_required
from api.web.errors import install_error_pages
from api.web.pages import (
    data,
    demand,
    doctors,
    imports,
    policy,
    requests,
    scenarios,
    signin,
    sites,
    solves,
    unmet,
    week,
)

HERE = Path(__file__).parent
SESSION_HOURS = 8


def install_console(app: FastAPI) -> None:
    """Add the console's pages, static files and session cookie to ``app``."""
    settings = app.state.settings
    secret = settings.session_secret.get_secret_value() if settings.session_secret else None
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret or secrets.token_urlsafe(32),  # none set: sessions end with the process
        session_cookie="roster_console",
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=settings.session_https_only,
    )
    app.mount(f"{PREFIX}/static", StaticFiles(directory=HERE / "static"), name="console-static")
    install_error_pages(app)  # errors under /console are pages, not JSON
    app.add_exception_handler(SignInRequired, answer_sign_in_required)
    app.include_router(signin.router)
    app.include_router(signin.signin_router(app.state.limiter, settings.signin_rate_limit))
    for pages in (
        week,
        doctors,
        solves,
        scenarios,
        unmet,
        sites,
        demand,
        policy,
        data,
        imports,
        requests,
    ):
        app.include_router(pages.router)


__all__ = ["PREFIX", "install_console"]
