"""The unit of work: atomic writes and a gap-free event log in commit order."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from podium.core import resources
from podium.core.competitions import COMPETITIONS, CompetitionCreate
from podium.core.errors import Conflict, Invalid
from podium.core.organizations import OrganizationCreate, create_organization
from podium.core.principal import SYSTEM
from podium.store import migrate
from podium.store.database import Database
from podium.store.tables import Base, Competition, Event, Organization


async def _count(db: Database, model: type) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_write_commits_rows_and_events_together(database: Database) -> None:
    async with database.write() as session:
        org = await create_organization(session, SYSTEM, OrganizationCreate(slug="a", name="A"))
    async with database.read() as session:
        events = (await session.scalars(select(Event))).all()
    assert [(e.seq, e.type, e.object_id) for e in events] == [(1, "organization.created", org.id)]
    assert events[0].payload is not None and events[0].payload["slug"] == "a"
    assert events[0].actor == "system"


async def test_failed_write_leaves_no_row_and_no_event(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.write() as session:
            await create_organization(session, SYSTEM, OrganizationCreate(slug="b", name="B"))
            raise RuntimeError("boom after the insert")
    assert await _count(database, Organization) == 0
    assert await _count(database, Event) == 0


async def test_integrity_error_becomes_conflict_and_rolls_back(database: Database) -> None:
    async with database.write() as session:
        org = await create_organization(session, SYSTEM, OrganizationCreate(slug="c", name="C"))
    with pytest.raises(Conflict):
        async with database.write() as session:
            await resources.create(
                session,
                SYSTEM,
                COMPETITIONS,
                CompetitionCreate(organization_id=org.id, name="kept out"),
            )
            # A raw duplicate slug that bypasses the service's own check.
            session.add(Organization(slug="c", name="dup"))
    assert await _count(database, Competition) == 0
    assert await _count(database, Event) == 1


async def test_concurrent_writers_give_gap_free_ordered_log(database: Database) -> None:
    async with database.write() as session:
        org = await create_organization(session, SYSTEM, OrganizationCreate(slug="d", name="D"))

    async def writer(n: int) -> None:
        async with database.write() as session:
            await resources.create(
                session,
                SYSTEM,
                COMPETITIONS,
                CompetitionCreate(organization_id=org.id, name=f"race {n}"),
            )

    await asyncio.gather(*(writer(n) for n in range(20)))
    async with database.read() as session:
        events = (await session.scalars(select(Event).order_by(Event.seq))).all()
        ids = set((await session.scalars(select(Competition.id))).all())
    assert [e.seq for e in events] == list(range(1, 22))
    created = [e.object_id for e in events if e.type == "competition.created"]
    # Every committed competition has exactly one event, and nothing else slipped in.
    assert sorted(created) == sorted(ids) and len(created) == 20


async def test_migrations_are_idempotent(database: Database) -> None:
    await migrate.upgrade(database)
    await migrate.upgrade(database)
    assert await _count(database, Organization) == 0


async def test_a_value_the_store_cannot_hold_is_invalid_and_nothing_is_kept(
    database: Database,
) -> None:
    with pytest.raises(Invalid):
        async with database.read() as session:
            await session.execute(select(Organization).where(Organization.id == 2**70))
    with pytest.raises(Invalid):
        async with database.write() as session:
            await create_organization(session, SYSTEM, OrganizationCreate(slug="c", name="C"))
            await session.execute(
                update(Organization).where(Organization.id == -(2**70)).values(name="x")
            )
    assert await _count(database, Organization) == 0


async def test_errors_never_carry_bound_parameters(database: Database) -> None:
    with pytest.raises(DBAPIError) as caught:
        async with database.read() as session:
            await session.execute(
                text("SELECT no_such_column FROM organizations WHERE name = :secret"),
                {"secret": "hunter2-credential"},
            )
    assert "hunter2-credential" not in str(caught.value)


async def test_the_sqlite_file_is_private_whatever_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "private.db"
    old = os.umask(0o022)
    try:
        db = Database(f"sqlite+aiosqlite:///{path}")
        await migrate.upgrade(db)
        async with db.write() as session:
            await create_organization(session, SYSTEM, OrganizationCreate(slug="p", name="P"))
            modes = _modes(tmp_path, "private.db")
        await db.dispose()
    finally:
        os.umask(old)
    assert "private.db-wal" in modes  # WAL mode: the log file exists while writing
    assert set(modes.values()) == {0o600}, modes


def _modes(folder: Path, prefix: str) -> dict[str, int]:
    return {
        item.name: stat.S_IMODE(item.stat().st_mode)
        for item in folder.iterdir()
        if item.name.startswith(prefix)
    }


async def test_a_file_left_readable_by_an_older_version_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    db = Database(f"sqlite+aiosqlite:///{path}")
    await db.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_migrations_build_exactly_the_declared_tables(database: Database) -> None:
    """What Alembic's autogenerate would add or drop after every migration: nothing."""

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return list(compare_metadata(context, Base.metadata))

    async with database.engine.connect() as connection:
        found = await connection.run_sync(differences)
    assert found == []
