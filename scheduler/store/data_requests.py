"""Leave requests and their approval (SPEC §12).

A hospital's secretary (a key of role ``hospital``, scoped to one hospital) or
a planner submits a leave request for a doctor: from a date to a date, with a
reason. Planners see the queue and decide: approval adds the leave to the
data set as the next data version (source ``request``) in the same
transaction that marks the request approved, so a request is approved at most
once and never without its data change; rejection keeps a note. A request
whose days fall in a week already published is flagged with those weeks:
approving it changes the data, not the published roster — the planner repairs
that week (``POST /weeks/{week}/repairs`` with the doctor's absence).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scheduler.errors import InputError
from scheduler.io.data_edits import RowEdit, apply_edits
from scheduler.io.load import DataSet
from scheduler.io.records import DoctorRow
from scheduler.store.data_versions import DataSource, RowChange, commit_version, data_files
from scheduler.store.engine import reading, transaction
from scheduler.store.errors import Conflict, Forbidden, NotFound
from scheduler.store.schema import DataRequest, Publication
from scheduler.week import week_of

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
MAX_DAYS = 366


@dataclass(frozen=True)
class LeaveRequest:
    """A request as the queue shows it, with the published weeks it falls in."""

    id: str
    created_at: dt.datetime
    created_by: str
    hospital_id: str
    doctor_id: str
    start_date: dt.date
    end_date: dt.date
    reason: str
    status: str
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str | None
    data_version: int | None
    published_weeks: tuple[str, ...]


def submit_request(
    engine: Engine,
    data: DataSet,
    *,
    doctor_id: str,
    start: dt.date,
    end: dt.date,
    reason: str,
    actor: str,
    scope: str | None,
    file: str | None = None,
) -> LeaveRequest:
    """Queue a leave request for a doctor of ``data``. ``scope``: the hospital the
    caller may act for (None: any). ``InputError`` naming the field for an unknown
    doctor or bad dates; ``Forbidden`` for another hospital's doctor."""
    doctor = next((d for d in data.table(DoctorRow) if d.doctor_id == doctor_id), None)
    if doctor is None:
        raise InputError(f"unknown doctor {doctor_id!r}", file=file, field="doctor_id")
    if scope is not None and doctor.hospital_id != scope:
        raise Forbidden(f"doctor {doctor_id} is not of hospital {scope}")
    if end < start:
        raise InputError("must not be before start", file=file, field="end")
    if (end - start).days >= MAX_DAYS:
        raise InputError(f"at most {MAX_DAYS} days", file=file, field="end")
    with transaction(engine) as session:
        row = DataRequest(
            id=uuid.uuid4().hex,
            created_at=dt.datetime.now(dt.UTC),
            created_by=actor,
            hospital_id=doctor.hospital_id,
            doctor_id=doctor_id,
            start_date=start,
            end_date=end,
            reason=reason,
            status=PENDING,
        )
        session.add(row)
        session.flush()
        return _request(session, row)


def list_requests(
    session: Session, *, status: str | None = None, scope: str | None = None
) -> list[LeaveRequest]:
    """Requests, oldest pending first; only ``scope``'s hospital when given."""
    query = select(DataRequest).order_by(DataRequest.created_at, DataRequest.id)
    if status is not None:
        query = query.where(DataRequest.status == status)
    if scope is not None:
        query = query.where(DataRequest.hospital_id == scope)
    return [_request(session, row) for row in session.scalars(query)]


def get_request(session: Session, request_id: str, *, scope: str | None = None) -> LeaveRequest:
    """One request (``NotFound`` also for another hospital's, under a ``scope``)."""
    row = session.get(DataRequest, request_id)
    if row is None or (scope is not None and row.hospital_id != scope):
        raise NotFound(f"no request {request_id}")
    return _request(session, row)


def approve_request(
    engine: Engine, request_id: str, *, actor: str, note: str | None = None
) -> tuple[LeaveRequest, int, list[RowChange]]:
    """Add the request's leave to the newest data version as the next one, and mark
    the request approved in the same transaction (``Conflict`` if it was decided
    meanwhile, or another version was made between reading and committing)."""
    with reading(engine) as session:
        row = session.get(DataRequest, request_id)
        if row is None:
            raise NotFound(f"no request {request_id}")
        if row.status != PENDING:
            raise Conflict(f"request {request_id} is already {row.status}")
        files = data_files(session)
        cells = {
            "doctor_id": row.doctor_id,
            "start_date": row.start_date.isoformat(),
            "end_date": row.end_date.isoformat(),
            "reason": row.reason,
        }
    edited = apply_edits(files, [RowEdit("leave.csv", "add", cells=cells)], file="request")

    def decide(session: Session, number: int) -> None:
        _decide(session, request_id, APPROVED, actor, note, number)

    made = commit_version(
        engine,
        edited,
        base=files.version,
        actor=actor,
        source=DataSource.REQUEST,
        note=f"{row.doctor_id} {row.reason} ({request_id[:8]})" + (f": {note}" if note else ""),
        also=decide,
    )
    if made is None:
        raise Conflict(f"no change: the leave of request {request_id} is in the data already")
    with reading(engine) as session:
        return get_request(session, request_id), made[0], made[1]


def reject_request(engine: Engine, request_id: str, *, actor: str, note: str) -> LeaveRequest:
    """Mark a pending request rejected, with why."""
    with transaction(engine) as session:
        _decide(session, request_id, REJECTED, actor, note, None)
    with reading(engine) as session:
        return get_request(session, request_id)


def _decide(
    session: Session,
    request_id: str,
    status: str,
    actor: str,
    note: str | None,
    version: int | None,
) -> None:
    """Pending → ``status``, once: a conditional update, so of two planners deciding
    at once exactly one does."""
    done = (
        session.query(DataRequest)
        .filter(DataRequest.id == request_id, DataRequest.status == PENDING)
        .update(
            {
                DataRequest.status: status,
                DataRequest.decided_by: actor,
                DataRequest.decided_at: dt.datetime.now(dt.UTC),
                DataRequest.decision_note: note,
                DataRequest.data_version: version,
            }
        )
    )
    if done != 1:
        if session.get(DataRequest, request_id) is None:
            raise NotFound(f"no request {request_id}")
        raise Conflict(f"request {request_id} was decided meanwhile")


def _request(session: Session, row: DataRequest) -> LeaveRequest:
    weeks = sorted(
        {
            week_of(row.start_date + dt.timedelta(days=k))
            for k in range((row.end_date - row.start_date).days + 1)
        }
    )
    published = set(
        session.scalars(select(Publication.week).where(Publication.week.in_(weeks)).distinct())
    )
    return LeaveRequest(
        id=row.id,
        created_at=row.created_at,
        created_by=row.created_by,
        hospital_id=row.hospital_id,
        doctor_id=row.doctor_id,
        start_date=row.start_date,
        end_date=row.end_date,
        reason=row.reason,
        status=row.status,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
        data_version=row.data_version,
        published_weeks=tuple(w for w in weeks if w in published),
    )
