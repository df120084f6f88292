"""The portable export: every row of every table, and the event log, as JSON lines.

A store moves between SQLite and PostgreSQL (or to a newer Podium) through this
file, so it is plain, versioned and independent of either backend's file format:

- line 1, the header: ``{"format": "podium-export", "schema_revision": "<alembic
  revision>", "tables": [...], "version": 1}``; ``tables`` lists the tables in
  foreign-key order, the order their rows follow;
- one line per row, ``{"row": {...}, "table": "results"}``, each table's rows in
  primary-key order; values as JSON: datetimes ISO 8601 in UTC, JSON columns as
  JSON, secrets as stored (API secrets only as their argon2 hashes);
- the last line, ``{"end": {"rows": {"<table>": <count>, ...}}}``, so a file cut
  short is refused instead of loaded in part.

Keys are sorted on every line, so the same data gives the same bytes on either
backend: export, import and export again gives an identical file.

Both directions stream in batches (memory stays flat); an export reads one
snapshot and an import writes in one transaction, all or nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

import orjson
from alembic.script import ScriptDirectory
from sqlalchemy import Table, func, inspect, literal, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from podium.store.database import Database, bulk_insert
from podium.store.migrate import alembic_config
from podium.store.tables import Base
from podium.store.types import UTCDateTime

FORMAT = "podium-export"
VERSION = 1
BATCH = 1000
TABLES: list[Table] = list(Base.metadata.sorted_tables)
BY_NAME = {str(table.name): table for table in TABLES}
_LINE = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE
_HEADER_LIMIT = 1 << 20


class PortableError(Exception):
    """A file or a store this module will not use, said in one line for the user."""


@dataclass
class Summary:
    """What a store holds: rows per table and the newest event's seq."""

    rows: dict[str, int] = field(default_factory=dict)
    seq: int = 0

    def line(self) -> str:
        held = ", ".join(f"{count} {name}" for name, count in self.rows.items() if count)
        return f"{held or 'no rows'}; event log at seq {self.seq}"


def _revisions() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def code_revision() -> str:
    """The newest schema revision this code knows (the Alembic head)."""
    head = _revisions().get_current_head()
    assert head is not None
    return head


def known_revision(revision: object) -> bool:
    return revision in {script.revision for script in _revisions().walk_revisions()}


async def store_revision(conn: AsyncConnection) -> str | None:
    if "alembic_version" not in await _table_names(conn):
        return None
    return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()


async def _table_names(conn: AsyncConnection) -> set[str]:
    return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def occupied(conn: AsyncConnection) -> list[str]:
    """The tables that hold rows (a store without tables holds none)."""
    present = await _table_names(conn)
    found = []
    for table in TABLES:
        if table.name not in present:
            continue
        if (await conn.execute(select(literal(1)).select_from(table).limit(1))).first():
            found.append(table.name)
    return found


async def summarize(conn: AsyncConnection) -> Summary:
    """Counts per table and the max event seq, to check what a restore wrote."""
    present = await _table_names(conn)
    summary = Summary()
    for table in TABLES:
        if table.name in present:
            count = await conn.execute(select(func.count()).select_from(table))
            summary.rows[str(table.name)] = count.scalar_one()
    if "events" in present:
        events = BY_NAME["events"]
        last = await conn.execute(select(func.coalesce(func.max(events.c.seq), 0)))
        summary.seq = last.scalar_one()
    return summary


@asynccontextmanager
async def snapshot(db: Database) -> AsyncIterator[AsyncConnection]:
    """A connection that sees one moment of the store while writers go on.

    PostgreSQL: a REPEATABLE READ transaction. SQLite (WAL): a deferred transaction,
    whose first read pins the snapshot until it ends.
    """
    async with db.engine.connect() as conn:
        if db.backend == "postgresql":
            await conn.execution_options(isolation_level="REPEATABLE READ")
        else:
            await conn.execution_options(podium_begin="DEFERRED")
        async with conn.begin():
            yield conn


# ---- export ------------------------------------------------------------------------------


def _key(table: Table) -> Any:
    (key,) = table.primary_key.columns
    return key


async def _batches(conn: AsyncConnection, table: Table) -> AsyncIterator[list[dict[str, Any]]]:
    """The rows of ``table`` in primary-key order, a batch at a time (keyset paging)."""
    key = _key(table)
    last: Any = None
    while True:
        query = select(table).order_by(key).limit(BATCH)
        if last is not None:
            query = query.where(key > last)
        batch = [dict(row) for row in (await conn.execute(query)).mappings()]
        if not batch:
            return
        yield batch
        last = batch[-1][key.name]


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {
        name: value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value
        for name, value in row.items()
    }


async def export(db: Database, out: IO[bytes]) -> Summary:
    """Write the whole store to ``out`` from one snapshot; returns what was written."""
    async with snapshot(db) as conn:
        revision = await store_revision(conn)
        if revision != code_revision():
            raise PortableError(
                f"The store's schema is at revision {revision}, this Podium's at "
                f"{code_revision()}: run `podium migrate` first, or export with the "
                "Podium that uses it."
            )
        header = {
            "format": FORMAT,
            "version": VERSION,
            "tables": list(BY_NAME),
            "schema_revision": revision,
        }
        out.write(orjson.dumps(header, option=_LINE))
        summary = Summary()
        for table in TABLES:
            count = 0
            async for batch in _batches(conn, table):
                out.write(
                    b"".join(
                        orjson.dumps({"table": table.name, "row": _plain(row)}, option=_LINE)
                        for row in batch
                    )
                )
                count += len(batch)
                if table.name == "events":
                    summary.seq = batch[-1]["seq"]
            summary.rows[str(table.name)] = count
        out.write(orjson.dumps({"end": {"rows": summary.rows}}, option=_LINE))
    return summary


# ---- import ------------------------------------------------------------------------------


def read_header(source: IO[bytes]) -> dict[str, Any]:
    """The header line, or PortableError saying why this file is not one we read."""
    first = source.readline(_HEADER_LIMIT)
    try:
        header = orjson.loads(first)
    except orjson.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise PortableError("The file is not a Podium export (no podium-export header line).")
    if header.get("version") != VERSION:
        raise PortableError(
            f"The file is a podium-export of version {header.get('version')!r}; "
            f"this Podium reads version {VERSION}."
        )
    revision = header.get("schema_revision")
    if not known_revision(revision):
        raise PortableError(
            f"The file's schema revision {revision!r} is not one this Podium knows "
            "(a newer Podium wrote it): import it with that version or a newer one."
        )
    tables = header.get("tables")
    if not isinstance(tables, list) or not set(tables) <= BY_NAME.keys():
        raise PortableError("The file's header lists tables this Podium does not have.")
    return header


def _records(source: IO[bytes]) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(source, start=2):
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise PortableError(f"Line {number} of the file is not JSON.") from None
        if not isinstance(record, dict):
            raise PortableError(f"Line {number} of the file is not a row.")
        yield number, record


class _Loader:
    """Rows of one table at a time into the session, flushed a batch at a time."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.table: Table | None = None
        self.batch: list[dict[str, Any]] = []
        self.line = 0
        self.written: dict[str, int] = {}
        # Rows that name a later row of their own table (a competition's parent):
        # stored without it, then pointed at it once the table is in.
        self.later: list[tuple[int, str, Any]] = []

    async def add(self, number: int, name: object, row: object) -> None:
        table = BY_NAME.get(name) if isinstance(name, str) else None
        if table is None or not isinstance(row, dict):
            raise PortableError(f"Line {number}: not a row of a table this Podium has.")
        if unknown := row.keys() - table.c.keys():
            raise PortableError(f"Line {number}: {table.name} has no column {min(unknown)!r}.")
        if table is not self.table:
            await self.finish_table()
            self.table = table
        elif self.batch and row.keys() != self.batch[0].keys():
            await self.flush()
        self.line = number
        self.batch.append(self._convert(number, table, row))
        if len(self.batch) >= BATCH:
            await self.flush()

    def _convert(self, number: int, table: Table, row: dict[str, Any]) -> dict[str, Any]:
        for column in table.columns:
            value = row.get(column.name)
            if isinstance(column.type, UTCDateTime) and isinstance(value, str):
                try:
                    row[column.name] = datetime.fromisoformat(value)
                except ValueError:
                    raise PortableError(
                        f"Line {number}: {column.name} is not an ISO 8601 time."
                    ) from None
            key = row.get(_key(table).name)
            own = any(fk.column.table is table for fk in column.foreign_keys)
            if own and isinstance(value, int) and isinstance(key, int) and value >= key:
                self.later.append((key, column.name, value))
                row[column.name] = None
        return row

    async def flush(self) -> None:
        if not self.batch or self.table is None:
            return
        try:
            await bulk_insert(self.session, self.table, self.batch)
        except DBAPIError as exc:
            reason = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
            raise PortableError(
                f"The {self.table.name} rows up to line {self.line} could not be stored: {reason}."
            ) from None
        self.written[self.table.name] = self.written.get(self.table.name, 0) + len(self.batch)
        self.batch = []

    async def finish_table(self) -> None:
        await self.flush()
        if self.table is not None and self.later:
            # Plain SQL: an ORM-style update would also move ``updated_at``.
            key = _key(self.table).name
            for row_key, name, value in self.later:
                await self.session.execute(
                    text(f'UPDATE "{self.table.name}" SET "{name}" = :v WHERE "{key}" = :k'),  # noqa: S608
                    {"v": value, "k": row_key},
                )
            self.later = []


async def _clear(session: AsyncSession) -> None:
    for table in reversed(TABLES):
        await session.execute(table.delete())


async def _reset_ids(session: AsyncSession) -> None:
    """Move each PostgreSQL id sequence past the largest id, so new rows get fresh ids.

    SQLite needs nothing: its ids (and ``reserve_ids``) follow max(id).
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        if "id" in table.c and table.c.id.autoincrement:
            await session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                    f'COALESCE(MAX(id), 0) + 1, false) FROM "{table.name}"'
                )
            )


async def load(db: Database, source: IO[bytes], *, replace: bool = False) -> Summary:
    """Load an export into ``db`` with its ids and event seqs, in one transaction.

    The store must be empty; ``replace`` empties it first (in the same transaction).
    Returns what the store then holds, checked against the file's own counts.
    """
    read_header(source)
    async with db.write() as session:
        conn = await session.connection()
        if (held := await occupied(conn)) and not replace:
            raise PortableError(
                f"The store is not empty (it holds {', '.join(held)}): load into an empty store."
            )
        if held:
            await _clear(session)
        loader = _Loader(session)
        end: Any = None
        for number, record in _records(source):
            if end is not None:
                raise PortableError(f"Line {number}: rows after the end line.")
            if "end" in record:
                end = record["end"]
                continue
            await loader.add(number, record.get("table"), record.get("row"))
        await loader.finish_table()
        if end is None:
            raise PortableError("The file ends early (no end line): is it cut short?")
        counts = end.get("rows") if isinstance(end, dict) else None
        expected = {k: v for k, v in counts.items() if v} if isinstance(counts, dict) else None
        if expected != loader.written:
            raise PortableError("The file's rows do not match the counts on its end line.")
        await _reset_ids(session)
        return await summarize(conn)
