"""The console's scenario pages: pick an example or upload a file, run it, compare.

The scenario is checked as ``POST /scenarios`` checks it (``api.scenarios``:
the server's data, every change against it) before a job is queued; a bad
file is shown on the form with the field it names. The job's page follows
its progress like a solve's, then shows the KPIs side by side, the charts and
links to the HTML report and the workbook.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from api.problems import status_of
from api.routers.scenarios import CHARTS, report_file, validate_scenario
from api.web.deps import PREFIX, SignedIn, SignedInPoll, User, require_planner
from api.web.i18n import translate
from api.web.reads import recent_runs, run_of
from api.web.render import language_of, page
from scheduler.errors import InputError
from scheduler.scenarios.comparison import ScenarioReport, VariantReport
from scheduler.scenarios.spec import Scenario, parse_document, parse_scenario
from scheduler.store.jobs import JobLimitReached
from scheduler.store.runs import StoreError
from scheduler.store.schema import RunKind, SolveRun

router = APIRouter(include_in_schema=False)

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
FILES = ("report.html", "report.xlsx", *(f"charts/{c}.png" for c in CHARTS))
"""The files of a scenario run the console serves."""


@dataclass(frozen=True)
class ScenarioListing:
    """The scenario page: the examples to pick, recent runs, why the last form failed."""

    examples: list[str]
    runs: Sequence[SolveRun]
    error: str | None = None


@dataclass(frozen=True)
class ScenarioJobView:
    """A scenario's job page (``run`` None: no such job)."""

    run: SolveRun | None
    scenario_name: str = ""
    variants: Sequence[VariantReport] = ()  # the stored report's, baseline first
    kpi_rows: Sequence[tuple[str, list[str | int | float], str]] = ()  # label, values, KPI
    charts: Sequence[str] = ()


@router.get(f"{PREFIX}/scenarios")
def scenarios_page(request: Request, user: SignedIn) -> Response:
    return _listing(request, user)


@router.post(f"{PREFIX}/scenarios")
async def start_scenario(
    request: Request,
    user: SignedIn,
    csrf: Annotated[str, Form()] = "",
    example: Annotated[str, Form()] = "",
    upload: Annotated[UploadFile | None, File()] = None,
) -> Response:
    require_planner(request, user, csrf, "a planner's key is needed to run a scenario")
    app = request.app
    try:
        scenario = await _chosen(examples(app), example, upload)
        validate_scenario(app.state.sessions, app.state.data, scenario)
    except InputError as exc:
        return _listing(request, user, error=str(exc), status_code=422)
    try:
        run_id = app.state.jobs.submit(
            scenario.base.week,
            {"scenario": scenario.model_dump(mode="json", by_alias=True, exclude_none=True)},
            created_by=user.key_id,
            kind=RunKind.SCENARIO,
            data_version=scenario.base.data_version,
        )
    except JobLimitReached:
        error = translate(language_of(request), "job_limit")
        return _listing(request, user, error=error, status_code=429)
    return RedirectResponse(f"{PREFIX}/scenarios/{run_id}", status_code=303)


@router.get(f"{PREFIX}/scenarios/{{run_id}}")
def scenario_job(request: Request, user: SignedIn, run_id: str) -> Response:
    run = _scenario_run(request.app, run_id)
    if run is None:
        return page(request, "scenario_job.html.j2", user, ScenarioJobView(None), status_code=404)
    stored = run.report if run.status == "succeeded" else None
    variants = ScenarioReport.from_dict(stored).variants if stored else ()
    view = ScenarioJobView(
        run,
        scenario_name=str(run.parameters.get("scenario", {}).get("name", "")),
        variants=variants,
        kpi_rows=[(label, [v.kpis.value(key) for v in variants], key) for key, label in KPI_ROWS],
        charts=CHARTS if variants else (),
    )
    return page(request, "scenario_job.html.j2", user, view)


@router.get(f"{PREFIX}/scenarios/{{run_id}}/progress.json")
def scenario_progress(request: Request, _: SignedInPoll, run_id: str) -> Response:
    run = _scenario_run(request.app, run_id)
    if run is None:
        return Response(status_code=404)
    return JSONResponse({"status": run.status, "progress": run.progress or {}})


@router.get(f"{PREFIX}/scenarios/{{run_id}}/files/{{name:path}}")
def scenario_file(request: Request, _: SignedIn, run_id: str, name: str) -> Response:
    if name not in FILES or _scenario_run(request.app, run_id) is None:
        return Response(status_code=404)
    try:
        return FileResponse(report_file(request.app.state.sessions, run_id, name))
    except StoreError as exc:
        return Response(exc.message, status_code=status_of(exc))


def examples(app: FastAPI) -> dict[str, Path]:
    """The example scenarios (``ROSTER_SCENARIOS_DIR``), by name."""
    folder = Path(app.state.settings.scenarios_dir)
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}


def _listing(
    request: Request, user: User, *, error: str | None = None, status_code: int = 200
) -> Response:
    runs = recent_runs(request.app, (RunKind.SCENARIO,))
    view = ScenarioListing(sorted(examples(request.app)), runs, error)
    return page(request, "scenarios.html.j2", user, view, status_code=status_code)


def _scenario_run(app: FastAPI, run_id: str) -> SolveRun | None:
    return run_of(app, run_id, (RunKind.SCENARIO,))


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
