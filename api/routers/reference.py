"""Reference data of the server's data set: hospitals, specialties, consortia,
sites, doctors, teams."""

from __future__ import annotations

import dataclasses
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
    rows = data.reference(kind)
    return [{f.name: _plain(getattr(row, f.name)) for f in dataclasses.fields(row)} for row in rows]


def _plain(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
