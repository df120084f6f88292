"""Backups taken while the server runs, and restores from them.

A backup is one consistent moment of the store, so the event log and the objects
agree: every result in it was committed at or before its last event.

- SQLite: the online backup API copies the pages while a read transaction pins
  one snapshot (WAL lets writers go on meanwhile); the copy is then checked
  (``PRAGMA integrity_check``, its max event seq and its counts against the
  snapshot's) before it replaces FILE.
- PostgreSQL: ``pg_dump`` (custom format) on a snapshot exported from a
  transaction that also reads the counts and max seq; without ``pg_dump`` on
  PATH, the portable export (``podium.store.portable``) does the same job.

A restore recognises the file by its first bytes and only fills an empty store
unless told to replace what is there.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import make_url, text

from podium.store import migrate, portable
from podium.store.database import Database
from podium.store.portable import PortableError, Summary

Progress = Callable[[int, int], None]
"""Called with (pages copied, pages in all) as a SQLite copy goes."""

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
PAGES_PER_STEP = 256


class BackupError(PortableError):
    """A backup or restore that cannot be done, said in one line."""


@dataclass
class Done:
    """What a backup or restore did: ``how`` names the route taken."""

    how: str
    summary: Summary


def kind_of(path: Path) -> str:
    """``sqlite``, ``pg_dump`` or ``export``, from the file's first bytes."""
    with path.open("rb") as file:
        start = file.read(len(SQLITE_MAGIC))
    if start.startswith(SQLITE_MAGIC):
        return "sqlite"
    if start.startswith(PG_DUMP_MAGIC):
        return "pg_dump"
    if start.startswith(b"{"):
        return "export"
    raise BackupError(f"{path} is not a Podium backup (SQLite, pg_dump or podium-export).")


def _partial(target: Path) -> Path:
    """A new owner-only file beside ``target``: a backup holds webhook secrets."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(fd)
    return Path(name)


# ---- SQLite -------------------------------------------------------------------------------


def _sqlite_summary(conn: sqlite3.Connection) -> Summary:
    summary = Summary()
    try:
        for table in portable.TABLES:
            summary.rows[str(table.name)] = conn.execute(
                f'SELECT count(*) FROM "{table.name}"'  # noqa: S608 (our own names)
            ).fetchone()[0]
        summary.seq = conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"Not a Podium store of this version: {exc}.") from None
    return summary


def _copy(
    source: sqlite3.Connection, target: sqlite3.Connection, progress: Progress | None
) -> None:
    def report(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)

    source.backup(target, pages=PAGES_PER_STEP, progress=report)


def _check_copy(path: Path, expected: Summary) -> None:
    """The copy is a sound database holding what the snapshot held."""
    copy = sqlite3.connect(path, isolation_level=None)
    try:
        # One file, no -wal beside it: the copy is complete on its own.
        copy.execute("PRAGMA journal_mode=DELETE")
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"The copy failed its integrity check: {verdict}.")
        found = _sqlite_summary(copy)
    finally:
        copy.close()
    if found.seq != expected.seq or found.rows != expected.rows:
        raise BackupError(
            f"The copy does not match the store at seq {expected.seq} (it holds seq {found.seq})."
        )


def backup_sqlite(store: Path, target: Path, progress: Progress | None = None) -> Summary:
    """Copy the SQLite store to ``target`` page by page while writers go on."""
    partial = _partial(target)
    try:
        source = sqlite3.connect(store, isolation_level=None, timeout=30)
        copy = sqlite3.connect(partial, isolation_level=None)
        try:
            # Reading inside BEGIN pins one WAL snapshot for every step of the copy,
            # so a commit meanwhile neither restarts the copy nor shows up in it.
            source.execute("BEGIN")
            summary = _sqlite_summary(source)
            _copy(source, copy, progress)
            source.execute("COMMIT")
        finally:
            copy.close()
            source.close()
        _check_copy(partial, summary)
        partial.replace(target)
    finally:
        with suppress(FileNotFoundError):
            partial.unlink()
    return summary


def restore_sqlite(backup: Path, store: Path, progress: Progress | None = None) -> Summary:
    """Copy a SQLite backup over the store, through the backup API (so the store's
    other connections see the new content, not a file pulled from under them)."""
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True, isolation_level=None)
    try:
        verdict = source.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"{backup} fails its integrity check: {verdict}.")
        summary = _sqlite_summary(source)
        target = sqlite3.connect(store, isolation_level=None, timeout=30)
        try:
            _copy(source, target, progress)
        finally:
            target.close()
    finally:
        source.close()
    return summary


# ---- PostgreSQL ---------------------------------------------------------------------------


def _libpq(db: Database) -> tuple[str, dict[str, str]]:
    """The store as a libpq URL for pg_dump/pg_restore, and the password as PGPASSWORD
    (never on the command line, where ``ps`` shows it)."""
    url = make_url(db.url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None, query={})
    return plain.render_as_string(hide_password=False), env


async def _run(*command: str, env: dict[str, str]) -> None:
    process = await asyncio.create_subprocess_exec(
        *command,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, errors = await process.communicate()
    if process.returncode:
        lines = errors.decode(errors="replace").strip().splitlines() or ["no message"]
        raise BackupError(f"{Path(command[0]).name} failed: {lines[0]}")


async def backup_pg_dump(db: Database, target: Path, pg_dump: str) -> Summary:
    """``pg_dump`` of the snapshot whose counts and max seq we read ourselves."""
    url, env = _libpq(db)
    partial = _partial(target)
    try:
        async with portable.snapshot(db) as conn:
            name = (await conn.execute(text("SELECT pg_export_snapshot()"))).scalar_one()
            summary = await portable.summarize(conn)
            await _run(
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={name}",
                f"--file={partial}",
                f"--dbname={url}",
                env=env,
            )
        if pg_restore := shutil.which("pg_restore"):
            await _run(pg_restore, "--list", str(partial), env=env)  # a readable archive
        partial.replace(target)
    finally:
        with suppress(FileNotFoundError):
            partial.unlink()
    return summary


async def export_to(db: Database, target: Path) -> Summary:
    """The portable export into ``target``, written beside it and moved in when whole."""
    partial = _partial(target)
    try:
        with partial.open("wb") as out:
            summary = await portable.export(db, out)
        partial.replace(target)
    finally:
        with suppress(FileNotFoundError):
            partial.unlink()
    return summary


async def backup(
    db: Database,
    target: Path,
    *,
    store_file: Path | None,
    portable_only: bool = False,
    progress: Progress | None = None,
) -> Done:
    """Back the store up to ``target`` the best way its backend allows."""
    if portable_only:
        return Done("portable export", await export_to(db, target))
    if db.backend == "sqlite":
        if store_file is None:
            raise BackupError("Only a SQLite store in a file can be backed up.")
        summary = await asyncio.to_thread(backup_sqlite, store_file, target, progress)
        return Done("SQLite online backup", summary)
    if pg_dump := shutil.which("pg_dump"):
        return Done("pg_dump (custom format)", await backup_pg_dump(db, target, pg_dump))
    return Done("portable export (pg_dump is not on PATH)", await export_to(db, target))


# ---- restore -------------------------------------------------------------------------------


async def restore(
    db: Database,
    source: Path,
    *,
    store_file: Path | None,
    force: bool = False,
    progress: Progress | None = None,
) -> Done:
    """Fill the store from a backup of any kind; refuse a store with data unless ``force``."""
    kind = kind_of(source)
    async with db.engine.connect() as conn:
        held = await portable.occupied(conn)
    if held and not force:
        raise BackupError(
            f"The store is not empty (it holds {', '.join(held)}): "
            "restore replaces its data only with --force."
        )
    if kind == "export" or (kind == "sqlite" and db.backend == "postgresql"):
        await migrate.upgrade(db)
        if kind == "export":
            with source.open("rb") as file:
                return Done("portable import", await portable.load(db, file, replace=force))
        return Done("SQLite backup through the portable format", await _sqlite_to(db, source))
    if kind == "sqlite":
        if store_file is None:
            raise BackupError("A SQLite backup restores into a SQLite store in a file.")
        await db.engine.dispose()  # no pooled connection holds the old file open
        expected = await asyncio.to_thread(restore_sqlite, source, store_file, progress)
        return Done("SQLite backup API", await _verified(db, expected))
    if db.backend != "postgresql":
        raise BackupError("A pg_dump backup restores into PostgreSQL only.")
    if (pg_restore := shutil.which("pg_restore")) is None:
        raise BackupError("Restoring a pg_dump backup needs pg_restore on PATH.")
    url, env = _libpq(db)
    await db.engine.dispose()
    await _run(
        pg_restore,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={url}",
        str(source),
        env=env,
    )
    async with db.engine.connect() as conn:
        return Done("pg_restore", await portable.summarize(conn))


async def _verified(db: Database, expected: Summary) -> Summary:
    async with db.engine.connect() as conn:
        found = await portable.summarize(conn)
    if found != expected:
        raise BackupError(
            f"The restored store does not hold what the backup holds: {found.line()}."
        )
    return found


async def _sqlite_to(db: Database, backup_file: Path) -> Summary:
    """A SQLite backup into PostgreSQL: exported from a scratch copy of the file (opening
    it as a store would change it), then imported."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "backup.db"
        shutil.copyfile(backup_file, copy)
        source = Database(f"sqlite+aiosqlite:///{copy}")
        try:
            with (Path(scratch) / "export.jsonl").open("w+b") as spool:
                expected = await portable.export(source, spool)
                spool.seek(0)
                found = await portable.load(db, spool, replace=True)
        finally:
            await source.dispose()
    if found != expected:
        raise BackupError(
            f"The restored store does not hold what the backup holds: {found.line()}."
        )
    return found
