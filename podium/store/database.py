"""Engine and transactions.

``Database.write()`` is the one way to change data: it yields a session whose
pending events (see ``podium.core.events``) are appended to the event log in the
same transaction just before it commits, under a lock so that ``events.seq`` is
gap-free and follows commit order on both backends.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from podium.config import normalize_database_url
from podium.core.errors import Conflict
from podium.store.tables import Event

PENDING_EVENTS = "podium_pending_events"
# Key of the PostgreSQL advisory lock that orders event appends.
EVENT_LOCK_KEY = 0x50_6F_64_69_75_6D


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = normalize_database_url(url)
        self.backend = "sqlite" if self.url.startswith("sqlite") else "postgresql"
        kwargs: dict[str, Any] = {"echo": echo}
        if self.backend == "postgresql":
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.backend == "sqlite":
            _configure_sqlite(self.engine)
        self._reader = async_sessionmaker(self.engine, expire_on_commit=False)
        self._writer = async_sessionmaker(
            self.engine.execution_options(podium_begin="IMMEDIATE"), expire_on_commit=False
        )
        # SQLite has one writer at a time; queueing here is fairer than busy-waiting.
        self._write_lock = asyncio.Lock() if self.backend == "sqlite" else None

    async def dispose(self) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._reader() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        if self._write_lock is None:
            async with self._write_session() as session:
                yield session
        else:
            async with self._write_lock, self._write_session() as session:
                yield session

    @asynccontextmanager
    async def _write_session(self) -> AsyncIterator[AsyncSession]:
        async with self._writer() as session:
            try:
                async with session.begin():
                    yield session
                    await session.flush()
                    await self._append_events(session)
            except IntegrityError as exc:
                raise Conflict(
                    "The change conflicts with stored data (a duplicate or a missing reference).",
                    reason=str(exc.orig).splitlines()[0] if exc.orig else "integrity error",
                ) from exc

    async def _append_events(self, session: AsyncSession) -> None:
        pending: list[dict[str, Any]] = session.info.pop(PENDING_EVENTS, [])
        if not pending:
            return
        if self.backend == "postgresql":
            await session.execute(select(func.pg_advisory_xact_lock(EVENT_LOCK_KEY)))
        last = (await session.execute(select(func.coalesce(func.max(Event.seq), 0)))).scalar_one()
        rows = [dict(row, seq=last + i) for i, row in enumerate(pending, start=1)]
        await session.execute(insert(Event), rows)

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys, and explicit BEGIN so writers take the lock up front."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("podium_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")
