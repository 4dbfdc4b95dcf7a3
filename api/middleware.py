"""ASGI middleware of the API: the request body size limit.

A body larger than ``ApiSettings.max_body_bytes`` is refused with 413 before it
is read: at once when ``Content-Length`` says so, and as soon as the bytes
received pass the limit when the body comes in chunks (``Transfer-Encoding:
chunked``, no length). Either way the server never holds more than the limit
(and one chunk) of it in memory. The answer is an error like every other one
(``api.problems.answer``: problem+json, or the console's page). The
connection stays open: uvicorn drops the rest of the body as it arrives
(never stored), so that a client that sends its whole body before reading,
as browsers and most libraries do, still gets the 413 instead of a reset.

Why not the framework's ``max_body_size``: its refusal is ``text/plain`` when
the route answers before reading the body, and it signals through private
exception types; this is the same idea in forty lines whose answer we own.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import answer


class BodyTooLarge(HTTPException):
    """The request body passed the limit while it was being read (413).

    An ``HTTPException``, so that FastAPI's body parsing lets it through to the
    error handlers unchanged (anything else it turns into a 400).
    """

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, too_large(max_bytes))


def too_large(max_bytes: int) -> str:
    """The one-line reason of a 413."""
    return f"the request body is larger than the limit of {max_bytes} bytes"


class BodySizeLimit:
    """Refuse request bodies over ``max_bytes`` (413) without reading them whole."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return

        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:  # raised where no handler could answer it
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        await answer(Request(scope), 413, too_large(self.max_bytes))(scope, receive, send)
