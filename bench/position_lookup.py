"""1. Position of a random score on a 1,000,000-record board, against SQL COUNT(*)."""

from __future__ import annotations

import random
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.common import Outcome, filled_board, records


def run(n: int = 1_000_000, lookups: int = 20_000, sql_lookups: int = 40) -> list[Outcome]:
    rows = records(n)
    board = filled_board(rows)
    rng = random.Random(11)
    probes = [rng.randint(40_000, 120_000) for _ in range(lookups)]
    samples = []
    for score in probes:
        start = time.perf_counter_ns()
        board.position(score, "first_set")
        samples.append(time.perf_counter_ns() - start)
    samples.sort()
    index_us = samples[len(samples) // 2] / 1000

    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(Path(tmp) / "rank.db")
        db.execute("CREATE TABLE results (id INTEGER PRIMARY KEY, score INTEGER, set_ms INTEGER)")
        db.executemany("INSERT INTO results VALUES (?, ?, ?)", rows)
        db.execute("CREATE INDEX ix_score ON results (score)")
        db.commit()
        sql_samples = []
        for score in probes[:sql_lookups]:
            start = time.perf_counter_ns()
            db.execute("SELECT count(*) FROM results WHERE score < ?", (score,)).fetchone()
            sql_samples.append(time.perf_counter_ns() - start)
        db.close()
    sql_samples.sort()
    sql_us = sql_samples[len(sql_samples) // 2] / 1000
    ratio = sql_us / index_us
    return [
        Outcome(
            f"position lookup ({n:,} records, in process)",
            f"median {index_us:.2f} us",
            f"SQLite COUNT(*) with index median {sql_us:.0f} us",
            ratio,
            "<= 20 us and >= 1000x",
            index_us <= 20 and ratio >= 1000,
        )
    ]
