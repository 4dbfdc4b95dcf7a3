"""Reuse solved parts between instances that share them (scenarios, sweeps).

A part's model is a function of the part's content only: its candidate
triples in order and its own instance (``decompose.part_instance``: its
doctors and demand items, the sites, travel minutes, home-staffing limits and
last-week pairs they touch, the policy, the week's half-days, a repair's
reference and pins), and the solver settings. :func:`part_fingerprint` hashes
that — every field of the part's instance but an explicit deny-list of fields
the model never reads, so a field added to ``Instance`` later is hashed
without anyone having to remember it — in a canonical form (sets sorted, so
the hash is the same in every process). Two parts with the same fingerprint
build the same CP-SAT model and get the same solve, so a variant may take the
baseline's outcome for every part a change did not touch.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import MutableMapping, Sequence
from enum import Enum
from typing import Any

from scheduler.domain import Assignment, Instance
from scheduler.model.decompose import Part, part_instance
from scheduler.model.outcomes import PartOutcome
from scheduler.model.params import SolverParams
from scheduler.model.rules import ALL_RULES

PartCache = MutableMapping[str, "PartOutcome"]

NOT_READ_BY_THE_MODEL = frozenset({"week", "hospitals", "specialties", "consortia"})
"""``Instance`` fields a part's model never reads: the week's name (its dates are
in ``half_days``) and reference tables whose part in the model is already in
``away_limit`` and ``travel``. Hashing them would only stop reuse (a change to
one hospital would change every part's hash). Every other field is hashed."""


def _canon(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            tuple((f.name, _canon(getattr(value, f.name))) for f in dataclasses.fields(value)),
        )
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return tuple(sorted((_canon(v) for v in value), key=repr))
    if isinstance(value, dict):
        return tuple(sorted(((_canon(k), _canon(v)) for k, v in value.items()), key=repr))
    if isinstance(value, (list, tuple)):
        return tuple(_canon(v) for v in value)
    return value


def part_fingerprint(
    instance: Instance,
    part: Part,
    params: SolverParams,
    *,
    rules: frozenset[str] = ALL_RULES,
    hint: Sequence[Assignment] = (),
) -> str:
    """A hash of everything the part's model and solve depend on: its candidate
    triples, its own instance (``part_instance``, what a worker receives), the
    solver settings, the rules and the warm start (``solve``'s ``rules`` and
    ``hint``). Not where it runs (``Deployment``): that never changes a solve."""
    own = part_instance(instance, part)
    read = {
        f.name: getattr(own, f.name)
        for f in dataclasses.fields(own)
        if f.name not in NOT_READ_BY_THE_MODEL
    }
    settings = {**params.as_dict(), "rules": sorted(rules)}
    content = (part.triples, read, settings, tuple(hint))
    return hashlib.sha256(repr(_canon(content)).encode()).hexdigest()
