"""Functions longer than a limit (default 80 lines) in the product's packages.

    python benchmarks/long_functions.py [--limit 80] [--top 15]

An AST walk over scheduler/, api/, cli/, worker/ and datasets/ (the data
generator, datasets/, is listed but exempt from the limit); prints the
longest functions and exits 1 when one outside datasets/ is over the limit.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("scheduler", "api", "cli", "worker", "datasets")
EXEMPT = ("datasets",)


def functions(root: Path) -> list[tuple[int, str]]:
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = (node.end_lineno or node.lineno) - node.lineno + 1
                    found.append((length, f"{path.relative_to(root)}:{node.lineno} {node.name}"))
    return sorted(found, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=80)
    parser.add_argument("--top", type=int, default=15)
    options = parser.parse_args()
    found = functions(ROOT)
    for length, where in found[: options.top]:
        print(f"{length:5d}  {where}")
    over = [w for n, w in found if n > options.limit and not w.startswith(EXEMPT)]
    print(f"over {options.limit} lines outside {', '.join(EXEMPT)}: {len(over)}")
    sys.exit(1 if over else 0)


if __name__ == "__main__":
    main()
