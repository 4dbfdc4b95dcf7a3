"""Data versions: every version of the data set (who, when, why, from what, how
much), and each version's change list — the history of every row (SPEC §12).

Read by viewers and planners alike; the versions are made by the edit forms
(``api.web.editing``), the API (``POST /data/versions``) and imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from api.web.deps import PREFIX, SignedIn
from api.web.reads import data_history, data_version
from api.web.render import page
from scheduler.labels import CONSOLE_WORDS, DATA_COLUMNS_ZH, DATA_SHEETS
from scheduler.store.data_versions import RowChange, VersionInfo
from scheduler.store.schema import MAX_VERSION

router = APIRouter(include_in_schema=False)

Version = Annotated[int, Path(ge=1, le=MAX_VERSION)]


@dataclass(frozen=True)
class VersionRow:
    """A data version as listed (``source`` an i18n key where the source is known)."""

    info: VersionInfo
    source: str
    source_known: bool


@dataclass(frozen=True)
class VersionsView:
    """The list of data versions, newest first."""

    versions: list[VersionRow]


@dataclass(frozen=True)
class ChangeLine:
    """One change of a version, with the Chinese names of its file and column (those
    of the data workbook; "" where there is none, as for policy.toml)."""

    change: RowChange
    file_zh: str
    column_zh: str


@dataclass(frozen=True)
class VersionView:
    """One data version and its change list."""

    version: VersionRow
    changes: list[ChangeLine] = field(default_factory=list)


@router.get(f"{PREFIX}/data/versions")
def versions_page(request: Request, user: SignedIn) -> Response:
    rows = [listed(v) for v in data_history(request.app)]
    return page(request, "data_versions.html.j2", user, VersionsView(rows))


@router.get(f"{PREFIX}/data/versions/{{version}}")
def version_page(request: Request, user: SignedIn, version: Version) -> Response:
    info, changes = data_version(request.app, version)  # none: NotFound, the 404 page
    view = VersionView(listed(info), change_lines(changes))
    return page(request, "data_version.html.j2", user, view)


def change_lines(changes: list[RowChange]) -> list[ChangeLine]:
    """Changes with the Chinese names of their files and columns (the data workbook's)."""
    return [
        ChangeLine(c, DATA_SHEETS.get(c.file, ""), DATA_COLUMNS_ZH.get(c.column or "", ""))
        for c in changes
    ]


def listed(info: VersionInfo) -> VersionRow:
    """A version with its source's i18n key (an unknown source is shown as stored)."""
    key = f"source_{info.source}"
    return VersionRow(info, key if key in CONSOLE_WORDS else info.source, key in CONSOLE_WORDS)
