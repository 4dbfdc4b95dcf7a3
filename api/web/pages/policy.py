"""规则参数: the rule parameters of the newest data version (policy.toml) — travel
limits, the referral forecast, team support, the open half-days — which a planner
changes, each change a new data version (``api.web.editing``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from api.web.deps import PREFIX, SignedIn
from api.web.editing import Choice, EditState, Sent, edit_state, half_day_choices, save
from api.web.reads import newest_data
from api.web.render import page
from scheduler.domain import WEEKDAYS, Title
from scheduler.io.data_edits import PolicyEdit
from scheduler.io.load import Policy
from scheduler.labels import TITLE_ZH

router = APIRouter(include_in_schema=False)

FORM = "policy"
NUMBERS: dict[str, type] = {
    "travel.limit_minutes": int,
    "travel.midday_gap_minutes": int,
    "travel.am_peak_multiplier": float,
    "travel.base_minutes": float,
    "travel.minutes_per_km": float,
    "travel.mountain_crossing_minutes": float,
    "travel.crossing_multiplier": float,
    "demand.forecast_window_weeks": int,
    "demand.team_max_sessions": int,
}
"""The numeric keys the page edits, with their TOML type."""
TITLE_KEY, OPEN_KEY = "demand.team_min_title", "calendar.open_half_days"


@dataclass(frozen=True)
class Number:
    """A numeric parameter: its key (``travel.limit_minutes``), value, and whether whole."""

    key: str
    value: str
    whole: bool


@dataclass(frozen=True)
class PolicyView:
    """The parameters shown (and edited: ``base`` is the data version shown)."""

    base: int
    numbers: list[Number]
    title: str
    titles: list[Choice]
    open_half_days: tuple[str, ...]
    half_days: list[Choice]
    edit: EditState = field(default_factory=EditState)


@router.get(f"{PREFIX}/policy")
def policy_page(request: Request, user: SignedIn) -> Response:
    return page(request, "policy.html.j2", user, policy_view(request.app, edit_state(request)))


@router.post(f"{PREFIX}/policy")
async def change_policy(request: Request, user: SignedIn) -> Response:
    form = await request.form()
    text = {k: str(form.get(k, "")).strip() for k in (*NUMBERS, TITLE_KEY)}
    opened = [str(v) for v in form.getlist(OPEN_KEY)]
    values = {**text, OPEN_KEY: ";".join(opened)}
    base = str(form.get("base", ""))
    sent = Sent(FORM, int(base) if base.isdigit() else 0, str(form.get("note", "")), values)

    def again(state: EditState, status: int) -> Response:
        view = policy_view(request.app, state)
        return page(request, "policy.html.j2", user, view, status_code=status)

    now = policy_view(request.app, EditState())
    current = {n.key: n.value for n in now.numbers} | {TITLE_KEY: now.title}
    # Only what differs: a key sent as shown keeps its bytes in policy.toml (1.30 stays 1.30).
    edits = [
        PolicyEdit(key, _number(NUMBERS[key], value) if key in NUMBERS else value)
        for key, value in text.items()
        if value != current[key]
    ]
    if tuple(opened) != now.open_half_days:
        edits.append(PolicyEdit(OPEN_KEY, opened))
    csrf = str(form.get("csrf", ""))
    return save(request, user, csrf, sent, [], back=f"{PREFIX}/policy", again=again, policy=edits)


def _number(kind: type, text: str) -> int | float | str:
    """The TOML value of a typed number; the text as it is when it is not one (the
    loader then names the key: 'must be an integer ≥ 1')."""
    try:
        return int(text) if kind is int else float(text)
    except ValueError:
        return text


def policy_view(app: FastAPI, edit: EditState) -> PolicyView:
    """The newest data version's parameters."""
    base, data = newest_data(app)
    policy: Policy = data.policy
    shown = {
        "travel.limit_minutes": policy.travel_limit_minutes,
        "travel.midday_gap_minutes": policy.midday_gap_minutes,
        "travel.am_peak_multiplier": policy.am_peak_multiplier,
        "travel.base_minutes": policy.base_minutes,
        "travel.minutes_per_km": policy.minutes_per_km,
        "travel.mountain_crossing_minutes": policy.mountain_crossing_minutes,
        "travel.crossing_multiplier": policy.crossing_multiplier,
        "demand.forecast_window_weeks": policy.forecast_window_weeks,
        "demand.team_max_sessions": policy.team_max_sessions,
    }
    every = [f"{d}_{p}" for d in WEEKDAYS for p in ("AM", "PM")]
    return PolicyView(
        base,
        [Number(k, f"{shown[k]:g}", NUMBERS[k] is int) for k in NUMBERS],
        policy.team_min_title.code,
        [Choice(t.code, TITLE_ZH[t.code]) for t in Title],
        policy.open_half_days,
        half_day_choices(every, ()),
        edit,
    )
