"""Errors as ``application/problem+json`` (RFC 9457)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from scheduler.errors import InputError
from scheduler.store.runs import StoreError

PROBLEM = "application/problem+json"


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


def install(app: FastAPI) -> None:
    """Route every error the API raises through ``problem``."""

    @app.exception_handler(StoreError)
    async def _store(_: Request, exc: StoreError) -> JSONResponse:
        return problem(exc.status, exc.message)

    @app.exception_handler(InputError)
    async def _input(_: Request, exc: InputError) -> JSONResponse:
        return problem(422, str(exc))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # every method of the path, not just one route's
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return problem(exc.status_code, str(exc.detail), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "request", "problem": "invalid"}
        return problem(422, f"{first['field']}: {first['problem']}", errors)


def _allowed_methods(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in request.app.routes:
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
