"""The API's one mapping of the engine's refusals to HTTP (``api.problems``),
and the checklist of docs/dev/adding-an-endpoint.md followed with a toy router."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.app import create_app
from api.deps import DbSession, Settings
from api.problems import STATUS_OF, responses, status_of
from api.settings import ApiSettings
from api.types import Id
from scheduler.store.errors import (
    Conflict,
    Forbidden,
    Invalid,
    LimitReached,
    NotFound,
    StoreError,
    Unauthenticated,
    Unavailable,
)
from scheduler.store.jobs import JobLimitReached
from scheduler.store.schema import SolveRun
from tests.paths import ROOT


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFound, 404),
        (Conflict, 409),
        (LimitReached, 429),
        (JobLimitReached, 429),
        (Invalid, 422),
        (Unauthenticated, 401),
        (Forbidden, 403),
        (Unavailable, 503),
        (StoreError, 400),
    ],
)
def test_each_kind_of_refusal_has_its_status(error: type[StoreError], status: int) -> None:
    assert status_of(error("x")) == status


def test_every_kind_of_refusal_is_mapped() -> None:
    kinds = {cls for cls in StoreError.__subclasses__()}
    assert kinds == set(STATUS_OF), "a new kind of refusal needs its status in api.problems"


# docs/dev/adding-an-endpoint.md, followed once with a toy resource: a store
# query that refuses with a plain kind (1, 2), a schema (3), a route on its own
# router asking for dependencies (4, 5), included into the app of the factory;
# the refusals come back as the one mapper in api.problems makes them (6).


def _toy_count(session: Session, name: str) -> int:
    """1, 2: a named store query; no HTTP in it, only the engine's refusals."""
    if name == "busy":
        raise JobLimitReached("too many toys at once")
    if name != "known":
        raise NotFound(f"no toy {name!r}")
    return int(session.scalar(select(func.count()).select_from(SolveRun)) or 0)


class Toy(BaseModel):
    """3: the wire schema."""

    name: str
    runs: int
    data_dir: str


toys = APIRouter(tags=["toys"])


@toys.get("/toys/{name}", responses=responses(404, 429))
def toy(name: Id, session: DbSession, settings: Settings) -> Toy:
    """4, 5: a route over dependencies, calling the store query."""
    return Toy(name=name, runs=_toy_count(session, name), data_dir=str(settings.data_dir))


@pytest.fixture
def toy_client(tmp_path: Path) -> Iterator[TestClient]:
    root = ROOT
    app = create_app(
        ApiSettings(database_url=f"sqlite:///{tmp_path / 'toy.db'}", data_dir=root / "data")
    )
    app.include_router(toys)
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def test_a_toy_router_answers_through_its_dependencies(toy_client: TestClient) -> None:
    answer = toy_client.get("/toys/known")
    assert answer.status_code == 200
    assert answer.json() == {"name": "known", "runs": 0, "data_dir": answer.json()["data_dir"]}
    assert answer.json()["data_dir"].endswith("data")
    operation = toy_client.get("/openapi.json").json()["paths"]["/toys/{name}"]["get"]
    assert operation["tags"] == ["toys"] and {"404", "429"} <= set(operation["responses"])


def test_a_toy_routers_refusals_are_problems(toy_client: TestClient) -> None:
    missing = toy_client.get("/toys/nobody")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "no toy 'nobody'",
    }
    busy = toy_client.get("/toys/busy")
    assert busy.status_code == 429 and busy.headers["retry-after"] == "30"
    assert busy.json()["title"] == "Too Many Requests"
    assert busy.json()["detail"] == "too many toys at once"
