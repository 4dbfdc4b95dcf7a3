"""The scenario comparison as types: what :func:`scheduler.scenarios.run.compare` builds.

A :class:`ScenarioReport` is what ``report.json`` holds, what a scenario job
stores in the database (``runs.report``) and what the API serves; its
``to_dict()`` is that JSON, key order included, and ``from_dict()`` reads it
back (``ScenarioReport.from_dict(r.to_dict()) == r``)::

    {
      "scenario": {name, description, file, week, data_dir, seed},
      "variants": [                       # the baseline first
        {name, description, notes: [str], status,
         levels: [{level, label, value, bound, status}, ...],
         kpis: {variant, status, required_sessions, ..., unmet_by_reason: {code: n},
                solve_seconds, parts, parts_reused},          # a KpiRow
         load_histogram: {"0": n, "1": n, ...},
         unmet_heatmap: {specialty: {consortium: n}},
         run_dir: "variants/00" | null},   # null: not written as a run directory
        ...
      ],
      "coverage": {consortium | specialty | hospital | kind | side:
                   [{id, name, <variant name>: {required, covered, unmet, percent}, ...}]},
      "unmet_diff": {<variant name>: [UnmetChange, ...]},   # every variant but the baseline
      "names": {specialties: {id: name}, consortia: {id: name}, hospitals: {id: name}},
    }

A :class:`KpiRow` (a variant's headline KPIs, flat) is also a sweep's row,
with the scenario it came from and its notes (:class:`SweepRow`). This module
knows nothing of the solver: the console reads a stored report with it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from scheduler.kpis import CoverageTotal

SCENARIO_COVERAGE_GROUPS: tuple[str, ...] = ("consortium", "specialty", "hospital", "kind", "side")
"""The report's coverage groups, in ``report.json`` order (``Kpis.coverage``'s ``by_*``)."""


@dataclass(frozen=True, slots=True)
class ScenarioInfo:
    """What was compared: the scenario's name, file, week, data and seed."""

    name: str
    description: str
    file: str | None
    week: str
    data_dir: str
    seed: int

    def to_dict(self) -> dict[str, Any]:
        """As ``report.json`` holds it."""
        return {
            "name": self.name,
            "description": self.description,
            "file": self.file,
            "week": self.week,
            "data_dir": self.data_dir,
            "seed": self.seed,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ScenarioInfo:
        """Read :meth:`to_dict`'s output back."""
        return cls(
            raw["name"], raw["description"], raw["file"], raw["week"], raw["data_dir"], raw["seed"]
        )


@dataclass(frozen=True, slots=True)
class LevelSummary:
    """One objective level of a variant: its code (``unmet``), label (``L1``), value,
    bound and solve status (``optimal``...)."""

    level: str
    label: str
    value: int
    bound: int
    status: str

    def to_dict(self) -> dict[str, Any]:
        """As ``report.json`` holds it."""
        return {
            "level": self.level,
            "label": self.label,
            "value": self.value,
            "bound": self.bound,
            "status": self.status,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> LevelSummary:
        """Read :meth:`to_dict`'s output back."""
        return cls(raw["level"], raw["label"], raw["value"], raw["bound"], raw["status"])


@dataclass(frozen=True, slots=True)
class KpiRow:
    """The headline KPIs of one solved variant, flat (``kpi_row``).

    ``weighted_unmet`` is the value of the unmet level (L1); ``unmet_by_reason``
    the unmet sessions by reason code, sorted by code. :meth:`value` reads a KPI
    by the key the report tables and their labels (``labels.KPI_LABELS``) use.
    """

    variant: str
    status: str
    required_sessions: int
    covered_sessions: int
    unmet_sessions: int
    coverage_percent: float
    weighted_unmet: int
    doctors: int
    load_p50: float
    load_p90: float
    load_max: int
    utilisation_percent: float
    travel_hours: float
    continuity_sessions: int
    unmet_by_reason: dict[str, int]
    solve_seconds: float
    parts: int
    parts_reused: int

    def value(self, key: str) -> str | int | float:
        """The KPI ``key``, one of :data:`KPI_KEYS` (a ``KeyError`` otherwise)."""
        if key not in KPI_KEYS:
            raise KeyError(key)
        found: str | int | float = getattr(self, key)
        return found

    def to_dict(self) -> dict[str, Any]:
        """As ``report.json`` holds it (a variant's ``kpis``)."""
        return {
            "variant": self.variant,
            "status": self.status,
            "required_sessions": self.required_sessions,
            "covered_sessions": self.covered_sessions,
            "unmet_sessions": self.unmet_sessions,
            "coverage_percent": self.coverage_percent,
            "weighted_unmet": self.weighted_unmet,
            "doctors": self.doctors,
            "load_p50": self.load_p50,
            "load_p90": self.load_p90,
            "load_max": self.load_max,
            "utilisation_percent": self.utilisation_percent,
            "travel_hours": self.travel_hours,
            "continuity_sessions": self.continuity_sessions,
            "unmet_by_reason": dict(self.unmet_by_reason),
            "solve_seconds": self.solve_seconds,
            "parts": self.parts,
            "parts_reused": self.parts_reused,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> KpiRow:
        """Read :meth:`to_dict`'s output back (a missing key is a ``KeyError``)."""
        return cls(**{f.name: raw[f.name] for f in fields(cls)})


KPI_KEYS: frozenset[str] = frozenset(f.name for f in fields(KpiRow)) - {"unmet_by_reason"}
"""The keys :meth:`KpiRow.value` reads: every field but the breakdown by reason."""


@dataclass(frozen=True, slots=True)
class VariantReport:
    """One variant of the report (the baseline is the first).

    ``run_dir`` is the variant's run directory within the scenario directory
    (``variants/01``), ``None`` where it was not written as one (a baseline read
    from a run directory or the database, or a report not written yet).
    """

    name: str
    description: str
    notes: tuple[str, ...]
    status: str
    levels: tuple[LevelSummary, ...]
    kpis: KpiRow
    load_histogram: dict[str, int]  # doctors by sessions held: {"0": n, "1": n, ...}
    unmet_heatmap: dict[str, dict[str, int]]  # unmet sessions by specialty, then consortium
    run_dir: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """As ``report.json`` holds it."""
        return {
            "name": self.name,
            "description": self.description,
            "notes": list(self.notes),
            "status": self.status,
            "levels": [lv.to_dict() for lv in self.levels],
            "kpis": self.kpis.to_dict(),
            "load_histogram": dict(self.load_histogram),
            "unmet_heatmap": {s: dict(row) for s, row in self.unmet_heatmap.items()},
            "run_dir": self.run_dir,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> VariantReport:
        """Read :meth:`to_dict`'s output back (``run_dir`` may be absent)."""
        return cls(
            raw["name"],
            raw["description"],
            tuple(raw["notes"]),
            raw["status"],
            tuple(LevelSummary.from_dict(lv) for lv in raw["levels"]),
            KpiRow.from_dict(raw["kpis"]),
            dict(raw["load_histogram"]),
            {s: dict(row) for s, row in raw["unmet_heatmap"].items()},
            raw.get("run_dir"),
        )


@dataclass(frozen=True, slots=True)
class GroupCoverage:
    """One group (a consortium, specialty, hospital, kind or side) in every variant.

    ``by_variant`` maps a variant's name to the group's sessions there, in the
    variants' order; a variant whose instance lacks the group has no entry.
    """

    id: str
    name: str
    by_variant: dict[str, CoverageTotal]

    def to_dict(self) -> dict[str, Any]:
        """As ``report.json`` holds it: id, name, then one entry per variant name."""
        out: dict[str, Any] = {"id": self.id, "name": self.name}
        for variant, total in self.by_variant.items():
            out[variant] = total.to_dict()
        return out

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> GroupCoverage:
        """Read :meth:`to_dict`'s output back."""
        by_variant = {
            key: CoverageTotal.from_dict(value)
            for key, value in raw.items()
            if key not in ("id", "name")
        }
        return cls(raw["id"], raw["name"], by_variant)


@dataclass(frozen=True, slots=True)
class ScenarioCoverage:
    """Coverage of every group of each breakdown (rows by id), variants side by side."""

    consortium: tuple[GroupCoverage, ...]
    specialty: tuple[GroupCoverage, ...]
    hospital: tuple[GroupCoverage, ...]
    kind: tuple[GroupCoverage, ...]
    side: tuple[GroupCoverage, ...]

    def group(self, name: str) -> tuple[GroupCoverage, ...]:
        """The rows of the breakdown ``name`` (one of :data:`SCENARIO_COVERAGE_GROUPS`)."""
        if name not in SCENARIO_COVERAGE_GROUPS:
            raise KeyError(name)
        rows: tuple[GroupCoverage, ...] = getattr(self, name)
        return rows

    def to_dict(self) -> dict[str, Any]:
        """As ``report.json`` holds it."""
        return {
            name: [row.to_dict() for row in self.group(name)] for name in SCENARIO_COVERAGE_GROUPS
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ScenarioCoverage:
        """Read :meth:`to_dict`'s output back."""
        rows = {
            name: tuple(GroupCoverage.from_dict(row) for row in raw[name])
            for name in SCENARIO_COVERAGE_GROUPS
        }
        return cls(
            rows["consortium"], rows["specialty"], rows["hospital"], rows["kind"], rows["side"]
        )


@dataclass(frozen=True, slots=True)
class UnmetChange:
    """A demand item whose missing sessions (or their reason) differ from the baseline's.

    ``change`` is ``variant_missing - baseline_missing``; the reason is the
    variant's where the item is unmet there, else the baseline's.
    """

    item_id: str
    name: str
    site_name: str
    consortium_id: str
    specialty_id: str
    baseline_missing: int
    variant_missing: int
    change: int
    reason_code: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """As ``report.json`` holds it."""
        return {
            "item_id": self.item_id,
            "name": self.name,
            "site_name": self.site_name,
            "consortium_id": self.consortium_id,
            "specialty_id": self.specialty_id,
            "baseline_missing": self.baseline_missing,
            "variant_missing": self.variant_missing,
            "change": self.change,
            "reason_code": self.reason_code,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> UnmetChange:
        """Read :meth:`to_dict`'s output back."""
        return cls(**{f.name: raw[f.name] for f in fields(cls)})


@dataclass(frozen=True, slots=True)
class ReportNames:
    """The baseline's names of specialties, consortia and hospitals, by id."""

    specialties: dict[str, str]
    consortia: dict[str, str]
    hospitals: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        """As ``report.json`` holds it."""
        return {
            "specialties": dict(self.specialties),
            "consortia": dict(self.consortia),
            "hospitals": dict(self.hospitals),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ReportNames:
        """Read :meth:`to_dict`'s output back."""
        return cls(dict(raw["specialties"]), dict(raw["consortia"]), dict(raw["hospitals"]))


@dataclass(frozen=True, slots=True)
class ScenarioReport:
    """A compared scenario (see the module docstring for its JSON)."""

    scenario: ScenarioInfo
    variants: tuple[VariantReport, ...]
    coverage: ScenarioCoverage
    unmet_diff: dict[str, tuple[UnmetChange, ...]]  # by variant name, largest change first
    names: ReportNames

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``report.json``, ``runs.report`` and the API's ``report``."""
        return {
            "scenario": self.scenario.to_dict(),
            "variants": [v.to_dict() for v in self.variants],
            "coverage": self.coverage.to_dict(),
            "unmet_diff": {
                name: [row.to_dict() for row in rows] for name, rows in self.unmet_diff.items()
            },
            "names": self.names.to_dict(),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ScenarioReport:
        """Read :meth:`to_dict`'s output back (a stored ``report.json`` or runs row).

        A missing key or a value of the wrong shape is a ``KeyError``/``TypeError``.
        """
        return cls(
            ScenarioInfo.from_dict(raw["scenario"]),
            tuple(VariantReport.from_dict(v) for v in raw["variants"]),
            ScenarioCoverage.from_dict(raw["coverage"]),
            {
                name: tuple(UnmetChange.from_dict(row) for row in rows)
                for name, rows in raw["unmet_diff"].items()
            },
            ReportNames.from_dict(raw["names"]),
        )


@dataclass(frozen=True, slots=True)
class SweepRow:
    """One solve of a sweep: the scenario it came from, its KPIs and what its changes did."""

    scenario: str
    kpis: KpiRow
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """As ``summary.json`` holds it: the scenario, the KPIs flat, then the notes."""
        return {"scenario": self.scenario, **self.kpis.to_dict(), "notes": list(self.notes)}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> SweepRow:
        """Read :meth:`to_dict`'s output back."""
        return cls(raw["scenario"], KpiRow.from_dict(raw), tuple(raw["notes"]))
