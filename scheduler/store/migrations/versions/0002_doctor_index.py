"""index published sessions by doctor (a doctor's weeks in one index range)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_published_assignments_doctor", "published_assignments", ["doctor_id", "date"]
    )


def downgrade() -> None:
    op.drop_index("ix_published_assignments_doctor", table_name="published_assignments")
