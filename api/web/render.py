"""The console's pages rendered in one place: a template, its view model, the common context.

Every page gets the same context (``base_context``: the words in the reader's
language, the signed-in user, the path prefix, the session's CSRF token)
plus the fields of its view model, a dataclass of the page's module
(``WeekView``, ``DoctorView``...). ``?lang=`` switches the language and is
remembered in a cookie. Times are shown in Asia/Shanghai, where the planners
are (``{{ moment | shanghai }}``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.web.deps import PREFIX, User, csrf_token
from api.web.i18n import language, translate
from scheduler.labels import LEVEL_NAMES

if TYPE_CHECKING:
    from _typeshed import DataclassInstance as ViewModel  # a page's view model: a dataclass

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
LEVEL_NAMES_ZH = {code: name.zh for code, name in LEVEL_NAMES.items()}
PLANNERS_ZONE = ZoneInfo("Asia/Shanghai")
"""Where the planners are: the console shows times there (China has one zone, no DST)."""


def shanghai(moment: dt.datetime) -> str:
    """``moment`` as a planner reads it: Asia/Shanghai, to the minute (the store's
    times are aware, in UTC; a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(PLANNERS_ZONE).strftime("%Y-%m-%d %H:%M")


templates.env.filters["shanghai"] = shanghai


def language_of(request: Request) -> str:
    """The reader's language: ``?lang=``, else the remembered one, else zh."""
    return language(request.query_params.get("lang") or request.cookies.get("lang"))


def base_context(request: Request, user: User | None) -> dict[str, Any]:
    """What every template of the console reads (the header, the words, the forms' token)."""
    lang = language_of(request)
    t: Callable[[str], str] = lambda key: translate(lang, key)  # noqa: E731
    return {
        "t": t,
        "lang": lang,
        "other_lang": "en" if lang == "zh" else "zh",
        "user": user,
        "prefix": PREFIX,
        "csrf": csrf_token(request) if user else "",
    }


def page(
    request: Request,
    name: str,
    user: User | None,
    view: ViewModel,  # its fields are the template's variables
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """The page ``name`` showing ``view`` to ``user``."""
    context = base_context(request, user)
    context["level_zh"] = LEVEL_NAMES_ZH
    context.update({f.name: getattr(view, f.name) for f in fields(view)})
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie(
            "lang", context["lang"], max_age=365 * 86400, samesite="lax", httponly=True
        )
    response.headers.update(headers or {})
    return response
