"""The scenario file: a base (week + data) and variants, each a list of changes.

Documented with examples in docs/scenarios.md; the example files are in
``scenarios/``. Every field is checked; the first problem is reported as one
:class:`~scheduler.errors.InputError` naming the file and the field path
(``variants[0].changes[1].factor``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from scheduler.domain import Title
from scheduler.errors import InputError
from scheduler.ids import bad_id, is_valid_id
from scheduler.store.schema import MAX_VERSION
from scheduler.week import canonical_week, is_half_day_token, parse_week

TitleCode = Literal["attending", "associate_chief", "chief"]
assert set(TitleCode.__args__) == {t.code for t in Title}  # type: ignore[attr-defined]


def _tokens(values: list[str]) -> list[str]:
    for value in values:
        if not is_half_day_token(value):
            raise ValueError(f"{value!r} is not a half-day such as MON_AM")
    return values


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _new_id(value: str) -> str:
    """A new site's or team's id must follow the id rule (``scheduler.ids``) like the data's."""
    if not is_valid_id(value):
        raise ValueError(bad_id(value))
    return value


NewId = Annotated[str, AfterValidator(_new_id)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _Dated(_Model):
    """A change that may hold only from / to some dates (inclusive)."""

    from_: dt.date | None = Field(default=None, alias="from")
    to: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> _Dated:
        if self.from_ and self.to and self.to < self.from_:
            raise ValueError("'to' is before 'from'")
        return self


class RemoveDoctors(_Dated):
    """Doctors are away (by id, or ``count`` of a hospital × specialty pool)."""

    type: Literal["remove_doctors"]
    doctors: list[str] = []
    hospital: str | None = None
    specialty: str | None = None
    count: int | None = Field(default=None, ge=1, le=100)
    select: Literal["first", "last", "senior", "junior"] = Field(
        default="first",
        description="which doctors of the pool: lowest ids, highest ids, most or least senior",
    )

    @model_validator(mode="after")
    def _who(self) -> RemoveDoctors:
        by_pool = (self.hospital, self.specialty, self.count)
        if self.doctors and any(v is not None for v in by_pool):
            raise ValueError("give either doctors, or hospital + specialty + count")
        if not self.doctors and any(v is None for v in by_pool):
            raise ValueError("give doctors, or all of hospital, specialty and count")
        return self


class AddDoctors(_Dated):
    """New doctors of a hospital × specialty; unset fields copy the pool's typical doctor."""

    type: Literal["add_doctors"]
    hospital: str
    specialty: str
    count: int = Field(default=1, ge=1, le=50)
    title: TitleCode | None = None
    weekly_cap: int | None = Field(default=None, ge=0, le=14)
    home_duty_half_days: list[str] | None = None
    preferred_weekdays: list[Literal["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]] = []

    _check_tokens = field_validator("home_duty_half_days")(
        lambda v: None if v is None else _tokens(v)
    )


DemandKindCode = Literal["department", "clinic", "team_support"]


class ScaleDemand(_Model):
    """Multiply the sessions of the matching demand items (all filters must match)."""

    type: Literal["scale_demand"]
    factor: float = Field(gt=0, le=10)
    specialty: list[str] = []
    consortium: list[str] = []
    site: list[str] = []
    team: list[str] = []
    kind: list[DemandKindCode] = []

    _lists = field_validator("specialty", "consortium", "site", "team", "kind", mode="before")(
        _as_list
    )


class Close(_Dated):
    """Close sites (all their demand; ``from``/``to`` for part of the week), teams,
    jointly built departments or clinics (whole week)."""

    type: Literal["close"]
    sites: list[str] = []
    teams: list[str] = []
    departments: list[str] = []
    clinics: list[str] = []

    _lists = field_validator("sites", "teams", "departments", "clinics", mode="before")(_as_list)

    @model_validator(mode="after")
    def _something(self) -> Close:
        if not (self.sites or self.teams or self.departments or self.clinics):
            raise ValueError("name at least one of sites, teams, departments, clinics")
        if (self.from_ or self.to) and (self.teams or self.departments or self.clinics):
            raise ValueError(
                "from / to apply to sites only (teams, departments, clinics close for the week)"
            )
        return self


class NewTeam(_Model):
    """A family-doctor team; ``referrals`` are its expected weekly referrals by specialty."""

    id: NewId
    name: str = Field(min_length=1)
    site: str | None = None  # given by open_site; required by open_team
    hypertension_panel: int = Field(default=0, ge=0)
    diabetes_panel: int = Field(default=0, ge=0)
    copd_panel: int = Field(default=0, ge=0)
    priority: int = Field(default=3, ge=1, le=5)
    referrals: dict[str, float] = {}

    @field_validator("referrals")
    @classmethod
    def _non_negative(cls, value: dict[str, float]) -> dict[str, float]:
        for specialty, count in value.items():
            if count < 0:
                raise ValueError(f"referrals of {specialty} must be ≥ 0")
        return value


class NewClinic(_Model):
    """A specialist clinic (坐诊) at the new site."""

    specialty: str
    sessions: int = Field(ge=1, le=14)
    min_title: TitleCode = "attending"
    priority: int = Field(default=3, ge=1, le=5)


class NewSite(_Model):
    id: NewId
    name: str = Field(min_length=1)
    name_en: str = ""
    kind: Literal["district_hospital", "grassroots", "workstation"] = "workstation"
    consortium: str
    side: Literal["east", "west"]
    x_km: float
    y_km: float
    closed_half_days: list[str] = []

    _check_tokens = field_validator("closed_half_days")(_tokens)


class OpenSite(_Model):
    """A new site (e.g. a workstation) with its teams and clinics."""

    type: Literal["open_site"]
    site: NewSite
    teams: list[NewTeam] = []
    clinics: list[NewClinic] = []


class OpenTeam(_Model):
    """A new team at an existing site."""

    type: Literal["open_team"]
    team: NewTeam

    @model_validator(mode="after")
    def _sited(self) -> OpenTeam:
        if not self.team.site:
            raise ValueError("team.site is required")
        return self


class WeeklyCap(_Model):
    """Set the weekly outreach cap of every doctor (or of a hospital / specialty)."""

    type: Literal["weekly_cap"]
    value: int = Field(ge=0, le=14)
    hospital: list[str] = []
    specialty: list[str] = []

    _lists = field_validator("hospital", "specialty", mode="before")(_as_list)


class MaxAwayShare(_Model):
    """Set max_away_share (R6) of every hospital, or of the hospitals named."""

    type: Literal["max_away_share"]
    value: float = Field(ge=0, le=1)
    hospital: list[str] = []

    _lists = field_validator("hospital", mode="before")(_as_list)


class TravelLimit(_Model):
    """Set the home → site travel limit (R7), in minutes."""

    type: Literal["travel_limit"]
    minutes: int = Field(ge=1, le=600)


class MiddayGap(_Model):
    """Set the midday gap between an AM and a PM site (R7), in minutes."""

    type: Literal["midday_gap"]
    minutes: int = Field(ge=0, le=600)


class OpenHalfDays(_Model):
    """Set the week's open half-days (e.g. drop SAT_AM, add SAT_PM)."""

    type: Literal["open_half_days"]
    half_days: list[str] = Field(min_length=1)

    _check_tokens = field_validator("half_days")(_tokens)


class ScaleTravel(_Model):
    """Multiply travel times: all trips, or only those crossing 中梁山 (tunnel congestion)."""

    type: Literal["scale_travel"]
    factor: float = Field(gt=0, le=10)
    crossing_only: bool = False


Change = Annotated[
    RemoveDoctors
    | AddDoctors
    | ScaleDemand
    | Close
    | OpenSite
    | OpenTeam
    | WeeklyCap
    | MaxAwayShare
    | TravelLimit
    | MiddayGap
    | OpenHalfDays
    | ScaleTravel,
    Field(discriminator="type"),
]
CHANGE_MODELS: tuple[type[BaseModel], ...] = get_args(get_args(Change)[0])
"""The change types' models, in the order of the ``Change`` union (the parser's
one list of them; ``scheduler.scenarios.changes.APPLY`` is keyed by the same)."""
CHANGE_TYPES: tuple[str, ...] = tuple(
    get_args(model.model_fields["type"].annotation)[0] for model in CHANGE_MODELS
)
"""Each change type's ``type`` tag, as written in a scenario file."""


class Variant(_Model):
    name: str = Field(min_length=1, max_length=80)
    description: str = ""
    changes: list[Change] = Field(min_length=1)


class Base(_Model):
    """What the variants are compared with."""

    week: str = Field(description="ISO week, e.g. 2026-W49")
    data: str | None = Field(default=None, description="data directory (relative to the file)")
    data_version: int | None = Field(
        default=None,
        ge=1,
        le=MAX_VERSION,
        description="a data version of the database instead of a data directory",
    )
    run: str | None = Field(
        default=None,
        description="a solved run directory of the same week and data: taken as the baseline",
    )
    published: bool | int | None = Field(
        default=None,
        description="the week's published roster in the database as the baseline: "
        "true (the newest version) or a version number",
    )
    previous_run: str | None = Field(default=None, description="last week's run (continuity)")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)

    @field_validator("week")
    @classmethod
    def _week(cls, value: str) -> str:
        """The canonical ASCII week (``scheduler.week``), which must exist."""
        try:
            parse_week(value)
        except InputError as exc:
            raise ValueError(exc.message) from None
        return canonical_week(value)

    @field_validator("published", mode="before")
    @classmethod
    def _published(cls, value: Any) -> Any:
        if not (
            value is None or value is True or (type(value) is int and 1 <= value <= MAX_VERSION)
        ):
            raise ValueError(
                f"true (the newest published version) or a version number, 1 to {MAX_VERSION}"
            )
        return value

    @model_validator(mode="after")
    def _one_baseline(self) -> Base:
        if self.data_version is not None and (self.data is not None or self.run is not None):
            raise ValueError("give base.data_version, or base.data / base.run, not both")
        if self.published is not None and self.run is not None:
            raise ValueError("give base.run or base.published, not both")
        if self.published is not None and self.previous_run is not None:
            raise ValueError(
                "base.previous_run with base.published: the published run's own "
                "last-week continuity is used"
            )
        return self


class Scenario(_Model):
    name: str = Field(min_length=1, max_length=120)
    description: str = ""
    base: Base
    variants: list[Variant] = Field(min_length=1, max_length=100)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        # A single-variant scenario may list its changes at the top level.
        if isinstance(value, dict) and "changes" in value and "variants" not in value:
            value = dict(value)
            value["variants"] = [
                {"name": value.get("name", "variant"), "changes": value.pop("changes")}
            ]
        return value

    @model_validator(mode="after")
    def _unique(self) -> Scenario:
        names = [v.name for v in self.variants]
        for name in names:
            if names.count(name) > 1 or name == "baseline":
                raise ValueError(f"variant name {name!r} is used twice (or is 'baseline')")
        return self


def field_path(loc: tuple[int | str, ...]) -> str:
    """``('variants', 0, 'changes', 1, 'factor')`` → ``variants[0].changes[1].factor``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in CHANGE_TYPES:  # the discriminated union's tag, not a field
            continue
        else:
            path += f".{part}" if path else str(part)
    return path


M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], document: Any, *, file: str) -> M:
    """``document`` as a ``model``; the first problem as one InputError naming the field."""
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        error = exc.errors()[0]
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "union_tag_invalid":
            message = f"unknown change type; one of {', '.join(CHANGE_TYPES)}"
        raise InputError(message, file=file, field=field_path(error["loc"]) or None) from None


def parse_scenario(document: Any, *, file: str) -> Scenario:
    """Validate a parsed document; the first problem as one InputError."""
    if not isinstance(document, dict):
        raise InputError("a scenario is a mapping with name, base and variants", file=file)
    return validated(Scenario, document, file=file)


def read_document(path: Path) -> Any:
    """A YAML (or, by its suffix, JSON) file, parsed; syntax errors name row and column."""
    path = Path(path)
    if not path.is_file():
        raise InputError("scenario file does not exist", file=str(path))
    return parse_document(
        path.read_text(encoding="utf-8"), file=str(path), as_json=path.suffix == ".json"
    )


def parse_document(text: str, *, file: str, as_json: bool = False) -> Any:
    """YAML (or JSON) text, parsed; syntax errors name row and column of ``file``."""
    try:
        return json.loads(text) if as_json else yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise InputError(
            f"not valid YAML: {exc.problem}",
            file=file,
            row=mark.line + 1 if mark else None,
            column=str(mark.column + 1) if mark else None,
        ) from None
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise InputError(f"not valid {'JSON' if as_json else 'YAML'}: {exc}", file=file) from None


def load_scenario(path: Path) -> Scenario:
    """Read and validate a YAML (or JSON) scenario file."""
    return parse_scenario(read_document(path), file=str(path))
