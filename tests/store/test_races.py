"""Races between real processes, on each database backend.

Two planners repair the same published version at about the same time, each
for a different absent doctor. Exactly one repair may be published (as the
next version); the others must be refused with 409 — never published on top,
which would silently undo the winner's repair and put its absent doctor back
on the roster. Each contender is its own process with its own engine, and
they start their publications together (a barrier), so the check and the
write of the losers overlap the winner's.

Six clients submit jobs at the same moment against a limit of two unfinished
jobs per week: exactly two are queued, the others refused with 429 — the
count and the insert happen under one lock, never side by side.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from scheduler.repair.run import AbsenceRequest, repair_week
from scheduler.store.engine import make_engine, open_database, transaction
from scheduler.store.queries import published_roster
from scheduler.store.runs import StoreError, import_run_dir
from scheduler.store.runs import publish as publish_run

pytestmark = pytest.mark.slow  # processes racing on each database

WEEK = "2026-W49"
TUESDAY = "2026-12-01"
CONTENDERS = 4


def _repair(url: str, doctor: str, out: str, barrier: Any, results: Any) -> None:
    """One planner's repair, in its own process."""
    import scheduler.store.runs as runs

    engine = make_engine(url)
    publish = runs.publish_repair

    def publish_together(*args: Any, **kwargs: Any) -> Any:
        barrier.wait(timeout=120)  # every contender has solved; now publish at once
        return publish(*args, **kwargs)

    runs.publish_repair = publish_together  # type: ignore[assignment]
    import scheduler.repair.run as repair_run

    repair_run.publish_repair = publish_together  # type: ignore[assignment]
    try:
        outcome = repair_week(
            engine, WEEK, [AbsenceRequest(doctor, TUESDAY)], out_dir=Path(out), actor=doctor
        )
        results.put((doctor, "published", outcome.version))
    except StoreError as exc:
        results.put((doctor, type(exc).__name__, exc.message))
    except Exception as exc:  # anything else is a failure of the test
        results.put((doctor, "error", f"{type(exc).__name__}: {exc}"))
    finally:
        engine.dispose()


def _busiest(engine: Any, n: int) -> list[str]:
    with transaction(engine) as session:
        roster = published_roster(session, WEEK, None).assignments
    counts = Counter(a.doctor_id for a in roster if a.half_day_key >= TUESDAY)
    return sorted(counts, key=lambda d: (-counts[d], d))[:n]


@pytest.mark.parametrize("round_", range(2))
def test_concurrent_repairs_of_one_version_publish_exactly_one(
    database_url: str, default_run: Path, tmp_path: Path, round_: int
) -> None:
    engine = open_database(database_url)
    publish_run(engine, import_run_dir(engine, default_run), actor="test")
    doctors = _busiest(engine, CONTENDERS)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(CONTENDERS)
    results = context.Queue()
    processes = [
        context.Process(
            target=_repair,
            args=(database_url, doctor, str(tmp_path / f"repair-{doctor}"), barrier, results),
        )
        for doctor in doctors
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=300) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    winners = [o for o in outcomes if o[1] == "published"]
    losers = [o for o in outcomes if o[1] != "published"]
    assert len(winners) == 1, outcomes
    assert winners[0][2] == 2
    assert {o[1] for o in losers} == {"Conflict"}, outcomes
    assert all("repair the newest version" in o[2] for o in losers)
    # The newest version is the winner's repair: its absent doctor is off the
    # roster from Tuesday, and there is no version 3 on top of it.
    with transaction(engine) as session:
        newest = published_roster(session, WEEK, None)
    assert newest.publication.version == 2
    winner = winners[0][0]
    assert not [
        a for a in newest.assignments if a.doctor_id == winner and a.half_day_key >= TUESDAY
    ]
    # Losers left no repair directory behind; the winner's is complete.
    assert (tmp_path / f"repair-{winner}" / "report.json").is_file()
    for doctor, *_ in losers:
        assert not (tmp_path / f"repair-{doctor}").exists()
    engine.dispose()


def _submit(url: str, key: str, barrier: Any, results: Any) -> None:
    """One client's job submission, in its own process."""
    from scheduler.store.jobs import JobLimitReached, JobLimits, submit_job
    from scheduler.store.queue import queue_for

    engine = make_engine(url)
    try:
        barrier.wait(timeout=60)
        run_id = submit_job(
            engine,
            WEEK,
            {},
            created_by=key,
            kind="solve",
            limits=JobLimits(per_key=5, per_week=LIMIT),
            enqueue=queue_for(url).enqueue,
        )
        results.put((key, "queued", run_id))
    except JobLimitReached as exc:
        results.put((key, "429", exc.message))
    except Exception as exc:
        results.put((key, "error", f"{type(exc).__name__}: {exc}"))
    finally:
        engine.dispose()


LIMIT = 2
SUBMITTERS = 6


def test_racing_submissions_never_exceed_the_job_limit(database_url: str) -> None:
    from scheduler.store.schema import RunStatus, SolveRun

    engine = open_database(database_url)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(SUBMITTERS)
    results = context.Queue()
    processes = [
        context.Process(target=_submit, args=(database_url, f"key{k}", barrier, results))
        for k in range(SUBMITTERS)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert sorted(o[1] for o in outcomes) == ["429"] * (SUBMITTERS - LIMIT) + ["queued"] * LIMIT
    with transaction(engine) as session:
        queued = session.query(SolveRun).filter(SolveRun.status == RunStatus.QUEUED).count()
    assert queued == LIMIT
    engine.dispose()
