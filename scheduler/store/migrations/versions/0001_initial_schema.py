"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _keys_and_audit()
    _runs_and_publications()
    _run_results()
    _unmet_and_published()


def _keys_and_audit() -> None:
    """Access keys, the audit trail and doctors' calendar tokens."""
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "calendar_tokens",
        sa.Column("doctor_id", sa.String(length=64), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("doctor_id"),
    )


def _runs_and_publications() -> None:
    """Solve runs (jobs) and publications of a week's versions."""
    op.create_table(
        "solve_runs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("data_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("worker_pid", sa.Integer(), nullable=True),
        sa.Column("progress", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("kpis", sa.JSON(), nullable=True),
        sa.Column("coverage", sa.Float(), nullable=True),
        sa.Column("run_dir", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("solve_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_solve_runs_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_solve_runs_week"), ["week"], unique=False)

    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=32), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["solve_runs.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("week", "version", name="uq_publications_week_version"),
    )
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publications_week"), ["week"], unique=False)


def _run_results() -> None:
    """What a run holds: assignments, documents, level values."""
    op.create_table(
        "run_assignments",
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("doctor_id", sa.String(length=64), nullable=False),
        sa.Column("doctor_name", sa.String(length=200), nullable=False),
        sa.Column("hospital_id", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("half_day", sa.String(length=2), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("site_name", sa.String(length=200), nullable=False),
        sa.Column("consortium_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("specialty_id", sa.String(length=64), nullable=False),
        sa.Column("travel_minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["solve_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("run_assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_run_assignments_run_doctor", ["run_id", "doctor_id", "date"], unique=False
        )

    op.create_table(
        "run_documents",
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["solve_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id", "name"),
    )
    op.create_table(
        "run_levels",
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("bound", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("wall_seconds", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["solve_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id", "position"),
    )


def _unmet_and_published() -> None:
    """A run's unmet demand and the published assignments."""
    op.create_table(
        "run_unmet",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("site_name", sa.String(length=200), nullable=False),
        sa.Column("consortium_id", sa.String(length=64), nullable=False),
        sa.Column("specialty_id", sa.String(length=64), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("reason_code", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["solve_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("run_unmet", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_run_unmet_run_id"), ["run_id"], unique=False)

    op.create_table(
        "published_assignments",
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("doctor_id", sa.String(length=64), nullable=False),
        sa.Column("doctor_name", sa.String(length=200), nullable=False),
        sa.Column("hospital_id", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("half_day", sa.String(length=2), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("site_name", sa.String(length=200), nullable=False),
        sa.Column("consortium_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("specialty_id", sa.String(length=64), nullable=False),
        sa.Column("travel_minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["publication_id"], ["publications.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("published_assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_published_assignments_pub_doctor",
            ["publication_id", "doctor_id", "date"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("published_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_published_assignments_pub_doctor")

    op.drop_table("published_assignments")
    with op.batch_alter_table("run_unmet", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_unmet_run_id"))

    op.drop_table("run_unmet")
    op.drop_table("run_levels")
    op.drop_table("run_documents")
    with op.batch_alter_table("run_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_run_assignments_run_doctor")

    op.drop_table("run_assignments")
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publications_week"))

    op.drop_table("publications")
    with op.batch_alter_table("solve_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_solve_runs_week"))
        batch_op.drop_index(batch_op.f("ix_solve_runs_status"))

    op.drop_table("solve_runs")
    op.drop_table("calendar_tokens")
    op.drop_table("audit_events")
    op.drop_table("api_keys")
