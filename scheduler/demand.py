"""Demand derivation (SPEC §4): what needs a specialist this week.

* Department sessions: each jointly built department's ``sessions_per_week``,
  served only by its partner hospital.
* Grassroots clinic sessions: ``sessions_per_week`` of each clinic, served by the
  consortium's partner hospitals that hold the specialty as a key specialty.
* Family-doctor team support, forecast from referral history:

  1. ``trailing`` = mean weekly referrals of the team for the specialty over the
     ``forecast_window_weeks`` (W) weeks before the planning week that the
     history covers (see "The forecast window" below; a missing row inside the
     history counts as 0);
  2. ``seasonal`` = district-wide referrals of the specialty in the three weeks
     centred on the same week one year earlier, divided by the W-week trailing
     mean one year earlier — i.e. how much last year's week differed from its
     own trailing mean; 1.0 when the history does not reach back that far;
     clipped to ``seasonal_clip``;
  3. ``forecast`` = trailing × seasonal; ``by_referrals`` =
     round-half-up(forecast / patients_per_session);
  4. ``panel_floor`` = chronic panel size // panel_per_session for the
     specialty's chronic panel (hypertension → cardiology, ...);
  5. sessions = min(team_max_sessions, max(by_referrals, panel_floor)).

The derived table (every team × specialty considered, zero rows included) is
written with each run as ``demand.csv``.

The forecast window
-------------------
``referrals.csv`` covers the weeks from its first to its last week. Inside
that range a team × specialty without a row had no referrals (0). Outside it
nothing is known, and counting those weeks as 0 would be a silent wrong
answer: a week planned past the end of the history would get an empty
forecast, hundreds of team sessions fewer, with nothing said. So
(:func:`forecast_window`):

* none of the W trailing weeks inside the history: the solve is refused in one
  line naming ``referrals.csv``, the weeks it covers and the weeks the forecast
  needs (the history must be brought up to date first);
* only some inside (a week planned a week or two ahead, before the latest
  referrals are exported): the mean is taken over the covered weeks only, and
  the run says so (``warnings`` in ``report.json``, one line from the CLI).

Averaging the weeks one has is what a planner does by hand with a short
history, and is what they expect: planning ahead a week or two is routine, the
referral export lags the calendar, and the mean of 6 known weeks is a far
better forecast than refusing (no roster) or than the mean of 6 known weeks
and 2 invented zeros (25 % too low). The warning keeps it visible; the default
week (2026-W49 on ``data/``) has its whole window inside the history and is
unchanged.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from scheduler.domain import DemandItem, DemandKind, Title
from scheduler.errors import InputError
from scheduler.io.load import DataSet
from scheduler.io.records import (
    ClinicRow,
    ConsortiumPartnerRow,
    DepartmentRow,
    KeySpecialtyRow,
    ReferralRow,
    SiteRow,
    SpecialtyRow,
    TeamRow,
)
from scheduler.labels import CLINIC_ITEM_NAME, TEAM_ITEM_NAME
from scheduler.week import shift_week

REFERRALS = "referrals.csv"


@dataclass(frozen=True, slots=True)
class DemandRow:
    """One row of the derived demand table (``demand.csv``)."""

    item: DemandItem
    consortium_id: str
    trailing_mean: float | None = None
    seasonal_factor: float | None = None
    forecast: float | None = None
    by_referrals: int | None = None
    panel_floor: int | None = None


@dataclass(frozen=True)
class ForecastWindow:
    """The trailing weeks a week's referral forecast reads, and which the history covers."""

    week: str
    needed: tuple[str, ...]  # the W weeks before ``week``, oldest first
    covered: tuple[str, ...]  # those between the history's first and last week
    first: str | None  # first week of referrals.csv (None: no rows)
    last: str | None  # last week of referrals.csv

    @property
    def warning(self) -> str | None:
        """One line when the forecast averages only part of its window, else None."""
        if len(self.covered) == len(self.needed):
            return None
        return (
            f"{REFERRALS} covers {self.first}…{self.last}: the referral forecast of "
            f"{self.week} is the mean of {len(self.covered)} of its {len(self.needed)} "
            f"trailing weeks ({self.covered[0]}…{self.covered[-1]}), without "
            f"{', '.join(w for w in self.needed if w not in self.covered)}"
        )


def forecast_window(data: DataSet, week: str) -> ForecastWindow:
    """The forecast window of ``week`` on ``data``'s referral history.

    Raises :class:`InputError` naming ``referrals.csv`` when teams need a
    forecast and no week of the window is inside the history (module docstring).
    """
    return _window(
        week,
        data.policy.forecast_window_weeks,
        {row.week for row in data.table(ReferralRow)},
        teams=bool(data.table(TeamRow)),
    )


def _window(week: str, window: int, weeks_seen: set[str], *, teams: bool) -> ForecastWindow:
    needed = tuple(shift_week(week, -k) for k in range(window, 0, -1))
    first, last = (min(weeks_seen), max(weeks_seen)) if weeks_seen else (None, None)
    # Canonical weeks (YYYY-Www, zero-padded) sort as strings in calendar order.
    covered = tuple(
        w for w in needed if first is not None and last is not None and first <= w <= last
    )
    if not covered and teams:
        history = f"covers {first}…{last}" if first else "has no rows"
        raise InputError(
            f"the referral history {history}, but the forecast of {week} needs "
            f"{needed[0]}…{needed[-1]} (its {window} trailing weeks) and none of them is in it",
            file=REFERRALS,
        )
    return ForecastWindow(week, needed, covered, first, last)


def derive_demand(data: DataSet, week: str) -> list[DemandRow]:
    """All demand rows of ``week``, in id order; items with 0 sessions included."""
    sites = {row.site_id: row for row in data.table(SiteRow)}
    key_pairs = {(r.hospital_id, r.specialty_id) for r in data.table(KeySpecialtyRow)}
    partners: dict[str, set[str]] = defaultdict(set)
    for partner in data.table(ConsortiumPartnerRow):
        partners[partner.consortium_id].add(partner.hospital_id)

    def allowed(consortium_id: str, specialty_id: str) -> frozenset[str]:
        return frozenset(h for h in partners[consortium_id] if (h, specialty_id) in key_pairs)

    rows: list[DemandRow] = []
    for department in data.table(DepartmentRow):
        item = DemandItem(
            id=department.department_id,
            kind=DemandKind.DEPARTMENT,
            name=department.name,
            site_id=department.site_id,
            specialty_id=department.specialty_id,
            allowed_hospitals=frozenset({department.hospital_id}),
            sessions=department.sessions_per_week,
            min_title=Title.parse(department.min_title),
            priority=department.priority,
        )
        rows.append(DemandRow(item, sites[department.site_id].consortium_id))
    specialty_names = {r.specialty_id: r.name for r in data.table(SpecialtyRow)}
    for clinic in data.table(ClinicRow):
        consortium = sites[clinic.site_id].consortium_id
        item = DemandItem(
            id=clinic.clinic_id,
            kind=DemandKind.CLINIC,
            name=CLINIC_ITEM_NAME.format(
                site=sites[clinic.site_id].name, specialty=specialty_names[clinic.specialty_id]
            ),
            site_id=clinic.site_id,
            specialty_id=clinic.specialty_id,
            allowed_hospitals=allowed(consortium, clinic.specialty_id),
            sessions=clinic.sessions_per_week,
            min_title=Title.parse(clinic.min_title),
            priority=clinic.priority,
        )
        rows.append(DemandRow(item, consortium))
    rows.extend(_team_support(data, week, sites, specialty_names, allowed))
    rows.sort(key=lambda r: r.item.id)
    return rows


def _team_support(data, week, sites, specialty_names, allowed) -> list[DemandRow]:  # type: ignore[no-untyped-def]
    policy = data.policy
    window = policy.forecast_window_weeks
    last_year_trailing = [shift_week(week, -52 - k) for k in range(1, window + 1)]
    last_year_centre = [shift_week(week, -52 + k) for k in (-1, 0, 1)]

    per_team: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    referred: dict[str, set[str]] = defaultdict(set)  # team -> specialties with referrals
    district: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    weeks_seen: set[str] = set()
    for referral in data.table(ReferralRow):
        per_team[(referral.team_id, referral.specialty_id)][referral.week] = referral.referrals
        referred[referral.team_id].add(referral.specialty_id)
        district[referral.specialty_id][referral.week] += referral.referrals
        weeks_seen.add(referral.week)
    covered = _window(week, window, weeks_seen, teams=bool(data.table(TeamRow))).covered
    recent = covered[::-1]  # newest first, as always summed

    low, high = policy.seasonal_clip
    seasonal: dict[str, float] = {}
    have_last_year = all(w in weeks_seen for w in last_year_trailing + last_year_centre)
    for specialty_id, totals in district.items():
        factor = 1.0
        if have_last_year:
            base = sum(totals[w] for w in last_year_trailing) / window
            centre = sum(totals[w] for w in last_year_centre) / 3
            if base > 0:
                factor = min(high, max(low, centre / base))
        seasonal[specialty_id] = factor

    specialties = {r.specialty_id: r for r in data.table(SpecialtyRow)}
    panel_specialties = {
        r.chronic_panel: r.specialty_id for r in data.table(SpecialtyRow) if r.chronic_panel
    }
    rows: list[DemandRow] = []
    for team in data.table(TeamRow):
        team_id = team.team_id
        consortium = sites[team.site_id].consortium_id
        considered = set(referred.get(team_id, ()))
        considered |= {
            s for panel, s in panel_specialties.items() if getattr(team, f"{panel}_panel") > 0
        }
        for specialty_id in sorted(considered):
            spec = specialties[specialty_id]
            history = per_team.get((team_id, specialty_id), {})
            trailing = sum(history.get(w, 0) for w in recent) / len(recent)
            factor = seasonal.get(specialty_id, 1.0)
            forecast = trailing * factor
            by_referrals = math.floor(forecast / spec.patients_per_session + 0.5)
            floor = 0
            if spec.chronic_panel:
                assert spec.panel_per_session is not None  # the loader: given with a panel
                floor = getattr(team, f"{spec.chronic_panel}_panel") // spec.panel_per_session
            sessions = min(policy.team_max_sessions, max(by_referrals, floor))
            item = DemandItem(
                id=f"{team_id}-{specialty_id}",
                kind=DemandKind.TEAM_SUPPORT,
                name=TEAM_ITEM_NAME.format(team=team.name, specialty=specialty_names[specialty_id]),
                site_id=team.site_id,
                specialty_id=specialty_id,
                allowed_hospitals=allowed(consortium, specialty_id),
                sessions=sessions,
                min_title=policy.team_min_title,
                priority=team.priority,
                team_id=team_id,
            )
            rows.append(
                DemandRow(
                    item,
                    consortium,
                    trailing_mean=round(trailing, 3),
                    seasonal_factor=round(factor, 3),
                    forecast=round(forecast, 3),
                    by_referrals=by_referrals,
                    panel_floor=floor,
                )
            )
    return rows
