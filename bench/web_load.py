"""2b. Bulk ingest through the native API, and 3. a leaderboard page at offset 9,900.

Podium and the baseline each run as their own uvicorn process (one worker) on a
loopback port; the load is bounded in count and concurrency.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import Outcome
from bench.server import podium_cli, serve

STAMP = "2026-06-06 10:00:00.000000"


def seed(db_path: Path, people: int, results: int) -> None:
    """An organization, a competition and ``results`` personal bests, written directly."""
    db = sqlite3.connect(db_path)
    db.execute(
        "INSERT INTO organizations (id, slug, name, description, created_at, updated_at,"
        " attributes) VALUES (1, 'bench', 'Bench', '', ?, ?, '{}')",
        (STAMP, STAMP),
    )
    db.execute(
        "INSERT INTO competitions (id, organization_id, name, kind, status, scoring, tie_rule,"
        " public, created_at, updated_at, attributes) VALUES (1, 1, 'Map', 'campaign', 'running',"
        " 'personal_best', 'first_set', 1, ?, ?, '{}')",
        (STAMP, STAMP),
    )
    # Competition 2 is finished (no live board); 3 is running (its board is kept live).
    for competition_id, status in ((2, "finished"), (3, "running")):
        db.execute(
            "INSERT INTO competitions (id, organization_id, name, kind, status, scoring,"
            " tie_rule, public, created_at, updated_at, attributes) VALUES (?, 1, 'Ingest',"
            " 'race', ?, 'lowest_time', 'shared', 1, ?, ?, '{}')",
            (competition_id, status, STAMP, STAMP),
        )
    db.executemany(
        "INSERT INTO people (id, name, created_at, updated_at, attributes)"
        " VALUES (?, ?, ?, ?, '{}')",
        ((i, f"P{i}", STAMP, STAMP) for i in range(1, people + 1)),
    )
    rng = random.Random(3)
    db.executemany(
        "INSERT INTO results (competition_id, person_id, status, elapsed_ms, lap_times_ms, splits,"
        " recorded_at, created_at, updated_at, attributes)"
        " VALUES (1, ?, 'OK', ?, '[]', '[]', ?, ?, ?, '{}')",
        ((i, rng.randint(40_000, 120_000), STAMP, STAMP, STAMP) for i in range(1, results + 1)),
    )
    db.commit()
    db.close()


async def load(url: str, headers: dict[str, str], requests: int, concurrency: int) -> float:
    async with httpx.AsyncClient(headers=headers, timeout=60) as client:
        queue = iter(range(requests))

        async def worker() -> None:
            for _ in queue:
                response = await client.get(url)
                response.raise_for_status()

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return requests / (time.perf_counter() - start)


def _upload(base: str, headers: dict[str, str], competition_id: int, payloads: list[Any]) -> float:
    rows = sum(len(p["results"]) for p in payloads)
    with httpx.Client(headers=headers, timeout=300) as client:
        start = time.perf_counter()
        for payload in payloads:
            url = f"{base}/api/v1/competitions/{competition_id}/results/bulk"
            client.post(url, json=payload).raise_for_status()
        return rows / (time.perf_counter() - start)


def ingest(
    base: str, token: str, people: int, rows: int, batch: int, db_path: Path
) -> list[Outcome]:
    rng = random.Random(9)
    payloads = [
        {
            "results": [
                {"person_id": rng.randint(1, people), "elapsed_ms": rng.randint(40_000, 120_000)}
                for _ in range(batch)
            ]
        }
        for _ in range(rows // batch)
    ]
    headers = {"Authorization": f"Bearer {token}"}
    api_rate = _upload(base, headers, 2, payloads)
    live_rate = _upload(base, headers, 3, payloads)
    # Baseline: the same rows written straight into the same SQLite file.
    db = sqlite3.connect(db_path)
    flat = [(r["person_id"], r["elapsed_ms"]) for p in payloads for r in p["results"]]
    start = time.perf_counter()
    db.executemany(
        "INSERT INTO results (competition_id, person_id, status, elapsed_ms, lap_times_ms, splits,"
        " recorded_at, created_at, updated_at, attributes)"
        " VALUES (2, ?, 'OK', ?, '[]', '[]', ?, ?, ?, '{}')",
        ((p, e, STAMP, STAMP, STAMP) for p, e in flat),
    )
    db.commit()
    raw_rate = len(flat) / (time.perf_counter() - start)
    db.close()
    return [
        Outcome(
            f"bulk ingest via native API into SQLite ({rows:,} rows, {batch:,} per request)",
            f"{api_rate:,.0f} results/s",
            f"raw sqlite3 executemany {raw_rate:,.0f} rows/s",
            api_rate / raw_rate,
            ">= 20,000 results/s",
            api_rate >= 20_000,
        ),
        Outcome(
            "  the same into a competition whose leaderboard is live",
            f"{live_rate:,.0f} results/s",
            f"raw sqlite3 executemany {raw_rate:,.0f} rows/s",
            live_rate / raw_rate,
            "(informative)",
            True,
        ),
    ]


def run(
    n: int = 1_000_000, requests: int = 2_000, concurrency: int = 8, ingest_rows: int = 100_000
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db_path = work / "bench.db"
        env = {
            "PODIUM_DATABASE_URL": f"sqlite:///{db_path}",
            "PODIUM_LOG_LEVEL": "warning",
            "PODIUM_MAX_BODY_BYTES": str(64 * 2**20),
        }
        podium_cli(["migrate"], env, work)
        seed(db_path, people=max(n, 10), results=n)
        token = json.loads(
            podium_cli(["token", "create", "--scopes", "admin", "--json"], env, work)
        )["token"]
        headers = {"Authorization": f"Bearer {token}"}
        with serve(["-m", "podium", "serve"], env, work) as base:
            page = f"{base}/api/v1/competitions/1/leaderboard?offset=9900&limit=100"
            start = time.perf_counter()
            first = httpx.get(page, headers=headers, timeout=600)
            first.raise_for_status()
            build = time.perf_counter() - start
            assert first.json()["total"] == n and len(first.json()["rows"]) == min(
                100, max(n - 9900, 0)
            )
            ours = asyncio.run(load(page, headers, requests, concurrency))
            outcomes += ingest(
                base, token, max(n, 10), ingest_rows, min(10_000, ingest_rows), db_path
            )
        with serve([str(Path(__file__).with_name("bare_app.py"))], {}, work) as bare_base:
            bare = asyncio.run(load(f"{bare_base}/page", {}, requests, concurrency))
        print(f"(board of {n:,} built from the store on first request in {build:.1f} s)")
    outcomes.insert(
        0,
        Outcome(
            f"HTTP leaderboard page, offset 9,900 of {n:,}",
            f"{ours:,.0f} req/s",
            f"bare Starlette JSON endpoint {bare:,.0f} req/s",
            ours / bare,
            ">= 0.5x",
            ours / bare >= 0.5,
        ),
    )
    return outcomes
