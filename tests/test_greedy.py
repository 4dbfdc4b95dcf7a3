"""The greedy planner never breaks a rule, and it leaves more unmet than the optimiser may."""

from __future__ import annotations

from scheduler.build import build_instance
from scheduler.checker import check_roster
from scheduler.greedy import greedy_roster
from scheduler.io.load import load_dataset
from scheduler.model.candidates import candidate_triples
from scheduler.model.rules import ALL_RULES
from tests.micro import doctor, item, micro
from tests.paths import DATA


def test_greedy_roster_on_default_data_breaks_no_rule() -> None:
    instance = build_instance(load_dataset(DATA), "2026-W49")
    roster = greedy_roster(instance, candidate_triples(instance, ALL_RULES))
    report = check_roster(instance, roster)
    assert report.ok, report.violations[:5]
    assert len(roster) > 0.8 * sum(i.sessions for i in instance.demand.values())


def test_greedy_fills_higher_priority_first() -> None:
    instance = micro(
        [doctor("A", cap=1)],
        [item("i1", priority=1), item("i2", priority=4)],
        open_half_days=("MON_AM",),
    )
    roster = greedy_roster(instance, candidate_triples(instance, ALL_RULES))
    assert [a.item_id for a in roster] == ["i2"]
