"""A data set as its files: what a data directory holds and the database stores.

``DataFiles`` is the bytes of every file of ``DATA_FILES`` (``policy.toml`` and
the CSV files of ``scheduler.io.schema``), read from a directory or from a data
version in the database (``scheduler.store.data_versions``). The loader
(``scheduler.io.load.load_dataset``) validates either the same way, so a data
version is checked by exactly the rules a directory is; writing the files back
(``write_data_files``) gives the same bytes, so an export of what was imported
equals the imported directory.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scheduler.errors import InputError
from scheduler.io.output_dir import OutputKind, prepare_output
from scheduler.io.schema import SPECS, TableSpec, column_names

POLICY_FILE = "policy.toml"
DATA_FILES: tuple[str, ...] = (POLICY_FILE, *(spec.file for spec in SPECS))
"""Every file of a data set, in the order the loader reads them."""


@dataclass(frozen=True)
class DataFiles:
    """The files of one data set (name → bytes) and where they came from.

    Read from a directory, a file that is not there is simply absent (the
    loader says which, at the point it would have read it); a data version
    always has every file (it was loaded before it was stored).
    """

    contents: Mapping[str, bytes]
    origin: str  # the directory read, or "data version 4"
    version: int | None = None  # the data version (None: read from a directory)

    @classmethod
    def read(cls, directory: Path) -> DataFiles:
        """The data files of ``directory`` (other files there are not part of it)."""
        directory = Path(directory)
        if not directory.is_dir():
            raise InputError(f"data directory {directory} does not exist")
        contents = {}
        for name in DATA_FILES:
            path = directory / name
            if path.is_file():  # an unreadable one raises OSError naming it (exit 2 on the CLI)
                contents[name] = path.read_bytes()
        return cls(contents, str(directory))

    def digests(self) -> dict[str, str]:
        """SHA-256 of every file, by name (in ``DATA_FILES`` order)."""
        return {
            name: hashlib.sha256(self.contents[name]).hexdigest()
            for name in DATA_FILES
            if name in self.contents
        }

    def fingerprint(self) -> str:
        """One SHA-256 over the names and digests of every file: equal data sets, equal
        fingerprints."""
        manifest = "".join(f"{name}\0{digest}\n" for name, digest in self.digests().items())
        return hashlib.sha256(manifest.encode()).hexdigest()

    def replaced(self, changed: Mapping[str, bytes], origin: str) -> DataFiles:
        """The same files with ``changed`` ones replaced (not a stored version)."""
        return DataFiles({**self.contents, **changed}, origin)


def write_data_files(files: DataFiles, target: Path, details: Mapping[str, Any]) -> None:
    """Write the data set into ``target`` as a data directory, byte for byte.

    Like ``roster generate``: a directory roster did not write, or one whose
    files were edited since, is refused (``OutputError``), never overwritten;
    other files in it (a README) are kept.
    """
    output = prepare_output(
        Path(target),
        OutputKind.DATASET,
        details=details,
        recognise=_has_data_files,
        owns=DATA_FILES,
    )
    with output.staged() as staging:
        for name in DATA_FILES:
            (staging.path / name).write_bytes(files.contents[name])


def _has_data_files(directory: Path) -> bool:
    """A data directory written before data sets had a marker: every file, each CSV
    with its header row."""
    try:
        files = DataFiles.read(directory)
    except InputError:
        return False
    if set(files.contents) != set(DATA_FILES):
        return False
    return all(
        _header(files.contents[spec.file]) == list(column_names(spec.file)) for spec in SPECS
    )


def _header(content: bytes) -> list[str] | None:
    try:
        return next(csv.reader(io.StringIO(content.decode("utf-8"))), None)
    except (UnicodeDecodeError, csv.Error):
        return None


def csv_rows(files: DataFiles, spec: TableSpec) -> dict[tuple[str, ...], dict[str, str]]:
    """The rows of one CSV file as text, keyed by the table's key (or the whole row
    where a table has none): what a change list compares between two versions."""
    text = files.contents[spec.file].decode("utf-8")
    out: dict[tuple[str, ...], dict[str, str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        cells = {name: (row.get(name) or "").strip() for name in column_names(spec.file)}
        key = tuple(cells[k] for k in spec.key) if spec.key else tuple(cells.values())
        out[key] = cells
    return out
