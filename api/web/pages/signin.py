"""Signing in and out: an API key checked once, then only its id kept in the session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from slowapi import Limiter

from api.web.deps import PREFIX, require_csrf, user_of
from api.web.render import page
from scheduler.store.keys import authenticate

router = APIRouter(include_in_schema=False)

HOME = f"{PREFIX}/week"
"""Where the console opens, and where sign-in leads when no page asked for it."""


@dataclass(frozen=True)
class SignInView:
    """The sign-in form: the page to go to after, why the last key was refused."""

    next: str
    error: str | None = None  # an i18n key


@router.get(PREFIX)
@router.get(f"{PREFIX}/")
def home(request: Request) -> Response:
    return RedirectResponse(HOME, status_code=303)


@router.get(f"{PREFIX}/signin")
def signin_form(request: Request, next: str = HOME) -> Response:
    return page(request, "signin.html.j2", user_of(request), SignInView(local(next)))


@router.post(f"{PREFIX}/signout")
def signout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    require_csrf(request, csrf)
    request.session.clear()
    return RedirectResponse(f"{PREFIX}/signin", status_code=303)


def signin_router(limiter: Limiter, rate_limit: str) -> APIRouter:
    """``POST /console/signin``, limited per address by the app's ``limiter`` (429 beyond)."""
    limited = APIRouter(include_in_schema=False)

    @limited.post(f"{PREFIX}/signin")
    @limiter.limit(rate_limit)  # a guesser's attempts per address: 429
    def signin(
        request: Request,
        api_key: Annotated[str, Form(max_length=200)],
        next: Annotated[str, Form()] = HOME,
    ) -> Response:
        with request.app.state.sessions() as session:
            caller = authenticate(session, api_key.strip())
        if caller is None:
            view = SignInView(local(next), error="bad_key")
            return page(request, "signin.html.j2", None, view, status_code=401)
        request.session.clear()
        request.session["key_id"] = caller.key_id
        return RedirectResponse(local(next), status_code=303)

    return limited


def local(path: str) -> str:
    """Only a path of this console after sign-in (no open redirect)."""
    return path if path.startswith(f"{PREFIX}/") and "//" not in path else HOME
