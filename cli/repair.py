"""``roster repair`` and ``roster changes``: a published week after absences."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from scheduler.errors import InputError

if TYPE_CHECKING:
    from scheduler.repair.run import AbsenceRequest

from cli.options import (
    DatabaseOpt,
    WeekOpt,
    console,
    engine_for,
    week_opt,
)


def _absences(absent: list[str], start: list[str], end: list[str]) -> list[AbsenceRequest]:
    """Pair ``--absent`` with ``--from`` / ``--to``: one of each for all, or one per absence."""
    from scheduler.repair.run import AbsenceRequest

    n = len(absent)
    if not n:
        raise InputError("name the absent doctor(s) with --absent", field="--absent")
    if len(start) not in (1, n):
        raise InputError(f"give one --from, or one per --absent ({n})", field="--from")
    if len(end) not in (0, 1, n):
        raise InputError(f"give no --to, one, or one per --absent ({n})", field="--to")
    return [
        AbsenceRequest(
            doctor_id,
            start[k if len(start) == n else 0],
            (end[k if len(end) == n else 0] if end else None),
        )
        for k, doctor_id in enumerate(absent)
    ]


def repair(
    week: Annotated[str, week_opt("ISO week of the published roster, e.g. 2026-W49.")],
    absent: Annotated[
        list[str], typer.Option("--absent", help="Absent doctor's id (repeat for several).")
    ],
    start: Annotated[
        list[str],
        typer.Option("--from", help="DATE[:AM|PM] the absence starts (one, or one per --absent)."),
    ],
    end: Annotated[
        list[str] | None,
        typer.Option("--to", help="DATE[:AM|PM] it ends (default: the end of the week)."),
    ] = None,
    pin: Annotated[
        list[str] | None,
        typer.Option(help="Keep DOCTOR's sessions (or DOCTOR@DATE:AM|PM, one) as published."),
    ] = None,
    version: Annotated[
        int | None, typer.Option(min=1, help="The version repaired (default: the newest).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Repair directory (default repairs/WEEK-vN).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="A note kept with the new version.")] = None,
    database: DatabaseOpt = None,
) -> None:
    """Repair the published roster after absences; publish it as the next version.

    Half-days before the first absence stay as published; the parts of the
    week the absences touch are solved again — unmet first, then the fewest
    changed assignments, then the usual levels — and the rest is kept."""
    from scheduler.labels import CHANGE_KIND_ZH
    from scheduler.repair.run import repair_week
    from scheduler.week import parse_week

    parse_week(week)
    requests = _absences(absent, start, end or [])
    outcome = repair_week(
        engine_for(database),
        week,
        requests,
        pin or [],
        out_dir=out,
        actor="cli",
        version=version,
        note=note,
    )
    report = outcome.as_dict()
    table = Table(title=f"Repair {week}: version {outcome.repaired_version} → {outcome.version}")
    for name in ("level", "value", "bound", "status"):
        table.add_column(name, justify="left" if name in ("level", "status") else "right")
    for lv in report["levels"]:
        table.add_row(
            f"{lv['label']} {lv['level']}", str(lv["value"]), str(lv["bound"]), lv["status"]
        )
    console.print(table)
    counts = report["summary"]
    console.print(
        "changes: "
        + ", ".join(f"{kind} {n} ({CHANGE_KIND_ZH[kind]})" for kind, n in counts.items())
        + f" · parts re-solved {report['parts_resolved']} of {report['parts']}"
        + f" · {report['wall_seconds']} s"
    )
    console.print(
        f"{len(report['notifications']['doctors'])} doctors and "
        f"{len(report['notifications']['sites'])} sites to notify: "
        f"{outcome.out_dir / 'notifications.md'}"
    )
    console.print(f"repair directory: {outcome.out_dir}")


def changes(
    week: WeekOpt,
    since: Annotated[int, typer.Option(min=1, help="The earlier published version.")],
    version: Annotated[
        int | None, typer.Option(min=1, help="The later version (default: the newest).")
    ] = None,
    database: DatabaseOpt = None,
) -> None:
    """What changed in a week's published roster since version k, and whom to tell."""
    from scheduler.labels import CHANGE_KIND_ZH
    from scheduler.repair.diff import changes_between
    from scheduler.store.engine import transaction

    with transaction(engine_for(database)) as session:
        diff = changes_between(session, week, since, version)
    instance, found = diff.instance, diff.changes
    when = {h.key: h.zh for h in instance.half_days}
    table = Table(title=f"{week}: version {since} → {diff.publication.version}")
    for name in ("half-day", "change", "where", "doctor", "before"):
        table.add_column(name)
    for c in found:
        table.add_row(
            when.get(c.half_day, c.half_day),
            f"{c.kind} {CHANGE_KIND_ZH[c.kind]}",
            f"{instance.sites[c.site_id].name} {c.item_id}",
            c.doctor_id or "—",
            c.previous_doctor_id or "—",
        )
    console.print(table)
    console.print(", ".join(f"{k} {n}" for k, n in diff.summary().items()))
    notices = diff.notifications()
    console.print(f"{len(notices['doctors'])} doctors and {len(notices['sites'])} sites affected")
