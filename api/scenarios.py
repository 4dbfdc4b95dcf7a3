"""Scenario routes: start a what-if job, poll it, fetch its report and files.

The request body is the scenario file's content as JSON (docs/scenarios.md),
always on the server's data directory: ``base.data``, ``base.run`` and
``base.previous_run`` name server paths and are refused; ``base.published``
takes the week's published roster (newest, or a version) as the baseline. Every change is
checked against the data before the job is queued, so a bad id is a 422
naming the field, not a failed job.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import FastAPI, Path, Response
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import BaseModel, Field

from api.auth import Planner, Viewer
from api.problems import responses
from scheduler.errors import InputError
from scheduler.io.load import DataSet, load_dataset
from scheduler.scenarios.changes import build_variant
from scheduler.scenarios.spec import Scenario
from scheduler.store.errors import Conflict, NotFound, StoreError
from scheduler.store.runs import published_version
from scheduler.store.schema import RunKind, RunStatus, SolveRun

AUTH_ERRORS = (401, 403)
Id = Annotated[str, Path(pattern="^[0-9a-f]{32}$", description="job id")]
CHARTS = ("coverage_by_consortium", "unmet_heatmap", "load_distribution")
BODY = "request body"


class ScenarioJob(BaseModel):
    """A scenario job: status, progress, and the comparison when it succeeded."""

    id: str
    name: str
    week: str
    status: str = Field(description="queued | running | succeeded | failed | cancelled")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    progress: dict[str, Any] | None = Field(description="variants_done / variants_total, last")
    error: str | None
    report: dict[str, Any] | None = Field(
        description="scheduler.scenarios.run.compare: KPIs side by side, coverage, unmet diff"
    )
    files: dict[str, str] = Field(description="the report's files (HTML, workbook, charts)")


def _dataset(app: FastAPI) -> DataSet:
    data: DataSet | None = getattr(app.state, "dataset", None)
    if data is None:
        data = load_dataset(app.state.settings.data_dir)
        app.state.dataset = data
    return data


def _validate(app: FastAPI, scenario: Scenario) -> None:
    for name in ("data", "run", "previous_run"):
        if getattr(scenario.base, name) is not None:
            raise InputError(
                "not accepted over the API: scenarios use the server's data directory",
                file=BODY,
                field=f"base.{name}",
            )
    if scenario.base.published is not None:
        wanted = scenario.base.published
        with app.state.sessions() as session:
            try:
                published_version(session, scenario.base.week, None if wanted is True else wanted)
            except StoreError as exc:
                raise InputError(exc.message, file=BODY, field="base.published") from None
    data = _dataset(app)
    for k, variant in enumerate(scenario.variants):
        build_variant(
            data, scenario.base.week, variant.changes, where=f"variants[{k}].changes", file=BODY
        )


def _run(app: FastAPI, run_id: str) -> SolveRun:
    with app.state.sessions() as session:
        run = session.get(SolveRun, run_id)
        if run is None or run.kind != RunKind.SCENARIO:
            raise NotFound(f"no scenario job {run_id!r}")
        session.expunge(run)
        return run


def _job(app: FastAPI, run_id: str) -> ScenarioJob:
    run = _run(app, run_id)
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


def _file(app: FastAPI, run_id: str, name: str) -> FilePath:
    run = _run(app, run_id)
    if run.status != RunStatus.SUCCEEDED or not run.run_dir:
        raise Conflict(f"scenario job {run_id} is {run.status}; no report yet")
    path = FilePath(run.run_dir) / name
    if not path.is_file():
        raise NotFound(f"{name} of scenario job {run_id} is missing")
    return path


def install_scenario_routes(app: FastAPI) -> None:
    """Add the /scenarios routes to ``app``."""

    @app.post(
        "/scenarios",
        tags=["scenarios"],
        status_code=202,
        responses=responses(400, *AUTH_ERRORS, 422, 429),
    )
    def start_scenario(caller: Planner, body: Scenario, response: Response) -> ScenarioJob:
        """Start a what-if scenario (baseline + variants) on the server's data; poll the job."""
        _validate(app, body)
        run_id = app.state.jobs.submit(
            body.base.week,
            {"scenario": body.model_dump(mode="json", by_alias=True, exclude_none=True)},
            created_by=caller.key_id,
            kind=RunKind.SCENARIO,
        )
        response.headers["Location"] = f"/scenarios/{run_id}"
        return _job(app, run_id)

    @app.get("/scenarios/{run_id}", tags=["scenarios"], responses=responses(*AUTH_ERRORS, 404, 422))
    def scenario_status(_: Viewer, run_id: Id) -> ScenarioJob:
        """A scenario job: status and progress; the comparison (JSON) and file links when done."""
        return _job(app, run_id)

    @app.delete(
        "/scenarios/{run_id}", tags=["scenarios"], responses=responses(*AUTH_ERRORS, 404, 422)
    )
    def cancel_scenario(_: Planner, run_id: Id) -> ScenarioJob:
        """Cancel a queued or running scenario job (a finished one is left as it is)."""
        _run(app, run_id)
        app.state.jobs.cancel(run_id)
        return _job(app, run_id)

    @app.get(
        "/scenarios/{run_id}/report.html",
        tags=["scenarios"],
        response_class=HTMLResponse,
        responses=responses(*AUTH_ERRORS, 404, 409, 422),
    )
    def scenario_html(_: Viewer, run_id: Id) -> FileResponse:
        """The self-contained HTML report."""
        return FileResponse(_file(app, run_id, "report.html"), media_type="text/html")

    @app.get(
        "/scenarios/{run_id}/report.xlsx",
        tags=["scenarios"],
        response_class=FileResponse,
        responses={
            200: {
                "content": {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}
                },
                "description": "The Excel workbook",
            },
            **responses(*AUTH_ERRORS, 404, 409, 422),
        },
    )
    def scenario_xlsx(_: Viewer, run_id: Id) -> FileResponse:
        """The Excel workbook (Chinese headers)."""
        return FileResponse(
            _file(app, run_id, "report.xlsx"),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            filename=f"scenario-{run_id[:8]}.xlsx",
        )

    @app.get(
        "/scenarios/{run_id}/charts/{chart}.png",
        tags=["scenarios"],
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
    ) -> FileResponse:
        """A chart of the report (PNG)."""
        return FileResponse(_file(app, run_id, f"charts/{chart}.png"), media_type="image/png")
