"""2a. Inserting and improving 1,000,000 personal bests in the index."""

from __future__ import annotations

import time

from sortedcontainers import SortedList

from bench.common import Outcome, records
from podium.ranking.index import MemoryBoard


def run(n: int = 1_000_000) -> list[Outcome]:
    rows = records(n)
    improved = [(c, max(s - 5_000, 1), t + 1) for c, s, t in rows[: n // 2]]
    board = MemoryBoard()
    start = time.perf_counter()
    for competitor, score, set_ms in rows:
        board.put(competitor, score, set_ms, improve_only=True)
    for competitor, score, set_ms in improved:
        board.put(competitor, score, set_ms, improve_only=True)
    elapsed = time.perf_counter() - start
    rate = (len(rows) + len(improved)) / elapsed

    # Baseline: the bare sorted list of tuples, inserts only (no improve, no lookup map).
    bare = SortedList()
    start = time.perf_counter()
    for competitor, score, set_ms in rows:
        bare.add((score, set_ms, competitor))
    bare_rate = len(rows) / (time.perf_counter() - start)
    return [
        Outcome(
            f"index insert/improve ({n:,} + {n // 2:,} improvements)",
            f"{rate:,.0f} records/s",
            f"bare SortedList of tuples {bare_rate:,.0f} inserts/s",
            rate / bare_rate,
            ">= 100,000 records/s",
            rate >= 100_000,
        )
    ]
