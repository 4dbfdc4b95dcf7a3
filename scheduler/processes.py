"""Child processes that die with their parent.

A solve runs in a tree of processes: a job worker starts a solver process, which
starts a pool of part workers (and a manager process for their progress). If
the worker is killed (SIGKILL, out of memory), nothing of the tree may go on
running and write results later. Linux's parent-death signal does this:
each child asks the kernel for SIGKILL when its parent dies
(``prctl(PR_SET_PDEATHSIG)``), so a kill anywhere takes the subtree with it.

Where the call is not available (not Linux), ``die_with_parent`` does nothing;
the job lease still fences any late write (scheduler/store/jobs.py).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import sys

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int | None = None, sig: int = signal.SIGKILL) -> bool:
    """Ask for ``sig`` when the parent process dies; exit at once if it already has.

    ``parent_pid`` is the pid the caller expects as its parent (pass
    ``os.getppid()`` of the parent side, or the parent's ``os.getpid()``): if the
    parent died before this call, the process was re-parented and exits now.
    Returns whether the signal is armed.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
            log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
            return False
    except OSError:
        return False
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)  # the parent is gone already: do not start the work
    return True


def init_part_worker(parent_pid: int) -> None:
    """Initializer of pool processes (parts, scenario variants): die with the solver."""
    die_with_parent(parent_pid)
