"""Reference data of the server's data set: hospitals, specialties, consortia,
sites, doctors, teams."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path

from api.deps import ServerDataDep, Viewer
from api.problems import responses

AUTH_ERRORS = (401, 403)

router = APIRouter(tags=["reference"])


@router.get("/reference/{kind}", responses=responses(*AUTH_ERRORS, 404, 422))
def reference(
    _: Viewer,
    kind: Annotated[str, Path(pattern="^(hospitals|specialties|consortia|sites|doctors|teams)$")],
    data: ServerDataDep,
) -> list[dict[str, Any]]:
    """Reference data of the current data set: hospitals, specialties, consortia,
    sites, doctors, teams."""
    return [{k: _plain(v) for k, v in row.items()} for row in data.reference(kind)]


def _plain(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
