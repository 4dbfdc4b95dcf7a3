"""Why demand is unmet, in words a planner understands (``unmet.csv``).

For each demand item with missing sessions the doctors who could serve it are
narrowed step by step — specialty and allowed hospital (R2), title (R3),
weekly cap, travel limit (R7), open and free half-days (R4) — and the first
step that leaves nobody is the reason. When candidates remain, every
(candidate doctor, half-day) slot the item could have used is classified by
what blocks it in the final roster: weekly cap reached (R5), busy with other
demand (R1), home-staffing limit reached (R6), midday travel (R7); the reason
names the dominant blocks. At an L1 optimum every slot is blocked by one of
these, otherwise one more session could have been covered.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from scheduler.domain import Assignment, Doctor, HalfDay, Instance
from scheduler.labels import REASON_TEXTS
from scheduler.result import UnmetItem

# Codes, most specific first (the order breaks ties between slot blocks).
NO_HOSPITAL = "no_partner_hospital"
NO_SPECIALIST = "no_specialist"
TITLE = "title"
NO_CAPACITY = "no_outreach_capacity"
TRAVEL = "travel_limit"
NOT_FREE = "no_free_half_day"
AT_CAP = "weekly_cap"
BUSY = "busy_elsewhere"
HOME_STAFFING = "home_staffing"
MIDDAY = "midday_travel"
FEW_HALF_DAYS = "too_few_half_days"


def explain_unmet(instance: Instance, assignments: Iterable[Assignment]) -> list[UnmetItem]:
    """One row per demand item with fewer sessions than asked, in item order."""
    roster = list(assignments)
    covered: Counter[str] = Counter(a.item_id for a in roster)
    at: dict[tuple[str, str], str] = {(a.doctor_id, a.half_day_key): a.item_id for a in roster}
    load: Counter[str] = Counter(a.doctor_id for a in roster)
    away: Counter[tuple[str, str, str]] = Counter()
    for a in roster:
        doctor = instance.doctors[a.doctor_id]
        away[(doctor.hospital_id, doctor.specialty_id, a.half_day_key)] += 1
    item_half_days: dict[str, set[str]] = defaultdict(set)
    for a in roster:
        item_half_days[a.item_id].add(a.half_day_key)
    out = []
    for item_id in sorted(instance.demand):
        item = instance.demand[item_id]
        missing = item.sessions - covered[item_id]
        if missing <= 0:
            continue
        code, text = _reason(instance, item_id, at, load, away, item_half_days[item_id])
        out.append(UnmetItem(item_id, missing, code, text))
    return out


def _names(instance: Instance, hospital_ids: Iterable[str]) -> str:
    return REASON_TEXTS.hospitals_separator.join(
        instance.hospitals[h].name for h in sorted(hospital_ids)
    )


def _reason(
    instance: Instance,
    item_id: str,
    at: dict[tuple[str, str], str],
    load: Counter[str],
    away: Counter[tuple[str, str, str]],
    own_half_days: set[str],
) -> tuple[str, str]:
    item = instance.demand[item_id]
    site = instance.sites[item.site_id]
    specialty = instance.specialties[item.specialty_id].name
    limit = instance.policy.travel_limit_minutes
    if not item.allowed_hospitals:
        consortium = instance.consortia[site.consortium_id].name
        return NO_HOSPITAL, REASON_TEXTS.no_hospital.format(
            consortium=consortium, specialty=specialty
        )
    hospitals = _names(instance, item.allowed_hospitals)
    pool = [
        d
        for d in instance.doctors.values()
        if d.specialty_id == item.specialty_id and d.hospital_id in item.allowed_hospitals
    ]
    if not pool:
        return NO_SPECIALIST, REASON_TEXTS.no_specialist.format(
            hospitals=hospitals, specialty=specialty
        )
    titled = [d for d in pool if d.title >= item.min_title]
    if not titled:
        return TITLE, REASON_TEXTS.title.format(
            hospitals=hospitals, specialty=specialty, title=item.min_title.zh
        )
    able = [d for d in titled if d.weekly_cap > 0]
    if not able:
        return NO_CAPACITY, REASON_TEXTS.no_capacity.format(
            hospitals=hospitals, specialty=specialty
        )

    def reach(doctor_hospital: str, period: str) -> int:
        return instance.travel.home_minutes(doctor_hospital, item.site_id, period)

    near = [d for d in able if min(reach(d.hospital_id, p) for p in ("AM", "PM")) <= limit]
    if not near:
        nearest = min(reach(d.hospital_id, "PM") for d in able)
        return (
            TRAVEL,
            REASON_TEXTS.travel.format(
                hospitals=hospitals,
                specialty=specialty,
                site=site.name,
                limit=limit,
                nearest=nearest,
            ),
        )
    slots = [
        (d, h)
        for d in near
        for h in instance.half_days
        if h.key not in d.unavailable
        and not instance.is_holiday(h)
        and h.key not in site.closed
        and reach(d.hospital_id, h.period) <= limit
    ]
    if not slots:
        return (
            NOT_FREE,
            REASON_TEXTS.not_free.format(
                hospitals=hospitals, specialty=specialty, limit=limit, doctors=len(near)
            ),
        )
    open_half_days = {h.key for _, h in slots}
    if len(open_half_days) < item.sessions:
        return (
            FEW_HALF_DAYS,
            REASON_TEXTS.few_half_days.format(
                open=len(open_half_days), specialty=specialty, sessions=item.sessions
            ),
        )
    return _blocked(instance, slots, at, load, away, own_half_days, specialty, hospitals)


def _blocked(
    instance: Instance,
    slots: list[tuple[Doctor, HalfDay]],
    at: dict[tuple[str, str], str],
    load: Counter[str],
    away: Counter[tuple[str, str, str]],
    own_half_days: set[str],
    specialty: str,
    hospitals: str,
) -> tuple[str, str]:
    """Why an item with doctors free to serve it stays unmet: what the roster
    already asks of them on those half-days (at their cap, busy elsewhere, home
    staffing, the midday gap), the most frequent first."""
    blocks: Counter[str] = Counter()
    for doctor, half_day in slots:
        if half_day.key in own_half_days:
            continue  # this half-day already serves the item (R8)
        if load[doctor.id] >= doctor.weekly_cap:
            blocks[AT_CAP] += 1
        elif (doctor.id, half_day.key) in at:
            blocks[BUSY] += 1
        elif (
            away[(doctor.hospital_id, doctor.specialty_id, half_day.key)]
            >= instance.away_limit[(doctor.hospital_id, doctor.specialty_id)]
        ):
            blocks[HOME_STAFFING] += 1
        else:
            blocks[MIDDAY] += 1
    doctors_at_cap = sum(
        1 for d in {d.id: d for d, _ in slots}.values() if load[d.id] >= d.weekly_cap
    )
    candidates = len({d.id for d, _ in slots})
    parts = []
    if blocks[AT_CAP]:
        parts.append(
            REASON_TEXTS.at_cap.format(
                at_cap=doctors_at_cap, candidates=candidates, specialty=specialty
            )
        )
    if blocks[BUSY]:
        parts.append(REASON_TEXTS.busy.format(count=blocks[BUSY]))
    if blocks[HOME_STAFFING]:
        parts.append(
            REASON_TEXTS.home_staffing.format(count=blocks[HOME_STAFFING], hospitals=hospitals)
        )
    if blocks[MIDDAY]:
        parts.append(REASON_TEXTS.midday.format(count=blocks[MIDDAY]))
    if not blocks:
        return FEW_HALF_DAYS, REASON_TEXTS.all_used.format(open=len({h.key for _, h in slots}))
    order = [AT_CAP, BUSY, HOME_STAFFING, MIDDAY]
    code = max(order, key=lambda c: (blocks[c], -order.index(c)))
    return code, REASON_TEXTS.separator.join(parts)
