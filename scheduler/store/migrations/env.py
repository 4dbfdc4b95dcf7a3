"""Alembic environment: runs against the engine handed over in the config."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from scheduler.store.schema import Base

config = context.config
engine: Engine | None = config.attributes.get("engine")
if engine is None:  # `alembic` command line: URL from the environment's settings
    from scheduler.settings import Settings
    from scheduler.store.engine import make_engine

    engine = make_engine(Settings().database_url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
