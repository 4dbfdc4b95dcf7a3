"""The layering contracts (``[tool.importlinter]`` in pyproject.toml) hold, and each
one breaks when its rule is broken.

``make test`` runs ``lint-imports`` on the tree. Here every contract is also
shown to be able to fail: the packages are copied, one forbidden import is
added to the copy, and ``lint-imports`` must name that contract broken (and
only the copy is touched).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import ROOT

PACKAGES = ("scheduler", "api", "worker", "cli", "datasets")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_tree_keeps_every_contract() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


BREAKAGES = {
    # contract name (as printed) → (file, the import that breaks it)
    "Doors over the engine": ("scheduler/kpis.py", "import worker.supervisor"),
    "Doors over the engine (API and worker independent)": ("api/jobs.py", "import worker.service"),
    "The engine is a library": ("scheduler/week.py", "import typer"),
    "Only scheduler.model imports OR-Tools": ("scheduler/reasons.py", "import ortools"),
    "Only scheduler.io imports pandas": ("scheduler/kpis.py", "import pandas"),
    "The checker is independent of the model": (
        "scheduler/checker.py",
        "import scheduler.model.levels",
    ),
    "scheduler.model flows one way": (
        "scheduler/model/variables.py",
        "import scheduler.model.solve",
    ),
}


@pytest.mark.parametrize("contract", sorted(BREAKAGES))
def test_each_contract_fails_when_broken(contract: str, tmp_path: Path) -> None:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    file, statement = BREAKAGES[contract]
    module = tmp_path / file
    module.write_text(module.read_text(encoding="utf-8") + f"\n{statement}  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode == 1, result.stdout[-3000:]
    name = contract.split(" (")[0]
    broken = [line for line in result.stdout.splitlines() if "BROKEN" in line]
    assert any(line.startswith(name) for line in broken), result.stdout[-3000:]
    assert "1 broken" in result.stdout


def test_no_function_over_80_lines_outside_the_data_generator(tmp_path: Path) -> None:
    """``benchmarks/long_functions.py`` passes on the tree and fails on a copy with
    one function made 81 lines long."""
    script = ROOT / "benchmarks" / "long_functions.py"
    assert subprocess.run([sys.executable, str(script)], capture_output=True).returncode == 0
    copy = tmp_path / "copy"
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    (copy / "benchmarks").mkdir()
    shutil.copy(script, copy / "benchmarks")
    body = "".join(f"    x{i} = {i}\n" for i in range(80))
    (copy / "scheduler" / "long.py").write_text(f"def too_long() -> None:\n{body}")
    found = subprocess.run(
        [sys.executable, str(copy / "benchmarks" / "long_functions.py")],
        capture_output=True,
        text=True,
    )
    assert found.returncode == 1 and "scheduler/long.py:1 too_long" in found.stdout
