"""Write a solved scenario: the report (JSON, HTML, Excel, charts) and each variant's run.

The scenario directory, written atomically (all or nothing), only over a
directory roster wrote (scheduler/io/output_dir.py)::

    .roster-output        the marker: {"kind": "scenario", ...}
    report.json           the comparison (scheduler.scenarios.run.compare)
    report.html           self-contained: tables and charts
    report.xlsx           the same for planners, Chinese headers
    charts/*.png          coverage by consortium, unmet heatmap, load distribution
    scenario.yaml         the scenario as validated (defaults filled in)
    variants/00/ ...      one run directory per variant (00 = the baseline):
                          instance.json, roster.csv, unmet.csv, demand.csv,
                          kpis.json, report.json — ``roster check`` runs on it
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import yaml

from scheduler.io.output_dir import OutputKind, atomic_directory
from scheduler.io.run_dir import write_run_files
from scheduler.scenarios.comparison import ScenarioReport
from scheduler.scenarios.report import write_scenario_report
from scheduler.scenarios.run import ScenarioRun, compare


def variant_dir(index: int) -> str:
    """The directory name of the index-th solved variant (0 = the baseline)."""
    return f"variants/{index:02d}"


def write_scenario(run: ScenarioRun, out_dir: Path) -> ScenarioReport:
    """Write the scenario directory; returns the report (``report.json`` is its ``to_dict()``).

    Each variant written as a run directory has it as its ``run_dir``.
    """
    compared = compare(run)
    report = replace(
        compared,
        variants=tuple(
            replace(v, run_dir=variant_dir(k) if run.solved[k].result is not None else None)
            for k, v in enumerate(compared.variants)
        ),
    )
    with atomic_directory(Path(out_dir), OutputKind.SCENARIO) as staging:
        (staging / "report.json").write_text(
            json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        (staging / "scenario.yaml").write_text(
            yaml.safe_dump(
                run.scenario.model_dump(mode="json", by_alias=True, exclude_none=True),
                allow_unicode=True,
                sort_keys=False,
            ),
            encoding="utf-8",
        )
        for k, solved in enumerate(run.solved):
            if solved.result is None:
                continue
            (staging / variant_dir(k)).mkdir(parents=True)
            write_run_files(
                staging / variant_dir(k),
                solved.instance,
                solved.demand_rows,
                solved.result,
                {"scenario": run.scenario.name, "variant": solved.name, "notes": solved.notes},
                planner_files=False,
            )
        write_scenario_report(report, staging)
    return report
