"""hospital keys (a secretary's scope) and leave requests with their decisions

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("hospital_id", sa.String(64)))
    op.create_table(
        "data_requests",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("hospital_id", sa.String(64), nullable=False),
        sa.Column("doctor_id", sa.String(64), nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("end_date", sa.Date, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(200)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decision_note", sa.Text),
        sa.Column("data_version", sa.Integer),
    )
    op.create_index("ix_data_requests_hospital_id", "data_requests", ["hospital_id"])
    op.create_index("ix_data_requests_status", "data_requests", ["status"])


def downgrade() -> None:
    op.drop_index("ix_data_requests_status", "data_requests")
    op.drop_index("ix_data_requests_hospital_id", "data_requests")
    op.drop_table("data_requests")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("hospital_id")
