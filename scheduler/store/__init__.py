"""Storage: SQLite by default, PostgreSQL by URL (SQLAlchemy 2 + Alembic)."""
