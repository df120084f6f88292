"""Fixtures: a real database on each backend, the app in process, and a real server.

Every test that takes ``database`` runs on SQLite and, when PODIUM_TEST_POSTGRES_URL
is set, on PostgreSQL too. Under CI (CI=true) an unreachable service is a failure,
not a skip.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from podium.app import create_app
from podium.config import Settings
from podium.core import credentials
from podium.core.principal import SYSTEM
from podium.store import migrate
from podium.store.database import Database
from podium.store.tables import Base

pytest_plugins = ["tests.browsing"]

POSTGRES_URL = os.environ.get("PODIUM_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("PODIUM_TEST_REDIS_URL")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

BACKENDS = ["sqlite", "postgres"]


def _unavailable(what: str, reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{what} is required under CI but {reason}")
    pytest.skip(f"{what}: {reason}")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file copied for each test (migrating every time is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"

    async def build() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        await migrate.upgrade(db)
        await db.dispose()

    asyncio.run(build())
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of our own on the test server (one per test process, so parallel
    workers never share one), migrated once per session and dropped at its end."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need PODIUM_TEST_POSTGRES_URL (set by .ci/run)")
    base, _, _name = POSTGRES_URL.rpartition("/")
    name = f"podium_test_{os.getpid()}"

    async def create() -> None:
        admin = Database(POSTGRES_URL)
        try:
            async with admin.engine.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            await admin.dispose()
        db = Database(f"{base}/{name}")
        await migrate.upgrade(db)
        await db.dispose()

    async def drop() -> None:
        admin = Database(POSTGRES_URL)
        try:
            async with admin.engine.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            await admin.dispose()

    try:
        asyncio.run(create())
    except (OSError, DBAPIError) as exc:
        _unavailable("PostgreSQL", f"unreachable at {POSTGRES_URL}: {exc}")
    yield f"{base}/{name}"
    asyncio.run(drop())


@pytest.fixture
async def postgres_store(postgres_url: str) -> AsyncIterator[Database]:
    """The PostgreSQL test database, emptied, for tests that run real server processes."""
    db = Database(postgres_url)
    await _empty(db)
    yield db
    await db.dispose()


# Emptying the test database before each test: DELETE in reverse dependency order and a
# restart of each sequence used since (as TRUNCATE ... RESTART IDENTITY does), sent as one
# script. A few milliseconds where TRUNCATE, which makes every table's files anew, takes
# 100-300 ms, and the PostgreSQL tests are hundreds.
_EMPTY_SCRIPT = "".join(
    f'DELETE FROM "{table.name}";' for table in reversed(Base.metadata.sorted_tables)
) + (
    "DO $$DECLARE s record; BEGIN"
    " FOR s IN SELECT schemaname, sequencename FROM pg_sequences"
    " WHERE schemaname = current_schema() AND last_value IS NOT NULL LOOP"
    " EXECUTE format('ALTER SEQUENCE %I.%I RESTART', s.schemaname, s.sequencename);"
    " END LOOP; END$$;"
)


async def _empty(db: Database) -> None:
    async with db.engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
        await driver.execute(_EMPTY_SCRIPT)  # asyncpg: a multi-statement script, one trip


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "podium.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    if db.backend == "postgresql":
        await _empty(db)
    yield db
    await db.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        redis_url=None,
        log_json=False,
        max_body_bytes=2 * 1024 * 1024,
        max_bulk_rows=20_000,
    )


@pytest.fixture
def app(settings: Settings, database: Database) -> Any:
    return create_app(settings, database=database, run_migrations=False)


async def make_token(
    database: Database, scopes: list[str], organization_id: int | None = None
) -> str:
    async with database.write() as session:
        _credential, token = await credentials.issue_token(
            session,
            SYSTEM,
            credentials.TokenCreate(scopes=scopes, organization_id=organization_id),
        )
    return token


@pytest.fixture
async def admin_token(database: Database) -> str:
    """An instance-wide admin token."""
    return await make_token(database, ["admin"])


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The app in process, no credentials."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://podium.test") as c:
        yield c


@pytest.fixture
async def api(app: Any, admin_token: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app in process as an instance admin, rooted at /api/v1."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://podium.test/api/v1",
        headers={"Authorization": f"Bearer {admin_token}"},
    ) as c:
        yield c


# How long a test's HTTP client waits for a live server: a hang is a failure, a slow
# answer on a busy machine (parallel test workers, argon2 logins) is not.
PATIENT = httpx.Timeout(60.0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound and never listening, and held
    so that no parallel test worker's server can take it meanwhile."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        yield port


class LiveServer:
    """A real uvicorn server on a loopback port, in a thread with its own event loop."""

    def __init__(self, settings: Settings) -> None:
        # Bound here and handed to uvicorn, so no parallel test worker can take the port
        # between choosing it and listening on it.
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.port: int = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(settings, run_migrations=False),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            # An open stream must not keep a stopped server (and its background work
            # on the test database) alive into the next test.
            timeout_graceful_shutdown=5,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=60)
        self.socket.close()
        if self.thread.is_alive():
            raise RuntimeError("the test server did not stop")


@pytest.fixture
def live_server(settings: Settings, database: Database) -> Iterator[LiveServer]:
    """Podium served over real HTTP on 127.0.0.1 against the test's database."""
    with LiveServer(settings) as server:
        yield server


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The test Redis; skipped without PODIUM_TEST_REDIS_URL, a failure under CI if down."""
    if not REDIS_URL:
        pytest.skip("Redis tests need PODIUM_TEST_REDIS_URL (set by .ci/run)")
    from podium.store.redis import redis_status

    state = asyncio.run(redis_status(REDIS_URL))
    if state != "ok":
        _unavailable("Redis", f"unreachable at {REDIS_URL}: {state}")
    return REDIS_URL


@pytest.fixture
async def redis_prefix(redis_url: str) -> AsyncIterator[str]:
    """A Redis key prefix of this test's own (``PODIUM_REDIS_PREFIX``), removed after."""
    from podium.store.redis import connect

    prefix = f"podium-test-{uuid.uuid4().hex[:10]}"
    yield prefix
    client = connect(redis_url)
    keys = [k async for k in client.scan_iter(f"{prefix}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
