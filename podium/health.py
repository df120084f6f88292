"""Liveness and readiness, kept apart from ``/healthz``.

``/healthz/live`` answers while the process runs, so an orchestrator restarts only a
process that hangs. ``/healthz/ready`` answers 200 once start-up work is done (the
schema at head, live boards warmed), so a load balancer sends traffic only to a worker
that will not make its first readers wait; until then it says what is pending.
``/healthz`` still reports the database and Redis as before.
"""

from __future__ import annotations

import logging

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from podium.store import migrate
from podium.store.database import Database

log = logging.getLogger("podium")

MIGRATIONS = "migrations"
LEADERBOARDS = "leaderboards"
STOPPING = "stopping"


class Readiness:
    """What start-up work this process still waits for, by name, with a reason each."""

    def __init__(self) -> None:
        self.pending: dict[str, str] = {
            MIGRATIONS: "the schema is not checked against this version yet",
            LEADERBOARDS: "live leaderboards are not built yet",
        }

    @property
    def ready(self) -> bool:
        return not self.pending

    def wait_for(self, name: str, reason: str) -> None:
        self.pending[name] = reason

    def done(self, name: str) -> None:
        self.pending.pop(name, None)

    async def check_schema(self, database: Database) -> None:
        """Done when the database's revision is the code's head, else pending with both.

        Asked again while pending, so a ``podium migrate`` run beside a server started
        without migrating makes it ready without a restart.
        """
        try:
            current, head = await schema_revisions(database)
        except Exception as exc:  # unreachable database: stay pending, say why
            self.wait_for(MIGRATIONS, f"cannot read the schema revision: {type(exc).__name__}")
            return
        if current == head:
            self.done(MIGRATIONS)
        else:
            self.wait_for(
                MIGRATIONS, f"database at {current or 'no revision'}, code at {head}: migrate"
            )


async def schema_revisions(database: Database) -> tuple[str | None, str | None]:
    """The database's Alembic revision and the code's head revision."""
    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()

    def current(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with database.engine.connect() as connection:
        return await connection.run_sync(current), head
