"""Schemathesis against the app's own OpenAPI document.

Every operation gets up to 50 generated requests, each sent with a viewer key
and with a key allowed to call it (planner; admin for the key routes); the
responses must never be a server error and must match the
documented schema (status code, content type, headers, body); schema-valid
requests must be accepted, and a wrong method must answer 405 with the right
``Allow``. The database holds the
published default week, so reads find data. ``POST /solves`` and ``POST
/scenarios`` are left out: they start real solves (tests/store/test_jobs.py and
tests/api/test_scenarios.py cover them end to end). The operations of
``CHECKED_BEYOND_THE_SCHEMA`` may refuse a schema-valid body with 422.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from api.app import create_app
from api.settings import ApiSettings
from scheduler.pipeline import solve_week
from scheduler.store.keys import create_key
from scheduler.store.runs import import_run_dir, publish
from tests.paths import ROOT

pytestmark = pytest.mark.slow  # Schemathesis over every operation

_TMP = Path(tempfile.mkdtemp(prefix="roster-schema-"))
app = create_app(
    ApiSettings(database_url=f"sqlite:///{_TMP / 'schema.db'}", data_dir=ROOT / "data")
)
schema = (
    schemathesis.openapi.from_asgi("/openapi.json", app)
    .exclude(method="POST", path="/solves")
    .exclude(method="POST", path="/scenarios")
)


CHECKED_BEYOND_THE_SCHEMA = ("/data/versions", "/data/imports", "/requests", "/keys")
"""Operations whose bodies are checked against the data set or across fields (a
doctor that exists, a weekly cap a known doctor may have, a hospital key's
hospital): a schema-valid body may be a 422 naming the field."""


@pytest.fixture(scope="module")
def keys() -> Iterator[dict[str, str]]:
    """Publish the default week and make a key of each role."""
    engine = app.state.engine
    run_id = import_run_dir(engine, solve_week(ROOT / "data", "2026-W49", _TMP / "run").out_dir)
    publish(engine, run_id, actor="test")
    yield {role: create_key(engine, role, role) for role in ("viewer", "planner", "admin")}
    engine.dispose()
    shutil.rmtree(_TMP, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_answers_as_documented(case, keys) -> None:  # type: ignore[no-untyped-def]
    # With a viewer key (writes answer the documented 403) and with a key that
    # may call the operation. Every check but negative_data_rejection: like most
    # HTTP APIs, this one ignores query parameters it does not know.
    allowed = "admin" if case.path.startswith("/keys") else "planner"
    excluded = [negative_data_rejection]
    if case.method == "POST" and case.path in CHECKED_BEYOND_THE_SCHEMA:
        excluded.append(positive_data_acceptance)
    for role in ("viewer", allowed):
        case.call_and_validate(headers={"X-API-Key": keys[role]}, excluded_checks=excluded)
