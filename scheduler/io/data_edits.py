"""Planners' edits of a data set: rows added, changed or removed, policy keys set.

An edit names a file of the data set, a row by its key cells, and cells as the
CSV holds them (text: ``"4"``, ``"MON;TUE"``, ``"2026-12-01"``). Applying edits
gives new ``DataFiles``: only the edited files are written again (by the
writer the generator uses, so rows nobody touched keep their bytes); every
other file keeps its bytes. Whether the result is a valid data set is the
loader's business, by the same rules as a data directory
(``scheduler.store.data_versions.commit_version`` loads it before storing):
an edit that breaks a rule is refused naming file, row and column.

What an edit itself gets wrong (a file or column that does not exist, a key
that names no row, a row added twice) is an ``InputError`` naming the edit's
``field`` (``edits[2].cells.weekly_cap``), so an API can point at the request.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import tomlkit
from tomlkit.exceptions import TOMLKitError

from scheduler.errors import InputError
from scheduler.io.data_files import POLICY_FILE, DataFiles
from scheduler.io.schema import SPEC_OF, TableSpec, column_names

Action = Literal["add", "change", "remove"]


@dataclass(frozen=True)
class RowEdit:
    """One row of one file: added (every column in ``cells``), changed (the cells
    given), or removed. ``key`` names the row by its key columns, in the order
    of the table's key (a table without a key: every column)."""

    file: str
    action: Action
    key: tuple[str, ...] = ()
    cells: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PolicyEdit:
    """One key of ``policy.toml`` (``travel.limit_minutes``) set to a value."""

    key: str
    value: bool | int | float | str | list[str] | list[float]


def apply_edits(
    files: DataFiles,
    rows: Sequence[RowEdit] = (),
    policy: Sequence[PolicyEdit] = (),
    *,
    where: str = "edits",
    file: str | None = None,
) -> DataFiles:
    """``files`` with the edits applied, in order (``where`` and ``file`` name the
    request in errors: ``edits[k]`` is the k-th row edit, ``policy[k]`` the k-th
    policy edit)."""
    changed: dict[str, bytes] = {}
    tables: dict[str, _Table] = {}
    for k, edit in enumerate(rows):
        at = f"{where}[{k}]"
        spec = SPEC_OF.get(edit.file)
        if spec is None:
            raise InputError(f"no file {edit.file!r} in a data set", file=file, field=f"{at}.file")
        table = tables.get(edit.file) or _Table.read(files.contents[edit.file], spec)
        tables[edit.file] = table
        table.apply(edit, at, file)
    for name, table in tables.items():
        changed[name] = table.write()
    if policy:
        changed[POLICY_FILE] = _edit_policy(files.contents[POLICY_FILE], policy, file)
    return files.replaced(changed, f"{files.origin} with edits")


@dataclass
class _Table:
    """A CSV file as rows of text, to edit in place."""

    spec: TableSpec
    header: list[str]
    rows: list[list[str]]

    @classmethod
    def read(cls, content: bytes, spec: TableSpec) -> _Table:
        reader = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
        header = next(reader, None) or list(column_names(spec.file))
        return cls(spec, header, [row for row in reader if row])

    def write(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return out.getvalue().encode("utf-8")

    def key_columns(self) -> tuple[str, ...]:
        return self.spec.key or tuple(column_names(self.spec.file))

    def find(self, key: tuple[str, ...]) -> int | None:
        where = [self.header.index(c) for c in self.key_columns()]
        for index, row in enumerate(self.rows):
            if tuple(row[i].strip() for i in where) == key:
                return index
        return None

    def apply(self, edit: RowEdit, at: str, file: str | None) -> None:
        for column in edit.cells:
            if column not in self.header:
                raise InputError(
                    f"{edit.file} has no column {column!r}", file=file, field=f"{at}.cells"
                )
        if edit.action == "add":
            self._add(edit, at, file)
            return
        key = tuple(k.strip() for k in edit.key)
        if len(key) != len(self.key_columns()):
            raise InputError(
                f"name the row by {', '.join(self.key_columns())}", file=file, field=f"{at}.key"
            )
        index = self.find(key)
        if index is None:
            raise InputError(
                f"{edit.file} has no row {'/'.join(key)}", file=file, field=f"{at}.key"
            )
        if edit.action == "remove":
            del self.rows[index]
            return
        for column, value in edit.cells.items():
            self.rows[index][self.header.index(column)] = value

    def _add(self, edit: RowEdit, at: str, file: str | None) -> None:
        row = [edit.cells.get(column, "") for column in self.header]
        key = tuple(row[self.header.index(c)].strip() for c in self.key_columns())
        if self.find(key) is not None:
            raise InputError(
                f"{edit.file} already has a row {'/'.join(key)}", file=file, field=f"{at}.cells"
            )
        self.rows.append(row)


def _edit_policy(content: bytes, edits: Sequence[PolicyEdit], file: str | None) -> bytes:
    """``policy.toml`` with each key set, its comments and layout kept (tomlkit)."""
    try:
        document = tomlkit.parse(content.decode("utf-8-sig"))
    except (TOMLKitError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid TOML: {exc}", file=POLICY_FILE) from None
    for k, edit in enumerate(edits):
        section, dot, name = edit.key.partition(".")
        if not dot or not section or not name or "." in name:
            raise InputError(
                "name a key as section.key (travel.limit_minutes)",
                file=file,
                field=f"policy[{k}].key",
            )
        table = document.get(section)
        if table is None:
            table = tomlkit.table()
            document[section] = table
        table[name] = edit.value
    return tomlkit.dumps(document).encode("utf-8")
