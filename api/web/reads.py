"""What the console's pages read from the store: the published week, a job, recent jobs,
the data set's versions, leave requests, uploaded data workbooks.

The pages read what the API reads (``scheduler.store.queries``,
``scheduler.store.data_versions``, the server's data set ``api.data.ServerData``);
this module only opens the app's sessions and detaches what the pages keep.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from fastapi import FastAPI

from api.data import ServerData
from scheduler.domain import Instance
from scheduler.io.data_files import DataFiles
from scheduler.io.load import DataSet
from scheduler.store import queries
from scheduler.store.data_imports import StagedImport, staged_import
from scheduler.store.data_requests import LeaveRequest, get_request, list_requests
from scheduler.store.data_versions import (
    RowChange,
    VersionInfo,
    data_files,
    list_versions,
    newest_version,
    version_changes,
)
from scheduler.store.engine import reading
from scheduler.store.errors import NotFound
from scheduler.store.queries import run_instance
from scheduler.store.runs import StoreError, published_version
from scheduler.store.schema import Publication, SolveRun

RECENT_RUNS = 20
"""How many runs the solve and scenario pages list."""


@dataclass(frozen=True)
class PublishedWeek:
    """A week asked for, its newest published version and that run's instance.

    ``week`` is None when nothing is published at all; ``publication`` and
    ``instance`` are both None when the week has no published version.
    """

    week: str | None
    publication: Publication | None
    instance: Instance | None


def newest_week(app: FastAPI) -> str | None:
    """The newest week with a published roster."""
    with app.state.sessions() as session:
        return queries.newest_published_week(session)


def published(app: FastAPI, week: str | None) -> PublishedWeek:
    """The week asked (default the newest published), its publication and instance."""
    week = week or newest_week(app)
    if week is None:
        return PublishedWeek(None, None, None)
    with app.state.sessions() as session:
        try:
            publication = published_version(session, week)
        except StoreError:
            return PublishedWeek(week, None, None)
        session.expunge(publication)
        return PublishedWeek(week, publication, run_instance(session, publication.run_id))


def run_of(app: FastAPI, run_id: str, kinds: Collection[str]) -> SolveRun | None:
    """The run ``run_id`` if it is of one of ``kinds``, detached from its session."""
    with app.state.sessions() as session:
        run = session.get(SolveRun, run_id)
        if run is None or run.kind not in kinds:
            return None
        session.expunge(run)
        return run


def recent_runs(app: FastAPI, kinds: Collection[str]) -> Sequence[SolveRun]:
    """The newest runs of ``kinds``, detached from their session."""
    with app.state.sessions() as session:
        return queries.recent_runs(session, kinds, RECENT_RUNS)


def newest_data(app: FastAPI) -> tuple[int, DataSet]:
    """The newest data version and its data set (the server's; on a database
    without versions its data directory is imported as version 1 first)."""
    server: ServerData = app.state.data
    data = server.dataset()
    assert data.files is not None and data.files.version is not None  # a stored version
    return data.files.version, data


def newest_data_version(app: FastAPI) -> int | None:
    """The newest data version's number (None before the first)."""
    with reading(app.state.engine) as session:
        return newest_version(session)


def version_files(app: FastAPI, version: int) -> DataFiles:
    """The files of data version ``version`` (``NotFound`` if there is none)."""
    with reading(app.state.engine) as session:
        return data_files(session, version)


def data_history(app: FastAPI) -> list[VersionInfo]:
    """Every data version, newest first (the first page of a server without one
    imports its data directory)."""
    server: ServerData = app.state.data
    server.version()
    with reading(app.state.engine) as session:
        return list_versions(session)


def data_version(app: FastAPI, version: int) -> tuple[VersionInfo, list[RowChange]]:
    """Data version ``version`` as listed, and its changes (``NotFound`` if none)."""
    with reading(app.state.engine) as session:
        changes = version_changes(session, version)
        listed = [v for v in list_versions(session) if v.version == version]
    if not listed:  # removed between the two reads (versions are never removed)
        raise NotFound(f"no data version {version}")
    return listed[0], changes


def leave_requests(app: FastAPI, scope: str | None) -> list[LeaveRequest]:
    """Every leave request, oldest first (only ``scope``'s hospital when given)."""
    with reading(app.state.engine) as session:
        return list_requests(session, scope=scope)


def leave_request(app: FastAPI, request_id: str, scope: str | None) -> LeaveRequest:
    """One leave request (``NotFound`` for none, or another hospital's under ``scope``)."""
    with reading(app.state.engine) as session:
        return get_request(session, request_id, scope=scope)


def uploaded_workbook(app: FastAPI, import_id: str) -> StagedImport:
    """An uploaded data workbook and its change list (``NotFound`` if none)."""
    with reading(app.state.engine) as session:
        return staged_import(session, import_id)
