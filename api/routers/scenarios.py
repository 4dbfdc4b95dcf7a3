"""Scenario routes: start a what-if job, poll it, fetch its report and files.

The request body is the scenario file's content as JSON (docs/scenarios.md),
always on the server's data directory: ``base.data``, ``base.run`` and
``base.previous_run`` name server paths and are refused; ``base.published``
takes the week's published roster (newest, or a version) as the baseline. Every change is
checked against the data before the job is queued, so a bad id is a 422
naming the field, not a failed job.
"""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Path, Response
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy.orm import Session, sessionmaker

from api.data import ServerData
from api.deps import JobsDep, Planner, ServerDataDep, Sessions, Viewer
from api.problems import responses
from api.schemas.scenarios import ScenarioJob
from scheduler.errors import InputError
from scheduler.io.load import DataSet
from scheduler.scenarios.changes import build_variant
from scheduler.scenarios.spec import Scenario
from scheduler.store.data_versions import load_version
from scheduler.store.engine import reading
from scheduler.store.errors import Conflict, NotFound, StoreError
from scheduler.store.queries import find_job
from scheduler.store.runs import published_version
from scheduler.store.schema import RunKind, RunStatus, SolveRun

AUTH_ERRORS = (401, 403)
Id = Annotated[str, Path(pattern="^[0-9a-f]{32}$", description="job id")]
CHARTS = ("coverage_by_consortium", "unmet_heatmap", "load_distribution")
BODY = "request body"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

router = APIRouter(tags=["scenarios"])


@router.post("/scenarios", status_code=202, responses=responses(400, *AUTH_ERRORS, 422, 429))
def start_scenario(
    caller: Planner,
    body: Scenario,
    response: Response,
    jobs: JobsDep,
    sessions: Sessions,
    data: ServerDataDep,
) -> ScenarioJob:
    """Start a what-if scenario (baseline + variants) on the server's data; poll the job."""
    validate_scenario(sessions, data, body)
    run_id = jobs.submit(
        body.base.week,
        {"scenario": body.model_dump(mode="json", by_alias=True, exclude_none=True)},
        created_by=caller.key_id,
        kind=RunKind.SCENARIO,
        data_version=body.base.data_version,
    )
    response.headers["Location"] = f"/scenarios/{run_id}"
    return _job(sessions, run_id)


@router.get("/scenarios/{run_id}", responses=responses(*AUTH_ERRORS, 404, 422))
def scenario_status(_: Viewer, run_id: Id, sessions: Sessions) -> ScenarioJob:
    """A scenario job: status and progress; the comparison (JSON) and file links when done."""
    return _job(sessions, run_id)


@router.delete("/scenarios/{run_id}", responses=responses(*AUTH_ERRORS, 404, 422))
def cancel_scenario(_: Planner, run_id: Id, jobs: JobsDep, sessions: Sessions) -> ScenarioJob:
    """Cancel a queued or running scenario job (a finished one is left as it is)."""
    scenario_run(sessions, run_id)
    jobs.cancel(run_id)
    return _job(sessions, run_id)


@router.get(
    "/scenarios/{run_id}/report.html",
    response_class=HTMLResponse,
    responses=responses(*AUTH_ERRORS, 404, 409, 422),
)
def scenario_html(_: Viewer, run_id: Id, sessions: Sessions) -> FileResponse:
    """The self-contained HTML report."""
    return FileResponse(report_file(sessions, run_id, "report.html"), media_type="text/html")


@router.get(
    "/scenarios/{run_id}/report.xlsx",
    response_class=FileResponse,
    responses={
        200: {"content": {XLSX: {}}, "description": "The Excel workbook"},
        **responses(*AUTH_ERRORS, 404, 409, 422),
    },
)
def scenario_xlsx(_: Viewer, run_id: Id, sessions: Sessions) -> FileResponse:
    """The Excel workbook (Chinese headers)."""
    return FileResponse(
        report_file(sessions, run_id, "report.xlsx"),
        media_type=XLSX,
        filename=f"scenario-{run_id[:8]}.xlsx",
    )


@router.get(
    "/scenarios/{run_id}/charts/{chart}.png",
    response_class=FileResponse,
    responses={
        200: {"content": {"image/png": {}}, "description": "A chart"},
        **responses(*AUTH_ERRORS, 404, 409, 422),
    },
)
def scenario_chart(
    _: Viewer,
    run_id: Id,
    chart: Annotated[str, Path(pattern=f"^({'|'.join(CHARTS)})$")],
    sessions: Sessions,
) -> FileResponse:
    """A chart of the report (PNG)."""
    path = report_file(sessions, run_id, f"charts/{chart}.png")
    return FileResponse(path, media_type="image/png")


def validate_scenario(
    sessions: sessionmaker[Session], data: ServerData, scenario: Scenario
) -> None:
    """Refuse, naming the field, a scenario that names server paths, a baseline
    week that is not published, or a change the data set does not admit."""
    for name in ("data", "run", "previous_run"):
        if getattr(scenario.base, name) is not None:
            raise InputError(
                "not accepted over the API: scenarios use the server's data directory",
                file=BODY,
                field=f"base.{name}",
            )
    if scenario.base.published is not None:
        wanted = scenario.base.published
        with sessions() as session:
            try:
                published_version(session, scenario.base.week, None if wanted is True else wanted)
            except StoreError as exc:
                raise InputError(exc.message, file=BODY, field="base.published") from None
    dataset = data.dataset() if scenario.base.data_version is None else _version(data, scenario)
    for k, variant in enumerate(scenario.variants):
        build_variant(
            dataset, scenario.base.week, variant.changes, where=f"variants[{k}].changes", file=BODY
        )


def _version(data: ServerData, scenario: Scenario) -> DataSet:
    """The data set of the scenario's ``base.data_version`` (422 naming it if none)."""
    version = scenario.base.data_version
    try:
        with reading(data.engine) as session:
            return load_version(session, version)
    except StoreError as exc:
        raise InputError(exc.message, file=BODY, field="base.data_version") from None


def scenario_run(sessions: sessionmaker[Session], run_id: str) -> SolveRun:
    """The scenario job's run (detached); ``NotFound`` for anything but a scenario job."""
    with sessions() as session:
        return find_job(session, run_id, RunKind.SCENARIO)


def report_file(sessions: sessionmaker[Session], run_id: str, name: str) -> FilePath:
    """A file of a succeeded scenario job's report (``Conflict`` before it succeeded)."""
    run = scenario_run(sessions, run_id)
    if run.status != RunStatus.SUCCEEDED or not run.run_dir:
        raise Conflict(f"scenario job {run_id} is {run.status}; no report yet")
    path = FilePath(run.run_dir) / name
    if not path.is_file():
        raise NotFound(f"{name} of scenario job {run_id} is missing")
    return path


def _job(sessions: sessionmaker[Session], run_id: str) -> ScenarioJob:
    run = scenario_run(sessions, run_id)
    files = {}
    if run.status == RunStatus.SUCCEEDED:
        base = f"/scenarios/{run.id}"
        files = {
            "html": f"{base}/report.html",
            "xlsx": f"{base}/report.xlsx",
            **{name: f"{base}/charts/{name}.png" for name in CHARTS},
        }
    return ScenarioJob(
        id=run.id,
        name=str(run.parameters.get("scenario", {}).get("name", "")),
        week=run.week,
        status=run.status,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        progress=run.progress,
        error=run.error,
        report=run.report if run.status == RunStatus.SUCCEEDED else None,
        files=files,
    )
