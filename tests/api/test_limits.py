"""The API's limits (issue 13): request body size, and rate limits on the guessable doors.

* A body over ``max_body_bytes`` is a 413 problem+json (a page on the
  console), declared (``Content-Length``) or chunked; against a real server, a
  declared 10 MB body is refused after 64 KiB of it, and a chunked one as soon
  as it passes the limit, without waiting for the rest.
* The calendar feed and the console's sign-in answer 429 with ``Retry-After``
  past their limit, per client address; with a shared store (Redis) two API
  processes share one count.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.app import create_app
from api.settings import ApiSettings
from api.web.pages.scenarios import MAX_UPLOAD
from scheduler.store.keys import create_key
from tests.paths import ROOT

pytestmark = pytest.mark.slow  # servers and throwaway redis-servers

PROBLEM = "application/problem+json"
MIB = 1_048_576


def _app(tmp_path: Path, **settings: object) -> FastAPI:
    tmp_path.mkdir(parents=True, exist_ok=True)
    return create_app(
        ApiSettings.model_validate(
            {
                "database_url": f"sqlite:///{tmp_path / 'roster.db'}",
                "data_dir": ROOT / "data",
                "runs_dir": tmp_path / "jobs",
                "scenarios_dir": ROOT / "scenarios",
                **settings,
            }
        )
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# --- body size -------------------------------------------------------------------------------


def test_the_default_limit_fits_every_body_the_api_and_console_take() -> None:
    limit = ApiSettings().max_body_bytes
    assert limit == MIB
    assert limit > 2 * MAX_UPLOAD  # the console's scenario upload, with multipart overhead
    for example in (ROOT / "scenarios").glob("*.yaml"):  # POST /scenarios bodies
        assert 100 * len(json.dumps(example.read_text(encoding="utf-8"))) < limit, example


def test_a_body_over_the_limit_is_413_declared_or_chunked(tmp_path: Path) -> None:
    app = _app(tmp_path, max_body_bytes=4096)
    key = create_key(app.state.engine, "admin", "admin")
    with TestClient(app) as client:
        headers = {"X-API-Key": key, "Content-Type": "application/json"}
        small = client.post("/keys", headers=headers, json={"name": "x" * 100, "role": "viewer"})
        assert small.status_code == 201
        big = json.dumps({"name": "x" * 5000, "role": "viewer"})
        declared = client.post("/keys", headers=headers, content=big)
        chunked = client.post(
            "/keys",
            headers=headers,
            content=(big[i : i + 1000].encode() for i in range(0, len(big), 1000)),
        )
        for answer in (declared, chunked):
            assert answer.status_code == 413 and answer.headers["content-type"] == PROBLEM
            assert (
                answer.json()["detail"] == "the request body is larger than the limit of 4096 bytes"
            )
        assert "content-length" not in chunked.request.headers  # it really was chunked

        # The console answers with a page (the scenario upload is its largest form).
        client.post(
            "/console/signin", data={"api_key": create_key(app.state.engine, "p", "planner")}
        )
        upload = client.post(
            "/console/scenarios",
            data={"csrf": "x"},
            files={"upload": ("big.yaml", b"name: x\n" * 1000, "application/x-yaml")},
        )
        assert upload.status_code == 413
        assert upload.headers["content-type"].startswith("text/html")
        assert "提交的内容太大" in upload.text


@pytest.fixture
def live(tmp_path: Path) -> Iterator[int]:
    """The app served by uvicorn on a free port (a thread of this process); the port."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(_app(tmp_path), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    yield port
    server.should_exit = True
    thread.join(timeout=10)


def _answer_of(connection: socket.socket) -> tuple[bytes, bytes]:
    """The server's answer (head, body), which must start within 10 s."""
    ready, _, _ = select.select([connection], [], [], 10)
    assert ready, "the server did not answer while the body was still unsent"
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = re.search(rb"(?i)content-length: (\d+)", head)
    assert length is not None, head
    while len(body) < int(length.group(1)):
        body += connection.recv(65536)
    return head, body


def test_a_real_server_refuses_a_10_mb_body_having_read_64_kib(live: int) -> None:
    with socket.create_connection(("127.0.0.1", live), timeout=10) as connection:
        connection.sendall(
            b"POST /keys HTTP/1.1\r\nHost: roster\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10485760\r\n\r\n" + b"x" * 65536
        )
        head, body = _answer_of(connection)  # the other 9.9 MB are never sent
    assert head.startswith(b"HTTP/1.1 413 ")
    assert b"content-type: application/problem+json" in head.lower()
    assert b"larger than the limit of 1048576 bytes" in body


def test_a_real_server_refuses_a_chunked_body_once_it_passes_the_limit(live: int) -> None:
    chunk = b"x" * 65536
    with socket.create_connection(("127.0.0.1", live), timeout=10) as connection:
        connection.sendall(
            b"POST /keys HTTP/1.1\r\nHost: roster\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        # One byte past the limit, and no last chunk: the rest "is still coming".
        # (Exactly one byte past, so that the server has read all that was sent
        # when it closes: unread bytes would make its close a reset.)
        for part in [chunk] * (MIB // len(chunk)) + [b"x"]:
            connection.sendall(b"%x\r\n%s\r\n" % (len(part), part))
        head, _ = _answer_of(connection)
    assert head.startswith(b"HTTP/1.1 413 ")


def test_a_client_that_sends_all_10_mb_first_still_reads_the_413(live: int) -> None:
    # Browsers and most libraries send the whole body before reading: the
    # server drops it as it comes (the connection stays open, no reset).
    answer = httpx.post(f"http://127.0.0.1:{live}/keys", content=b"x" * (10 * MIB), timeout=30)
    assert answer.status_code == 413 and answer.headers["content-type"] == PROBLEM


# --- rate limits -------------------------------------------------------------------------------


def test_the_calendar_feed_is_rate_limited_per_address(tmp_path: Path) -> None:
    app = _app(tmp_path, calendar_rate_limit="3/minute")
    feed = "/doctors/H01-CARD-01/calendar.ics?token=guess"
    with TestClient(app) as client, TestClient(app, client=("10.0.0.2", 40000)) as other:
        assert [client.get(feed).status_code for _ in range(3)] == [401, 401, 401]
        refused = client.get(feed)
        assert refused.status_code == 429 and refused.headers["content-type"] == PROBLEM
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert "3 per 1 minute" in refused.json()["detail"]
        assert other.get(feed).status_code == 401  # another address has its own count


def test_the_console_sign_in_is_rate_limited_with_a_page(tmp_path: Path) -> None:
    app = _app(tmp_path, signin_rate_limit="2/minute")
    with TestClient(app) as client:
        for _ in range(2):
            assert client.post("/console/signin", data={"api_key": "rk_no_no"}).status_code == 401
        refused = client.post("/console/signin", data={"api_key": "rk_no_no"})
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("text/html")
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert "请求过于频繁" in refused.text and "秒后再试" in refused.text
        assert client.get("/console/signin").status_code == 200  # the form itself is not limited


@pytest.mark.parametrize("limit", ["60 per mnute", "lots", ""])
def test_a_rate_limit_that_does_not_parse_stops_the_settings(limit: str) -> None:
    with pytest.raises(ValidationError, match="not a rate limit"):
        ApiSettings(calendar_rate_limit=limit)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis server of this test alone (skipped without redis-server, except in CI)."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):  # .ci/run installs it: there the test must run
            raise RuntimeError("redis-server is required in CI")
        pytest.skip("redis-server is not installed")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_two_api_processes_share_the_counts_in_redis(tmp_path: Path, redis_url: str) -> None:
    feed = "/doctors/H01-CARD-01/calendar.ics?token=guess"
    shared = {"calendar_rate_limit": "3/minute", "rate_limit_storage_uri": redis_url}
    first, second = _app(tmp_path / "a", **shared), _app(tmp_path / "b", **shared)
    with TestClient(first) as one, TestClient(second) as two:
        assert [c.get(feed).status_code for c in (one, two, one)] == [401, 401, 401]
        assert two.get(feed).status_code == 429  # the fourth, counted across both
    # In memory (the default) each process counts alone.
    alone = {"calendar_rate_limit": "3/minute"}
    first, second = _app(tmp_path / "c", **alone), _app(tmp_path / "d", **alone)
    with TestClient(first) as one, TestClient(second) as two:
        assert [c.get(feed).status_code for c in (one, two, one, two)] == [401] * 4
