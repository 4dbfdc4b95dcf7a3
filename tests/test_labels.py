"""Every label lives in scheduler/labels.py, and its keys agree with the registries.

A Chinese string literal anywhere else in the engine or its doors is a label
that escaped: the scan below finds it. Docstrings (and attribute docstrings, the
bare strings after an assignment) are documentation, not output, and are exempt;
comments are not in the syntax tree. The data generator (``datasets/``, names
for synthetic data), the templates and the tests are outside the scan.
"""

from __future__ import annotations

import ast
import re

import pytest

from scheduler import labels, reasons
from scheduler.domain import PERIODS, WEEKDAYS, DemandKind, Level, Title
from scheduler.repair.diff import KINDS
from scheduler.result import SolveStatus
from tests.paths import ROOT

SCANNED = ("scheduler", "api", "cli", "worker")
LABELS = ROOT / "scheduler" / "labels.py"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
"""Chinese characters (CJK unified ideographs, extension A, compatibility)."""


def chinese_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of each string constant with Chinese in it, docstrings excepted."""
    tree = ast.parse(source)
    documentation = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in documentation
        and HAN.search(node.value)
    ]


def test_the_scan_finds_a_label_outside_labels_py() -> None:
    source = '''
"""Module docstring: 概览 is documentation."""
SHEET = "概览"  # a comment: 概览


def f(week: str) -> str:
    """Function docstring: 周次."""
    return f"外派坐诊排班 {week}"
'''
    assert chinese_literals(source) == [(3, "概览"), (8, "外派坐诊排班 ")]


def test_no_chinese_string_literal_outside_labels() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for package in SCANNED
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != LABELS
        for line, text in chinese_literals(path.read_text(encoding="utf-8"))
    ]
    assert not found, "labels outside scheduler/labels.py:\n" + "\n".join(found)


def test_labels_imports_nothing_of_the_project() -> None:
    """Everything that shows a label reads labels.py, so it sits below all of them."""
    tree = ast.parse(LABELS.read_text(encoding="utf-8"))
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__", "dataclasses"}


@pytest.mark.parametrize(
    ("names", "codes"),
    [
        (labels.LEVEL_NAMES, {level.value for level in Level}),
        (labels.SOLVE_STATUS_ZH, {status.value for status in SolveStatus}),
        (labels.TITLE_ZH, {title.code for title in Title}),
        (labels.DEMAND_KIND_ZH, {kind.value for kind in DemandKind}),
        (labels.WEEKDAY_ZH, set(WEEKDAYS)),
        (labels.PERIOD_ZH, set(PERIODS)),
        (labels.CHANGE_KIND_ZH, set(KINDS)),
        (
            labels.REASON_NAMES_ZH,
            {v for k, v in vars(reasons).items() if k.isupper() and isinstance(v, str)},
        ),
    ],
    ids=["levels", "statuses", "titles", "kinds", "weekdays", "periods", "changes", "reasons"],
)
def test_names_cover_exactly_the_registry_codes(names: dict[str, object], codes: set[str]) -> None:
    assert set(names) == codes


def test_every_console_word_has_every_language() -> None:
    for key, words in labels.CONSOLE_WORDS.items():
        assert set(words) == set(labels.CONSOLE_LANGUAGES), key
        assert all(words.values()), key


def test_the_console_data_words_add_words_and_replace_none() -> None:
    """CONSOLE_DATA_WORDS is merged into CONSOLE_WORDS: a key of both would silently
    change a word of another page."""
    tree = ast.parse(LABELS.read_text(encoding="utf-8"))
    first = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == "CONSOLE_WORDS"
    )
    assert isinstance(first, ast.Dict)
    written = {key.value for key in first.keys if isinstance(key, ast.Constant)}
    assert written and not written & set(labels.CONSOLE_DATA_WORDS)
    assert set(labels.CONSOLE_DATA_WORDS) <= set(labels.CONSOLE_WORDS)
