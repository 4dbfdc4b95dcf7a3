"""The console's scenario pages: pick an example or upload a file, run it, compare.

The scenario is checked as ``POST /scenarios`` checks it (``api.scenarios``:
the server's data, every change against it) before a job is queued; a bad
file is shown on the form with the field it names. The job's page follows
its progress like a solve's, then shows the KPIs side by side, the charts and
links to the HTML report and the workbook.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select

from api.scenarios import CHARTS, _file, _validate
from api.web.i18n import language, translate
from api.web.runs import run_of
from scheduler.errors import InputError
from scheduler.scenarios.spec import Scenario, parse_document, parse_scenario
from scheduler.store.jobs import JobLimitReached
from scheduler.store.runs import StoreError
from scheduler.store.schema import RunKind, SolveRun

KPI_ROWS = (  # (KPI, its label's key in api.web.i18n)
    ("coverage_percent", "kpi_coverage"),
    ("unmet_sessions", "unmet_sessions"),
    ("weighted_unmet", "kpi_l1"),
    ("load_p90", "kpi_load_p90"),
    ("load_max", "kpi_load_max"),
    ("travel_hours", "travel_hours"),
    ("parts_reused", "kpi_parts_reused"),
)
MAX_UPLOAD = 200_000  # bytes: a scenario file is a page of YAML


def install_scenario_pages(
    app: FastAPI,
    prefix: str,
    page: Callable[..., Response],
    user_of: Callable[[Request], Any],
    to_signin: Callable[[Request], Response],
    csrf_ok: Callable[[Request, str], bool],
) -> None:
    """Add ``/console/scenarios`` and its job pages."""

    def examples() -> dict[str, Path]:
        folder = Path(app.state.settings.scenarios_dir)
        return {p.stem: p for p in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}

    def listing(request: Request, user: Any, **context: Any) -> Response:
        with app.state.sessions() as session:
            runs = session.scalars(
                select(SolveRun)
                .where(SolveRun.kind == RunKind.SCENARIO)
                .order_by(SolveRun.created_at.desc(), SolveRun.id)
                .limit(20)
            ).all()
            session.expunge_all()
        return page(
            request, "scenarios.html.j2", user, examples=sorted(examples()), runs=runs, **context
        )

    @app.get(f"{prefix}/scenarios", include_in_schema=False)
    def scenarios_page(request: Request) -> Response:
        user = user_of(request)
        if user is None:
            return to_signin(request)
        return listing(request, user, error=None)

    @app.post(f"{prefix}/scenarios", include_in_schema=False)
    async def start_scenario(
        request: Request,
        csrf: Annotated[str, Form()] = "",
        example: Annotated[str, Form()] = "",
        upload: Annotated[UploadFile | None, File()] = None,
    ) -> Response:
        user = user_of(request)
        if user is None:
            return to_signin(request)
        if not user.may("planner") or not csrf_ok(request, csrf):
            raise HTTPException(403, "a planner's key is needed to run a scenario")
        try:
            scenario = await _chosen(examples(), example, upload)
            _validate(app, scenario)
        except InputError as exc:
            return listing(request, user, error=str(exc), status_code=422)
        try:
            run_id = app.state.jobs.submit(
                scenario.base.week,
                {"scenario": scenario.model_dump(mode="json", by_alias=True, exclude_none=True)},
                created_by=user.key_id,
                kind=RunKind.SCENARIO,
            )
        except JobLimitReached:
            lang = language(request.query_params.get("lang") or request.cookies.get("lang"))
            return listing(request, user, error=translate(lang, "job_limit"), status_code=429)
        return RedirectResponse(f"{prefix}/scenarios/{run_id}", status_code=303)

    def scenario_run(run_id: str) -> SolveRun | None:
        return run_of(app, run_id, (RunKind.SCENARIO,))

    @app.get(f"{prefix}/scenarios/{{run_id}}", include_in_schema=False)
    def scenario_job(request: Request, run_id: str) -> Response:
        user = user_of(request)
        if user is None:
            return to_signin(request)
        run = scenario_run(run_id)
        if run is None:
            return page(request, "scenario_job.html.j2", user, run=None, status_code=404)
        variants = (run.report or {}).get("variants", []) if run.status == "succeeded" else []
        rows = [(label, [v["kpis"].get(key) for v in variants], key) for key, label in KPI_ROWS]
        return page(
            request,
            "scenario_job.html.j2",
            user,
            run=run,
            scenario_name=str(run.parameters.get("scenario", {}).get("name", "")),
            variants=variants,
            kpi_rows=rows,
            charts=CHARTS if variants else (),
        )

    @app.get(f"{prefix}/scenarios/{{run_id}}/progress.json", include_in_schema=False)
    def scenario_progress(request: Request, run_id: str) -> Response:
        if user_of(request) is None:
            return Response(status_code=401)
        run = scenario_run(run_id)
        if run is None:
            return Response(status_code=404)
        return JSONResponse({"status": run.status, "progress": run.progress or {}})

    @app.get(f"{prefix}/scenarios/{{run_id}}/files/{{name:path}}", include_in_schema=False)
    def scenario_file(request: Request, run_id: str, name: str) -> Response:
        if user_of(request) is None:
            return to_signin(request)
        allowed = {"report.html", "report.xlsx", *(f"charts/{c}.png" for c in CHARTS)}
        if name not in allowed or scenario_run(run_id) is None:
            return Response(status_code=404)
        try:
            return FileResponse(_file(app, run_id, name))
        except StoreError as exc:
            return Response(exc.message, status_code=exc.status)


async def _chosen(examples: dict[str, Path], example: str, upload: UploadFile | None) -> Scenario:
    """The uploaded file if there is one, else the example picked."""
    if upload is not None and upload.filename:
        raw = await upload.read(MAX_UPLOAD + 1)
        name = Path(upload.filename).name
        if len(raw) > MAX_UPLOAD:
            raise InputError(f"larger than {MAX_UPLOAD // 1000} kB", file=name)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("not UTF-8 text", file=name) from None
        document = parse_document(text, file=name, as_json=name.endswith(".json"))
        return parse_scenario(document, file=name)
    if example not in examples:
        raise InputError("pick an example or upload a scenario file", field="example")
    path = examples[example]
    document = parse_document(path.read_text(encoding="utf-8"), file=path.name)
    if isinstance(document, dict) and isinstance(document.get("base"), dict):
        # The examples name the repository's data directory: the server's own.
        document["base"].pop("data", None)
    return parse_scenario(document, file=path.name)
