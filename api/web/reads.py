"""What the console's pages read from the store: the published week, a job, recent jobs.

The pages read what the API reads (``scheduler.store.queries``); this module
only opens the app's sessions and detaches what the pages keep.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from fastapi import FastAPI

from scheduler.domain import Instance
from scheduler.store import queries
from scheduler.store.queries import run_instance
from scheduler.store.runs import StoreError, published_version
from scheduler.store.schema import Publication, SolveRun

RECENT_RUNS = 20
"""How many runs the solve and scenario pages list."""


@dataclass(frozen=True)
class PublishedWeek:
    """A week asked for, its newest published version and that run's instance.

    ``week`` is None when nothing is published at all; ``publication`` and
    ``instance`` are both None when the week has no published version.
    """

    week: str | None
    publication: Publication | None
    instance: Instance | None


def newest_week(app: FastAPI) -> str | None:
    """The newest week with a published roster."""
    with app.state.sessions() as session:
        return queries.newest_published_week(session)


def published(app: FastAPI, week: str | None) -> PublishedWeek:
    """The week asked (default the newest published), its publication and instance."""
    week = week or newest_week(app)
    if week is None:
        return PublishedWeek(None, None, None)
    with app.state.sessions() as session:
        try:
            publication = published_version(session, week)
        except StoreError:
            return PublishedWeek(week, None, None)
        session.expunge(publication)
        return PublishedWeek(week, publication, run_instance(session, publication.run_id))


def run_of(app: FastAPI, run_id: str, kinds: Collection[str]) -> SolveRun | None:
    """The run ``run_id`` if it is of one of ``kinds``, detached from its session."""
    with app.state.sessions() as session:
        run = session.get(SolveRun, run_id)
        if run is None or run.kind not in kinds:
            return None
        session.expunge(run)
        return run


def recent_runs(app: FastAPI, kinds: Collection[str]) -> Sequence[SolveRun]:
    """The newest runs of ``kinds``, detached from their session."""
    with app.state.sessions() as session:
        return queries.recent_runs(session, kinds, RECENT_RUNS)
