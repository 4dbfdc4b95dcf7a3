"""Fingerprints of the rosters the product makes: proof that a refactor changed nothing.

    python benchmarks/fingerprints.py [--json]

Runs, each in a temporary directory and through the ``roster`` command line
as a user would:

1. ``roster solve --week 2026-W49`` on the default data set;
2. ``roster generate --districts 4`` then ``roster solve`` on that city;
3. ``roster scenario run scenarios/xinqiao-cardiology-loss.yaml`` (every
   variant's roster);
4. ``roster db import`` + ``roster publish`` of run 1, then ``roster repair
   --absent H01-CARD-05 --from 2026-12-01`` on a SQLite database.

and prints the SHA-256 of every ``roster.csv``, ``unmet.csv`` and
``instance.json`` (and of the city's data files). Run it before and after a
change that must not change behaviour; the two outputs must be equal. Not a
test: a city solve takes a minute.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEEK = "2026-W49"
FILES = ("roster.csv", "unmet.csv", "instance.json")


def roster(*args: str, cwd: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=cwd,
        check=True,
        stdout=subprocess.DEVNULL,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def of_run(run: Path) -> dict[str, str]:
    return {name: digest(run / name) for name in FILES}


def fingerprints(tmp: Path) -> dict[str, dict[str, str]]:
    data = ROOT / "data"
    out: dict[str, dict[str, str]] = {}
    roster("solve", "--week", WEEK, "--data", str(data), "--out", str(tmp / "w49"), cwd=tmp)
    out["default week"] = of_run(tmp / "w49")
    roster("generate", "--districts", "4", "--out", str(tmp / "city4"), cwd=tmp)
    out["city (4 districts) data"] = {
        p.name: digest(p) for p in sorted((tmp / "city4").glob("*.csv"))
    }
    roster("solve", "--week", WEEK, "--data", str(tmp / "city4"), "--out", str(tmp / "c4"), cwd=tmp)
    out["city (4 districts)"] = of_run(tmp / "c4")
    scenario = ROOT / "scenarios" / "xinqiao-cardiology-loss.yaml"
    roster("scenario", "run", str(scenario), "--data", str(data), "--out", str(tmp / "s"), cwd=tmp)
    for variant in sorted(p for p in (tmp / "s").rglob("roster.csv")):
        out[f"scenario {variant.parent.relative_to(tmp / 's')}"] = of_run(variant.parent)
    database = f"sqlite:///{tmp / 'roster.db'}"
    command = ["db", "import", str(tmp / "w49"), "--database", database]
    run_id = subprocess.run(
        [sys.executable, "-m", "cli", *command],
        cwd=tmp,
        check=True,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    ).stdout.split()[-1]
    roster("publish", run_id, "--database", database, cwd=tmp)
    roster(
        "repair", "--week", WEEK, "--absent", "H01-CARD-05", "--from", "2026-12-01",
        "--database", database, "--out", str(tmp / "r"), cwd=tmp,
    )  # fmt: skip
    out["repair H01-CARD-05 from 2026-12-01"] = of_run(tmp / "r")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        found = fingerprints(Path(name))
    if options.json:
        print(json.dumps(found, indent=2, sort_keys=True))
        return
    for what, files in found.items():
        for file, value in files.items():
            print(f"{value}  {what}: {file}")


if __name__ == "__main__":
    main()
