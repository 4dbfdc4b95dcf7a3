"""Unmet demand: the total, a heatmap specialty × consortium, each item with its reason."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from api.types import WeekQuery
from api.web.deps import PREFIX, SignedIn
from api.web.reads import published
from api.web.render import page
from scheduler.domain import Instance
from scheduler.store.queries import week_unmet
from scheduler.store.schema import Publication, RunUnmet

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class UnmetGroup:
    """The unmet items of one consortium and specialty."""

    consortium: str
    specialty: str
    missing: int
    rows: list[RunUnmet]


class HeatCell(NamedTuple):
    """A heatmap cell: missing sessions and its background."""

    value: int
    shade: str


class HeatRow(NamedTuple):
    """A specialty's row of the heatmap, a cell per consortium."""

    name: str
    cells: list[HeatCell]


@dataclass(frozen=True)
class UnmetView:
    """The unmet page of a week (``publication`` None: nothing published)."""

    week: str | None
    publication: Publication | None
    instance: Instance | None = None
    total: int = 0
    groups: list[UnmetGroup] = field(default_factory=list)
    heat_rows: list[HeatRow] = field(default_factory=list)
    heat_columns: list[str] = field(default_factory=list)


@router.get(f"{PREFIX}/unmet")
def unmet_page(request: Request, user: SignedIn, week: WeekQuery = None) -> Response:
    return page(request, "unmet.html.j2", user, unmet_view(request.app, week))


def unmet_view(app: FastAPI, week: str | None) -> UnmetView:
    """The unmet demand of the week asked (default the newest published)."""
    shown = published(app, week)
    instance = shown.instance
    if shown.publication is None or instance is None:
        return UnmetView(shown.week, shown.publication)
    assert shown.week is not None
    with app.state.sessions() as session:
        _, rows = week_unmet(session, shown.week, None)
    groups: dict[tuple[str, str], list[RunUnmet]] = defaultdict(list)
    heat: Counter[tuple[str, str]] = Counter()
    for r in rows:
        groups[(r.consortium_id, r.specialty_id)].append(r)
        heat[(r.specialty_id, r.consortium_id)] += r.missing
    consortia = sorted({c for _, c in heat})
    specialties = sorted({s for s, _ in heat})
    top = max(heat.values(), default=0)
    return UnmetView(
        shown.week,
        shown.publication,
        instance=instance,
        total=sum(r.missing for r in rows),
        groups=[
            UnmetGroup(
                consortium=instance.consortia[c].name,
                specialty=instance.specialties[s].name,
                missing=sum(r.missing for r in items),
                rows=items,
            )
            for (c, s), items in sorted(groups.items())
        ],
        heat_rows=[
            HeatRow(
                instance.specialties[s].name,
                [HeatCell(heat[(s, c)], shade(heat[(s, c)], top)) for c in consortia],
            )
            for s in specialties
        ],
        heat_columns=[instance.consortia[c].name for c in consortia],
    )


def shade(value: int, top: int) -> str:
    """A background for a heatmap cell; text stays dark on it (contrast ≥ 4.5)."""
    if not value or not top:
        return "#ffffff"
    lightness = 96 - round(36 * value / top)  # 96 % → 60 %: dark text stays readable
    return f"hsl(8, 80%, {lightness}%)"
