"""Executors: the same roster from local processes and from Ray; a dead worker fails cleanly.

The Ray tests start a local Ray instance (``num_cpus=2``) and must run in CI
(Ray is installed by ``make test``); they are skipped only where Ray is not
installed outside CI.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.build import build_instance
from scheduler.domain import Instance
from scheduler.errors import SolveError
from scheduler.io.load import load_dataset
from scheduler.model.params import Deployment, SolverParams
from scheduler.model.solve import solve
from scheduler.scenarios.run import kpi_row, run_scenario
from scheduler.scenarios.spec import parse_scenario
from tests.paths import ROOT

WEEK = "2026-W49"

if not os.environ.get("CI"):
    pytest.importorskip("ray")
import ray  # noqa: E402

pytestmark = pytest.mark.slow  # process pools and a Ray cluster


@pytest.fixture(scope="module")
def instance() -> Instance:
    return build_instance(load_dataset(ROOT / "data"), WEEK)


@pytest.fixture
def local_ray(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[None]:
    """A local Ray instance of 2 CPUs (workers inherit the environment set before it)."""
    fault = getattr(request, "param", None)
    if fault is not None:
        monkeypatch.setenv("ROSTER_FAULT_PART", str(fault))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_ray_and_local_processes_give_the_same_roster(instance: Instance, local_ray: None) -> None:
    local = solve(instance, SolverParams(), deployment=Deployment(processes=2))
    on_ray = solve(instance, SolverParams(), deployment=Deployment("ray", processes=2))
    assert on_ray.assignments == local.assignments
    assert [lv.value for lv in on_ray.levels] == [lv.value for lv in local.levels]
    assert [lv.bound for lv in on_ray.levels] == [lv.bound for lv in local.levels]
    assert on_ray.components == local.components > 1


def test_scenario_variants_on_ray_match_local_processes(local_ray: None) -> None:
    scenario = parse_scenario(
        {
            "name": "ray",
            "base": {"week": WEEK},
            "variants": [
                {
                    "name": "paediatrics",
                    "changes": [{"type": "weekly_cap", "value": 1, "specialty": "PEDI"}],
                },
                {
                    "name": "diabetes",
                    "changes": [{"type": "scale_demand", "specialty": "ENDO", "factor": 1.2}],
                },
            ],
        },
        file="ray.yaml",
    )
    common = {"base_dir": ROOT, "default_data": ROOT / "data"}
    local = run_scenario(scenario, deployment=Deployment(processes=2), **common)  # type: ignore[arg-type]
    on_ray = run_scenario(scenario, deployment=Deployment("ray", processes=2), **common)  # type: ignore[arg-type]
    assert [dataclasses.replace(kpi_row(s), solve_seconds=0.0) for s in on_ray.solved] == [
        dataclasses.replace(kpi_row(s), solve_seconds=0.0) for s in local.solved
    ]
    assert [s.assignments for s in on_ray.solved] == [s.assignments for s in local.solved]


@pytest.mark.parametrize("local_ray", [3], indirect=True)
def test_a_dead_ray_worker_fails_the_solve(instance: Instance, local_ray: None) -> None:
    with pytest.raises(SolveError, match=r"part 3 \(.*\) failed on Ray"):
        solve(instance, SolverParams(), deployment=Deployment("ray", processes=2))


@pytest.mark.parametrize("processes", [2])
def test_a_dead_local_worker_fails_the_solve_and_writes_nothing(
    tmp_path: Path, processes: int
) -> None:
    out = tmp_path / "run"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli",
            "solve",
            "--week",
            WEEK,
            "--processes",
            str(processes),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env={**os.environ, "ROSTER_FAULT_PART": "5"},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if processes == 1:
        # One process: the fault exits the main process itself, abruptly.
        assert done.returncode == 70
    else:
        assert done.returncode == 1, done.stderr
        assert "solve failed" in done.stderr and "part 5 (" in done.stderr
        assert "nothing written" in done.stderr
    assert not out.exists()
    assert not list(tmp_path.glob(".run.*"))  # no staging directory left behind
