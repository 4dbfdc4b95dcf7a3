"""One finished run as a value: what its run directory holds and the store keeps.

Built once after a solve (``scheduler.io.run_dir.run_record``) from the
instance, the ``Result`` and the KPIs, then handed to the run-directory writer
and returned to the caller, so the job worker and a repair store the very
object the files were written from instead of reading the files back.
Importing a run directory from disk (``roster db import``) reads one back
(``scheduler.store.runs.read_run_dir``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scheduler.domain import Assignment, Instance
from scheduler.kpis import Kpis
from scheduler.result import UnmetItem


@dataclass(frozen=True)
class RunRecord:
    """Everything a finished run stores: what its run directory holds.

    ``report`` is ``report.json``'s content, ``documents`` the files stored
    with the run as text (file name → text: ``instance.json``, ``demand.csv``),
    ``run_dir`` where the directory is (``None`` until it has a place).
    """

    instance: Instance
    assignments: Sequence[Assignment]
    unmet: Sequence[UnmetItem]
    report: dict[str, Any]
    kpis: Kpis
    documents: dict[str, str]
    run_dir: str | None = None
