"""runs have a kind: a week's solve, or a what-if scenario

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("solve_runs") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="solve"))
        batch.create_index("ix_solve_runs_kind", ["kind"])


def downgrade() -> None:
    with op.batch_alter_table("solve_runs") as batch:
        batch.drop_index("ix_solve_runs_kind")
        batch.drop_column("kind")
