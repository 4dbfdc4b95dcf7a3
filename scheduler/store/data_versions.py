"""The data set in the database, versioned (SPEC §12).

A data version is the complete set of data files (``scheduler.io.data_files``)
with who made it, when, why and from what (an import, an edit, a workbook, an
approved request). Versions are numbered 1, 2, ... and never change once
written; each file's bytes are stored once however many versions share them,
so a version costs only what it changed. Every version is loaded (validated
by the loader's rules) before it is stored: a version that exists is a data
set that solves.

A new version is derived from the newest one and commits only while that is
still the newest (``Conflict`` — HTTP 409 — otherwise): the version number is
the compare-and-set, as for published rosters. Two planners editing at once
cannot silently undo each other's change.

Each version keeps its change list against the version before — rows added,
removed, and cells changed (``data_changes``), and ``policy.toml`` key by key
— which is the history of every row: who changed what, when and why.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.errors import InputError
from scheduler.io.data_files import POLICY_FILE, DataFiles, csv_rows
from scheduler.io.load import DataSet, load_dataset
from scheduler.io.schema import SPECS
from scheduler.store.engine import reading, transaction
from scheduler.store.errors import Conflict, NotFound, Unavailable
from scheduler.store.schema import (
    AuditEvent,
    DataBlob,
    DataChange,
    DataVersion,
    DataVersionFile,
)


class DataSource:
    """Where a data version came from (``data_versions.source``)."""

    IMPORT = "import"  # roster data import DIR, or a server's first start
    EDIT = "edit"  # a planner's edit in the console or the API
    EXCEL = "excel"  # an uploaded workbook
    REQUEST = "request"  # an approved leave or availability request


@dataclass(frozen=True)
class RowChange:
    """One change of a data version: a row added or removed, or a cell changed."""

    file: str
    row_key: str
    action: str  # added | removed | changed
    column: str | None = None
    old: str | None = None
    new: str | None = None


@dataclass(frozen=True)
class VersionInfo:
    """A data version as listed: number, who, when, why, from what, how much changed."""

    version: int
    created_at: dt.datetime
    created_by: str
    source: str
    note: str | None
    fingerprint: str
    changes: int


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def newest_version(session: Session) -> int | None:
    """The newest data version's number, or None before the first import."""
    return session.scalar(select(func.max(DataVersion.version)))


def data_files(session: Session, version: int | None = None) -> DataFiles:
    """The files of data version ``version`` (the newest when None); ``NotFound``
    when there is no such version."""
    number = newest_version(session) if version is None else version
    if number is None:
        raise NotFound("no data version yet: import a data directory first (roster data import)")
    rows = session.execute(
        select(DataVersionFile.file, DataBlob.content)
        .join(DataBlob, DataBlob.sha256 == DataVersionFile.sha256)
        .where(DataVersionFile.version == number)
    ).all()
    if not rows:
        raise NotFound(f"no data version {number}")
    contents = {file: bytes(content) for file, content in rows}
    return DataFiles(contents, f"data version {number}", number)


def load_version(session: Session, version: int | None = None) -> DataSet:
    """Data version ``version`` (the newest when None), loaded (``DataSet.files``
    says which version it is)."""
    return load_dataset(data_files(session, version))


def list_versions(session: Session) -> list[VersionInfo]:
    """Every data version, newest first, with its count of row changes."""
    counts = dict(
        session.execute(select(DataChange.version, func.count()).group_by(DataChange.version)).all()
    )
    return [
        VersionInfo(
            v.version,
            v.created_at,
            v.created_by,
            v.source,
            v.note,
            v.fingerprint,
            counts.get(v.version, 0),
        )
        for v in session.scalars(select(DataVersion).order_by(DataVersion.version.desc()))
    ]


def version_changes(session: Session, version: int) -> list[RowChange]:
    """What data version ``version`` changed against the version before it."""
    if session.get(DataVersion, version) is None:
        raise NotFound(f"no data version {version}")
    return [
        RowChange(c.file, c.row_key, c.action, c.column, c.old, c.new)
        for c in session.scalars(
            select(DataChange).where(DataChange.version == version).order_by(DataChange.id)
        )
    ]


def ensure_version(engine: Engine, data_dir: Path, *, actor: str) -> int:
    """The newest data version; on a database without one, ``data_dir`` imported
    as version 1 first (a server's first start: the zero-set-up default keeps
    working, and from then on the data set is the database's)."""
    with reading(engine) as session:
        newest = newest_version(session)
    if newest is not None:
        return newest
    try:
        files = DataFiles.read(data_dir)
        load_dataset(files)
    except (InputError, OSError) as exc:
        raise Unavailable(
            f"no data set yet, and the data directory cannot be imported ({exc}): "
            "import one (roster data import DIR) or set ROSTER_DATA_DIR"
        ) from None
    try:
        made = commit_version(
            engine,
            files,
            base=None,
            actor=actor,
            source=DataSource.IMPORT,
            note=f"imported from {data_dir} at the server's first start",
        )
        if made is not None:
            return made[0]
    except Conflict:  # another process imported it first: take what it made
        pass
    with transaction(engine) as session:
        newest = newest_version(session)
    if newest is None:
        raise Conflict("no data version, and importing the data directory failed")
    return newest


def commit_version(
    engine: Engine,
    files: DataFiles,
    *,
    base: int | None,
    actor: str,
    source: str,
    note: str | None = None,
    also: Callable[[Session, int], None] | None = None,
) -> tuple[int, list[RowChange]] | None:
    """Store ``files`` as the next data version, derived from version ``base``
    (None: there is none yet), after loading them (``InputError`` if they do not
    validate). ``Conflict`` if ``base`` is no longer the newest version. None,
    storing nothing, when the files equal ``base``'s (nothing changed).

    Returns the new version's number and its change list. ``also(session,
    number)`` runs in the same transaction (what else the new version settles).
    """
    load_dataset(files)  # the loader's rules, before anything is written
    try:
        with transaction(engine) as session:
            newest = newest_version(session)
            if newest != base:
                raise _moved_on(newest, base)
            before = data_files(session, base) if base is not None else None
            if before is not None and before.fingerprint() == files.fingerprint():
                return None
            number = (base or 0) + 1
            changes = list(diff_files(before, files))
            _insert(session, number, files, actor=actor, source=source, note=note)
            if changes:  # one executemany: a whole data set replaced is ~10^5 rows
                session.execute(
                    insert(DataChange), [{"version": number, **c.__dict__} for c in changes]
                )
            session.add(
                AuditEvent(
                    at=_now(),
                    actor=actor,
                    action="data_version",
                    target=str(number),
                    detail={"source": source, "changes": len(changes), "note": note},
                )
            )
            if also is not None:
                also(session, number)
            return number, changes
    except IntegrityError:  # another version k + 1 committed first
        with transaction(engine) as session:
            raise _moved_on(newest_version(session), base) from None


def _insert(
    session: Session, number: int, files: DataFiles, *, actor: str, source: str, note: str | None
) -> None:
    session.add(
        DataVersion(
            version=number,
            created_at=_now(),
            created_by=actor,
            source=source,
            note=note,
            fingerprint=files.fingerprint(),
        )
    )
    session.flush()  # the version number is the compare-and-set: fail here, not later
    for name, digest in store_blobs(session, files).items():
        session.add(DataVersionFile(version=number, file=name, sha256=digest))


def store_blobs(session: Session, files: DataFiles) -> dict[str, str]:
    """Add the bytes of every file not yet stored; the SHA-256 of each, by name."""
    digests = files.digests()
    known = set(
        session.scalars(select(DataBlob.sha256).where(DataBlob.sha256.in_(digests.values())))
    )
    for name, digest in digests.items():
        if digest not in known:
            content = files.contents[name]
            session.add(DataBlob(sha256=digest, size=len(content), content=content))
            known.add(digest)
    session.flush()
    return digests


def files_of(session: Session, digests: dict[str, str], origin: str) -> DataFiles:
    """The files named by their SHA-256 (``store_blobs``'s answer)."""
    rows = session.execute(
        select(DataBlob.sha256, DataBlob.content).where(DataBlob.sha256.in_(digests.values()))
    ).all()
    content = {sha: bytes(blob) for sha, blob in rows}
    return DataFiles({name: content[sha] for name, sha in digests.items()}, origin)


def _moved_on(newest: int | None, base: int | None) -> Conflict:
    if base is None:
        return Conflict(f"the data set already has versions (newest {newest}); derive from it")
    return Conflict(
        f"data version {base} is no longer the newest (now {newest}): "
        "reload, and make the change on the newest version"
    )


# --------------------------------------------------------------------------- change lists


def diff_files(before: DataFiles | None, after: DataFiles) -> Iterator[RowChange]:
    """The row changes from ``before`` to ``after``, file by file in the loader's
    order, rows in key order; none for a first version (``before`` None: all of
    it is new, and the version says where it was imported from)."""
    if before is None:
        return
    if before.contents[POLICY_FILE] != after.contents[POLICY_FILE]:
        yield from _policy_changes(before.contents[POLICY_FILE], after.contents[POLICY_FILE])
    for spec in SPECS:
        if before.contents[spec.file] == after.contents[spec.file]:
            continue
        old, new = csv_rows(before, spec), csv_rows(after, spec)
        for key in sorted(set(old) | set(new)):
            shown = "/".join(key)
            if key not in new:
                yield RowChange(spec.file, shown, "removed")
            elif key not in old:
                yield RowChange(spec.file, shown, "added")
            else:
                for column, value in new[key].items():
                    if old[key][column] != value:
                        yield RowChange(
                            spec.file, shown, "changed", column, old[key][column], value
                        )


def _policy_changes(before: bytes, after: bytes) -> Iterator[RowChange]:
    old, new = _flat_toml(before), _flat_toml(after)
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            yield RowChange(POLICY_FILE, key, "changed", key, old.get(key), new.get(key))


def _flat_toml(content: bytes) -> dict[str, str]:
    raw: dict[str, Any] = tomllib.loads(content.decode("utf-8-sig"))
    return {
        f"{section}.{key}": repr(value)
        for section, table in raw.items()
        if isinstance(table, dict)
        for key, value in table.items()
    }
