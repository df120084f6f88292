"""Stores with real data for the backup and export tests, and ways to compare them."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import select, text, update

from podium import demo
from podium.core import accounts, credentials, resources
from podium.core.competitions import COMPETITIONS, CompetitionCreate
from podium.core.principal import SYSTEM
from podium.feed import deliveries
from podium.store import migrate
from podium.store.database import Database
from podium.store.portable import TABLES
from podium.store.tables import Base, Competition, Organization

# The only databases these tests create on the PostgreSQL server start with this.
SPARE_PREFIX = "wt_backup_"


async def fill(db: Database) -> None:
    """The demo data, plus what it lacks: secrets (a token, an account, a webhook with
    a delivery) and a competition whose parent has a larger id."""
    await demo.load(db)
    async with db.write() as session:
        await credentials.issue_token(
            session, SYSTEM, credentials.TokenCreate(scopes=["admin"], name="ops")
        )
        org = (await session.scalars(select(Organization).order_by(Organization.id))).first()
        assert org is not None
        user = await accounts.create_user(
            session, SYSTEM, accounts.UserCreate(email="ops@example.org", password="x" * 12)
        )
        await accounts.add_member(session, SYSTEM, user, org.id, "owner")
        hook = await deliveries.subscribe(
            session,
            url="https://hooks.example.org/in",
            secret="s3cret-s3cret",
            event_types=["result.created"],
            organization_id=org.id,
            competition_id=None,
        )
        deliveries.enqueue(session, hook, "result.created", {"seq": 1, "nested": {"b": 1, "a": 2}})
        late = await resources.create(
            session, SYSTEM, COMPETITIONS, CompetitionCreate(organization_id=org.id, name="Later")
        )
        first = (
            await session.scalars(
                select(Competition)
                .where(Competition.parent_id.is_(None), Competition.id < late.id)
                .order_by(Competition.id)
            )
        ).first()
        assert first is not None
        await session.execute(
            update(Competition).where(Competition.id == first.id).values(parent_id=late.id)
        )


async def contents(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, in primary-key order."""
    found: dict[str, list[dict[str, Any]]] = {}
    async with db.engine.connect() as conn:
        for table in TABLES:
            (key,) = table.primary_key.columns
            rows = await conn.execute(select(table).order_by(key))
            found[str(table.name)] = [dict(row) for row in rows.mappings()]
    return found


async def _admin(postgres_url: str, sql: str) -> None:
    admin = Database(postgres_url)
    try:
        async with admin.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(sql))
    finally:
        await admin.dispose()


async def create_spare(postgres_url: str, name: str) -> str:
    """An empty database (no tables) on the test server; its URL."""
    base, _, _ = postgres_url.rpartition("/")
    name = f"{SPARE_PREFIX}{os.getpid()}_{name}"
    await _admin(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await _admin(postgres_url, f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


async def drop_spare(postgres_url: str, url: str) -> None:
    name = url.rpartition("/")[2]
    assert name.startswith(SPARE_PREFIX)
    await _admin(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@asynccontextmanager
async def spare_postgres(postgres_url: str, name: str) -> AsyncIterator[str]:
    url = await create_spare(postgres_url, name)
    try:
        yield url
    finally:
        await drop_spare(postgres_url, url)


async def migrated(url: str) -> Database:
    db = Database(url)
    await migrate.upgrade(db)
    return db


assert {str(t.name) for t in TABLES} == set(Base.metadata.tables)
