"""The hard rules R1–R8 of SPEC §6, one module each, applied in a written-down order.

A rule can do two things, both through the same small interface:

* ``admits(instance, doctor, item, half_day)`` — a filter: an assignment
  variable is created only for (doctor, demand item, half-day) triples every
  enabled filter admits (R2, R3, R4, the home-trip part of R7);
* ``constrain(variables)`` — constraints over the variables (R1, R5, R6, the
  midday part of R7, R8).

P1 (pinned assignments, frozen half-days) holds only in a repair; an ordinary
instance pins nothing, so it admits everything and adds no constraint.

``RULES`` lists them in the order the builder applies them. Tests may build a
model with a rule left out to show that its test then fails.
"""

from __future__ import annotations

from scheduler.model.rules.base import Rule
from scheduler.model.rules.p1_pinned import RULE as P1
from scheduler.model.rules.r1_one_place import RULE as R1
from scheduler.model.rules.r2_specialty import RULE as R2
from scheduler.model.rules.r3_title import RULE as R3
from scheduler.model.rules.r4_availability import RULE as R4
from scheduler.model.rules.r5_weekly_cap import RULE as R5
from scheduler.model.rules.r6_home_staffing import RULE as R6
from scheduler.model.rules.r7_travel import RULE as R7
from scheduler.model.rules.r8_coverage import RULE as R8

RULES: tuple[Rule, ...] = (R2, R3, R4, R7, R1, R5, R6, R8, P1)
ALL_RULES: frozenset[str] = frozenset(rule.code for rule in RULES)

__all__ = ["ALL_RULES", "RULES", "Rule"]
