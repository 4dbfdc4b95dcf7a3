"""Domain objects of one planning week: the validated, normalised ``Instance``.

Everything the model, the checker and the exports need is here, as frozen
dataclasses with ids and minutes. An ``Instance`` is built once from the data
(``scheduler.build``) and never changes; it can be written to and read from
``instance.json`` (``scheduler.io.instance_json``) so a run can be re-solved or
re-checked elsewhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import NamedTuple

from scheduler.labels import (
    DEMAND_KIND_ZH,
    HALF_DAY_ZH,
    LEVEL_NAMES,
    PERIOD_ZH,
    TITLE_ZH,
    WEEKDAY_ZH,
)

WEEKDAYS: tuple[str, ...] = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
PERIODS: tuple[str, ...] = ("AM", "PM")


class Title(IntEnum):
    """Professional title; a higher value is a more senior title (R3)."""

    ATTENDING = 1
    ASSOCIATE_CHIEF = 2
    CHIEF = 3

    @classmethod
    def parse(cls, text: str) -> Title:
        """Read a title code as written in the data (``chief``, ...)."""
        return cls[text.strip().upper()]

    @property
    def code(self) -> str:
        """The code used in CSV files and JSON."""
        return self.name.lower()

    @property
    def zh(self) -> str:
        """Chinese name of the title."""
        return TITLE_ZH[self.code]


class DemandKind(StrEnum):
    """Where a demand item comes from (SPEC §4)."""

    DEPARTMENT = "department"  # jointly built department session
    CLINIC = "clinic"  # grassroots specialist clinic
    TEAM_SUPPORT = "team_support"  # family-doctor team support session

    @property
    def zh(self) -> str:
        """Chinese name of the kind."""
        return DEMAND_KIND_ZH[self.value]


class Level(StrEnum):
    """Objective levels (SPEC §7). The order they are solved in is policy data."""

    UNMET = "unmet"  # L1 minimise priority-weighted unmet sessions
    CONTINUITY = "continuity"  # L2 maximise sessions continuing last week's pairing
    UNFAIRNESS = "unfairness"  # L3 minimise sum over specialty pools of the max load
    TRAVEL = "travel"  # L4 minimise total one-way travel minutes
    NON_PREFERRED = "non_preferred"  # L5 minimise sessions on non-preferred weekdays
    # A repair's second level (after L1): assignments that differ from the roster
    # being repaired. Not a level of an ordinary solve (not in a policy's order).
    CHANGES = "changes"

    @property
    def sense(self) -> str:
        """``min`` or ``max``."""
        return LEVEL_FACTS[self].sense

    @property
    def label(self) -> str:
        """Short code as in the spec (L1..L5)."""
        return LEVEL_FACTS[self].label


@dataclass(frozen=True)
class LevelFacts:
    """What is said of a level wherever it is shown: the one place for its words."""

    label: str  # the spec's short code: L1..L5, Δ
    sense: str  # "min" | "max"
    name: str  # in English (report.json)
    name_zh: str  # in Chinese (Excel, HTML reports, the console)


LEVEL_FACTS: dict[Level, LevelFacts] = {
    level: LevelFacts(label, sense, LEVEL_NAMES[level].en, LEVEL_NAMES[level].zh)
    for level, label, sense in (
        (Level.UNMET, "L1", "min"),
        (Level.CONTINUITY, "L2", "max"),
        (Level.UNFAIRNESS, "L3", "min"),
        (Level.TRAVEL, "L4", "min"),
        (Level.NON_PREFERRED, "L5", "min"),
        (Level.CHANGES, "Δ", "min"),
    )
}
"""Each level's label, sense and names, by code — the same codes as the model's
``LEVELS`` and the checker's ``LEVEL_CHECKS`` (a test says so)."""


# The levels of SPEC §7, in their default order (a policy may reorder them).
STANDARD_LEVELS: tuple[Level, ...] = (
    Level.UNMET,
    Level.CONTINUITY,
    Level.UNFAIRNESS,
    Level.TRAVEL,
    Level.NON_PREFERRED,
)
DEFAULT_LEVEL_ORDER: tuple[Level, ...] = STANDARD_LEVELS


@dataclass(frozen=True, slots=True)
class HalfDay:
    """One session slot of the week: a date and AM or PM."""

    date: dt.date
    period: str  # "AM" | "PM"
    key: str = field(init=False, compare=False)  # ``2026-11-30_AM``, unique in any calendar
    date_iso: str = field(init=False, compare=False, repr=False)  # ``2026-11-30``

    def __post_init__(self) -> None:
        # Stored, not properties: model building reads them millions of times.
        object.__setattr__(self, "date_iso", self.date.isoformat())
        object.__setattr__(self, "key", f"{self.date_iso}_{self.period}")

    @property
    def weekday(self) -> str:
        """Weekday token, ``MON`` .. ``SUN``."""
        return WEEKDAYS[self.date.weekday()]

    @property
    def token(self) -> str:
        """Weekly token such as ``MON_AM`` (what data files use)."""
        return f"{self.weekday}_{self.period}"

    @property
    def zh(self) -> str:
        """Planner-facing label, e.g. ``11月30日 周一 上午``."""
        return HALF_DAY_ZH.format(
            month=self.date.month,
            day=self.date.day,
            weekday=WEEKDAY_ZH[self.weekday],
            period=PERIOD_ZH[self.period],
        )


@dataclass(frozen=True, slots=True)
class Hospital:
    """A tertiary hospital that sends specialists out."""

    id: str
    name: str
    name_en: str
    max_away_share: float


@dataclass(frozen=True, slots=True)
class Specialty:
    """A clinical specialty."""

    id: str
    name: str
    name_en: str


@dataclass(frozen=True, slots=True)
class Consortium:
    """A tight medical consortium (a county's hospitals and grassroots sites as one)."""

    id: str
    name: str
    name_en: str


@dataclass(frozen=True, slots=True)
class Site:
    """A place a specialist is sent to: district hospital, grassroots site or workstation."""

    id: str
    name: str
    kind: str
    consortium_id: str
    side: str
    closed: frozenset[str]  # half-day keys of this week on which the site is closed


@dataclass(frozen=True, slots=True)
class Doctor:
    """An outreach specialist."""

    id: str
    name: str
    hospital_id: str
    specialty_id: str
    title: Title
    weekly_cap: int
    unavailable: frozenset[str]  # half-day keys: home duty or dated leave (R4)
    preferred_weekdays: frozenset[str]  # empty = no preference (L5)


@dataclass(frozen=True, slots=True)
class DemandItem:
    """Something that needs a specialist this week (SPEC §4)."""

    id: str
    kind: DemandKind
    name: str
    site_id: str
    specialty_id: str
    allowed_hospitals: frozenset[str]
    sessions: int
    min_title: Title
    priority: int
    team_id: str | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    """Rule parameters and objective order for one week."""

    travel_limit_minutes: int = 60
    midday_gap_minutes: int = 90
    level_order: tuple[Level, ...] = DEFAULT_LEVEL_ORDER


UNREACHABLE = 10**6
"""Minutes of a trip no roster can make (see ``Travel``)."""


@dataclass(frozen=True, slots=True)
class Travel:
    """Travel minutes the rules and L4 use, precomputed for the week.

    ``home`` maps (hospital, site, period) to one-way minutes from the home
    hospital (AM includes the peak multiplier), for the sites of items the
    hospital may serve (R2). ``between`` maps an unordered pair of site ids
    (sorted) to the midday minutes between them, for the pairs that one
    hospital's doctors can both reach within the travel limit. Any other trip
    is :data:`UNREACHABLE`: no roster can make it without breaking R2 or R7.
    """

    home: dict[tuple[str, str, str], int] = field(default_factory=dict)
    between: dict[tuple[str, str], int] = field(default_factory=dict)

    def home_minutes(self, hospital_id: str, site_id: str, period: str) -> int:
        """One-way minutes from a home hospital to a site in a period."""
        return self.home.get((hospital_id, site_id, period), UNREACHABLE)

    def midday_minutes(self, site_a: str, site_b: str) -> int:
        """Minutes between two sites at midday (0 for the same site; UNREACHABLE for
        two sites no hospital's doctors can both reach)."""
        if site_a == site_b:
            return 0
        key = (site_a, site_b) if site_a < site_b else (site_b, site_a)
        return self.between.get(key, UNREACHABLE)


class Assignment(NamedTuple):
    """One session of the roster: a doctor at a demand item's site on a half-day.

    The model, the checker, the exports and the store all speak it. Inside the
    model the same three ids travel as a bare ``Triple`` in this order, so a
    triple and an assignment compare and hash alike (``set(roster)`` is the
    set of its triples) and ``Assignment._make(triple)`` names one without
    reordering. Bare tuples there because the city builds millions of
    candidates and ships parts between processes: a named tuple is ~2x slower
    to build and ~10x slower to unpickle (measured, benchmarks/bench_city.py).
    """

    doctor_id: str
    item_id: str
    half_day_key: str


Triple = tuple[str, str, str]
"""An ``Assignment``'s ids as a bare tuple: (doctor_id, item_id, half_day_key)."""


@dataclass(frozen=True, slots=True)
class Instance:
    """Everything the model sees for one ISO week. Immutable."""

    week: str
    policy: Policy
    half_days: tuple[HalfDay, ...]  # the policy's half-days of the week, in order
    holidays: dict[str, str]  # date iso -> holiday name, within the week
    hospitals: dict[str, Hospital]
    specialties: dict[str, Specialty]
    consortia: dict[str, Consortium]
    sites: dict[str, Site]
    doctors: dict[str, Doctor]
    demand: dict[str, DemandItem]
    travel: Travel
    away_limit: dict[tuple[str, str], int]  # (hospital, specialty) -> max doctors away (R6)
    previous: frozenset[tuple[str, str]] = frozenset()  # (doctor, item) served last week
    # A repair (scheduler.repair): the roster being repaired, as (doctor, item,
    # half-day) triples (the Δ level counts the differences); assignments that
    # must stay; half-days where nothing may change (the past). Empty otherwise.
    reference: frozenset[Triple] = frozenset()
    pinned: frozenset[Triple] = frozenset()
    frozen: frozenset[str] = frozenset()

    def half_day(self, key: str) -> HalfDay:
        """The half-day with this key."""
        for half_day in self.half_days:
            if half_day.key == key:
                return half_day
        raise KeyError(key)

    def is_holiday(self, half_day: HalfDay) -> bool:
        """True when the half-day falls on a public holiday (R4)."""
        return half_day.date_iso in self.holidays
