"""The server's data set: the database's newest data version, read on first use
and again when a newer one appears (``ApiSettings.data_dir`` is imported as
version 1 into a database that has none).

The reference routes serve its tables, the doctor routes check ids against
it, and scenarios are validated on it. Routes reach it through
``api.deps.ServerDataDep``.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine

from scheduler.io.load import DataSet
from scheduler.io.records import DoctorRow, Record
from scheduler.store.data_versions import ensure_version, load_version
from scheduler.store.engine import reading

REFERENCE_FILES = {
    "hospitals": "hospitals.csv",
    "specialties": "specialties.csv",
    "consortia": "consortia.csv",
    "sites": "sites.csv",
    "doctors": "doctors.csv",
    "teams": "teams.csv",
}
"""The reference data served (``GET /reference/{kind}``): kind → file of the data set."""


class ServerData:
    """The server's data set: the newest data version of the database, loaded when
    first needed and again whenever a newer version appears. A database without
    data versions gets ``data_dir`` imported as version 1 on first use."""

    def __init__(self, engine: Engine, data_dir: Path) -> None:
        self.engine = engine
        self.data_dir = data_dir
        self._lock = threading.Lock()
        self._dataset: DataSet | None = None
        self._doctor_ids: set[str] = set()

    def version(self) -> int:
        """The newest data version (importing ``data_dir`` as version 1 if there is none)."""
        return ensure_version(self.engine, self.data_dir, actor="server")

    def dataset(self) -> DataSet:
        """The newest data version's data set."""
        number = self.version()
        with self._lock:
            loaded = self._dataset
            if loaded is None or loaded.files is None or loaded.files.version != number:
                with reading(self.engine) as session:
                    loaded = load_version(session, number)
                self._dataset = loaded
                self._doctor_ids = {row.doctor_id for row in loaded.table(DoctorRow)}
            return loaded

    def reference(self, kind: str) -> list[Record]:
        """The rows of one kind of reference data (a key of ``REFERENCE_FILES``)."""
        rows: list[Record] = self.dataset()[REFERENCE_FILES[kind]]
        return rows

    def has_doctor(self, doctor_id: str) -> bool:
        """Whether the data set has this doctor."""
        self.dataset()
        return doctor_id in self._doctor_ids
