"""Uploaded data workbooks: checked, previewed, applied only on confirmation.

A workbook that comes back from a hospital (``scheduler.io.data_workbook``) is
first *staged*: read, loaded by the loader's rules (errors name sheet, row and
header), compared with the data version it was made from, and kept with its
change list — nothing in the data set changes. A planner reads the change
list, then *applies* it: the next data version, committed only while the
version it was compared with is still the newest (``Conflict`` otherwise:
upload it again on the newest). A staged import is applied at most once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from scheduler.io.data_workbook import check_workbook, read_data_workbook
from scheduler.store.data_versions import (
    DataSource,
    RowChange,
    commit_version,
    data_files,
    diff_files,
    files_of,
    newest_version,
    store_blobs,
)
from scheduler.store.engine import transaction
from scheduler.store.errors import Conflict, NotFound
from scheduler.store.schema import DataImport


@dataclass(frozen=True)
class StagedImport:
    """A checked workbook waiting for confirmation: what it would change."""

    id: str
    base: int
    created_by: str
    created_at: dt.datetime
    upload_name: str
    note: str | None
    changes: list[RowChange]
    applied_version: int | None


def stage_import(
    engine: Engine,
    content: bytes,
    *,
    upload_name: str,
    actor: str,
    note: str | None = None,
    base: int | None = None,
) -> StagedImport:
    """Check a filled data workbook against data version ``base`` (the newest when
    None) and keep it with its change list. ``InputError`` naming sheet, row and
    header for bad data; ``Conflict`` when it changes nothing."""
    with transaction(engine) as session:
        number = newest_version(session) if base is None else base
        before = data_files(session, number)
    read = read_data_workbook(content, before, file=upload_name)
    check_workbook(read, file=upload_name)
    changes = list(diff_files(before, read.files))
    if not changes:
        raise Conflict(f"no change: {upload_name} holds data version {before.version} as it is")
    with transaction(engine) as session:
        staged = DataImport(
            id=uuid.uuid4().hex,
            created_at=dt.datetime.now(dt.UTC),
            created_by=actor,
            upload_name=upload_name[:200],
            note=note,
            base_version=before.version,
            files=store_blobs(session, read.files),
            changes={"rows": [dataclasses.asdict(c) for c in changes]},
        )
        session.add(staged)
        session.flush()
        return _staged(staged)


def staged_import(session: Session, import_id: str) -> StagedImport:
    """A staged import, by id (``NotFound`` if there is none)."""
    found = session.get(DataImport, import_id)
    if found is None:
        raise NotFound(f"no data import {import_id}")
    return _staged(found)


def apply_import(engine: Engine, import_id: str, *, actor: str) -> tuple[int, list[RowChange]]:
    """Make the staged import the next data version (see the module docstring)."""
    with transaction(engine) as session:
        found = session.get(DataImport, import_id)
        if found is None:
            raise NotFound(f"no data import {import_id}")
        if found.applied_version is not None:
            raise Conflict(
                f"data import {import_id} is already data version {found.applied_version}"
            )
        files = files_of(session, found.files, found.upload_name)
        base, upload, note = found.base_version, found.upload_name, found.note

    def mark_applied(session: Session, number: int) -> None:
        # In the version's transaction: applied exactly once, even by two at once.
        done = (
            session.query(DataImport)
            .filter(DataImport.id == import_id, DataImport.applied_version.is_(None))
            .update({DataImport.applied_version: number})
        )
        if done != 1:
            raise Conflict(f"data import {import_id} was applied meanwhile")

    made = commit_version(
        engine,
        files,
        base=base,
        actor=actor,
        source=DataSource.EXCEL,
        note=note or f"uploaded {upload}",
        also=mark_applied,
    )
    if made is None:  # the files equal the newest version's: nothing to apply
        raise Conflict(f"no change: data version {base} already holds {upload}")
    return made


def _staged(row: DataImport) -> StagedImport:
    return StagedImport(
        id=row.id,
        base=row.base_version,
        created_by=row.created_by,
        created_at=row.created_at,
        upload_name=row.upload_name,
        note=row.note,
        changes=[RowChange(**c) for c in row.changes["rows"]],
        applied_version=row.applied_version,
    )
