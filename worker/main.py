"""``roster worker`` and the local worker that ``roster serve`` starts.

``run_worker`` runs a worker in this process until SIGTERM or SIGINT (a second
signal stops its jobs at once instead of after the grace period).
``spawn_local_worker`` starts ``roster worker`` as a child of the API server
for the zero-set-up SQLite default: one machine, one command. The child gets
SIGTERM when the server dies, however it dies (parent-death signal), so a
killed server never leaves a worker behind; its jobs are queued again (or
failed) by the next worker's reaper.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
from types import FrameType

from scheduler.processes import die_with_parent
from scheduler.settings import Settings
from worker.service import Worker

log = logging.getLogger(__name__)


def run_worker(settings: Settings, *, name: str | None = None) -> None:
    """Serve jobs until a stop signal (see the module docstring)."""
    stop = threading.Event()
    worker = Worker(settings, name=name)

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            log.warning("second %s: stopping running jobs now", signal.Signals(signum).name)
            worker.release.set()
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    worker.run(stop)


def spawn_local_worker(parent_pid: int) -> subprocess.Popen[bytes]:
    """Start ``roster worker`` beside the API (same settings, from the environment)."""
    return subprocess.Popen(
        [sys.executable, "-m", "worker", "--parent", str(parent_pid)],
        start_new_session=False,
    )


def main(argv: list[str] | None = None) -> None:
    """``python -m worker [--parent PID]``: the local worker of ``roster serve``."""
    args = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args[:1] == ["--parent"]:
        die_with_parent(int(args[1]), signal.SIGTERM)  # stop (gracefully) with the server
    run_worker(Settings())
