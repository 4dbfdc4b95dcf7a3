"""Travel minutes between places, from coordinates (documented in data/README.md).

minutes = base + minutes_per_km × straight-line km, plus ``mountain_crossing``
when the two places are on different sides of 中梁山, the whole scaled by
``crossing_multiplier`` for crossing trips; morning trips from home are scaled
by ``am_peak_multiplier``. Results are rounded to whole minutes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Place:
    """A point on the district map."""

    side: str
    x_km: float
    y_km: float


@dataclass(frozen=True, slots=True)
class TravelModel:
    """Parameters of the travel-time formula (policy.toml ``[travel]``)."""

    base_minutes: float = 8.0
    minutes_per_km: float = 1.5
    mountain_crossing_minutes: float = 18.0
    crossing_multiplier: float = 1.0
    am_peak_multiplier: float = 1.3
    global_multiplier: float = 1.0

    def off_peak(self, a: Place, b: Place) -> float:
        """Off-peak minutes between two places (unrounded; 0 for the same point)."""
        if (a.x_km, a.y_km, a.side) == (b.x_km, b.y_km, b.side):
            return 0.0
        km = math.hypot(a.x_km - b.x_km, a.y_km - b.y_km)
        minutes = self.base_minutes + self.minutes_per_km * km
        if a.side != b.side:
            minutes = (minutes + self.mountain_crossing_minutes) * self.crossing_multiplier
        return minutes * self.global_multiplier

    def minutes(self, a: Place, b: Place, period: str) -> int:
        """Whole minutes for a trip starting in ``period`` (AM is peak)."""
        minutes = self.off_peak(a, b)
        if period == "AM":
            minutes *= self.am_peak_multiplier
        return round(minutes)
