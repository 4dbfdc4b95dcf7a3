"""API keys with roles, and per-doctor calendar feed tokens; only hashes are stored.

A key reads ``rk_<id>_<secret>``: ``id`` finds the row, the SHA-256 of the whole
key is compared in constant time. Keys carry 256 random bits, so a plain
SHA-256 (no slow hash) is the usual choice, as for any high-entropy token.
Roles are ordered: a hospital secretary may do what a viewer may (and submit
leave requests for the doctors of one hospital, ``Caller.hospital_id``), a
planner what a secretary may for every hospital, an admin what a planner may.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scheduler.store.engine import transaction
from scheduler.store.errors import Invalid, NotFound
from scheduler.store.runs import audit, now
from scheduler.store.schema import ApiKey, CalendarToken

ROLES = ("viewer", "hospital", "planner", "admin")
_PREFIX = "rk"
_DUMMY = hashlib.sha256(b"no such key").hexdigest()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def allows(role: str, needed: str) -> bool:
    """Whether ``role`` may do what ``needed`` may."""
    return ROLES.index(role) >= ROLES.index(needed)


@dataclass(frozen=True)
class Caller:
    """The holder of a valid key."""

    key_id: str
    name: str
    role: str
    hospital_id: str | None = None  # a hospital secretary's hospital

    def may_act_for(self, hospital_id: str) -> bool:
        """Whether the caller may submit for the doctors of ``hospital_id``: a planner
        (or admin) for any, a secretary for their own hospital."""
        return allows(self.role, "planner") or self.hospital_id == hospital_id


def create_key(
    engine: Engine, name: str, role: str, *, actor: str = "cli", hospital_id: str | None = None
) -> str:
    """A new key of ``role`` (``hospital``: scoped to ``hospital_id``); returns the key
    itself (shown once, never stored)."""
    if role not in ROLES:
        raise Invalid(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    if (role == "hospital") != (hospital_id is not None):
        raise Invalid("a hospital key names its hospital (--hospital); other roles do not")
    key_id = secrets.token_hex(6)
    key = f"{_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    with transaction(engine) as session:
        session.add(
            ApiKey(
                id=key_id,
                name=name,
                role=role,
                secret_sha256=_sha256(key),
                created_at=now(),
                hospital_id=hospital_id,
            )
        )
        detail = {"name": name, "role": role, "hospital_id": hospital_id}
        audit(session, actor, "create_key", key_id, detail)
    return key


def revoke_key(engine: Engine, key_id: str, *, actor: str = "cli") -> None:
    """Revoke a key by its id; ``NotFound`` if there is none."""
    with transaction(engine) as session:
        row = session.get(ApiKey, key_id)
        if row is None:
            raise NotFound(f"no key {key_id!r}")
        row.revoked_at = now()
        audit(session, actor, "revoke_key", key_id)


def authenticate(session: Session, key: str) -> Caller | None:
    """The caller holding ``key``, or None (unknown, malformed or revoked)."""
    parts = key.split("_", 2)
    row = session.get(ApiKey, parts[1]) if len(parts) == 3 and parts[0] == _PREFIX else None
    expected = row.secret_sha256 if row is not None else _DUMMY
    matches = hmac.compare_digest(_sha256(key), expected)  # same work whether found or not
    if row is None or not matches or row.revoked_at is not None:
        return None
    return Caller(row.id, row.name, row.role, row.hospital_id)


def list_keys(session: Session) -> list[ApiKey]:
    """Every key (without secrets), oldest first."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)))


def create_calendar_token(engine: Engine, doctor_id: str, *, actor: str) -> str:
    """A new feed token for a doctor (replacing any earlier one); returned once."""
    token = secrets.token_urlsafe(24)
    with transaction(engine) as session:
        row = session.get(CalendarToken, doctor_id)
        if row is None:
            session.add(
                CalendarToken(doctor_id=doctor_id, token_sha256=_sha256(token), created_at=now())
            )
        else:
            row.token_sha256 = _sha256(token)
            row.created_at = now()
        audit(session, actor, "calendar_token", doctor_id)
    return token


def calendar_token_valid(session: Session, doctor_id: str, token: str) -> bool:
    """Whether ``token`` is the doctor's current feed token (constant-time compare)."""
    row = session.get(CalendarToken, doctor_id)
    expected = row.token_sha256 if row is not None else _DUMMY
    return hmac.compare_digest(_sha256(token), expected) and row is not None
