"""What a repair (or any new version of a week) changed, and whom to tell.

Two rosters of one week are compared session by session. A published
session missing from the new roster and a new session are paired up where
they belong together:

* **reassigned** — the same session (item, half-day), another doctor;
* **moved** — the same doctor and half-day, another item (usually another site);
* **dropped** — a published session nobody holds any more;
* **added** — a session that was not published.

Notifications gather the changes per doctor (theirs) and per site (the
sessions held there), as lines a planner can send as they are.

``changes_between`` compares two published versions of a week: the one
answer of ``roster changes`` and ``GET /weeks/{week}/changes``.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from scheduler.domain import Assignment, Instance, Triple
from scheduler.labels import NOTIFICATIONS
from scheduler.store.queries import published_roster
from scheduler.store.schema import Publication

KINDS = ("dropped", "reassigned", "moved", "added")


@dataclass(frozen=True)
class Change:
    """One change between two rosters of a week."""

    kind: str  # one of KINDS
    half_day: str
    item_id: str  # the session's item (for "moved": the new one)
    site_id: str
    doctor_id: str | None  # who holds it now (None: dropped)
    previous_doctor_id: str | None = None  # who held it (None: added)
    previous_item_id: str | None = None  # moved: the item the doctor left
    previous_site_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def roster_diff(
    instance: Instance, before: Iterable[Assignment], after: Iterable[Assignment]
) -> list[Change]:
    """The changes from ``before`` to ``after``, in half-day, site, item order."""
    old = set(before)
    new = set(after)
    removed, added = sorted(old - new), sorted(new - old)
    site = {i: item.site_id for i, item in instance.demand.items()}
    out: list[Change] = []
    added_by_session = {(i, h): d for d, i, h in added}
    added_by_doctor = {(d, h): i for d, i, h in added}
    used: set[Triple] = set()
    for d, i, h in removed:
        taker = added_by_session.get((i, h))
        if taker is not None and (taker, i, h) not in used:
            used.add((taker, i, h))
            out.append(Change("reassigned", h, i, site[i], taker, d))
            continue
        moved_to = added_by_doctor.get((d, h))
        if moved_to is not None and (d, moved_to, h) not in used:
            used.add((d, moved_to, h))
            out.append(Change("moved", h, moved_to, site[moved_to], d, d, i, site[i]))
            continue
        out.append(Change("dropped", h, i, site[i], None, d))
    for d, i, h in added:
        if (d, i, h) not in used:
            out.append(Change("added", h, i, site[i], d))
    out.sort(key=lambda c: (c.half_day, c.site_id, c.item_id, KINDS.index(c.kind)))
    return out


def both(old: Instance, new: Instance) -> Instance:
    """``new``, also knowing the doctors, items and sites only ``old`` had (two
    versions of a week solved on different data), for naming them in a diff."""
    return dataclasses.replace(
        new,
        doctors={**old.doctors, **new.doctors},
        demand={**old.demand, **new.demand},
        sites={**old.sites, **new.sites},
        hospitals={**old.hospitals, **new.hospitals},
    )


def summary(changes: list[Change]) -> dict[str, int]:
    """How many changes of each kind (all kinds listed)."""
    counts = dict.fromkeys(KINDS, 0)
    for change in changes:
        counts[change.kind] += 1
    return counts


def _who(instance: Instance, doctor_id: str | None) -> str:
    if doctor_id is None:
        return NOTIFICATIONS.nobody
    doctor = instance.doctors.get(doctor_id)
    if doctor is None:
        return doctor_id
    hospital = instance.hospitals[doctor.hospital_id].name
    return NOTIFICATIONS.who.format(name=doctor.name, hospital=hospital, id=doctor_id)


def _where(instance: Instance, item_id: str) -> str:
    item = instance.demand[item_id]
    return f"{instance.sites[item.site_id].name} {item.name}"


def notifications(instance: Instance, changes: list[Change]) -> dict[str, Any]:
    """Per affected doctor and per affected site: the lines to send them."""
    when = {h.key: h.zh for h in instance.half_days}
    doctors: dict[str, list[str]] = defaultdict(list)
    sites: dict[str, list[str]] = defaultdict(list)
    say = NOTIFICATIONS
    for c in changes:
        at = when.get(c.half_day, c.half_day)
        place = _where(instance, c.item_id)
        if c.kind == "dropped":
            assert c.previous_doctor_id is not None
            doctors[c.previous_doctor_id].append(say.doctor_dropped.format(at=at, place=place))
            sites[c.site_id].append(
                say.site_dropped.format(
                    at=at, place=place, who=_who(instance, c.previous_doctor_id)
                )
            )
        elif c.kind == "added":
            assert c.doctor_id is not None
            doctors[c.doctor_id].append(say.doctor_added.format(at=at, place=place))
            sites[c.site_id].append(
                say.site_added.format(at=at, place=place, who=_who(instance, c.doctor_id))
            )
        elif c.kind == "reassigned":
            assert c.doctor_id is not None and c.previous_doctor_id is not None
            doctors[c.previous_doctor_id].append(say.doctor_released.format(at=at, place=place))
            doctors[c.doctor_id].append(say.doctor_taking_over.format(at=at, place=place))
            sites[c.site_id].append(
                say.site_reassigned.format(
                    at=at,
                    place=place,
                    before=_who(instance, c.previous_doctor_id),
                    after=_who(instance, c.doctor_id),
                )
            )
        else:  # moved
            assert c.doctor_id is not None and c.previous_item_id is not None
            before = _where(instance, c.previous_item_id)
            doctors[c.doctor_id].append(say.doctor_moved.format(at=at, before=before, place=place))
            assert c.previous_site_id is not None
            sites[c.previous_site_id].append(
                say.site_moved_away.format(at=at, before=before, who=_who(instance, c.doctor_id))
            )
            sites[c.site_id].append(
                say.site_added.format(at=at, place=place, who=_who(instance, c.doctor_id))
            )
    return {
        "doctors": [
            {
                "doctor_id": doctor_id,
                "name": instance.doctors[doctor_id].name if doctor_id in instance.doctors else "",
                "lines": lines,
            }
            for doctor_id, lines in sorted(doctors.items())
        ],
        "sites": [
            {"site_id": site_id, "name": instance.sites[site_id].name, "lines": lines}
            for site_id, lines in sorted(sites.items())
        ],
    }


@dataclass(frozen=True)
class VersionChanges:
    """What changed in a week's published roster from version ``since`` to ``publication``."""

    instance: Instance  # the later version's, also knowing what only the earlier one had
    since: Publication
    publication: Publication
    changes: list[Change]

    def summary(self) -> dict[str, int]:
        """How many changes of each kind."""
        return summary(self.changes)

    def notifications(self) -> dict[str, Any]:
        """The lines to send each affected doctor and site."""
        return notifications(self.instance, self.changes)


def changes_between(
    session: Session, week: str, since: int, version: int | None = None
) -> VersionChanges:
    """The changes from published version ``since`` of ``week`` to ``version``
    (default: the newest); ``NotFound`` if either is not published."""
    before = published_roster(session, week, since)
    after = published_roster(session, week, version)
    instance = both(before.instance, after.instance)
    found = roster_diff(instance, before.assignments, after.assignments)
    return VersionChanges(instance, before.publication, after.publication, found)
