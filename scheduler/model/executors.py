"""Where work runs: in this process, local worker processes, or Ray — the one map of
the engine. The parts of a solve (``solve``) and the variants of a scenario, a sweep
or a sensitivity run (``scheduler.scenarios.run``) all go through :func:`run_tasks`.

* ``local`` (default): one task after another in this process when one process
  is asked for (``Deployment.processes_for``), otherwise a pool of worker
  processes (``processes``, all cores by default): the pool of the enclosing
  :func:`worker_pool` block (a scenario run keeps one for its baseline and
  every variant), else a pool started for this map;
* ``ray``: one Ray task per task (``pip install -e .[ray]``), on the cluster at
  ``ray_address``, or on a local Ray instance started on the spot. Every node
  needs this package installed at the same version.

Guarantees, whichever executor runs the tasks:

* results come back in input order (and ``on_result`` with ``ordered=True``
  sees them in that order), so the caller's output never depends on which
  task finished first;
* worker processes are *spawned* (``START_METHOD``): a fresh interpreter, not a
  fork of a process that already runs threads (OR-Tools', a Ray client's, the
  progress bar's) and holds a city's data; each asks the kernel to kill it
  when its parent dies (``scheduler.processes.die_with_parent``), and the
  manager process behind progress events likewise, so a killed solve leaves
  no process running;
* a task that fails (a worker killed, out of memory, an exception) fails the
  whole map with a :class:`~scheduler.errors.SolveError` naming the task
  (``describe``), and the tasks not yet finished are cancelled.

A task may report progress as it goes with :func:`emit`; the events reach
``on_event`` in the calling process (not on Ray).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextvars import ContextVar
from multiprocessing.managers import SyncManager
from typing import Any, Generic, TypeVar

from scheduler.errors import SolveError
from scheduler.model.params import EXECUTORS, Deployment
from scheduler.processes import die_with_parent

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

START_METHOD = "spawn"
"""The one start method of every worker process of the engine. Not ``fork``: a fork
copies a process that already runs threads (CP-SAT's, Ray's, a progress bar's) —
unsafe, and a city-sized parent's memory counted again. Not ``forkserver``: its
workers are children of the fork server, not of the solve, so the parent-death
signal (``die_with_parent``) would follow the wrong process."""

_EMIT: Callable[[Any], None] | None = None  # where emit() sends events, while tasks run


def emit(event: Any) -> None:
    """From inside a task: send ``event`` to the caller's ``on_event`` (dropped on Ray
    or when nobody listens)."""
    if _EMIT is not None:
        _EMIT(event)


class _Collect(Generic[R]):
    """Results by input index; hands them to ``on_result`` as they come, or in input
    order when ``ordered``."""

    def __init__(
        self, total: int, on_result: Callable[[int, R], None] | None, ordered: bool
    ) -> None:
        self.results: dict[int, R] = {}
        self.total, self.on_result, self.ordered, self.next = total, on_result, ordered, 0

    def add(self, index: int, result: R) -> None:
        self.results[index] = result
        if self.on_result is None:
            return
        if not self.ordered:
            self.on_result(index, result)
            return
        while self.next in self.results:
            self.on_result(self.next, self.results[self.next])
            self.next += 1

    def in_order(self) -> list[R]:
        return [self.results[k] for k in range(self.total)]


def run_tasks(
    fn: Callable[[T], R],
    tasks: Sequence[T],
    deployment: Deployment,
    *,
    describe: Callable[[int], str],
    setup: Callable[[Any], None] | None = None,
    shared: Any = None,
    first: Callable[[int], Any] | None = None,
    cpus_per_task: int = 1,
    on_result: Callable[[int, R], None] | None = None,
    ordered: bool = False,
    on_event: Callable[[Any], None] | None = None,
) -> list[R]:
    """``[fn(task) for task in tasks]``, run where ``deployment`` says; in input order.

    ``fn`` and ``setup`` are module-level functions (they are sent by name).
    ``setup(shared)`` runs once in every process that runs tasks (on Ray: before
    each task), so that what all tasks read (a data set, a cache) travels once
    per process, not once per task. ``first`` orders the submissions (a sort key
    of the task's index: largest first keeps a pool busy); ``describe(index)``
    names a task in errors; ``cpus_per_task`` is what a Ray task reserves.
    ``on_result(index, result)`` is called in this process as each task ends
    (in input order when ``ordered``).
    """
    collect: _Collect[R] = _Collect(len(tasks), on_result, ordered)
    if not tasks:
        return []
    order = sorted(range(len(tasks)), key=first) if first else list(range(len(tasks)))
    if deployment.executor == "ray":
        _run_ray(fn, tasks, deployment, order, describe, setup, shared, cpus_per_task, collect)
    elif deployment.executor != "local":
        raise SolveError(
            f"unknown executor {deployment.executor!r} (one of {', '.join(EXECUTORS)})"
        )
    elif deployment.processes_for(len(tasks)) == 1:
        _run_here(fn, tasks, setup, shared, on_event, collect)
    else:
        processes = deployment.resolved().processes
        _run_pool(fn, tasks, processes, order, describe, setup, shared, on_event, collect)
    return collect.in_order()


def _describe_all(describe: Callable[[int], str], indices: Sequence[int]) -> str:
    return ", ".join(describe(k) for k in sorted(indices))


def _run_here(
    fn: Callable[[T], R],
    tasks: Sequence[T],
    setup: Callable[[Any], None] | None,
    shared: Any,
    on_event: Callable[[Any], None] | None,
    collect: _Collect[R],
) -> None:
    """In this process, in input order; a task's exception propagates as it is."""
    global _EMIT
    if setup is not None:
        setup(shared)
    saved, _EMIT = _EMIT, on_event
    try:
        for index, task in enumerate(tasks):
            collect.add(index, fn(task))
    finally:
        _EMIT = saved


class WorkerPool:
    """Spawned worker processes kept for every map (``run_tasks``) run on them.

    A spawned worker starts cold: a fresh interpreter that imports the engine
    (OR-Tools, NumPy, SciPy; pandas for scenario variants) — more than a second of
    CPU each. A scenario run maps its baseline's parts, then its variants (or each
    variant's parts): one pool for all of them pays that start once. ``preload``
    names modules every worker imports as it starts, so that :meth:`start`
    warms the workers while the caller goes on (loading the data).

    Each worker asks to die with this process (``die_with_parent``). A map that
    loses a worker breaks the pool; the next map starts a fresh one.
    """

    def __init__(self, processes: int, *, preload: Sequence[str] = ()) -> None:
        self.processes, self.preload = processes, tuple(preload)
        self._executor: ProcessPoolExecutor | None = None
        self._manager: SyncManager | None = None
        # Per worker (its slot, taken at start): the map and task (index + 1) it
        # runs, 0 when idle; plain shared memory, read when a worker has died.
        self._slots: Any = None
        self._maps = 0

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> WorkerPool:
        """Start every worker now (each imports ``preload``), without waiting."""
        executor = self._pool()
        for _ in range(self.processes):
            executor.submit(_nothing)
        return self

    def close(self) -> None:
        """Wait for the running tasks, then end the workers (and the manager)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        if self._manager is not None:
            self._manager.shutdown()
            self._manager = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            context = multiprocessing.get_context(START_METHOD)
            self._slots = context.RawArray("q", 2 * self.processes)
            self._executor = ProcessPoolExecutor(
                max_workers=self.processes,
                mp_context=context,
                initializer=_init_worker,
                initargs=(self._slots, context.Value("i", 0), os.getpid(), self.preload),
            )
        return self._executor

    def _events(self) -> Any:
        """A new queue for one map's progress events, in the pool's manager
        process (started when first wanted)."""
        if self._manager is None:
            self._manager = _manager()
        return self._manager.Queue()

    def _lost(self, map_id: int) -> list[int]:
        """The tasks of map ``map_id`` running when a worker died."""
        slots = self._slots
        return [
            slots[2 * k + 1] - 1
            for k in range(self.processes)
            if slots[2 * k] == map_id and slots[2 * k + 1]
        ]

    def _broken(self) -> None:
        """Forget a pool that lost a worker; the next map starts a fresh one."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def run(
        self,
        fn: Callable[[T], R],
        tasks: Sequence[T],
        order: Sequence[int],
        describe: Callable[[int], str],
        setup: Callable[[Any], None] | None,
        shared: Any,
        on_event: Callable[[Any], None] | None,
        collect: _Collect[R],
    ) -> None:
        """One map on the workers. What ``setup`` reads is pickled once and goes
        with every task; a worker runs ``setup`` at its first task of the map."""
        pool = self._pool()
        self._maps += 1
        map_id = self._maps
        blob = pickle.dumps(shared, pickle.HIGHEST_PROTOCOL) if setup is not None else b""
        events = self._events() if on_event else None
        futures: dict[Future[R], int] = {
            pool.submit(_in_worker, fn, map_id, k, tasks[k], setup, blob, events): k for k in order
        }
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            while events is not None and not events.empty():
                assert on_event is not None
                on_event(events.get())
            for future in sorted(done, key=lambda f: futures[f]):
                try:
                    result = future.result()
                except BrokenProcessPool:
                    lost = self._lost(map_id)
                    self._broken()
                    raise SolveError(
                        "a worker process died (killed, or out of memory) while solving "
                        f"{_describe_all(describe, lost) or 'a task'}; nothing written"
                    ) from None
                except Exception as exc:
                    for other in pending:
                        other.cancel()
                    raise SolveError(
                        f"{describe(futures[future])} failed: "
                        f"{type(exc).__name__}: {exc}; nothing written"
                    ) from exc
                collect.add(futures[future], result)


_ACTIVE: ContextVar[WorkerPool | None] = ContextVar("worker_pool", default=None)


@contextlib.contextmanager
def worker_pool(deployment: Deployment, *, preload: Sequence[str] = ()) -> Iterator[None]:
    """Inside the block, every local map of ``deployment``'s processes
    (``run_tasks``, nested calls included) runs on one :class:`WorkerPool`,
    started at once. Nothing changes on Ray or with one process."""
    processes = deployment.resolved().processes
    if deployment.executor != "local" or processes <= 1:
        yield
        return
    with WorkerPool(processes, preload=preload) as pool:
        token = _ACTIVE.set(pool.start())
        try:
            yield
        finally:
            _ACTIVE.reset(token)


# In a pool worker: its slot in the pool's shared memory, and the map whose setup ran.
_SLOTS: Any = None
_SLOT = 0
_SET_UP: int | None = None


def _init_worker(slots: Any, taken: Any, parent_pid: int, preload: Sequence[str]) -> None:
    global _SLOTS, _SLOT
    die_with_parent(parent_pid)  # a killed solve leaves no worker running
    with taken.get_lock():
        _SLOTS, _SLOT = slots, taken.value
        taken.value += 1
    for module in preload:
        importlib.import_module(module)


def _nothing() -> None:
    return None


def _in_worker(
    fn: Callable[[T], R],
    map_id: int,
    index: int,
    task: T,
    setup: Callable[[Any], None] | None,
    blob: bytes,
    events: Any,
) -> R:
    global _EMIT, _SET_UP
    if setup is not None and map_id != _SET_UP:
        setup(pickle.loads(blob))
        _SET_UP = map_id
    _EMIT = events.put if events is not None else None
    _SLOTS[2 * _SLOT], _SLOTS[2 * _SLOT + 1] = map_id, index + 1
    try:
        return fn(task)
    finally:
        _SLOTS[2 * _SLOT + 1] = 0
        _EMIT = None


def _run_pool(
    fn: Callable[[T], R],
    tasks: Sequence[T],
    processes: int,
    order: Sequence[int],
    describe: Callable[[int], str],
    setup: Callable[[Any], None] | None,
    shared: Any,
    on_event: Callable[[Any], None] | None,
    collect: _Collect[R],
) -> None:
    """On the active pool (``worker_pool``) when it has ``processes`` workers, else
    on a pool of its own for this map (at most one worker per task)."""
    active = _ACTIVE.get()
    with (
        contextlib.nullcontext(active)
        if active is not None and active.processes == processes
        else WorkerPool(min(processes, len(tasks)))
    ) as pool:
        pool.run(fn, tasks, order, describe, setup, shared, on_event, collect)


def _manager() -> SyncManager:
    """A started manager process (progress queues) that dies with us."""
    manager = SyncManager(ctx=multiprocessing.get_context(START_METHOD))
    manager.start(initializer=die_with_parent, initargs=(os.getpid(),))
    return manager


def ensure_ray(deployment: Deployment) -> Any:
    """The ``ray`` module, connected to ``deployment.ray_address`` (or a local Ray
    instance of ``deployment.processes`` CPUs) unless already connected."""
    try:
        import ray
        import ray.exceptions
    except ImportError:
        raise SolveError("the ray executor needs Ray: pip install -e '.[ray]'") from None
    if not ray.is_initialized():
        ray.init(
            address=deployment.ray_address,
            num_cpus=None if deployment.ray_address else (deployment.processes or os.cpu_count()),
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.WARNING,
        )
    return ray


def _on_ray(fn: Callable[[T], R], setup: Callable[[Any], None] | None, shared: Any, task: T) -> R:
    if setup is not None:
        setup(shared)
    return fn(task)


def _run_ray(
    fn: Callable[[T], R],
    tasks: Sequence[T],
    deployment: Deployment,
    order: Sequence[int],
    describe: Callable[[int], str],
    setup: Callable[[Any], None] | None,
    shared: Any,
    cpus_per_task: int,
    collect: _Collect[R],
) -> None:
    ray = ensure_ray(deployment)
    remote = ray.remote(max_retries=0, num_cpus=cpus_per_task)(_on_ray)
    shared_ref = ray.put(shared) if setup is not None else None
    refs = {remote.remote(fn, setup, shared_ref, tasks[k]): k for k in order}
    pending = list(refs)
    while pending:
        done, pending = ray.wait(pending, num_returns=1)
        for ref in done:
            try:
                result = ray.get(ref)
            except Exception as exc:  # a RayTaskError, a dead worker, ...
                for other in pending:
                    ray.cancel(other, force=True)
                cause = getattr(exc, "cause", None) or exc
                raise SolveError(
                    f"{describe(refs[ref])} failed on Ray: "
                    f"{type(cause).__name__}: {str(cause).splitlines()[0] if str(cause) else ''}; "
                    "nothing written"
                ) from None
            collect.add(refs[ref], result)
