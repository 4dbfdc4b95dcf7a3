"""uploaded data workbooks waiting for a planner's confirmation

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_imports",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("upload_name", sa.String(200), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column(
            "base_version",
            sa.Integer,
            sa.ForeignKey("data_versions.version"),
            nullable=False,
        ),
        sa.Column("files", sa.JSON, nullable=False),
        sa.Column("changes", sa.JSON, nullable=False),
        sa.Column("applied_version", sa.Integer),
    )


def downgrade() -> None:
    op.drop_table("data_imports")
