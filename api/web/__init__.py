"""The web console for bureau planners: server-rendered pages over the same store.

Pages (``/console/...``), zh-CN by default with an English switch:

* sign in with an API key — checked once, then the key's id is kept in a
  signed, HTTP-only session cookie (the key itself is never stored); every
  page re-checks that the key still exists and is not revoked;
* the week: the published roster as a grid (sites or doctors × half-days),
  filters by consortium, hospital and specialty, coverage badges, an Excel
  export of what is shown;
* doctors: search by name or id; a doctor's week; the calendar-feed link
  (made by a planner);
* unmet demand: grouped by consortium and specialty, with reasons, and a
  heatmap.

The pages read what the API reads (``scheduler.store.queries``); they hold no
logic of their own beyond arranging it.
"""

from __future__ import annotations

import io
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter
from sqlalchemy import func, select
from starlette.middleware.sessions import SessionMiddleware

from api.types import FilterId, Id, WeekForm, WeekQuery
from api.web.errors import install_error_pages
from api.web.i18n import language, translate
from api.web.runs import run_of
from api.web.scenarios import install_scenario_pages
from scheduler.io.excel import LEVEL_ZH, FixedTimeZipFile, fixed_timestamp, write_table
from scheduler.store.jobs import JobLimitReached, workers_alive
from scheduler.store.keys import ROLES, allows, authenticate, create_calendar_token
from scheduler.store.queries import RosterFilter, roster_page, run_instance, week_unmet
from scheduler.store.runs import StoreError, publish, published_version
from scheduler.store.schema import ApiKey, Publication, RunKind, RunStatus, SolveRun

HERE = Path(__file__).parent
PREFIX = "/console"
templates = Jinja2Templates(directory=HERE / "templates")
LEVEL_NAMES_ZH = {level.value: text for level, text in LEVEL_ZH.items()}


@dataclass(frozen=True)
class User:
    """Who is signed in (from the session cookie, re-checked against the keys)."""

    key_id: str
    name: str
    role: str

    def may(self, needed: str) -> bool:
        return allows(self.role, needed)


def install_console(app: FastAPI) -> None:
    """Add the console's pages, static files and session cookie to ``app``."""
    settings = app.state.settings
    secret = settings.session_secret.get_secret_value() if settings.session_secret else None
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret or secrets.token_urlsafe(32),  # none set: sessions end with the process
        session_cookie="roster_console",
        max_age=8 * 3600,
        same_site="lax",
        https_only=settings.session_https_only,
    )
    app.mount(f"{PREFIX}/static", StaticFiles(directory=HERE / "static"), name="console-static")
    install_error_pages(app, templates, PREFIX)  # errors under /console are pages, not JSON
    limiter = app.state.limiter  # api.limits

    def user_of(request: Request) -> User | None:
        key_id = request.session.get("key_id")
        if not key_id:
            return None
        with app.state.sessions() as session:
            row = session.get(ApiKey, key_id)
            if row is None or row.revoked_at is not None or row.role not in ROLES:
                request.session.clear()
                return None
            return User(row.id, row.name, row.role)

    def page(
        request: Request, name: str, user: User | None, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        lang = language(request.query_params.get("lang") or request.cookies.get("lang"))
        response = templates.TemplateResponse(
            request,
            name,
            {
                "t": lambda key: translate(lang, key),
                "lang": lang,
                "other_lang": "en" if lang == "zh" else "zh",
                "user": user,
                "prefix": PREFIX,
                "csrf": _csrf_token(request) if user else "",
                "level_zh": LEVEL_NAMES_ZH,
                **context,
            },
            status_code=status_code,
        )
        if request.query_params.get("lang") in ("zh", "en"):
            response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax", httponly=True)
        return response

    def to_signin(request: Request) -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/signin?next={request.url.path}", status_code=303)

    @app.get(PREFIX, include_in_schema=False)
    @app.get(f"{PREFIX}/", include_in_schema=False)
    def home(request: Request) -> Response:
        return RedirectResponse(f"{PREFIX}/week", status_code=303)

    @app.get(f"{PREFIX}/signin", include_in_schema=False)
    def signin_form(request: Request, next: str = f"{PREFIX}/week") -> Response:
        return page(request, "signin.html.j2", user_of(request), next=_local(next), error=None)

    @app.post(f"{PREFIX}/signin", include_in_schema=False)
    @limiter.limit(settings.signin_rate_limit)  # a guesser's attempts per address: 429
    def signin(
        request: Request,
        api_key: Annotated[str, Form(max_length=200)],
        next: Annotated[str, Form()] = f"{PREFIX}/week",
    ) -> Response:
        with app.state.sessions() as session:
            caller = authenticate(session, api_key.strip())
        if caller is None:
            return page(
                request, "signin.html.j2", None, next=_local(next), error="bad_key", status_code=401
            )
        request.session.clear()
        request.session["key_id"] = caller.key_id
        return RedirectResponse(_local(next), status_code=303)

    @app.post(f"{PREFIX}/signout", include_in_schema=False)
    def signout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
        if not _csrf_ok(request, csrf):
            raise HTTPException(403, "stale form: reload the page")
        request.session.clear()
        return RedirectResponse(f"{PREFIX}/signin", status_code=303)

    @app.get(f"{PREFIX}/week", include_in_schema=False)
    def week_page(
        request: Request,
        week: WeekQuery = None,
        consortium: FilterId = "",
        hospital: FilterId = "",
        specialty: FilterId = "",
        by: str = "site",
    ) -> Response:
        user = user_of(request)
        if user is None:
            return to_signin(request)
        view = _week_view(app, week, consortium, hospital, specialty, by)
        return page(request, "week.html.j2", user, **view)

    @app.get(f"{PREFIX}/week.xlsx", include_in_schema=False)
    def week_export(
        request: Request,
        week: WeekQuery = None,
        consortium: FilterId = "",
        hospital: FilterId = "",
        specialty: FilterId = "",
    ) -> Response:
        if user_of(request) is None:
            return to_signin(request)
        view = _week_view(app, week, consortium, hospital, specialty, "site")
        if view["publication"] is None:
            return Response(status_code=404)
        return Response(
            _workbook(view),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="roster-{view["week"]}.xlsx"'},
        )

    @app.get(f"{PREFIX}/doctors", include_in_schema=False)
    def doctors_page(request: Request, q: Annotated[str, Query(max_length=80)] = "") -> Response:
        user = user_of(request)
        if user is None:
            return to_signin(request)
        found: list[dict[str, str]] = []
        if q.strip():
            found = _find_doctors(app, q.strip())
        return page(request, "doctors.html.j2", user, q=q, found=found)

    @app.get(f"{PREFIX}/doctors/{{doctor_id}}", include_in_schema=False)
    def doctor_page(
        request: Request,
        doctor_id: Id,
        week: WeekQuery = None,
    ) -> Response:
        user = user_of(request)
        if user is None:
            return to_signin(request)
        return page(
            request, "doctor.html.j2", user, **_doctor_view(app, doctor_id, week), feed=None
        )

    @app.post(f"{PREFIX}/doctors/{{doctor_id}}/feed", include_in_schema=False)
    def doctor_feed(request: Request, doctor_id: Id, csrf: Annotated[str, Form()] = "") -> Response:
        user = user_of(request)
        if user is None:
            return to_signin(request)
        view = _doctor_view(app, doctor_id, None)
        if not user.may("planner") or not _csrf_ok(request, csrf):
            return page(request, "doctor.html.j2", user, **view, feed=None, status_code=403)
        token = create_calendar_token(app.state.engine, doctor_id, actor=user.key_id)
        feed = str(request.url_for("calendar_feed", doctor_id=doctor_id)) + f"?token={token}"
        return page(request, "doctor.html.j2", user, **view, feed=feed)

    def solve_listing(
        request: Request, user: User, *, error: str | None = None, status_code: int = 200
    ) -> Response:
        with app.state.sessions() as session:
            runs = session.scalars(
                select(SolveRun)
                .where(SolveRun.kind.in_(RunKind.ROSTERS))
                .order_by(SolveRun.created_at.desc(), SolveRun.id)
                .limit(20)
            ).all()
            session.expunge_all()
            workers = workers_alive(session, app.state.settings.job_lease_seconds)
        default_week = _newest_week(app) or ""
        headers = {"Retry-After": "30"} if status_code == 429 else None
        answer = page(
            request,
            "solve.html.j2",
            user,
            runs=runs,
            default_week=default_week,
            workers=workers,
            error=error,
            status_code=status_code,
        )
        answer.headers.update(headers or {})
        return answer

    @app.get(f"{PREFIX}/solve", include_in_schema=False)
    def solve_page(request: Request) -> Response:
        user = user_of(request)
        if user is None:
            return to_signin(request)
        return solve_listing(request, user)

    @app.post(f"{PREFIX}/solve", include_in_schema=False)
    def start_solve(
        request: Request,
        week: WeekForm,
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        user = user_of(request)
        if user is None:
            return to_signin(request)
        if not user.may("planner") or not _csrf_ok(request, csrf):
            raise HTTPException(403, "a planner's key is needed to solve")
        try:
            run_id = app.state.jobs.submit(week, {"seed": 0}, created_by=user.key_id)
        except JobLimitReached:
            return solve_listing(request, user, error="job_limit", status_code=429)
        return RedirectResponse(f"{PREFIX}/solves/{run_id}", status_code=303)

    @app.get(f"{PREFIX}/solves/{{run_id}}", include_in_schema=False)
    def job_page(request: Request, run_id: str) -> Response:
        user = user_of(request)
        if user is None:
            return to_signin(request)
        run = _solve_run(app, run_id)
        if run is None:
            return page(request, "solve_job.html.j2", user, run=None, status_code=404)
        workers = None
        if run.status == RunStatus.QUEUED:
            with app.state.sessions() as session:
                workers = workers_alive(session, app.state.settings.job_lease_seconds)
        return page(
            request, "solve_job.html.j2", user, run=run, kpis=_kpi_lines(run), workers=workers
        )

    @app.get(f"{PREFIX}/solves/{{run_id}}/progress.json", include_in_schema=False)
    def job_progress(request: Request, run_id: str) -> Response:
        if user_of(request) is None:
            return Response(status_code=401)
        run = _solve_run(app, run_id)
        if run is None:
            return Response(status_code=404)
        return JSONResponse(
            {"status": run.status, "progress": run.progress or {}, "error": run.error}
        )

    @app.post(f"{PREFIX}/solves/{{run_id}}/publish", include_in_schema=False)
    def job_publish(request: Request, run_id: str, csrf: Annotated[str, Form()] = "") -> Response:
        user = user_of(request)
        if user is None:
            return to_signin(request)
        if not user.may("planner") or not _csrf_ok(request, csrf):
            raise HTTPException(403, "a planner's key is needed to publish")
        try:
            published = publish(app.state.engine, run_id, actor=user.key_id)
        except StoreError as exc:
            run = _solve_run(app, run_id)
            return page(
                request,
                "solve_job.html.j2",
                user,
                run=run,
                kpis=_kpi_lines(run) if run else [],
                error=exc.message,
                status_code=exc.status,
            )
        return RedirectResponse(f"{PREFIX}/week?week={published.week}", status_code=303)

    install_scenario_pages(app, PREFIX, page, user_of, to_signin, _csrf_ok)

    @app.get(f"{PREFIX}/unmet", include_in_schema=False)
    def unmet_page(request: Request, week: WeekQuery = None) -> Response:
        user = user_of(request)
        if user is None:
            return to_signin(request)
        return page(request, "unmet.html.j2", user, **_unmet_view(app, week))


def _csrf_token(request: Request) -> str:
    """The session's token for the console's forms (made on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return str(token)


def _csrf_ok(request: Request, token: str) -> bool:
    """A POST of the console carries its session's token (no cross-site forms)."""
    expected = request.session.get("csrf") or ""
    return bool(token) and secrets.compare_digest(str(expected), token)


def _solve_run(app: FastAPI, run_id: str) -> SolveRun | None:
    return run_of(app, run_id, RunKind.ROSTERS)


def _kpi_lines(run: SolveRun) -> list[tuple[str, str]]:
    """The headline KPIs of a finished run, as (label key, value)."""
    k = run.kpis or {}
    if not k:
        return []
    overall = k.get("coverage", {}).get("overall", {})
    load = k.get("load", {}).get("distribution", {})
    return [
        (
            "coverage",
            f"{overall.get('percent')} % ({overall.get('covered')}/{overall.get('required')})",
        ),
        ("unmet_sessions", str(overall.get("unmet"))),
        ("load", f"p50 {load.get('p50')} · p90 {load.get('p90')} · max {load.get('max')}"),
        ("travel_hours", str(k.get("travel", {}).get("total_hours"))),
    ]


def _local(path: str) -> str:
    """Only a path of this console after sign-in (no open redirect)."""
    return path if path.startswith(f"{PREFIX}/") and "//" not in path else f"{PREFIX}/week"


def _newest_week(app: FastAPI) -> str | None:
    with app.state.sessions() as session:
        return session.scalar(select(func.max(Publication.week)))


def _published(app: FastAPI, week: str | None) -> tuple[str | None, Any, Any]:
    """(week, publication or None, instance or None) of the week asked (default newest)."""
    week = week or _newest_week(app)
    if week is None:
        return None, None, None
    with app.state.sessions() as session:
        try:
            publication = published_version(session, week)
        except StoreError:
            return week, None, None
        session.expunge(publication)
        return week, publication, run_instance(session, publication.run_id)


def _week_view(
    app: FastAPI, week: str | None, consortium: str, hospital: str, specialty: str, by: str
) -> dict[str, Any]:
    week, publication, instance = _published(app, week)
    view: dict[str, Any] = {
        "week": week,
        "publication": publication,
        "filters": {"consortium": consortium, "hospital": hospital, "specialty": specialty},
        "by": "doctor" if by == "doctor" else "site",
    }
    if publication is None:
        return view
    where = RosterFilter(
        consortium_id=consortium or None,
        hospital_id=hospital or None,
        specialty_id=specialty or None,
    )
    with app.state.sessions() as session:
        _, rows = roster_page(session, publication, where, 0, 100_000)
    half_days = list(instance.half_days)
    key = (lambda r: r.site_id) if view["by"] == "site" else (lambda r: r.doctor_id)
    grid: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        grid[key(row)][f"{row.date.isoformat()}_{row.half_day}"].append(row)
    if view["by"] == "site":
        names = {k: instance.sites[k].name for k in grid}
    else:
        names = {k: instance.doctors[k].name for k in grid if k in instance.doctors}
    required: Counter[str] = Counter()
    covered: Counter[str] = Counter()
    for item in instance.demand.values():
        site = instance.sites[item.site_id]
        if consortium and site.consortium_id != consortium:
            continue
        if specialty and item.specialty_id != specialty:
            continue
        required[site.consortium_id] += item.sessions
    for row in rows:
        covered[row.consortium_id] += 1
    badges = [
        {
            "id": c,
            "name": instance.consortia[c].name,
            "percent": round(100 * min(covered[c], required[c]) / required[c], 1),
        }
        for c in sorted(required)
        if required[c] and not hospital
    ]
    view.update(
        instance=instance,
        half_days=half_days,
        rows=[
            (k, names.get(k, k), grid[k]) for k in sorted(grid, key=lambda k: (names.get(k, k), k))
        ],
        sessions=len(rows),
        badges=badges,
        consortia=sorted(instance.consortia.values(), key=lambda c: c.id),
        hospitals=sorted(instance.hospitals.values(), key=lambda h: h.id),
        specialties=sorted(instance.specialties.values(), key=lambda s: s.id),
    )
    return view


def _workbook(view: dict[str, Any]) -> bytes:
    instance = view["instance"]
    wb = Workbook()
    ws = wb.active
    ws.title = "排班"
    header = ["站点" if view["by"] == "site" else "医生"] + [h.zh for h in view["half_days"]]
    body = []
    for _, name, cells in view["rows"]:
        line = [name]
        for h in view["half_days"]:
            line.append(
                "\n".join(
                    f"{instance.specialties[r.specialty_id].name} {r.doctor_name}"
                    for r in cells.get(h.key, [])
                )
            )
        body.append(line)
    write_table(ws, header, body)
    stamp = fixed_timestamp(view["week"])  # same filters, same bytes
    wb.properties.created = wb.properties.modified = stamp
    buffer = io.BytesIO()
    with FixedTimeZipFile(buffer, stamp) as archive:
        ExcelWriter(wb, archive).save()
    return buffer.getvalue()


def _find_doctors(app: FastAPI, q: str) -> list[dict[str, str]]:
    _, _, instance = _published(app, None)
    if instance is None:
        return []
    needle = q.lower()
    out = [
        {
            "id": d.id,
            "name": d.name,
            "hospital": instance.hospitals[d.hospital_id].name,
            "specialty": instance.specialties[d.specialty_id].name,
        }
        for d in sorted(instance.doctors.values(), key=lambda d: d.id)
        if needle in d.id.lower() or q in d.name
    ]
    return out[:100]


def _doctor_view(app: FastAPI, doctor_id: str, week: str | None) -> dict[str, Any]:
    week, publication, instance = _published(app, week)
    view: dict[str, Any] = {"week": week, "publication": publication, "doctor": None}
    if instance is None or doctor_id not in instance.doctors:
        return view
    doctor = instance.doctors[doctor_id]
    with app.state.sessions() as session:
        _, rows = roster_page(session, publication, RosterFilter(doctor_id=doctor_id), 0, 1000)
    when = {h.key: h.zh for h in instance.half_days}
    view.update(
        doctor=doctor,
        hospital=instance.hospitals[doctor.hospital_id].name,
        specialty=instance.specialties[doctor.specialty_id].name,
        sessions=[
            {
                "when": when.get(f"{r.date.isoformat()}_{r.half_day}", str(r.date)),
                "site": r.site_name,
                "item": instance.demand[r.item_id].name
                if r.item_id in instance.demand
                else r.item_id,
                "travel": r.travel_minutes,
            }
            for r in rows
        ],
    )
    return view


def _unmet_view(app: FastAPI, week: str | None) -> dict[str, Any]:
    week, publication, instance = _published(app, week)
    view: dict[str, Any] = {"week": week, "publication": publication}
    if publication is None:
        return view
    assert week is not None
    with app.state.sessions() as session:
        _, rows = week_unmet(session, week, None)
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    heat: Counter[tuple[str, str]] = Counter()
    for r in rows:
        groups[(r.consortium_id, r.specialty_id)].append(r)
        heat[(r.specialty_id, r.consortium_id)] += r.missing
    consortia = sorted({c for _, c in heat})
    specialties = sorted({s for s, _ in heat})
    top = max(heat.values(), default=0)
    view.update(
        instance=instance,
        total=sum(r.missing for r in rows),
        groups=[
            {
                "consortium": instance.consortia[c].name,
                "specialty": instance.specialties[s].name,
                "missing": sum(r.missing for r in items),
                "rows": items,
            }
            for (c, s), items in sorted(groups.items())
        ],
        heat_rows=[
            (
                instance.specialties[s].name,
                [(heat[(s, c)], _shade(heat[(s, c)], top)) for c in consortia],
            )
            for s in specialties
        ],
        heat_columns=[instance.consortia[c].name for c in consortia],
    )
    return view


def _shade(value: int, top: int) -> str:
    """A background for a heatmap cell; text stays dark on it (contrast ≥ 4.5)."""
    if not value or not top:
        return "#ffffff"
    lightness = 96 - round(36 * value / top)  # 96 % → 60 %: dark text stays readable
    return f"hsl(8, 80%, {lightness}%)"


__all__ = ["PREFIX", "install_console"]
