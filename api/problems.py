"""Errors as ``application/problem+json`` (RFC 9457), whatever went wrong.

Every error the API raises is answered here: the store's and the input's own
errors, HTTP errors, validation errors, and database failures — a database
that is down, read-only or gone is a 503 with ``Retry-After``, a value it
cannot hold a 422, a refused write a 409 (``scheduler.store.errors`` says
which). Whatever escapes all of these is a one-line 500 from ``LastResort``,
its traceback in the log and never in the answer. The web console registers
an HTML renderer (``html_errors``), so that a browser gets a page in its
reader's language, not JSON.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scheduler.errors import InputError, OutputError
from scheduler.store.errors import (
    Conflict,
    DatabaseFault,
    Forbidden,
    Invalid,
    LimitReached,
    NotFound,
    StoreError,
    Unauthenticated,
    Unavailable,
    classify,
    describe,
)

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
RETRY_AFTER_SECONDS = 5
"""What a 503 asks a client to wait before trying again (``Retry-After``)."""
JOB_LIMIT_RETRY_SECONDS = 30
"""What a 429 for too many unfinished jobs asks a client to wait (a solve takes ~10 s)."""
UNAVAILABLE = "the database is unavailable; try again in a few seconds"
INTERNAL = "internal error; it has been logged on the server"

STATUS_OF: dict[type[StoreError], int] = {
    NotFound: 404,
    Conflict: 409,
    LimitReached: 429,
    Invalid: 422,
    Unauthenticated: 401,
    Forbidden: 403,
    Unavailable: 503,
}
"""The one place where the engine's refusals (``scheduler.store.errors``) become
HTTP statuses; a refusal of no kind listed is a 400."""


def status_of(exc: StoreError) -> int:
    """The HTTP status of a refusal, by its kind (the nearest listed class)."""
    for kind in type(exc).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]
    return 400


ErrorPage = Callable[[Request, int, str, Mapping[str, str]], Response]
"""Renders an error (status, one-line detail, headers to send) as a page."""


class Problem(BaseModel):
    """An error: what went wrong, in one line (``detail``), with the HTTP status."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None


def problem(
    status: int,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response (401 says how to authenticate; 405 keeps ``Allow``)."""
    body = Problem(title=HTTPStatus(status).phrase, status=status, detail=detail, errors=errors)
    extra = dict(headers or {})
    if status == 401:
        extra.setdefault("WWW-Authenticate", "ApiKey")
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, media_type=PROBLEM, headers=extra
    )


def html_errors(app: FastAPI, prefix: str, render: ErrorPage) -> None:
    """Answer the errors of paths under ``prefix`` (the web console) with ``render``."""
    app.state.error_pages = [*getattr(app.state, "error_pages", []), (prefix, render)]


def answer(
    request: Request,
    status: int,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """An error for ``request``: problem+json, or the HTML page of a part of the
    site that registered one (``html_errors``)."""
    path = request.url.path
    for prefix, render in getattr(request.app.state, "error_pages", ()):
        if path == prefix or path.startswith(f"{prefix}/"):
            return render(request, status, detail, dict(headers or {}))
    return problem(status, detail, errors, dict(headers or {}))


def database_failure(request: Request, exc: SQLAlchemyError) -> Response:
    """The answer to a database failure, by its kind (``scheduler.store.errors``).

    Unavailable → 503 with ``Retry-After`` (the client should come back; the
    server's address and the database's name stay in the log); a value the
    database cannot hold → 422; a refused write → 409; anything else → 500,
    logged with its traceback.
    """
    kind = classify(exc)
    where = f"{request.method} {request.url.path}"  # never the query: it may hold a token
    if kind is DatabaseFault.UNAVAILABLE:
        log.warning("%s: %s", where, describe(exc))
        return answer(request, 503, UNAVAILABLE, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    if kind is DatabaseFault.BAD_VALUE:
        return answer(request, 422, describe(exc))
    if kind is DatabaseFault.CONFLICT:
        return answer(request, 409, describe(exc))
    log.error("%s: %s", where, describe(exc), exc_info=exc)
    return answer(request, 500, INTERNAL)


def install(app: FastAPI) -> None:
    """Route every error the API raises through ``answer``; ``LastResort``
    catches whatever no handler takes."""
    app.add_middleware(LastResort)

    @app.exception_handler(StoreError)
    async def _store(request: Request, exc: StoreError) -> Response:
        # Too many unfinished jobs (scheduler/store/jobs.py): 429, come back later.
        limited = isinstance(exc, LimitReached)
        headers = {"Retry-After": str(JOB_LIMIT_RETRY_SECONDS)} if limited else None
        return answer(request, status_of(exc), exc.message, headers=headers)

    @app.exception_handler(OutputError)
    async def _output(request: Request, exc: OutputError) -> Response:
        # The server's own directory (ROSTER_RUNS_DIR), not the client's input: the
        # path stays in the log.
        log.error("cannot write an output directory: %s", exc)
        return answer(
            request,
            503,
            "the server cannot write its run directory; an administrator must check it",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> Response:
        return answer(request, 422, str(exc))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # every method of the path, not just one route's
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return answer(request, exc.status_code, str(exc.detail), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "request", "problem": "invalid"}
        return answer(request, 422, f"{first['field']}: {first['problem']}", errors)

    @app.exception_handler(SQLAlchemyError)
    async def _database(request: Request, exc: SQLAlchemyError) -> Response:
        return database_failure(request, exc)

    # Starlette's outermost layer takes this handler for the rare exception raised
    # in a middleware outside LastResort (sessions, body size): the same one line,
    # where it would answer text/plain; it then re-raises, and the server logs it.
    @app.exception_handler(Exception)
    async def _outermost(request: Request, _: Exception) -> Response:
        return answer(request, 500, INTERNAL)


class LastResort:
    """ASGI middleware: an exception no handler took is a one-line 500.

    Starlette's own last resort answers ``text/plain`` and lets the server log
    the exception again; this one answers like every other error (problem+json,
    or the console's page), logs the traceback once with the method and path
    (not the query, which may carry a token) and never sends it. An exception
    after the answer has started cannot be answered: it goes on to the server,
    which closes the connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:
            log.exception("unexpected error in %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            await answer(Request(scope), 500, INTERNAL)(scope, receive, send)


def served_routes(routes: Iterable[Any]) -> Iterator[Any]:
    """Every route the app answers, routers' included: FastAPI ≥ 0.165 keeps an
    included router as one entry of ``app.routes`` whose effective routes (path,
    ``path_regex``, ``methods``) it lists apart; older versions list them flat."""
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is None:
            yield route
        else:
            yield from contexts()


def _allowed_methods(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in served_routes(request.app.routes):
        pattern = getattr(route, "path_regex", None)
        if pattern is not None and pattern.match(request.url.path):
            methods |= set(getattr(route, "methods", None) or ())
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


# The documented error responses of a route, for OpenAPI.
def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route that may answer these error statuses."""
    return {
        s: {"model": Problem, "content": {PROBLEM: {}}, "description": HTTPStatus(s).phrase}
        for s in statuses
    }
