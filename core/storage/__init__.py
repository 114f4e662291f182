"""Storage: SQLAlchemy Core tables and the engine (SQLite by default, PostgreSQL when it grows)."""

from badgebridge.core.storage.database import Database, default_database_url, open_database

__all__ = ["Database", "default_database_url", "open_database"]
