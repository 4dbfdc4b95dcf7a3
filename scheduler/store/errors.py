"""What the store refuses, and database failures in one line.

**Refusals** are plain domain errors, one class per kind (``NotFound``,
``Conflict``, ``LimitReached``, ``Invalid``, ``Unauthenticated``), all a
``StoreError`` with a one-line ``message``. The doors say what each kind
means to their callers: the API's status codes are ``api.problems.status_of``,
the command line's exit codes ``cli.app.one_line``; no HTTP here.

**Database failures** (the rest of this module):

The database can fail under any command or request: the server is down or
unreachable, the SQLite file is read-only or gone, a value does not fit a
column. SQLAlchemy's messages for these run to many lines (the SQL, its
parameters, a link); ``describe`` turns them into one line that names the
problem, and ``classify`` says which kind it is:

* ``UNAVAILABLE`` — the database cannot be reached or written (HTTP 503, exit 1):
  connection refused or lost, a read-only or vanished SQLite file, a lock
  that did not clear in time;
* ``BAD_VALUE`` — a value the database cannot store or compare (HTTP 422,
  exit 2): an integer out of range, a NUL byte in a string;
* ``CONFLICT`` — a unique or foreign-key constraint refused a write (HTTP 409);
* ``INTERNAL`` — anything else (a bug: HTTP 500, exit 1), still one line.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)


class StoreError(Exception):
    """A request the stored state does not allow, in one line (``message``).

    Raise one of the kinds below; a door catches ``StoreError`` and says what
    the kind means to its caller.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(StoreError):
    """Nothing by that id, week or version (no run, no key, no published roster)."""


class Conflict(StoreError):
    """Not in the state it is in now: a run that has not succeeded, a week that
    has moved past the version repaired, publications that kept colliding."""


class LimitReached(StoreError):
    """Too many unfinished things at once (jobs of a key or of a week): come back later."""


class Invalid(StoreError):
    """A value the store does not know (an unknown role, a week no calendar has)."""


class Unauthenticated(StoreError):
    """A secret that opens nothing (an unknown doctor or calendar token)."""


class Forbidden(StoreError):
    """The caller may do this, but not for that: a hospital's secretary and another
    hospital's doctor."""


class Unavailable(StoreError):
    """What the request needs is not set up on this server (no data set yet): the
    caller did nothing wrong; an administrator must act."""


class DatabaseFault(StrEnum):
    """What kind of database failure an exception is."""

    UNAVAILABLE = "unavailable"
    BAD_VALUE = "bad_value"
    CONFLICT = "conflict"
    INTERNAL = "internal"


def classify(exc: BaseException) -> DatabaseFault:
    """The kind of ``exc`` (a SQLAlchemy error, or the driver's own)."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return DatabaseFault.UNAVAILABLE
    if isinstance(exc, OperationalError | InterfaceError):
        return DatabaseFault.UNAVAILABLE
    if isinstance(exc, DataError):
        return DatabaseFault.BAD_VALUE
    if isinstance(exc, IntegrityError):
        return DatabaseFault.CONFLICT
    if isinstance(exc, DBAPIError) and _driver_value_error(exc.orig):
        return DatabaseFault.BAD_VALUE
    return DatabaseFault.INTERNAL


def _driver_value_error(orig: BaseException | None) -> bool:
    """psycopg refuses some values before they reach the server (a NUL byte)."""
    text = str(orig or "")
    return "NUL" in text or "out of range" in text


def describe(exc: BaseException) -> str:
    """One line saying what went wrong, without SQL, parameters or links."""
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    text = str(orig if orig is not None else exc).strip()
    first = text.splitlines()[0].strip() if text else type(exc).__name__
    if first.startswith("(") and ") " in first:  # "(sqlite3.OperationalError) ..."
        first = first.split(") ", 1)[1]
    kind = classify(exc)
    if kind is DatabaseFault.UNAVAILABLE:
        return f"the database is unavailable: {first}"
    if kind is DatabaseFault.BAD_VALUE:
        return f"a value the database cannot store: {first}"
    if kind is DatabaseFault.CONFLICT:
        return f"the database refused a conflicting write: {first}"
    return f"database error: {first}"


DATABASE_ERRORS: tuple[type[BaseException], ...] = (SQLAlchemyError,)
"""What to catch at a door (command line, API) to report a database failure."""
