"""One pool of spawned workers for several maps (``executors.worker_pool``): the
same workers serve every map, each map's ``setup`` runs, results stay in input
order, and a dead worker fails its map naming its task, the next map starting
a fresh pool."""

from __future__ import annotations

import os

import pytest

from scheduler.errors import SolveError
from scheduler.model.executors import run_tasks, worker_pool
from scheduler.model.params import Deployment

pytestmark = pytest.mark.slow  # spawned worker pools

_READ: object = None


def _set(shared: object) -> None:
    global _READ
    _READ = shared


def _pid_and_shared(task: int) -> tuple[int, int, object]:
    return task, os.getpid(), _READ


def _dies_on_three(task: int) -> int:
    if task == 3:
        os._exit(70)
    return task


def _names(k: int) -> str:
    return f"task {k}"


def test_maps_share_the_pool_and_keep_input_order() -> None:
    two = Deployment(processes=2)
    with worker_pool(two, preload=("json",)):
        first = run_tasks(
            _pid_and_shared, list(range(6)), two, describe=_names, setup=_set, shared="a"
        )
        second = run_tasks(
            _pid_and_shared, list(range(6)), two, describe=_names, setup=_set, shared="b"
        )
    assert [t for t, _, _ in first] == [t for t, _, _ in second] == list(range(6))
    assert {s for _, _, s in first} == {"a"} and {s for _, _, s in second} == {"b"}
    workers = {p for _, p, _ in first} | {p for _, p, _ in second}
    assert os.getpid() not in workers and len(workers) <= 2  # two workers for both maps


def test_a_dead_worker_fails_its_map_and_the_next_map_runs() -> None:
    two = Deployment(processes=2)
    with worker_pool(two):
        with pytest.raises(SolveError, match=r"worker process died .* task 3"):
            run_tasks(_dies_on_three, list(range(6)), two, describe=_names)
        assert run_tasks(_dies_on_three, [0, 1, 2], two, describe=_names) == [0, 1, 2]


def test_without_a_pool_each_map_has_its_own() -> None:
    two = Deployment(processes=2)
    first = run_tasks(_pid_and_shared, [0, 1], two, describe=_names, setup=_set, shared=1)
    assert [(t, s) for t, _, s in first] == [(0, 1), (1, 1)]
