"""The console's error pages: an HTML page in the reader's language, never JSON.

A planner's browser that meets an error (the database down, too many
sign-in attempts, a body too large, a bad parameter) gets a page of the
console saying what happened in Chinese (or English, by the same switch as
every page) and when to try again, with the same status code and headers
(``Retry-After``) the API would send. ``api.problems`` renders with it for
every path under ``/console`` (``install_error_pages``).

Only the reason of a bad request (4xx: which parameter, what is wrong with
it) is shown beside the message; a server-side failure shows no detail.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.responses import Response

from api.problems import html_errors
from api.web.deps import PREFIX
from api.web.render import base_context, templates

MESSAGES = {  # status → the message's key in api.web.i18n (its help line: key + "_help")
    503: "error_unavailable",
    429: "error_too_many",
    413: "error_too_large",
    404: "error_not_found",
    401: "error_forbidden",
    403: "error_forbidden",
}
SHOWN_DETAIL = {400, 405, 409, 422}
"""Statuses whose one-line reason is about the reader's own input, and so is shown."""


def message_key(status: int) -> str:
    """The i18n key of the message for ``status``."""
    if status in MESSAGES:
        return MESSAGES[status]
    return "error_bad_request" if status < 500 else "error_internal"


def error_page(request: Request, status: int, detail: str, headers: Mapping[str, str]) -> Response:
    """The console's page for an error (no user shown: the error may be the session's)."""
    return templates.TemplateResponse(
        request,
        "error.html.j2",
        {
            **base_context(request, None),
            "message": message_key(status),
            "detail": detail if status in SHOWN_DETAIL else "",
            "retry_after": headers.get("Retry-After", ""),
        },
        status_code=status,
        headers=dict(headers),
    )


def install_error_pages(app: FastAPI) -> None:
    """Answer every error under ``/console`` with a page of the console."""
    html_errors(app, PREFIX, error_page)
