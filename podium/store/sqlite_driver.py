"""aiosqlite with one thread hop per statement.

SQLAlchemy's aiosqlite adapter makes four hops to the connection's thread for each
statement (open a cursor, execute, fetch all rows, close), and each hop is a queue
hand-off plus a GIL switch: on a busy machine they were most of a keyed read's CPU.
Here a statement runs, fetches and closes its cursor in one function on that thread;
rows come back buffered, as the stock adapter buffers them too. Server-side cursors
(``session.stream``, used by board builds) keep the stock, lazily fetching cursor.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Sequence
from threading import Thread
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_

Description = tuple[tuple[Any, ...], ...] | None


class _Outcome:
    """What a finished statement left: the cursor attributes SQLAlchemy reads."""

    __slots__ = ("arraysize", "description", "lastrowid", "rowcount")

    def __init__(self) -> None:
        self.description: Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def close(self) -> None:
        """Nothing to release: the driver cursor was closed on its thread."""


def _run(
    connection: sqlite3.Connection,
    outcome: _Outcome,
    operation: str,
    parameters: Any,
    many: bool,
) -> list[Any] | None:
    """On the connection's thread: execute, fetch every row, close the cursor."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, () if parameters is None else parameters)
        outcome.description = cursor.description
        rows = cursor.fetchall() if cursor.description else None
        outcome.rowcount = cursor.rowcount
        outcome.lastrowid = cursor.lastrowid
        return rows
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statement costs one hop to the connection's thread."""

    __slots__ = ()

    def _make_new_cursor(self, connection: Any) -> Any:
        return _Outcome()  # no driver cursor yet: each statement opens its own

    def _aenter_cursor(self, cursor: Any) -> Any:
        return cursor

    @property
    def description(self) -> Any:
        return self._cursor.description

    async def _async_soft_close(self) -> None:
        return None

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._hop(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._hop(operation, seq_of_parameters, many=True)

    async def _hop(self, operation: Any, parameters: Any, *, many: bool) -> Any:
        connection: Any = self._connection
        outcome = _Outcome()
        async with self._adapt_connection._execute_mutex:
            rows: Sequence[Any] | None = await connection._execute(
                _run, connection._conn, outcome, operation, parameters, many
            )
        self._cursor = outcome  # type: ignore[assignment]
        self._rows = deque(rows or ())
        return self


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """Also skips the hop of a commit or rollback with no transaction open: reads run
    in autocommit, and each pooled connection is rolled back when it is returned."""

    __slots__ = ()
    _cursor_cls = OneHopCursor

    def _open(self) -> bool:
        raw: sqlite3.Connection | None = self._connection._connection
        return raw is not None and raw.in_transaction

    def rollback(self) -> None:
        if self._open():
            super().rollback()

    def commit(self) -> None:
        if self._open():
            super().commit()


class OneHopDbapi(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module SQLAlchemy's aiosqlite dialect gets (``create_engine(module=)``)."""

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        connection: Any = aiosqlite.connect(*arg, **kw)
        # As SQLAlchemy does: the connection's thread must not keep the process alive.
        thread = connection if isinstance(connection, Thread) else connection._thread
        thread.daemon = True
        return OneHopConnection(self, await_(connection))


def supported() -> bool:
    """Whether the installed SQLAlchemy adapter has the hooks this builds on; without
    them Podium keeps SQLAlchemy's own adapter (slower, same behaviour)."""
    hooks = ("_make_new_cursor", "_aenter_cursor", "_execute_async", "_executemany_async")
    return all(hasattr(AsyncAdapt_aiosqlite_cursor, name) for name in hooks) and hasattr(
        aiosqlite.Connection, "_execute"
    )


def dbapi() -> OneHopDbapi:
    return OneHopDbapi(aiosqlite, sqlite3)
