"""The API's side of the job queue: submit within the limits, cancel.

The API never runs a job: it writes the job (a run row, and its place in the
queue) in one transaction and answers 202; ``roster worker`` processes run it
(worker/, docs/architecture.md). So the API can run as several processes,
and be restarted, without failing any work.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from api.settings import ApiSettings
from scheduler.store.data_versions import ensure_version
from scheduler.store.jobs import JobLimits, cancel_job, submit_job
from scheduler.store.queue import JobQueue, queue_for
from scheduler.store.schema import RunKind


class Jobs:
    """Submit and cancel jobs on the app's database and queue."""

    def __init__(self, engine: Engine, settings: ApiSettings) -> None:
        self.engine = engine
        self.queue: JobQueue = queue_for(settings.database_url)
        self.limits = JobLimits(settings.job_limit_per_key, settings.job_limit_per_week)
        self.data_dir = settings.data_dir

    def submit(
        self,
        week: str,
        parameters: dict[str, Any],
        *,
        created_by: str,
        kind: str = RunKind.SOLVE,
        data_version: int | None = None,
    ) -> str:
        """Queue a job on the newest data version; returns its run id. 429
        (``JobLimitReached``) beyond the limits."""
        ensure_version(self.engine, self.data_dir, actor="server")
        return submit_job(
            self.engine,
            week,
            parameters,
            created_by=created_by,
            kind=kind,
            limits=self.limits,
            enqueue=self.queue.enqueue,
            data_version=data_version,
        )

    def cancel(self, run_id: str) -> str:
        """Cancel a queued or running job (its worker stops the solver); the status after."""
        return cancel_job(self.engine, run_id, self.queue.withdraw)
