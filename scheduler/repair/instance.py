"""The repair's instance: the published week, the absences, the past frozen.

Built from what the published run solved (its stored instance) and what was
published (its roster), never from the data directory: the repair changes
the week planners have, not a re-derived one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from scheduler.domain import Assignment, Instance, Level, Triple
from scheduler.errors import InputError
from scheduler.repair.absences import Absence, Pin


def repair_level_order(order: Sequence[Level]) -> tuple[Level, ...]:
    """The published order with Δ (changed assignments) right after L1."""
    rest = [level for level in order if level is not Level.CHANGES]
    at = rest.index(Level.UNMET) + 1 if Level.UNMET in rest else 0
    return (*rest[:at], Level.CHANGES, *rest[at:])


def repair_instance(
    published: Instance,
    roster: Sequence[Assignment],
    absences: Sequence[Absence],
    pins: Sequence[Pin] = (),
    *,
    file: str | None = None,
) -> Instance:
    """``published`` with each absence as unavailability, the half-days before
    the first absence frozen (their sessions pinned), ``pins`` pinned, the
    published ``roster`` as the reference, and Δ after L1 in the level order."""
    if not absences:
        raise InputError("name at least one absence", file=file, field="absences")
    start = min(a.first for a in absences)
    frozen = frozenset(h.key for h in published.half_days if h.key < start)
    reference: frozenset[Triple] = frozenset(roster)
    doctors = dict(published.doctors)
    for absence in absences:
        doctor = doctors[absence.doctor_id]
        away = {h.key for h in published.half_days if absence.covers(h.key)}
        doctors[absence.doctor_id] = dataclasses.replace(
            doctor, unavailable=doctor.unavailable | away
        )
    pinned = {t for t in reference if t[2] in frozen}
    for k, pin in enumerate(pins):
        chosen = {
            t
            for t in reference
            if t[0] == pin.doctor_id and (pin.half_day is None or t[2] == pin.half_day)
        }
        if pin.half_day is not None and not chosen:
            raise InputError(
                f"{pin.doctor_id} has no published session on {pin.half_day}",
                file=file,
                field=f"pins[{k}]",
            )
        absent = [t for t in chosen if t[2] in doctors[pin.doctor_id].unavailable]
        if pin.half_day is not None and absent:
            raise InputError(
                f"{pin.doctor_id} is absent on {pin.half_day}: the session cannot be pinned",
                file=file,
                field=f"pins[{k}]",
            )
        pinned |= {t for t in chosen if t not in absent}
    policy = dataclasses.replace(
        published.policy, level_order=repair_level_order(published.policy.level_order)
    )
    return dataclasses.replace(
        published,
        policy=policy,
        doctors=doctors,
        reference=reference,
        pinned=frozenset(pinned),
        frozen=frozen,
    )
