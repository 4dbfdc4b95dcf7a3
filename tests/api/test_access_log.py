"""No secrets in the logs (issue 13): ``roster serve`` logs requests, not their credentials.

A doctor's phone polls the calendar feed with its token in the query string,
and uvicorn's access log writes every request's query; before the fix every
token stood in the log in full. Here a server runs as it does in production
(a subprocess, a free port, a SQLite file, ``ROSTER_*`` settings), is asked
for a feed with a token, for a roster with an API key header, and for URLs
with keys in their query, and is stopped; its whole output must hold none of
them, yet still log every request — with one process and with two.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from uvicorn.logging import AccessFormatter

from api.logs import MASK, RedactSecrets, redact
from scheduler.store.engine import open_database
from scheduler.store.keys import create_calendar_token, create_key
from tests.paths import ROOT

pytestmark = pytest.mark.slow  # the API served by uvicorn in a subprocess

DOCTOR = "H01-CARD-01"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("GET /doctors/D1/calendar.ics?token=s3cr-T_x HTTP/1.1", "?token=*** HTTP/1.1"),
        ("/x?week=2026-W49&api_key=abc&limit=5", "/x?week=2026-W49&api_key=***&limit=5"),
        ("/x?key=abc", "/x?key=***"),
        ("/x?Access_Token=abc#top", "/x?Access_Token=***#top"),
        ("/x?x-api-key=abc;y=1", "/x?x-api-key=***;y=1"),
        ("/x?password=p&secret=s", "/x?password=***&secret=***"),
        ("key rk_0a1b2c_Zz9-_q in a message", "key rk_0a1b2c_*** in a message"),
        ("/x?monkey=1&sort_keys=2&week=2026-W49", "/x?monkey=1&sort_keys=2&week=2026-W49"),
    ],
)
def test_redact_masks_credential_values_only(line: str, expected: str) -> None:
    assert expected in redact(line)


def test_an_access_record_is_redacted_and_still_formats() -> None:
    # The record as uvicorn's access logger makes it: the path with its query is an argument.
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/doctors/{DOCTOR}/calendar.ics?token=abc123", "1.1", 200),
        None,
    )
    assert RedactSecrets().filter(record)
    line = AccessFormatter("%(client_addr)s %(request_line)s %(status_code)s").format(record)
    assert line == f"127.0.0.1:5000 GET /doctors/{DOCTOR}/calendar.ics?token={MASK} HTTP/1.1 200 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.parametrize("workers", [1, 2], ids=["one-process", "two-workers"])
def test_roster_serve_logs_requests_without_tokens_or_keys(tmp_path: Path, workers: int) -> None:
    url = f"sqlite:///{tmp_path / 'roster.db'}"
    engine = open_database(url)
    key = create_key(engine, "logged", "viewer")
    token = create_calendar_token(engine, DOCTOR, actor="test")
    engine.dispose()
    guess = "guessed-token-0123456789"
    port = _free_port()
    env = {
        **os.environ,
        "ROSTER_DATABASE_URL": url,
        "ROSTER_DATA_DIR": str(ROOT / "data"),
        "ROSTER_RUNS_DIR": str(tmp_path / "jobs"),
    }
    serve_options = ["--port", str(port), "--workers", str(workers)]
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            # Several workers build the app in processes of their own, after
            # uvicorn has set up logging there: each must mask as the one does.
            [sys.executable, "-m", "cli", "serve", *serve_options],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while True:
                assert server.poll() is None, log_path.read_text(encoding="utf-8")
                try:
                    if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "roster serve did not start"
                time.sleep(0.2)
            feed = f"{base}/doctors/{DOCTOR}/calendar.ics"
            assert httpx.get(feed, params={"token": token}).status_code == 200
            assert httpx.get(feed, params={"token": guess}).status_code == 401
            roster = httpx.get(f"{base}/weeks/2026-W49/roster", headers={"X-API-Key": key})
            assert roster.status_code == 404  # nothing published; the key was accepted
            assert httpx.get(f"{base}/health", params={"api_key": key}).status_code == 200
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
    logged = log_path.read_text(encoding="utf-8")

    secret = key.split("_", 2)[2]
    for leak in (token, guess, key, secret):
        assert leak not in logged
    # Every request is still there, with its credential masked.
    assert f'"GET /doctors/{DOCTOR}/calendar.ics?token={MASK} HTTP/1.1" 200' in logged
    assert f'"GET /doctors/{DOCTOR}/calendar.ics?token={MASK} HTTP/1.1" 401' in logged
    assert '"GET /weeks/2026-W49/roster HTTP/1.1" 404' in logged
    assert f'"GET /health?api_key={MASK} HTTP/1.1" 200' in logged
