"""Where the parts of a solve run: in this process, local worker processes, or Ray.

* ``local`` (default): one part after another when one process is asked for,
  otherwise a pool of worker processes (``processes``, all cores by default),
  largest parts first;
* ``ray``: one Ray task per part (``pip install -e .[ray]``), on the cluster at
  ``ray_address``, or on a local Ray instance started on the spot. Every node
  needs this package installed at the same version.

Each task carries its part's own instance (``decompose.part_instance``), not
the whole week's: a city's instance is large, a part's small.

A part's solve depends only on the part and the solver settings, so the roster
is the same whichever executor ran it (tested). A part that fails (a worker
process killed, out of memory, an exception) fails the whole solve with a
:class:`~scheduler.errors.SolveError` naming the part; the caller writes
nothing. ``ROSTER_FAULT_PART=<index>`` in the environment makes the worker
solving that part exit abruptly (fault-injection for tests).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.managers import SyncManager
from typing import Any

from scheduler.domain import Instance
from scheduler.errors import SolveError
from scheduler.model.decompose import Part, part_instance
from scheduler.model.outcomes import LevelOutcome, PartOutcome, Stage
from scheduler.model.params import SolverParams
from scheduler.model.search import solve_part
from scheduler.processes import die_with_parent

log = logging.getLogger(__name__)

EXECUTORS: tuple[str, ...] = ("local", "ray")
LevelFn = Callable[[int, LevelOutcome], None]  # (part index, level outcome)
PartFn = Callable[[PartOutcome], None]


def _fault(index: int) -> None:
    if os.environ.get("ROSTER_FAULT_PART") == str(index):
        log.error("ROSTER_FAULT_PART=%d: this worker exits now", index)
        os._exit(70)


def run_parts(
    instance: Instance,
    parts: Sequence[Part],
    todo: Sequence[int],
    params: SolverParams,
    *,
    stages: Mapping[int, Stage] | None = None,
    on_level: LevelFn | None = None,
    on_part: PartFn,
) -> None:
    """Solve ``parts[k]`` for every k in ``todo`` (the levels of ``stages[k]``, or
    all); ``on_part`` gets each outcome."""
    if not todo:
        return
    stages = stages or {}
    if params.executor == "ray":
        _run_ray(instance, parts, todo, params, stages, on_part)
        return
    if params.executor != "local":
        raise SolveError(f"unknown executor {params.executor!r} (one of {', '.join(EXECUTORS)})")
    processes = max(1, min(params.processes or (os.cpu_count() or 1), len(todo)))
    if processes == 1:
        _run_here(instance, parts, todo, params, stages, on_level, on_part)
    else:
        _run_pool(instance, parts, todo, params, stages, processes, on_level, on_part)


def _describe(parts: Sequence[Part], indices: Sequence[int]) -> str:
    return ", ".join(f"part {k} ({parts[k].name})" for k in sorted(indices))


def _run_here(
    instance: Instance,
    parts: Sequence[Part],
    todo: Sequence[int],
    params: SolverParams,
    stages: Mapping[int, Stage],
    on_level: LevelFn | None,
    on_part: PartFn,
) -> None:
    for index in todo:

        def report(outcome: LevelOutcome, index: int = index) -> None:
            if on_level:
                on_level(index, outcome)

        _fault(index)
        part = parts[index]
        on_part(
            solve_part(
                part_instance(instance, part), part, index, params, report, stages.get(index)
            )
        )


_WORKER_EVENTS: Any = None  # a multiprocessing queue of (part index, LevelOutcome)
_WORKER_RUNNING: Any = None  # a shared dict: worker pid -> the part it is solving


def _init_worker(events: Any, running: Any, parent_pid: int) -> None:
    global _WORKER_EVENTS, _WORKER_RUNNING
    die_with_parent(parent_pid)  # a killed solve leaves no part worker running
    _WORKER_EVENTS, _WORKER_RUNNING = events, running


def _solve_in_worker(
    instance: Instance, part: Part, index: int, params: SolverParams, stage: Stage | None
) -> PartOutcome:
    """In a worker process: ``instance`` is the part's own (``part_instance``)."""
    _WORKER_RUNNING[os.getpid()] = index
    _fault(index)

    def report(outcome: LevelOutcome) -> None:
        if _WORKER_EVENTS is not None:
            _WORKER_EVENTS.put((index, outcome))

    outcome = solve_part(instance, part, index, params, report, stage)
    _WORKER_RUNNING.pop(os.getpid(), None)
    return outcome


def _run_pool(
    instance: Instance,
    parts: Sequence[Part],
    todo: Sequence[int],
    params: SolverParams,
    stages: Mapping[int, Stage],
    processes: int,
    on_level: LevelFn | None,
    on_part: PartFn,
) -> None:
    # Largest parts first so the pool stays busy.
    order = sorted(todo, key=lambda k: -len(parts[k].triples))
    with _manager() as manager:
        events = manager.Queue() if on_level else None
        running = manager.dict()
        # Spawned, not forked: a worker needs only its parts' own instances, and a
        # forked copy of a city-sized main process would count its memory again.
        with ProcessPoolExecutor(
            max_workers=processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(events, running, os.getpid()),
        ) as pool:
            futures = {
                pool.submit(
                    _solve_in_worker,
                    part_instance(instance, parts[k]),
                    parts[k],
                    k,
                    params,
                    stages.get(k),
                ): k
                for k in order
            }
            pending = set(futures)
            while pending:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                while events is not None and not events.empty():
                    index, level = events.get()
                    assert on_level is not None
                    on_level(index, level)
                for future in sorted(done, key=lambda f: futures[f]):
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        lost = sorted(set(running.values()))
                        raise SolveError(
                            "a worker process died (killed, or out of memory) while solving "
                            f"{_describe(parts, lost) or 'a part'}; nothing written"
                        ) from None
                    except Exception as exc:
                        for other in pending:
                            other.cancel()
                        raise SolveError(
                            f"{_describe(parts, [futures[future]])} failed: "
                            f"{type(exc).__name__}: {exc}; nothing written"
                        ) from exc
                    on_part(outcome)


def _manager() -> SyncManager:
    """A started manager process (progress queue, running parts) that dies with us."""
    manager = SyncManager(ctx=multiprocessing.get_context("spawn"))
    manager.start(initializer=die_with_parent, initargs=(os.getpid(),))
    return manager


def ensure_ray(params: SolverParams) -> Any:
    """The ``ray`` module, connected to ``params.ray_address`` (or a local Ray
    instance of ``params.processes`` CPUs) unless already connected."""
    try:
        import ray
        import ray.exceptions
    except ImportError:
        raise SolveError("the ray executor needs Ray: pip install -e '.[ray]'") from None
    if not ray.is_initialized():
        ray.init(
            address=params.ray_address,
            num_cpus=None if params.ray_address else (params.processes or os.cpu_count()),
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.WARNING,
        )
    return ray


def _run_ray(
    instance: Instance,
    parts: Sequence[Part],
    todo: Sequence[int],
    params: SolverParams,
    stages: Mapping[int, Stage],
    on_part: PartFn,
) -> None:
    ray = ensure_ray(params)
    remote = ray.remote(max_retries=0, num_cpus=params.workers)(_solve_on_ray)
    order = sorted(todo, key=lambda k: -len(parts[k].triples))
    refs = {
        remote.remote(part_instance(instance, parts[k]), parts[k], k, params, stages.get(k)): k
        for k in order
    }
    pending = list(refs)
    while pending:
        done, pending = ray.wait(pending, num_returns=1)
        for ref in done:
            try:
                outcome = ray.get(ref)
            except Exception as exc:  # a RayTaskError, a dead worker, ...
                for other in pending:
                    ray.cancel(other, force=True)
                cause = getattr(exc, "cause", None) or exc
                raise SolveError(
                    f"{_describe(parts, [refs[ref]])} failed on Ray: "
                    f"{type(cause).__name__}: {str(cause).splitlines()[0] if str(cause) else ''}; "
                    "nothing written"
                ) from None
            on_part(outcome)


def _solve_on_ray(
    instance: Instance, part: Part, index: int, params: SolverParams, stage: Stage | None
) -> PartOutcome:
    _fault(index)
    return solve_part(instance, part, index, params, None, stage)
