"""Fault injection for crash tests: kill this process at a named point.

Crash safety cannot be tested by reading code; the tests kill ``roster``
at the points where a crash would hurt and look at what is left on disk and
in the database. ``ROSTER_FAULT`` in the environment names the point (or
several, comma-separated); :func:`crash_point` sends SIGKILL to the current
process there — no ``finally``, no ``atexit``, exactly like the OOM killer or a
power cut. Without the variable every point is a no-op (one dictionary look-up).

The points, in the order a write passes them (``POINTS``):

* ``output-staged`` — every file of an output directory is in its staging
  directory, nothing is in place yet (``scheduler/io/output_dir.py``);
* ``output-exchanged`` — the new directory is in place, the old one, swapped
  out beside it, not yet removed;
* ``output-moved-aside`` — only without an atomic exchange: the old directory
  is renamed aside, the new one not yet in place (no directory at the target);
* ``repair-committed`` — a repair's new version is committed to the database,
  its directory is still staged (``scheduler/repair/run.py``).

One switch changes behaviour instead of killing (``SWITCHES``):

* ``no-exchange`` — act as a system without ``renameat2(RENAME_EXCHANGE)``, so
  that the two-rename fallback and its recovery can be tested on Linux.
"""

from __future__ import annotations

import logging
import os
import signal

log = logging.getLogger(__name__)

ENV = "ROSTER_FAULT"

POINTS: dict[str, str] = {
    "output-staged": "an output directory is fully staged, not yet in place",
    "output-exchanged": "the new output directory is in place, the old one not yet removed",
    "output-moved-aside": "(no exchange) the old directory is aside, the new one not in place",
    "repair-committed": "a repair's version is committed, its directory not yet in place",
}
"""Every crash point: name → where the process dies."""

SWITCHES: dict[str, str] = {
    "no-exchange": "behave as if the system had no atomic directory exchange",
}
"""Every behaviour switch: name → what it simulates."""


def _active() -> set[str]:
    return {name.strip() for name in os.environ.get(ENV, "").split(",") if name.strip()}


def crash_point(name: str) -> None:
    """SIGKILL this process if ``ROSTER_FAULT`` names ``name``; otherwise nothing."""
    if name not in POINTS:
        raise ValueError(f"unknown crash point {name!r}")
    if name in _active():
        log.error("%s=%s: killing process %d", ENV, name, os.getpid())
        os.kill(os.getpid(), signal.SIGKILL)


def switched_on(name: str) -> bool:
    """True if ``ROSTER_FAULT`` turns on the behaviour switch ``name``."""
    if name not in SWITCHES:
        raise ValueError(f"unknown fault switch {name!r}")
    return name in _active()
