"""Split an instance into independent parts, computed from the data.

Two doctors or demand items belong to the same part when a chain of candidate
assignments links them, or when two doctors share a fairness pool (L3 takes the
largest load over each specialty's pool, so a pool must not be split). Home
staffing (R6) and midday travel (R7) only link doctors of one pool or one
doctor, so they add nothing. Parts share no variable and no constraint, and
every objective level is a sum over parts, so solving each part
lexicographically gives the lexicographic optimum of the whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.domain import Instance
from scheduler.model.variables import Triple


@dataclass(frozen=True, slots=True)
class Part:
    """One independent part: its doctors, demand items and candidate triples."""

    doctor_ids: tuple[str, ...]
    item_ids: tuple[str, ...]
    triples: tuple[Triple, ...]

    @property
    def name(self) -> str:
        """A short readable description: its size."""
        return f"{len(self.doctor_ids)} doctors, {len(self.item_ids)} items"


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


def decompose(instance: Instance, triples: list[Triple]) -> tuple[list[Part], list[str]]:
    """Parts with at least one candidate, ordered by their first item id; and the
    ids of items no doctor can serve at all (they are wholly unmet)."""
    uf = _UnionFind()
    pairs = dict.fromkeys((d, i) for d, i, _ in triples)  # links are per pair, not per half-day
    for doctor_id, item_id in pairs:
        uf.union(f"d:{doctor_id}", f"i:{item_id}")
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
    parts.sort(key=lambda p: p.item_ids[0])
    served = {t[1] for t in triples}
    orphans = sorted(i for i in instance.demand if i not in served)
    return parts, orphans
