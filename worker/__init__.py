"""The job worker (``roster worker``): runs solve and scenario jobs outside the API.

A door outside the engine, like the command line and the API: it takes a job
from the queue, runs it in a solver process of its own (which dies with the
worker), renews the job's lease while it runs, and stores the results through
``scheduler.store.jobs`` — every write fenced by the job's attempt number.

* ``solver``     the solver process: what one attempt of a job does;
* ``supervisor`` one attempt: start the solver process, beat, stop it on cancel;
* ``service``    the worker: claims jobs, reaps the jobs of dead workers, shuts down.

The queues themselves (the run table on SQLite, procrastinate on PostgreSQL)
are storage: ``scheduler/store/queue.py``, shared with the API. See
docs/architecture.md.
"""
