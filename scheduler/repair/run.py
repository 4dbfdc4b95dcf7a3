"""A repair end to end: read the published week, repair it, write, publish.

One function for the CLI (``roster repair``) and the API
(``POST /weeks/{week}/repairs``). The repair directory is a run directory
(``roster check`` re-verifies it, Δ included) with the diff and the
notifications beside it; it appears only once the new version is published,
and a failed publication leaves neither a directory nor a version.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from scheduler.domain import Instance
from scheduler.io.run_dir import atomic_directory, demand_rows_from_csv, write_run
from scheduler.model.solve import SolverParams
from scheduler.repair.absences import Absence, Pin, make_absence, parse_pin
from scheduler.repair.diff import Change, notifications, roster_diff, summary
from scheduler.repair.instance import repair_instance
from scheduler.repair.solve import solve_repair
from scheduler.result import Result
from scheduler.store.engine import transaction
from scheduler.store.queries import published_roster
from scheduler.store.runs import RunRecord, publish_repair
from scheduler.store.schema import RunDocument


@dataclass(frozen=True)
class AbsenceRequest:
    """An absence as given: doctor, ``DATE[:AM|PM]`` from, optional to."""

    doctor_id: str
    start: str
    end: str | None = None


@dataclass(frozen=True)
class RepairOutcome:
    """A published repair: the new version, the repaired week and what changed."""

    week: str
    repaired_version: int
    version: int  # the new published version
    run_id: str
    instance: Instance
    result: Result
    changes: list[Change]
    notices: dict[str, Any]
    out_dir: Path

    def as_dict(self) -> dict[str, Any]:
        """The repair as JSON (what the API answers and ``repair.json`` holds)."""
        return {
            "week": self.week,
            "repaired_version": self.repaired_version,
            "version": self.version,
            "run_id": self.run_id,
            "sessions": len(self.result.assignments),
            "status": self.result.status.value,
            "levels": [
                {
                    "level": lv.level.value,
                    "label": lv.level.label,
                    "value": lv.value,
                    "bound": lv.bound,
                    "status": lv.status.value,
                }
                for lv in self.result.levels
            ],
            "parts_resolved": self.result.parameters.get("parts_resolved"),
            "parts": self.result.components,
            "wall_seconds": round(self.result.wall_seconds, 3),
            "summary": summary(self.changes),
            "changes": [c.as_dict() for c in self.changes],
            "notifications": self.notices,
        }


def repair_week(
    engine: Engine,
    week: str,
    absences: Sequence[AbsenceRequest],
    pins: Sequence[str] = (),
    *,
    out_dir: Path | None = None,
    out_root: Path = Path("repairs"),
    actor: str,
    version: int | None = None,
    note: str | None = None,
    params: SolverParams | None = None,
    file: str | None = None,
) -> RepairOutcome:
    """Repair the newest (or the given) published version of ``week`` and
    publish the result as the next version; the repair directory is ``out_dir``
    (default ``out_root/WEEK-vN``, N the new version)."""
    with transaction(engine) as session:
        stored = published_roster(session, week, version)  # StoreError 404 if none
        demand = session.get(RunDocument, (stored.run.id, "demand.csv"))
    published = stored.instance
    parsed: list[Absence] = [
        make_absence(published, a.doctor_id, a.start, a.end, where=f"absences[{k}].", file=file)
        for k, a in enumerate(absences)
    ]
    pinned: list[Pin] = [
        parse_pin(published, text, field=f"pins[{k}]", file=file) for k, text in enumerate(pins)
    ]
    instance = repair_instance(published, stored.assignments, parsed, pinned, file=file)
    result = solve_repair(instance, params)
    changes = roster_diff(instance, stored.assignments, result.assignments)
    notices = notifications(instance, changes)
    rows = demand_rows_from_csv(demand.content, instance) if demand is not None else []
    request = {
        "repairs": {"week": week, "version": stored.publication.version},
        "absences": [dataclasses.asdict(a) for a in parsed],
        "pins": list(pins),
    }
    new_version = stored.publication.version + 1
    out_dir = Path(out_dir) if out_dir is not None else Path(out_root) / f"{week}-v{new_version}"
    run_id = uuid.uuid4().hex
    outcome = RepairOutcome(
        week,
        stored.publication.version,
        stored.publication.version + 1,
        run_id,
        instance,
        result,
        changes,
        notices,
        out_dir,
    )
    with atomic_directory(out_dir) as staging:
        write_run(staging, instance, rows, result, {"repair": request})
        _write_diff(staging, outcome)
        record = dataclasses.replace(RunRecord.from_run_dir(staging), run_dir=str(out_dir))
        # Last: the new version (one transaction); the directory appears after it.
        publish_repair(
            engine,
            record,
            run_id=run_id,
            repairs_version=stored.publication.version,
            parameters={**result.parameters, "repair": request},
            actor=actor,
            note=note or _default_note(parsed),
        )
    return outcome


def _default_note(absences: Sequence[Absence]) -> str:
    return "repair: " + "; ".join(f"{a.doctor_id} absent {a.first}–{a.last}" for a in absences)


def _write_diff(directory: Path, outcome: RepairOutcome) -> None:
    (directory / "repair.json").write_text(
        json.dumps(outcome.as_dict(), ensure_ascii=False, indent=2, default=str) + "\n",
        encoding="utf-8",
    )
    fields = [f.name for f in dataclasses.fields(Change)]
    with (directory / "diff.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for change in outcome.changes:
            writer.writerow(change.as_dict())
    (directory / "notifications.md").write_text(notifications_md(outcome), encoding="utf-8")


def notifications_md(outcome: RepairOutcome) -> str:
    """The notifications as a page a planner can copy from."""
    counts = summary(outcome.changes)
    lines = [
        f"# {outcome.week} 排班修复：第 {outcome.repaired_version} 版 → 第 {outcome.version} 版",
        "",
        "改动：" + "，".join(f"{k} {v}" for k, v in counts.items()),
        "",
        "## 医生",
    ]
    for doctor in outcome.notices["doctors"]:
        lines += ["", f"### {doctor['name']}（{doctor['doctor_id']}）", ""]
        lines += [f"- {line}" for line in doctor["lines"]]
    lines += ["", "## 站点"]
    for site in outcome.notices["sites"]:
        lines += ["", f"### {site['name']}（{site['site_id']}）", ""]
        lines += [f"- {line}" for line in site["lines"]]
    return "\n".join(lines) + "\n"
