"""API keys (admin): create, list, revoke."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import Admin, DbEngine, DbSession
from api.problems import responses
from api.schemas.keys import KeyCreated, KeyInfo, KeyRequest
from api.types import Id
from scheduler.store.keys import create_key, list_keys, revoke_key

AUTH_ERRORS = (401, 403)

router = APIRouter(tags=["keys"])


@router.post("/keys", status_code=201, responses=responses(400, *AUTH_ERRORS, 422))
def new_key(caller: Admin, body: KeyRequest, engine: DbEngine) -> KeyCreated:
    """Create an API key (admin)."""
    key = create_key(
        engine, body.name, body.role, actor=caller.key_id, hospital_id=body.hospital_id
    )
    return KeyCreated(
        id=key.split("_")[1],
        name=body.name,
        role=body.role,
        hospital_id=body.hospital_id,
        key=key,
    )


@router.get("/keys", responses=responses(*AUTH_ERRORS))
def keys(_: Admin, session: DbSession) -> list[KeyInfo]:
    """Every key, without secrets (admin)."""
    return [KeyInfo.model_validate(k, from_attributes=True) for k in list_keys(session)]


@router.delete("/keys/{key_id}", status_code=204, responses=responses(*AUTH_ERRORS, 404, 422))
def delete_key(caller: Admin, key_id: Id, engine: DbEngine) -> Response:
    """Revoke a key (admin)."""
    revoke_key(engine, key_id, actor=caller.key_id)
    return Response(status_code=204)
