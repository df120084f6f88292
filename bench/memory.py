"""4. Resident memory the in-memory index adds for 1,000,000 records."""

from __future__ import annotations

import gc

from bench.common import Outcome, records
from podium.ranking.index import MemoryBoard


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * 4096 / 2**20


def run(n: int = 1_000_000) -> list[Outcome]:
    rows = records(n)
    gc.collect()
    before = rss_mb()
    board = MemoryBoard()
    for competitor, score, set_ms in rows:
        board.put(competitor, score, set_ms)
    gc.collect()
    added = rss_mb() - before
    # Baseline: the same records as a plain list of tuples (what a naive cache would hold).
    gc.collect()
    before = rss_mb()
    plain = [(s, t, c) for c, s, t in rows]
    gc.collect()
    plain_mb = rss_mb() - before
    del plain, board
    return [
        Outcome(
            f"index memory ({n:,} records)",
            f"{added:.0f} MB RSS",
            f"plain list of tuples {plain_mb:.0f} MB",
            added / plain_mb if plain_mb else float("inf"),
            "<= 150 MB",
            added <= 150,
        )
    ]
