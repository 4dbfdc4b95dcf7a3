"""A repair end to end: read the published week, repair it, write, publish.

One function for the CLI (``roster repair``) and the API
(``POST /weeks/{week}/repairs``). The repair directory is a run directory
(``roster check`` re-verifies it, Δ included) with the diff and the
notifications beside it; it appears only once the new version is published,
and a failed publication leaves neither a directory nor a version. A repair
killed after its publication but before its directory was in place is
completed by the next repair beside it (``complete_leftover``).
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from scheduler.demand import DemandRow
from scheduler.domain import Instance
from scheduler.faults import crash_point
from scheduler.io.output_dir import Leftover, OutputKind, PreparedOutput, prepare_output
from scheduler.io.run_dir import demand_rows_from_csv, run_record, write_record
from scheduler.labels import REPAIR_PAGE
from scheduler.model.params import SolverParams
from scheduler.repair.absences import Absence, Pin, make_absence, parse_pin
from scheduler.repair.diff import Change, notifications, roster_diff, summary
from scheduler.repair.instance import repair_instance
from scheduler.repair.solve import solve_repair
from scheduler.result import Result
from scheduler.store.engine import transaction
from scheduler.store.queries import published_roster
from scheduler.store.runs import publish_repair, version_of_run
from scheduler.store.schema import RunDocument
from scheduler.week import canonical_week


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
    preview: bool = False,
) -> RepairOutcome:
    """Repair the newest (or the given) published version of ``week`` and
    publish the result as the next version; the repair directory is ``out_dir``
    (default ``out_root/WEEK-vN``, N the new version). ``week`` is read in its
    canonical spelling (``scheduler.week.canonical_week``) before it names anything.

    ``preview``: solve and answer the same (levels, diff, notifications), but
    write and publish nothing (``run_id`` empty). The solve is deterministic, so
    the same request without ``preview`` and with ``version`` set to the
    previewed one publishes exactly what was shown — or is refused (409) if the
    week moved on meanwhile."""
    week = canonical_week(week)
    with transaction(engine) as session:
        stored = published_roster(session, week, version)  # NotFound if none
        demand = session.get(RunDocument, (stored.run.id, "demand.csv"))
    published = stored.instance
    parsed: list[Absence] = [
        make_absence(published, a.doctor_id, a.start, a.end, where=f"absences[{k}].", file=file)
        for k, a in enumerate(absences)
    ]
    pinned: list[Pin] = [
        parse_pin(published, text, field=f"pins[{k}]", file=file) for k, text in enumerate(pins)
    ]
    new_version = stored.publication.version + 1
    out_dir = Path(out_dir) if out_dir is not None else Path(out_root) / f"{week}-v{new_version}"
    # Refused or not writable: say so before the solve. Leftovers of a killed
    # repair beside it are completed if their version was published.
    output = None
    if not preview:
        output = prepare_output(
            out_dir, OutputKind.REPAIR, complete=functools.partial(complete_leftover, engine)
        )
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
    run_id = "" if preview else uuid.uuid4().hex
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
    if output is not None:
        _publish(
            engine, output, outcome, rows, request, actor=actor, note=note or _default_note(parsed)
        )
    return outcome


def _publish(
    engine: Engine,
    output: PreparedOutput,
    outcome: RepairOutcome,
    rows: list[DemandRow],
    request: dict[str, Any],
    *,
    actor: str,
    note: str,
) -> None:
    """Stage the repair directory fully, then commit the new version (one
    transaction), then put the directory in place. A kill between the last two
    leaves the staged directory, which the next repair beside it completes
    (``complete_leftover``)."""
    result = outcome.result
    with output.staged() as staging:
        record = run_record(
            outcome.instance, rows, result, {"repair": request}, run_dir=outcome.out_dir
        )
        record = write_record(staging.path, record, result)
        _write_diff(staging.path, outcome)
        publish_repair(
            engine,
            record,
            run_id=outcome.run_id,
            repairs_version=outcome.repaired_version,
            parameters={**result.parameters, "repair": request},
            actor=actor,
            note=note,
        )
        staging.keep_on_failure()
        crash_point("repair-committed")


def complete_leftover(engine: Engine, staged: Path, target: Path) -> Leftover:
    """What to do with a killed repair's staged directory (``clean_leftovers``).

    Complete it if its run was published (the kill came after the commit) and
    nothing newer is at the target; remove it if it was never published, or
    is what an exchange swapped out (an older version than the target's).
    """
    staged_repair = _repair_json(staged)
    if staged_repair is None:
        return Leftover.REMOVE  # killed before repair.json: never committed
    run_id, version = staged_repair
    if version_of_run(engine, run_id) != version:
        return Leftover.REMOVE
    if not target.exists():
        return Leftover.COMPLETE
    there = _repair_json(target)
    if there is None:
        return Leftover.KEEP  # not a repair we can compare with: leave both alone
    return Leftover.COMPLETE if there[1] < version else Leftover.REMOVE


def _repair_json(directory: Path) -> tuple[str, int] | None:
    """(run id, version) from a repair directory's ``repair.json``; None if unreadable."""
    try:
        content = json.loads((directory / "repair.json").read_text(encoding="utf-8"))
        return str(content["run_id"]), int(content["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


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
    page = REPAIR_PAGE
    lines = [
        page.title.format(
            week=outcome.week, before=outcome.repaired_version, after=outcome.version
        ),
        "",
        page.changes + page.change_separator.join(f"{k} {v}" for k, v in counts.items()),
        "",
        page.doctors,
    ]
    for doctor in outcome.notices["doctors"]:
        lines += ["", page.heading.format(name=doctor["name"], id=doctor["doctor_id"]), ""]
        lines += [f"- {line}" for line in doctor["lines"]]
    lines += ["", page.sites]
    for site in outcome.notices["sites"]:
        lines += ["", page.heading.format(name=site["name"], id=site["site_id"]), ""]
        lines += [f"- {line}" for line in site["lines"]]
    return "\n".join(lines) + "\n"
