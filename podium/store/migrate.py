"""Bring a database to the newest schema with Alembic, from code (no alembic.ini)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from podium.store.database import Database

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK_KEY = 0x50_6F_64_4D_69_67


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


async def upgrade(database: Database, revision: str = "head") -> None:
    """Migrate through the database's own engine, so SQLite pragmas apply."""

    def _upgrade(connection: Connection, config: Any) -> None:
        if connection.dialect.name == "postgresql":
            # Several workers may start at once; one migrates, the others wait.
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    config = alembic_config()
    async with database.engine.begin() as connection:
        await connection.run_sync(_upgrade, config)
