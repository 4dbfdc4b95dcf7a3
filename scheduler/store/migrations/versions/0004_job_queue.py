"""jobs survive a dead process: attempts, leases (heartbeats), workers; the
PostgreSQL job queue (procrastinate's schema)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

On PostgreSQL the jobs travel through procrastinate, whose tables, types and
functions live in the same database (``procrastinate_*``); this revision
applies the schema of the procrastinate version the project pins
(``procrastinate==3.10.*``). A later procrastinate release that changes its
schema comes with a revision of ours that applies its migration files.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("solve_runs") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("worker_id", sa.String(64)))
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("queue_job_id", sa.BigInteger))
        batch.create_index("ix_solve_runs_created_by", ["created_by"])
    op.create_table(
        "job_workers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("queue", sa.String(16), nullable=False),
        sa.Column("concurrency", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True)),
    )
    if op.get_bind().dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        # Through the driver, on alembic's connection (same transaction): the
        # schema is many statements, with '%' and ':' that bind syntax would eat.
        driver = op.get_bind().connection.driver_connection
        assert driver is not None
        driver.execute(SchemaManager.get_schema())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _drop_procrastinate()
    op.drop_table("job_workers")
    with op.batch_alter_table("solve_runs") as batch:
        batch.drop_index("ix_solve_runs_created_by")
        batch.drop_column("queue_job_id")
        batch.drop_column("heartbeat_at")
        batch.drop_column("worker_id")
        batch.drop_column("attempts")


def _drop_procrastinate() -> None:
    """Every procrastinate object of this schema: tables, functions, types."""
    bind = op.get_bind()
    for table in (
        "procrastinate_events",
        "procrastinate_periodic_defers",
        "procrastinate_jobs",
        "procrastinate_workers",
    ):
        op.execute(sa.text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    functions = bind.execute(
        sa.text(
            "SELECT p.oid::regprocedure::text FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE p.proname LIKE 'procrastinate%' AND n.nspname = current_schema()"
        )
    ).scalars()
    for signature in list(functions):
        op.execute(sa.text(f"DROP FUNCTION IF EXISTS {signature} CASCADE"))
    types = bind.execute(
        sa.text(
            "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE t.typname LIKE 'procrastinate%' AND t.typtype IN ('e', 'c') "
            "AND n.nspname = current_schema()"
        )
    ).scalars()
    for name in list(types):
        op.execute(sa.text(f"DROP TYPE IF EXISTS {name} CASCADE"))
