"""The rules' registries agree: the model's ``RULES`` (one module per rule), the
checker's ``CHECKS`` (one function per rule) and the tests here (one module per
rule, ``test_<module>.py`` with its ``RULE`` and micro-instances) name the same
codes. docs/dev/adding-a-rule.md is the checklist this test keeps."""

from __future__ import annotations

import importlib
import pkgutil

import scheduler.model.rules as rules
import tests.model.rules as here
from scheduler.checker import CHECKS
from scheduler.model.rules import RULES


def test_every_rule_of_the_model_has_its_twin_in_the_checker_and_a_test() -> None:
    tested = {
        importlib.import_module(f"{here.__name__}.{m.name}").RULE: m.name
        for m in pkgutil.iter_modules(here.__path__)
        if m.name.startswith("test_") and m.name != "test_registry"
    }
    modelled = {
        importlib.import_module(f"{rules.__name__}.{m.name}").RULE.code: m.name
        for m in pkgutil.iter_modules(rules.__path__)
        if m.name != "base"
    }
    assert set(CHECKS) == {rule.code for rule in RULES} == set(modelled) == set(tested)
    for code, module in modelled.items():  # each test module is named after its rule's
        assert tested[code] == f"test_{module}", code
