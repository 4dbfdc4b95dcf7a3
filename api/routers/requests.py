"""Leave requests: a hospital's secretary (or a planner) submits, planners decide.

A secretary's key (role ``hospital``) sees and submits only for its hospital's
doctors (403 for another's; another hospital's request is a 404). Approval
adds the leave as the next data version; ``published_weeks`` names the weeks
already published that it falls in — repair them (``POST
/weeks/{week}/repairs``) to move the published roster too.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from api.deps import DbEngine, DbSession, Planner, Secretary, ServerDataDep
from api.problems import responses
from api.schemas.data import RowChangeOut
from api.schemas.requests import (
    Approved,
    Decision,
    LeaveRequestIn,
    LeaveRequestOut,
    Rejection,
)
from api.types import Id
from scheduler.store.data_requests import (
    LeaveRequest,
    approve_request,
    get_request,
    list_requests,
    reject_request,
    submit_request,
)
from scheduler.store.keys import Caller, allows

AUTH_ERRORS = (401, 403)
BODY = "request body"

router = APIRouter(tags=["requests"])


def _scope(caller: Caller) -> str | None:
    """The hospital a secretary is limited to; None for planners."""
    return None if allows(caller.role, "planner") else (caller.hospital_id or "")


@router.post("/requests", status_code=201, responses=responses(400, *AUTH_ERRORS, 422, 503))
def submit(
    caller: Secretary,
    body: LeaveRequestIn,
    response: Response,
    engine: DbEngine,
    data: ServerDataDep,
) -> LeaveRequestOut:
    """Submit a leave request for a doctor (a secretary: of their own hospital)."""
    found = submit_request(
        engine,
        data.dataset(),
        doctor_id=body.doctor_id,
        start=body.start,
        end=body.end,
        reason=body.reason,
        actor=caller.name,
        scope=_scope(caller),
        file=BODY,
    )
    response.headers["Location"] = f"/requests/{found.id}"
    return _out(found)


@router.get("/requests", responses=responses(*AUTH_ERRORS, 422))
def queue(
    caller: Secretary,
    session: DbSession,
    status: Annotated[Literal["pending", "approved", "rejected"] | None, Query()] = None,
) -> list[LeaveRequestOut]:
    """Requests, oldest first (``status=pending``: the queue); a secretary sees their
    hospital's."""
    return [_out(r) for r in list_requests(session, status=status, scope=_scope(caller))]


@router.get("/requests/{request_id}", responses=responses(*AUTH_ERRORS, 404, 422))
def one(caller: Secretary, request_id: Id, session: DbSession) -> LeaveRequestOut:
    """One request and its decision."""
    return _out(get_request(session, request_id, scope=_scope(caller)))


@router.post(
    "/requests/{request_id}/approve",
    status_code=201,
    responses=responses(400, *AUTH_ERRORS, 404, 409, 422),
)
def approve(
    caller: Planner, request_id: Id, engine: DbEngine, body: Decision | None = None
) -> Approved:
    """Approve: the leave becomes the next data version (409 if already decided)."""
    found, version, changes = approve_request(
        engine, request_id, actor=caller.name, note=body.note if body else None
    )
    return Approved(
        request=_out(found),
        version=version,
        changes=[RowChangeOut(**c.__dict__) for c in changes],
    )


@router.post("/requests/{request_id}/reject", responses=responses(400, *AUTH_ERRORS, 404, 409, 422))
def reject(caller: Planner, request_id: Id, body: Rejection, engine: DbEngine) -> LeaveRequestOut:
    """Reject, saying why (409 if already decided)."""
    return _out(reject_request(engine, request_id, actor=caller.name, note=body.note))


def _out(found: LeaveRequest) -> LeaveRequestOut:
    return LeaveRequestOut(**{**found.__dict__, "published_weeks": list(found.published_weeks)})
