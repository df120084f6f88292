"""Engine and transactions.

``Database.write()`` is the one way to change data: it yields a session whose
pending events (see ``podium.core.events``) are appended to the event log in the
same transaction just before it commits, under a lock so that ``events.seq`` is
gap-free and follows commit order on both backends.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import JSON, Table, event, func, make_url, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from podium.config import normalize_database_url
from podium.core.errors import Conflict, Invalid
from podium.store import sqlite_driver
from podium.store.tables import Base, Event
from podium.store.types import UTCDateTime

log = logging.getLogger("podium.store")

EVENTS = Base.metadata.tables["events"]
PENDING_EVENTS = "podium_pending_events"
LAST_SEQ = "podium_last_seq"
# Key of the PostgreSQL advisory lock that orders event appends.
EVENT_LOCK_KEY = 0x50_6F_64_69_75_6D


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = normalize_database_url(url)
        self.backend = "sqlite" if self.url.startswith("sqlite") else "postgresql"
        # hide_parameters: an error's log line must not carry request data or secrets.
        kwargs: dict[str, Any] = {
            "echo": echo,
            "json_serializer": _dumps,
            "json_deserializer": _loads,
            "hide_parameters": True,
        }
        if self.backend == "postgresql":
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        else:
            _private_file(make_url(self.url).database)
            # Keep enough connections that concurrent readers never open (and close)
            # overflow ones: each costs a thread and its set-up hops.
            kwargs.update(pool_size=10, max_overflow=10)
            if sqlite_driver.supported():
                kwargs.update(module=sqlite_driver.dbapi())
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.backend == "sqlite":
            _configure_sqlite(self.engine)
        self._reader = async_sessionmaker(self.engine, expire_on_commit=False)
        self._writer = async_sessionmaker(
            self.engine.execution_options(podium_begin="IMMEDIATE"), expire_on_commit=False
        )
        # SQLite has one writer at a time; queueing here is fairer than busy-waiting.
        self._write_lock = asyncio.Lock() if self.backend == "sqlite" else None
        # The newest event seq this process has committed: readers of the log (the
        # leaderboards) catch up at once after our own writes, without polling.
        self.committed_seq = 0
        self._commit_waiters: set[asyncio.Future[None]] = set()

    async def next_commit(self) -> None:
        """Return when this process next commits events: feed readers wake on our own
        writes at once (they still poll for other processes')."""
        waiter = asyncio.get_running_loop().create_future()
        self._commit_waiters.add(waiter)
        try:
            await waiter
        finally:
            self._commit_waiters.discard(waiter)

    def _committed(self, seq: int) -> None:
        if seq > self.committed_seq:
            self.committed_seq = seq
            for waiter in list(self._commit_waiters):
                # A waiter may belong to another thread's event loop (a test server).
                with contextlib.suppress(RuntimeError):  # that loop has closed
                    waiter.get_loop().call_soon_threadsafe(_wake, waiter)

    async def dispose(self) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._reader() as session:
            try:
                yield session
            except (DBAPIError, OverflowError) as exc:
                if (refused := _as_invalid(exc)) is None:
                    raise
                raise refused from exc

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
                self._committed(session.info.pop(LAST_SEQ, 0))
            except IntegrityError as exc:
                raise Conflict(
                    "The change conflicts with stored data (a duplicate or a missing reference).",
                    reason=str(exc.orig).splitlines()[0] if exc.orig else "integrity error",
                ) from exc
            except (DBAPIError, OverflowError) as exc:
                if (refused := _as_invalid(exc)) is None:
                    raise
                raise refused from exc

    async def _append_events(self, session: AsyncSession) -> None:
        pending: list[dict[str, Any]] = session.info.pop(PENDING_EVENTS, [])
        if not pending:
            return
        if self.backend == "postgresql":
            await session.execute(select(func.pg_advisory_xact_lock(EVENT_LOCK_KEY)))
        last = (await session.execute(select(func.coalesce(func.max(Event.seq), 0)))).scalar_one()
        now = datetime.now(UTC)
        rows = [dict(row, seq=last + i, created_at=now) for i, row in enumerate(pending, start=1)]
        await bulk_insert(session, EVENTS, rows)
        session.info[LAST_SEQ] = last + len(rows)

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))


def _as_invalid(exc: DBAPIError | OverflowError) -> Invalid | None:
    """A value the store cannot hold, as the caller's mistake; None for other errors.

    The input types refuse such values first (``podium.core.limits``); this is the
    last line, so a value that slips past them still gets a 4xx, and the log says
    which path let it through.
    """
    state = getattr(getattr(exc, "orig", None), "sqlstate", None)
    if isinstance(exc, OverflowError) or (isinstance(state, str) and state.startswith("22")):
        log.warning("store refused a value", extra={"error": type(exc).__name__, "sqlstate": state})
        return Invalid(
            "A value is out of range for the store "
            "(an integer beyond 64 bits, or text with NUL characters)."
        )
    return None


def _dumps(value: Any) -> str:
    """JSON columns through orjson: bulk uploads write two JSON documents a row."""
    return orjson.dumps(value).decode()


def _loads(text: str | bytes) -> Any:
    """JSON columns back through orjson, which reads integers beyond 64 bits as floats.

    PostgreSQL's jsonb writes a stored 1e20 as 100000000000000000000; read back as a
    Python int it could never be written out again. Anything orjson refuses (data
    stored before the input limits) is still read, by the standard library.
    """
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _converter(column: Any, sqlite: bool) -> Callable[[Any], Any] | None:
    """How a value of ``column`` goes to the driver, or None when it goes as it is."""
    if isinstance(column.type, UTCDateTime):

        @lru_cache(maxsize=256)  # a batch shares a few timestamps: convert each once
        def when(value: datetime | None) -> Any:
            if value is None:
                return None
            value = value.astimezone(UTC)
            # What UTCDateTime stores on each backend: naive UTC text on SQLite.
            return value.replace(tzinfo=None).isoformat(sep=" ") if sqlite else value

        return when
    if isinstance(column.type, JSON):
        return lambda value: None if value is None else _dumps(value)
    return None


async def bulk_insert(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows as one driver executemany, serialising each value once.

    SQLAlchemy's per-row bind processing is the cost of a large upload; these rows
    come from validated commands, so only dates and JSON need converting here.
    """
    if not rows:
        return
    columns = [table.c[name] for name in rows[0]]
    sqlite = session.get_bind().dialect.name == "sqlite"
    marks = ", ".join("?" if sqlite else f"${i}" for i in range(1, len(columns) + 1))
    names = ", ".join(f'"{c.name}"' for c in columns)
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'  # noqa: S608 (our own names)
    names_in_order = [c.name for c in columns]
    converters = [_converter(c, sqlite) for c in columns]
    plain = all(convert is None for convert in converters)
    params = []
    for row in rows:
        values = [row[name] for name in names_in_order]
        if not plain:
            values = [v if f is None else f(v) for f, v in zip(converters, values, strict=True)]
        params.append(tuple(values))
    connection = await session.connection()
    await connection.exec_driver_sql(sql, params)


async def reserve_ids(session: AsyncSession, table: Any, count: int) -> list[int]:
    """``count`` fresh primary keys for ``table``, so a bulk insert needs no RETURNING.

    Call inside ``Database.write()``: on SQLite the write lock is held from BEGIN, so
    max(id) cannot move under us; PostgreSQL hands out values of the id sequence.
    """
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(table.name, "id")
        found = await session.scalars(
            select(func.nextval(sequence)).select_from(func.generate_series(1, count))
        )
        return sorted(found.all())
    last = (await session.execute(select(func.coalesce(func.max(table.c.id), 0)))).scalar_one()
    return list(range(last + 1, last + count + 1))


def _private_file(path: str | None) -> None:
    """Create the SQLite file owner-only (it holds webhook secrets), whatever the umask.

    SQLite gives its -wal and -shm files the main file's mode, so this covers them;
    a file left readable by an older version is tightened too.
    """
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    target = Path(path)
    try:
        os.close(os.open(target, os.O_RDWR | os.O_CREAT, 0o600))
        for item in (target, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if item.exists() and item.stat().st_mode & 0o077:
                item.chmod(0o600)
    except OSError:  # not ours to change (or a missing folder): SQLite reports it
        return


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
        # Reads run in autocommit: each SELECT is atomic, and skipping BEGIN saves a
        # thread hop per request. Writers take the write lock up front.
        mode = conn.get_execution_options().get("podium_begin")
        if mode is not None:
            conn.exec_driver_sql(f"BEGIN {mode}")


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
