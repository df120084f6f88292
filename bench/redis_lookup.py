"""5. Position lookup on a Redis board against a bare redis-py ZCOUNT, same server and data."""

from __future__ import annotations

import asyncio
import os
import random
import time

from bench.common import Outcome, records
from podium.ranking.index import RedisBoard
from podium.store.redis import connect

KEY = "podium:bench:board"


async def _run(url: str, n: int, lookups: int) -> list[Outcome]:
    client = connect(url)
    board = RedisBoard(client, KEY)
    try:
        await board.load(records(n))
        rng = random.Random(5)
        probes = [rng.randint(40_000, 120_000) for _ in range(lookups)]

        start = time.perf_counter()
        for score in probes:
            await board.position_for(score, "first_set")
        ours = lookups / (time.perf_counter() - start)

        start = time.perf_counter()
        for score in probes:
            await client.zcount(f"{KEY}:z", "-inf", score)
        bare = lookups / (time.perf_counter() - start)
    finally:
        await board.clear()
        await client.aclose()
    return [
        Outcome(
            f"Redis position lookup ({n:,} records)",
            f"{ours:,.0f} lookups/s",
            f"bare redis-py ZCOUNT {bare:,.0f}/s",
            ours / bare,
            ">= 0.8x",
            ours / bare >= 0.8,
        )
    ]


def run(n: int = 1_000_000, lookups: int = 5_000) -> list[Outcome]:
    url = os.environ.get("PODIUM_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        return asyncio.run(_run(url, n, lookups))
    except OSError as exc:
        print(f"skipped Redis benchmark: {url} unreachable ({exc})")
        return []
