"""The API's one mapping of the engine's refusals to HTTP (``api.problems``)."""

from __future__ import annotations

import pytest

from api.problems import STATUS_OF, status_of
from scheduler.store.errors import (
    Conflict,
    Invalid,
    LimitReached,
    NotFound,
    StoreError,
    Unauthenticated,
)
from scheduler.store.jobs import JobLimitReached


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFound, 404),
        (Conflict, 409),
        (LimitReached, 429),
        (JobLimitReached, 429),
        (Invalid, 422),
        (Unauthenticated, 401),
        (StoreError, 400),
    ],
)
def test_each_kind_of_refusal_has_its_status(error: type[StoreError], status: int) -> None:
    # The console's deprecated ``status`` says the same as the API's mapping.
    assert status_of(error("x")) == status == error("x").status


def test_every_kind_of_refusal_is_mapped() -> None:
    kinds = {cls for cls in StoreError.__subclasses__()}
    assert kinds == set(STATUS_OF), "a new kind of refusal needs its status in api.problems"
