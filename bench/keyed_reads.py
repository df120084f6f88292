"""Keyed reads: one Podium worker against bare Starlette endpoints doing one SELECT.

Each route is read by 8 keep-alive connections for a bounded number of requests, on
SQLite and on PostgreSQL. The load generator is a minimal HTTP/1.1 client, so the
servers, not the client, are what is measured. CPU per request is the server
process's utime+stime (``/proc/<pid>/stat``) over the run, divided by the requests.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import orjson

from bench.common import Outcome
from bench.server import podium_cli, serve_process

ACCOUNTS = 500
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
POSTGRES_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
POSTGRES_DB = "podium_bench_keyed"


def cpu_seconds(pid: int) -> float:
    """User plus system CPU of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


async def _get(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = next(
        int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")
    )
    return status, await reader.readexactly(length)


def _request(path: str, headers: dict[str, str]) -> bytes:
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"GET {path} HTTP/1.1\r\nHost: bench\r\n{extra}\r\n".encode("latin-1")


async def load(
    base: str, paths: list[str], headers: dict[str, str], requests: int, concurrency: int
) -> float:
    """Requests per second over ``requests`` GETs cycling through ``paths``."""
    where = urlsplit(base)
    encoded = [_request(path, headers) for path in paths]
    queue = iter(range(requests))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(where.hostname, where.port)
        try:
            for i in queue:
                status, body = await _get(reader, writer, encoded[i % len(encoded)])
                if status != 200:
                    raise RuntimeError(f"{paths[i % len(paths)]}: {status} {body[:200]!r}")
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return requests / (time.perf_counter() - start)


async def fetch_json(base: str, path: str, headers: dict[str, str]) -> object:
    where = urlsplit(base)
    reader, writer = await asyncio.open_connection(where.hostname, where.port)
    try:
        status, body = await _get(reader, writer, _request(path, headers))
    finally:
        writer.close()
    if status != 200:
        raise RuntimeError(f"{path}: {status} {body[:200]!r}")
    return orjson.loads(body)


@dataclass
class Measured:
    rate: float
    cpu_ms: float


def measure(
    base: str, pid: int, paths: list[str], headers: dict[str, str], requests: int
) -> Measured:
    asyncio.run(load(base, paths, headers, min(300, requests), 8))  # warm up
    before = cpu_seconds(pid)
    rate = asyncio.run(load(base, paths, headers, requests, 8))
    used = cpu_seconds(pid) - before
    return Measured(rate, used * 1000 / requests)


async def _seed(url: str, count: int = ACCOUNTS) -> tuple[int, list[int], list[int]]:
    """Plain Polympics accounts (Discord ids) and people, written through the core."""
    from sqlalchemy import text

    from podium.core.principal import SYSTEM
    from podium.dialects.polympics import accounts
    from podium.store.database import Database

    db = Database(url)
    discord, people = [], []
    try:
        async with db.write() as session:
            org = await accounts.ensure_organization(session, "polympics")
            for i in range(count):
                number = 100_000_000_000_000_000 + i
                person = await accounts.create_account(
                    session,
                    SYSTEM,
                    org,
                    discord_id=number,
                    name=f"Account {i}",
                    discriminator=f"{i % 10_000:04d}",
                    avatar_url=None,
                    permissions=0,
                )
                discord.append(number)
                people.append(person.id)
        if db.backend == "postgresql":
            # Fresh tables have no statistics until autovacuum runs; without them the
            # planner joins 500 people by nested loop (about 50 ms a read, either server).
            async with db.engine.connect() as conn:
                await conn.execute(text("ANALYZE"))
    finally:
        await db.dispose()
    return org, discord, people


async def _fresh_postgres() -> str:
    import asyncpg

    admin = await asyncpg.connect(f"{POSTGRES_ADMIN}/postgres")
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {POSTGRES_DB}")
    finally:
        await admin.close()
    return f"{POSTGRES_ADMIN}/{POSTGRES_DB}"


Route = tuple[str, Callable[[list[int], list[int]], list[str]], bool]
ROUTES: list[Route] = [
    ("GET /polympics/account/{id}", lambda d, _p: [f"/polympics/account/{i}" for i in d], False),
    ("GET /api/v1/people/{id}", lambda _d, p: [f"/api/v1/people/{i}" for i in p], True),
]


def run_backend(backend: str, requests: int, accounts: int = ACCOUNTS) -> list[Outcome]:
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        url = f"sqlite:///{work / 'bench.db'}" if backend == "sqlite" else ""
        if not url:
            url = asyncio.run(_fresh_postgres())
        env = {
            "PODIUM_DATABASE_URL": url,
            "PODIUM_LOG_LEVEL": "warning",
            "PODIUM_POLYMPICS_ORGANIZATION": "polympics",
        }
        podium_cli(["migrate"], env, work)
        org, discord, people = asyncio.run(_seed(url, accounts))
        token = json.loads(
            podium_cli(["token", "create", "--scopes", "admin", "--json"], env, work)
        )["token"]
        auth = {"Authorization": f"Bearer {token}"}
        bare_env = {"BENCH_DATABASE_URL": url, "BENCH_POLYMPICS_ORG": str(org)}
        bare_script = str(Path(__file__).with_name("keyed_bare.py"))
        for name, paths_of, needs_token in ROUTES:
            paths = paths_of(discord, people)
            headers = auth if needs_token else {}
            with serve_process(["-m", "podium", "serve"], env, work) as (base, pid):
                ours = measure(base, pid, paths, headers, requests)
                expected = asyncio.run(fetch_json(base, paths[0], headers))
            with serve_process([bare_script], bare_env, work) as (base, pid):
                bare = measure(base, pid, paths, {}, requests)
                got = asyncio.run(fetch_json(base, paths[0], {}))
            if got != expected:
                raise AssertionError(f"{name}: bare JSON {got!r} differs from {expected!r}")
            ratio = ours.rate / bare.rate
            outcomes.append(
                Outcome(
                    f"keyed read {name} on {backend}, 8 connections, {requests:,} requests",
                    f"{ours.rate:,.0f} req/s, {ours.cpu_ms:.2f} ms CPU/request",
                    f"bare Starlette + one SELECT {bare.rate:,.0f} req/s,"
                    f" {bare.cpu_ms:.2f} ms CPU/request",
                    ratio,
                    ">= 0.5x and <= 1 ms CPU/request",
                    ratio >= 0.5 and ours.cpu_ms <= 1.0,
                )
            )
    return outcomes


def run(
    requests: int = 3_000,
    backends: tuple[str, ...] = ("sqlite", "postgresql"),
    accounts: int = ACCOUNTS,
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for backend in backends:
        outcomes += run_backend(backend, requests, accounts)
    return outcomes


if __name__ == "__main__":
    import sys

    chosen = tuple(sys.argv[1:]) or ("sqlite", "postgresql")
    for outcome in run(backends=chosen):
        print(outcome.line(), flush=True)
