"""Reading one job of the console's pages (a solve, repair or scenario run)."""

from __future__ import annotations

from collections.abc import Collection

from fastapi import FastAPI

from scheduler.store.schema import SolveRun


def run_of(app: FastAPI, run_id: str, kinds: Collection[str]) -> SolveRun | None:
    """The run ``run_id`` if it is of one of ``kinds``, detached from its session."""
    with app.state.sessions() as session:
        run = session.get(SolveRun, run_id)
        if run is None or run.kind not in kinds:
            return None
        session.expunge(run)
        return run
