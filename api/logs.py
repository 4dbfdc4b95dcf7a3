"""No secrets in the logs: credentials in request URLs are masked before a line is written.

A doctor's phone polls ``/doctors/{id}/calendar.ics?token=...`` every few
minutes, and the token is the feed's only credential; uvicorn's access log
writes every request's path *with its query*, so without this every log file
(and whoever reads it) would hold every doctor's token. ``RedactSecrets``
rewrites the values of query parameters named like a credential (``token=``,
``key=``, ``api_key=``, ``access_token=``, ``secret=``, ``password=``, ...)
to ``***``, and an API key (``rk_<id>_<secret>``) anywhere in a line to
``rk_<id>_***`` (the id stays, to tell keys apart).

``redact_secrets_in_logs()`` puts the filter on the loggers that print
request URLs; ``create_app`` calls it, so it holds in every process that
serves the app, however uvicorn was started (``roster serve``, ``uvicorn
--factory``, several workers). The filter sits on the loggers themselves,
which survive uvicorn's logging configuration (it replaces handlers, not
filters).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

MASK = "***"
SECRET_NAMES = ("token", "key", "apikey", "secret", "password", "passwd", "signature")
"""A query parameter whose name is one of these, or ends in ``_``/``-``/``.`` and one of
these (``api_key``, ``access_token``, ``x-api-key``), holds a credential."""

_QUERY_SECRET = re.compile(
    r"(?P<name>(?:^|[?&;])(?:[^=&;#\s]*[_.-])?(?:" + "|".join(SECRET_NAMES) + r")=)[^&;#\s\"']*",
    re.IGNORECASE,
)
_API_KEY = re.compile(r"\b(rk_[A-Za-z0-9]+_)[A-Za-z0-9_-]+")
LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn", "httpx")
"""The loggers that write request URLs: uvicorn's access and error logs, and
httpx's "HTTP Request: GET <url>" (clients, tests)."""


def redact(text: str) -> str:
    """``text`` with credential values in query strings and API keys masked."""
    text = _QUERY_SECRET.sub(lambda m: m.group("name") + MASK, text)
    return _API_KEY.sub(lambda m: m.group(1) + MASK, text)


def _clean(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactSecrets(logging.Filter):
    """Mask credentials in a record's message and arguments (never drops a record).

    The arguments are masked one by one, keeping their number and types, so
    that formatters that take them apart (uvicorn's access formatter unpacks
    client, method, path, version and status) still work.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(a) for a in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {k: _clean(v) for k, v in record.args.items()}
        return True


def redact_secrets_in_logs(loggers: tuple[str, ...] = LOGGERS) -> None:
    """Put one ``RedactSecrets`` on each of ``loggers`` (again: no second one)."""
    for name in loggers:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
