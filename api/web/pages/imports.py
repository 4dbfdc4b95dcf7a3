"""Import and export of the data workbook: anyone signed in downloads the newest data
version as the workbook (``write_data_workbook``, as ``GET /data/template.xlsx``);
a planner uploads a filled one, sees what it would change (``stage_import``: the
change list, with the workbook's Chinese sheet and column names) and confirms
it (``apply_import``: the next data version, source Excel workbook).

A workbook the loader refuses is shown on the page naming sheet, row and column
(422); one that changes nothing, or whose data moved on before it was applied,
is a 409 said in words. Nothing changes until the import is applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, FastAPI, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from api.types import Id
from api.web.deps import PREFIX, SignedIn, User, require_planner
from api.web.editing import Csrf
from api.web.pages.data import ChangeLine, change_lines
from api.web.reads import newest_data, uploaded_workbook, version_files
from api.web.render import page
from scheduler.errors import InputError
from scheduler.io.data_workbook import write_data_workbook
from scheduler.store.data_imports import StagedImport, apply_import, stage_import
from scheduler.store.errors import Conflict

router = APIRouter(include_in_schema=False)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_WORKBOOK = 5_000_000  # bytes: the data set's workbook is some 100 kB
MAX_NOTE = 500


@dataclass(frozen=True)
class ImportView:
    """The import page: the newest data version, an upload's preview, why not."""

    base: int  # the newest data version (the template's)
    planner: bool
    staged: StagedImport | None = None
    changes: list[ChangeLine] = field(default_factory=list)
    error: str = ""  # why the upload or the apply was refused
    note: str = ""  # the upload form's note, refilled


@router.get(f"{PREFIX}/data/import")
def import_page(request: Request, user: SignedIn) -> Response:
    return page(request, "data_import.html.j2", user, import_view(request.app, user))


@router.get(f"{PREFIX}/data/template.xlsx")
def template(request: Request, _: SignedIn) -> Response:
    base, _data = newest_data(request.app)
    files = version_files(request.app, base)
    return Response(
        write_data_workbook(files),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="data-v{base}.xlsx"'},
    )


@router.post(f"{PREFIX}/data/import")
async def upload(
    request: Request,
    user: SignedIn,
    workbook: Annotated[UploadFile | None, File()] = None,
    csrf: Csrf = "",
    note: Annotated[str, Form(max_length=MAX_NOTE)] = "",
) -> Response:
    require_planner(request, user, csrf, "a planner's key is needed to import the data")
    app = request.app
    newest_data(app)  # a server's first page imports its data directory as version 1
    try:
        if workbook is None or not workbook.filename:
            raise InputError("choose a filled data workbook (.xlsx)", field="workbook")
        content = await workbook.read(MAX_WORKBOOK + 1)
        if len(content) > MAX_WORKBOOK:
            raise InputError(f"larger than {MAX_WORKBOOK} bytes", file=workbook.filename)
        staged = stage_import(
            app.state.engine,
            content,
            upload_name=workbook.filename,
            actor=user.name,
            note=note.strip() or None,
        )
    except (InputError, Conflict) as exc:
        status = 409 if isinstance(exc, Conflict) else 422
        view = import_view(app, user, error=str(exc), note=note)
        return page(request, "data_import.html.j2", user, view, status_code=status)
    return RedirectResponse(f"{PREFIX}/data/import/{staged.id}", status_code=303)


@router.get(f"{PREFIX}/data/import/{{import_id}}")
def preview(request: Request, user: SignedIn, import_id: Id) -> Response:
    view = import_view(request.app, user, staged=uploaded_workbook(request.app, import_id))
    return page(request, "data_import.html.j2", user, view)


@router.post(f"{PREFIX}/data/import/{{import_id}}/apply")
def apply(request: Request, user: SignedIn, import_id: Id, csrf: Csrf = "") -> Response:
    require_planner(request, user, csrf, "a planner's key is needed to import the data")
    app = request.app
    try:
        number, _ = apply_import(app.state.engine, import_id, actor=user.name)  # none: 404
    except Conflict as exc:
        view = import_view(app, user, staged=uploaded_workbook(app, import_id), error=str(exc))
        return page(request, "data_import.html.j2", user, view, status_code=409)
    return RedirectResponse(f"{PREFIX}/data/versions/{number}", status_code=303)


def import_view(
    app: FastAPI,
    user: User,
    *,
    staged: StagedImport | None = None,
    error: str = "",
    note: str = "",
) -> ImportView:
    """The page over the newest data version, with an upload's changes if any."""
    base, _ = newest_data(app)
    lines = change_lines(staged.changes) if staged is not None else []
    return ImportView(base, user.may("planner"), staged, lines, error, note)
