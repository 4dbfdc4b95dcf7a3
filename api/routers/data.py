"""The data set's versions and planners' edits (SPEC §12).

``GET /data/versions`` lists who changed the data, when and why;
``GET /data/versions/{version}/changes`` what one version changed, row by row.
``POST /data/versions`` makes the next version from edits of the newest: rows
added, changed or removed, policy keys set — each checked by the loader's
rules (422 naming file, row and column, or the request's field), committed
only while ``base`` is still the newest version (409 otherwise: reload and
edit again), never half-applied.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile

from api.deps import DbEngine, DbSession, Planner, ServerDataDep, Viewer
from api.problems import responses
from api.schemas.data import (
    DataEdited,
    DataEditRequest,
    DataImportOut,
    DataVersionOut,
    RowChangeOut,
)
from api.types import Id
from scheduler.io.data_edits import PolicyEdit, RowEdit, apply_edits
from scheduler.io.data_workbook import write_data_workbook
from scheduler.store.data_imports import StagedImport, apply_import, stage_import, staged_import
from scheduler.store.data_versions import (
    DataSource,
    commit_version,
    data_files,
    list_versions,
    version_changes,
)
from scheduler.store.engine import reading
from scheduler.store.errors import Conflict
from scheduler.store.schema import MAX_VERSION

AUTH_ERRORS = (401, 403)
BODY = "request body"
Version = Annotated[int, Path(ge=1, le=MAX_VERSION, description="a data version")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

router = APIRouter(tags=["data"])


@router.get("/data/versions", responses=responses(*AUTH_ERRORS, 503))
def versions(_: Viewer, session: DbSession, data: ServerDataDep) -> list[DataVersionOut]:
    """Every data version, newest first."""
    data.version()  # a server's first request imports its data directory as version 1
    return [DataVersionOut(**v.__dict__) for v in list_versions(session)]


@router.get("/data/versions/{version}/changes", responses=responses(*AUTH_ERRORS, 404, 422))
def changes(_: Viewer, version: Version, session: DbSession) -> list[RowChangeOut]:
    """What a data version changed against the one before it."""
    return [RowChangeOut(**c.__dict__) for c in version_changes(session, version)]


@router.post(
    "/data/versions",
    status_code=201,
    responses=responses(400, *AUTH_ERRORS, 404, 409, 422, 503),
)
def edit(
    caller: Planner,
    body: DataEditRequest,
    response: Response,
    engine: DbEngine,
    data: ServerDataDep,
) -> DataEdited:
    """Make the next data version from edits of version ``base``."""
    data.version()
    with reading(engine) as session:
        files = data_files(session, body.base)
    edited = apply_edits(
        files,
        [
            RowEdit(e.file, e.action, tuple(e.key), {k: _cell(v) for k, v in e.cells.items()})
            for e in body.rows
        ],
        [PolicyEdit(p.key, p.value) for p in body.policy],
        where="rows",
        file=BODY,
    )
    made = commit_version(
        engine,
        edited,
        base=body.base,
        actor=caller.name,
        source=DataSource.EDIT,
        note=body.note,
    )
    if made is None:
        raise Conflict(f"no change: the edits leave data version {body.base} as it is")
    number, found = made
    response.headers["Location"] = f"/data/versions/{number}/changes"
    return DataEdited(version=number, changes=[RowChangeOut(**c.__dict__) for c in found])


def _cell(value: str | int | float) -> str:
    """A cell as the CSV holds it (JSON numbers written as text)."""
    return value if isinstance(value, str) else str(value)


@router.get(
    "/data/template.xlsx",
    response_class=Response,
    responses={
        200: {"content": {XLSX: {}}, "description": "The data workbook"},
        **responses(*AUTH_ERRORS, 404, 422, 503),
    },
)
def template(
    _: Viewer,
    data: ServerDataDep,
    engine: DbEngine,
    version: Annotated[
        int | None, Query(ge=1, le=MAX_VERSION, description="default: the newest")
    ] = None,
) -> Response:
    """A data version as an Excel workbook to fill in: a sheet per table with Chinese
    headers and drop-down lists, an instructions sheet. Bring it back with
    ``POST /data/imports``."""
    data.version()
    with reading(engine) as session:
        files = data_files(session, version)
    return Response(
        write_data_workbook(files),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="data-v{files.version}.xlsx"'},
    )


@router.post(
    "/data/imports",
    status_code=201,
    responses=responses(400, *AUTH_ERRORS, 404, 409, 413, 422, 503),
)
def upload(
    caller: Planner,
    workbook: Annotated[UploadFile, File(description="a filled data workbook (.xlsx)")],
    response: Response,
    engine: DbEngine,
    data: ServerDataDep,
    note: Annotated[str | None, Form(max_length=500)] = None,
) -> DataImportOut:
    """Check a filled workbook against the newest data version and list what it would
    change (422 naming sheet, row and column); nothing changes until it is applied."""
    data.version()
    staged = stage_import(
        engine,
        workbook.file.read(),
        upload_name=workbook.filename or "upload.xlsx",
        actor=caller.name,
        note=note,
    )
    response.headers["Location"] = f"/data/imports/{staged.id}"
    return _import_out(staged)


@router.get("/data/imports/{import_id}", responses=responses(*AUTH_ERRORS, 404, 422))
def uploaded(_: Viewer, import_id: Id, session: DbSession) -> DataImportOut:
    """An uploaded workbook and what it would change (or did: ``applied_version``)."""
    return _import_out(staged_import(session, import_id))


@router.post(
    "/data/imports/{import_id}/apply",
    status_code=201,
    responses=responses(*AUTH_ERRORS, 404, 409, 422),
)
def apply(caller: Planner, import_id: Id, engine: DbEngine) -> DataEdited:
    """Make an uploaded workbook the next data version (409 if the data moved on since
    it was checked, or it was applied already)."""
    number, found = apply_import(engine, import_id, actor=caller.name)
    return DataEdited(version=number, changes=[RowChangeOut(**c.__dict__) for c in found])


def _import_out(staged: StagedImport) -> DataImportOut:
    fields = {**staged.__dict__, "changes": [RowChangeOut(**c.__dict__) for c in staged.changes]}
    return DataImportOut(**fields)
