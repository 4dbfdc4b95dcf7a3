"""Split an instance into independent parts, computed from the data.

Two doctors or demand items belong to the same part when a chain of candidate
assignments links them. Home staffing (R6) and midday travel (R7) only link
doctors of one pool or one doctor, so they add nothing. Parts share no
variable and no constraint.

Fairness (L3) takes the largest load over each specialty's pool, which links
every doctor of a specialty. With R2 on, every part holds one specialty only
(a doctor serves only items of that specialty), and a pool split over several
parts is solved in at most two passes (``scheduler.model.solve``): each part
through every level with its own largest load ``m`` held; the pool's optimum
is ``M = max m``; then each part whose doctors could work more under ``M``,
with every level before L3 held and every load capped at ``M``, through the
levels after L3. Such parts carry their ``pool``. Without R2 (rule
tests) a pool is never split: a doctor is then also linked to its pool.
Either way every level is a sum over parts (L3 a sum over pools of a maximum
over the pool's parts), so the parts' lexicographic optima give the
lexicographic optimum of the whole.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from scheduler.domain import Instance, Travel, Triple


@dataclass(frozen=True, slots=True)
class Part:
    """One independent part: its doctors, demand items and candidate triples."""

    doctor_ids: tuple[str, ...]
    item_ids: tuple[str, ...]
    triples: tuple[Triple, ...]
    pool: str | None = None  # the specialty, when its pool is split over several parts

    @property
    def name(self) -> str:
        """A short readable description: its size."""
        return f"{len(self.doctor_ids)} doctors, {len(self.item_ids)} items"


def part_instance(instance: Instance, part: Part) -> Instance:
    """The instance cut down to one part: its doctors, items, their sites, travel
    minutes, home-staffing limits, last-week pairs and, in a repair, the
    reference and pinned assignments of its items (what a worker needs; a
    city's whole instance is far larger). Solving the part on it gives the same
    roster as on the whole instance: the model reads nothing else, and sorts
    what it iterates."""
    doctors = {d: instance.doctors[d] for d in part.doctor_ids}
    demand = {i: instance.demand[i] for i in part.item_ids}
    site_ids = sorted({item.site_id for item in demand.values()})
    hospital_ids = sorted({d.hospital_id for d in doctors.values()})
    travel = Travel(
        home={
            (h, s, p): instance.travel.home[(h, s, p)]
            for h in hospital_ids
            for s in site_ids
            for p in ("AM", "PM")
            if (h, s, p) in instance.travel.home
        },
        between={
            (a, b): minutes
            for a in site_ids
            for b in site_ids
            if a < b and (minutes := instance.travel.between.get((a, b))) is not None
        },
    )
    pools = {(d.hospital_id, d.specialty_id) for d in doctors.values()}
    return dataclasses.replace(
        instance,
        sites={s: instance.sites[s] for s in site_ids},
        doctors=doctors,
        demand=demand,
        travel=travel,
        away_limit={pool: limit for pool, limit in instance.away_limit.items() if pool in pools},
        previous=frozenset((d, i) for d, i in instance.previous if d in doctors and i in demand),
        reference=frozenset(t for t in instance.reference if t[1] in demand),
        pinned=frozenset(t for t in instance.pinned if t[1] in demand),
    )


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, node: str) -> str:
        parent = self.parent.setdefault(node, node)
        while parent != node:
            grand = self.parent[parent]
            self.parent[node] = grand
            node, parent = parent, grand
        return node

    def union(self, a: str, b: str) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            if root_b < root_a:
                root_a, root_b = root_b, root_a
            self.parent[root_b] = root_a


def decompose(
    instance: Instance, triples: list[Triple], *, split_pools: bool = True
) -> tuple[list[Part], list[str]]:
    """Parts with at least one candidate, ordered by their first item id; and the
    ids of items no doctor can serve at all (they are wholly unmet).

    ``split_pools`` may be true only when every candidate pairs a doctor with an
    item of the doctor's own specialty (R2 on)."""
    uf = _UnionFind()
    pairs = dict.fromkeys((d, i) for d, i, _ in triples)  # links are per pair, not per half-day
    for doctor_id, item_id in pairs:
        uf.union(f"d:{doctor_id}", f"i:{item_id}")
        if not split_pools:
            uf.union(f"d:{doctor_id}", f"p:{instance.doctors[doctor_id].specialty_id}")
    roots = {item_id: uf.find(f"i:{item_id}") for _, item_id in pairs}
    doctors: dict[str, set[str]] = {}
    items: dict[str, set[str]] = {}
    part_triples: dict[str, list[Triple]] = {}
    for triple in triples:
        root = roots[triple[1]]
        doctors.setdefault(root, set()).add(triple[0])
        items.setdefault(root, set()).add(triple[1])
        part_triples.setdefault(root, []).append(triple)
    parts = [
        Part(tuple(sorted(doctors[root])), tuple(sorted(items[root])), tuple(part_triples[root]))
        for root in part_triples
    ]
    if split_pools:
        pools: dict[str, int] = {}
        for part in parts:
            specialties = {instance.doctors[d].specialty_id for d in part.doctor_ids}
            assert len(specialties) == 1, "split_pools needs R2: one specialty per part"
            (specialty,) = specialties
            pools[specialty] = pools.get(specialty, 0) + 1
        parts = [
            Part(
                p.doctor_ids,
                p.item_ids,
                p.triples,
                instance.doctors[p.doctor_ids[0]].specialty_id
                if pools[instance.doctors[p.doctor_ids[0]].specialty_id] > 1
                else None,
            )
            for p in parts
        ]
    parts.sort(key=lambda p: p.item_ids[0])
    served = {t[1] for t in triples}
    orphans = sorted(i for i in instance.demand if i not in served)
    return parts, orphans
