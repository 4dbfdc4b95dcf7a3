"""``roster serve`` and ``roster worker``: the API and the job worker."""

from __future__ import annotations

import os
from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="API processes (uvicorn workers).")
    ] = 1,
    job_worker: Annotated[
        bool | None,
        typer.Option(
            "--job-worker/--no-job-worker",
            help="Start a job worker beside the API (default: yes on SQLite; on PostgreSQL "
            "run `roster worker` on one or more machines instead).",
        ),
    ] = None,
) -> None:
    """Serve the HTTP API (settings from ROSTER_* environment variables)."""

    import uvicorn

    from api.app import create_app
    from api.settings import ApiSettings
    from scheduler.store.engine import open_database
    from worker.main import spawn_local_worker

    settings = ApiSettings()
    open_database(settings.database_url).dispose()  # migrated once, before any process starts
    local = settings.database_url.startswith("sqlite") if job_worker is None else job_worker
    child = spawn_local_worker(os.getpid()) if local else None
    try:
        if workers > 1:  # each process builds its own app (create_app reads the settings)
            uvicorn.run(
                "api.app:create_app",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_level="info",
                access_log=access_log,
            )
        else:
            uvicorn.run(
                create_app(settings), host=host, port=port, log_level="info", access_log=access_log
            )
    finally:
        if child is not None:
            child.terminate()  # the worker queues its running jobs again after its grace
            child.wait(timeout=settings.worker_grace_seconds + 30)


def worker(
    name: Annotated[str | None, typer.Option(help="The worker's name (default host:pid).")] = None,
    concurrency: Annotated[
        int | None, typer.Option(min=1, help="Jobs at once (default ROSTER_JOB_POOL_SIZE).")
    ] = None,
) -> None:
    """Run solve and scenario jobs from the queue until SIGTERM/SIGINT (docs/architecture.md).

    On PostgreSQL, run as many as you like, on any machine that reaches the
    database; on SQLite, on the database's machine (`roster serve` starts one)."""
    from scheduler.settings import Settings
    from worker.main import run_worker

    settings = Settings()
    if concurrency is not None:
        settings = settings.model_copy(update={"job_pool_size": concurrency})
    run_worker(settings, name=name)
