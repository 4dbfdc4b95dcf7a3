"""What a solve reports: per level of a part, per part, progress as it goes; a part's
second stage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from scheduler.domain import Level, Triple
from scheduler.result import SolveStatus


@dataclass(frozen=True)
class LevelOutcome:
    """One level of one part."""

    level: Level
    value: int
    bound: int
    status: SolveStatus
    wall_seconds: float


@dataclass(frozen=True)
class PartOutcome:
    """What solving one part produced."""

    index: int
    levels: tuple[LevelOutcome, ...]
    chosen: tuple[Triple, ...]
    variables: int
    wall_seconds: float


@dataclass(frozen=True)
class Progress:
    """Reported after each level of each part (in process) or each finished part."""

    parts_done: int
    parts_total: int
    part_index: int
    level: Level | None = None
    value: int | None = None
    bound: int | None = None
    notes: dict[str, object] = field(default_factory=dict)
    # Per level (in policy order): value and bound summed over the parts done so far.
    so_far: dict[str, tuple[int, int]] = field(default_factory=dict)


ProgressFn = Callable[[Progress], None]


@dataclass(frozen=True)
class Stage:
    """A second solve of a part of a pool split over several parts (``decompose``).

    Each such part is first solved through every level like any other, with
    its own largest load (L3) held for the levels after it. Once the pool's
    largest load ``M`` is known, a part whose doctors could work more under
    ``M`` is solved again: the levels up to L3 held (``done``), every doctor's
    load capped at ``M`` (``load_cap``), the first roster as the hint, through
    the remaining levels. The default (nothing done) solves every level.
    """

    done: tuple[LevelOutcome, ...] = ()
    load_cap: int | None = None
    hint: tuple[Triple, ...] = ()
