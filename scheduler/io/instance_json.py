"""``instance.json``: the normalised instance a run's model saw.

Documented in docs/instance-format.md. It holds everything needed to re-solve
or re-check the week elsewhere: half-days, holidays, policy, hospitals,
specialties, consortia, sites (with closed half-days), doctors (with resolved
unavailable half-days), demand items (with allowed hospitals), travel minutes
(home → site per period, and site ↔ site at midday), home-staffing limits and
last week's (doctor, item) pairs.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from scheduler.domain import (
    Consortium,
    DemandItem,
    DemandKind,
    Doctor,
    HalfDay,
    Hospital,
    Instance,
    Level,
    Policy,
    Site,
    Specialty,
    Title,
    Travel,
)
from scheduler.errors import InputError

FORMAT = "consortium-roster/instance"
VERSION = 1


def instance_to_dict(instance: Instance) -> dict[str, Any]:
    """Plain-JSON form, with sorted keys and lists for stable bytes."""
    repair: dict[str, Any] = {
        # Only in a repair's instance (scheduler.repair): other documents keep their bytes.
        name: [list(t) for t in sorted(triples)]
        for name, triples in (("reference", instance.reference), ("pinned", instance.pinned))
        if triples
    }
    if instance.frozen:
        repair["frozen"] = sorted(instance.frozen)
    return {
        "format": FORMAT,
        "version": VERSION,
        "week": instance.week,
        "policy": {
            "travel_limit_minutes": instance.policy.travel_limit_minutes,
            "midday_gap_minutes": instance.policy.midday_gap_minutes,
            "level_order": [lv.value for lv in instance.policy.level_order],
        },
        "half_days": [{"date": h.date.isoformat(), "period": h.period} for h in instance.half_days],
        "holidays": dict(sorted(instance.holidays.items())),
        "hospitals": [
            {"id": h.id, "name": h.name, "name_en": h.name_en, "max_away_share": h.max_away_share}
            for h in instance.hospitals.values()
        ],
        "specialties": [
            {"id": s.id, "name": s.name, "name_en": s.name_en}
            for s in instance.specialties.values()
        ],
        "consortia": [
            {"id": c.id, "name": c.name, "name_en": c.name_en} for c in instance.consortia.values()
        ],
        "sites": [
            {
                "id": s.id,
                "name": s.name,
                "kind": s.kind,
                "consortium_id": s.consortium_id,
                "side": s.side,
                "closed": sorted(s.closed),
            }
            for s in instance.sites.values()
        ],
        "doctors": [
            {
                "id": d.id,
                "name": d.name,
                "hospital_id": d.hospital_id,
                "specialty_id": d.specialty_id,
                "title": d.title.code,
                "weekly_cap": d.weekly_cap,
                "unavailable": sorted(d.unavailable),
                "preferred_weekdays": sorted(d.preferred_weekdays),
            }
            for d in instance.doctors.values()
        ],
        "demand": [
            {
                "id": i.id,
                "kind": i.kind.value,
                "name": i.name,
                "site_id": i.site_id,
                "specialty_id": i.specialty_id,
                "allowed_hospitals": sorted(i.allowed_hospitals),
                "sessions": i.sessions,
                "min_title": i.min_title.code,
                "priority": i.priority,
                "team_id": i.team_id,
            }
            for i in instance.demand.values()
        ],
        "travel": {
            "home": [[h, s, p, m] for (h, s, p), m in sorted(instance.travel.home.items())],
            "between": [[a, b, m] for (a, b), m in sorted(instance.travel.between.items())],
        },
        "away_limit": [[h, s, n] for (h, s), n in sorted(instance.away_limit.items())],
        "previous": [list(pair) for pair in sorted(instance.previous)],
        **repair,
    }


def instance_from_dict(raw: dict[str, Any], *, file: str = "instance.json") -> Instance:
    """Rebuild an :class:`Instance`; a malformed document names the failing field."""
    if raw.get("format") != FORMAT or raw.get("version") != VERSION:
        raise InputError(f"not a {FORMAT} v{VERSION} document", file=file, column="format")
    try:
        policy = Policy(
            travel_limit_minutes=int(raw["policy"]["travel_limit_minutes"]),
            midday_gap_minutes=int(raw["policy"]["midday_gap_minutes"]),
            level_order=tuple(Level(v) for v in raw["policy"]["level_order"]),
        )
        travel = Travel(
            home={(h, s, p): int(m) for h, s, p, m in raw["travel"]["home"]},
            between={(a, b): int(m) for a, b, m in raw["travel"]["between"]},
        )
        return Instance(
            week=raw["week"],
            policy=policy,
            half_days=tuple(
                HalfDay(dt.date.fromisoformat(h["date"]), h["period"]) for h in raw["half_days"]
            ),
            holidays=dict(raw["holidays"]),
            hospitals={
                h["id"]: Hospital(h["id"], h["name"], h["name_en"], float(h["max_away_share"]))
                for h in raw["hospitals"]
            },
            specialties={
                s["id"]: Specialty(s["id"], s["name"], s["name_en"]) for s in raw["specialties"]
            },
            consortia={
                c["id"]: Consortium(c["id"], c["name"], c["name_en"]) for c in raw["consortia"]
            },
            sites={
                s["id"]: Site(
                    s["id"],
                    s["name"],
                    s["kind"],
                    s["consortium_id"],
                    s["side"],
                    frozenset(s["closed"]),
                )
                for s in raw["sites"]
            },
            doctors={
                d["id"]: Doctor(
                    id=d["id"],
                    name=d["name"],
                    hospital_id=d["hospital_id"],
                    specialty_id=d["specialty_id"],
                    title=Title.parse(d["title"]),
                    weekly_cap=int(d["weekly_cap"]),
                    unavailable=frozenset(d["unavailable"]),
                    preferred_weekdays=frozenset(d["preferred_weekdays"]),
                )
                for d in raw["doctors"]
            },
            demand={
                i["id"]: DemandItem(
                    id=i["id"],
                    kind=DemandKind(i["kind"]),
                    name=i["name"],
                    site_id=i["site_id"],
                    specialty_id=i["specialty_id"],
                    allowed_hospitals=frozenset(i["allowed_hospitals"]),
                    sessions=int(i["sessions"]),
                    min_title=Title.parse(i["min_title"]),
                    priority=int(i["priority"]),
                    team_id=i.get("team_id"),
                )
                for i in raw["demand"]
            },
            travel=travel,
            away_limit={(h, s): int(n) for h, s, n in raw["away_limit"]},
            previous=frozenset((d, i) for d, i in raw["previous"]),
            reference=frozenset((d, i, h) for d, i, h in raw.get("reference", ())),
            pinned=frozenset((d, i, h) for d, i, h in raw.get("pinned", ())),
            frozen=frozenset(raw.get("frozen", ())),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"malformed instance document ({exc!r})", file=file) from None


def instance_text(instance: Instance) -> str:
    """``instance.json``'s text (Chinese kept readable)."""
    return json.dumps(instance_to_dict(instance), ensure_ascii=False, indent=1) + "\n"


def write_instance(instance: Instance, path: Path) -> None:
    """Write ``instance.json`` (UTF-8, Chinese kept readable)."""
    path.write_text(instance_text(instance), encoding="utf-8")


def read_instance(path: Path) -> Instance:
    """Read ``instance.json``."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("file is missing", file=str(path)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid JSON ({exc})", file=Path(path).name) from None
    return instance_from_dict(raw, file=Path(path).name)
