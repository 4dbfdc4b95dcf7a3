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
from fastapi.templating import Jinja2Templates

from api.problems import html_errors
from api.web.i18n import language, translate

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


def install_error_pages(app: FastAPI, templates: Jinja2Templates, prefix: str) -> None:
    """Answer every error under ``prefix`` with a page of the console."""

    def render(request: Request, status: int, detail: str, headers: Mapping[str, str]) -> Response:
        lang = language(request.query_params.get("lang") or request.cookies.get("lang"))
        return templates.TemplateResponse(
            request,
            "error.html.j2",
            {
                "t": lambda key: translate(lang, key),
                "lang": lang,
                "other_lang": "en" if lang == "zh" else "zh",
                "user": None,
                "prefix": prefix,
                "csrf": "",
                "message": message_key(status),
                "detail": detail if status in SHOWN_DETAIL else "",
                "retry_after": headers.get("Retry-After", ""),
            },
            status_code=status,
            headers=dict(headers),
        )

    html_errors(app, prefix, render)
