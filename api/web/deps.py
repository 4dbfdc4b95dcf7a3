"""Who is signed in to the console, and the checks of its forms.

Every page of the console but the sign-in page needs a signed-in key: a page
takes ``user: SignedIn`` (or ``SignedInPoll`` for the JSON a page polls), and
the one check lives here (``_signed_in``). A request without a session, or
whose key was revoked since, raises ``SignInRequired``; the console's handler
(``answer_sign_in_required``, registered by ``api.web.install_console``)
sends a page to ``/console/signin?next=<path>`` (303) and a poll a bare 401.

A form that changes something carries its session's CSRF token; a planner's
forms need a planner's key as well (``require_planner``). Both are checked in
the page's body, after FastAPI has validated the form, so that a bad field is
still a 422 before a refusal is a 403.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from scheduler.store.keys import ROLES, allows
from scheduler.store.schema import ApiKey

PREFIX = "/console"


@dataclass(frozen=True)
class User:
    """Who is signed in (from the session cookie, re-checked against the keys)."""

    key_id: str
    name: str
    role: str
    hospital_id: str | None = None  # a hospital secretary's hospital

    def may(self, needed: str) -> bool:
        return allows(self.role, needed)


class SignInRequired(Exception):
    """No key is signed in: a page redirects to sign in, a poll is a bare 401."""

    def __init__(self, *, redirect: bool) -> None:
        super().__init__("sign-in required")
        self.redirect = redirect


def user_of(request: Request) -> User | None:
    """The session's key if it still exists and is not revoked (else the session ends)."""
    key_id = request.session.get("key_id")
    if not key_id:
        return None
    with request.app.state.sessions() as session:
        row = session.get(ApiKey, key_id)
        if row is None or row.revoked_at is not None or row.role not in ROLES:
            request.session.clear()
            return None
        return User(row.id, row.name, row.role, row.hospital_id)


def _signed_in(request: Request, *, redirect: bool) -> User:
    user = user_of(request)
    if user is None:
        raise SignInRequired(redirect=redirect)
    return user


def signed_in(request: Request) -> User:
    """The signed-in user of a page; none: to the sign-in page."""
    return _signed_in(request, redirect=True)


def signed_in_poll(request: Request) -> User:
    """The signed-in user of a poll (``progress.json``); none: 401."""
    return _signed_in(request, redirect=False)


SignedIn = Annotated[User, Depends(signed_in)]
"""A page's signed-in user."""
SignedInPoll = Annotated[User, Depends(signed_in_poll)]
"""A poll's signed-in user."""


def answer_sign_in_required(request: Request, exc: Exception) -> Response:
    """The answer to ``SignInRequired``: 303 to the sign-in page, back here after."""
    if isinstance(exc, SignInRequired) and not exc.redirect:
        return Response(status_code=401)
    return RedirectResponse(f"{PREFIX}/signin?next={request.url.path}", status_code=303)


def csrf_token(request: Request) -> str:
    """The session's token for the console's forms (made on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return str(token)


def csrf_ok(request: Request, token: str) -> bool:
    """A POST of the console carries its session's token (no cross-site forms)."""
    expected = request.session.get("csrf") or ""
    return bool(token) and secrets.compare_digest(str(expected), token)


def require_csrf(request: Request, token: str) -> None:
    """403 unless the form carries its session's token."""
    if not csrf_ok(request, token):
        raise HTTPException(403, "stale form: reload the page")


def planner_form(request: Request, user: User, token: str) -> bool:
    """A planner sent the form, with its session's token."""
    return user.may("planner") and csrf_ok(request, token)


def require_planner(request: Request, user: User, token: str, refusal: str) -> None:
    """403 (``refusal``) unless a planner sent the form with its session's token."""
    if not planner_form(request, user, token):
        raise HTTPException(403, refusal)
