"""The server's data set (``ApiSettings.data_dir``), read on first use and kept.

The reference routes serve its tables, the doctor routes check ids against
it, and scenarios are validated on it. Routes reach it through
``api.deps.ServerDataDep``.
"""

from __future__ import annotations

from pathlib import Path

from scheduler.io.load import DataSet, load_dataset
from scheduler.io.records import DoctorRow, Record

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
    """The data set of ``data_dir``, loaded on first use (a request that needs it)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._dataset: DataSet | None = None
        self._doctor_ids: set[str] | None = None

    def dataset(self) -> DataSet:
        """The whole data set."""
        if self._dataset is None:
            self._dataset = load_dataset(self.data_dir)
        return self._dataset

    def reference(self, kind: str) -> list[Record]:
        """The rows of one kind of reference data (a key of ``REFERENCE_FILES``)."""
        rows: list[Record] = self.dataset()[REFERENCE_FILES[kind]]
        return rows

    def has_doctor(self, doctor_id: str) -> bool:
        """Whether the data set has this doctor."""
        if self._doctor_ids is None:
            self._doctor_ids = {row.doctor_id for row in self.dataset().table(DoctorRow)}
        return doctor_id in self._doctor_ids
