"""the data set in the database, versioned: data versions, their files (bytes
kept once by content), their row-by-row changes; runs record the data version
they were solved on

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "data_versions",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("fingerprint", sa.String(64), nullable=False),
    )
    op.create_table(
        "data_version_files",
        sa.Column(
            "version",
            sa.Integer,
            sa.ForeignKey("data_versions.version", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("file", sa.String(64), primary_key=True),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("data_blobs.sha256"), nullable=False),
    )
    op.create_table(
        "data_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "version",
            sa.Integer,
            sa.ForeignKey("data_versions.version", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("file", sa.String(64), nullable=False),
        sa.Column("row_key", sa.Text, nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("column", sa.String(64)),
        sa.Column("old", sa.Text),
        sa.Column("new", sa.Text),
    )
    op.create_index("ix_data_changes_version", "data_changes", ["version"])
    op.create_index("ix_data_changes_file_key", "data_changes", ["file", "row_key"])
    with op.batch_alter_table("solve_runs") as batch:
        batch.add_column(sa.Column("data_version", sa.Integer))
        batch.create_index("ix_solve_runs_data_version", ["data_version"])


def downgrade() -> None:
    with op.batch_alter_table("solve_runs") as batch:
        batch.drop_index("ix_solve_runs_data_version")
        batch.drop_column("data_version")
    op.drop_index("ix_data_changes_file_key", "data_changes")
    op.drop_index("ix_data_changes_version", "data_changes")
    op.drop_table("data_changes")
    op.drop_table("data_version_files")
    op.drop_table("data_versions")
    op.drop_table("data_blobs")
