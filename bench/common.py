"""Shared helpers: timing, reporting, and building a large board quickly."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from podium.ranking.index import MemoryBoard


@dataclass
class Outcome:
    name: str
    measured: str
    baseline: str
    ratio: float
    target: str
    met: bool

    def line(self) -> str:
        mark = "MET" if self.met else "MISSED"
        return (
            f"{self.name}: {self.measured}; baseline {self.baseline}; "
            f"ratio {self.ratio:.2f}x; target {self.target} -> {mark}"
        )


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def records(n: int, seed: int = 7) -> list[tuple[int, int, int]]:
    """(competitor, score ms, set ms) for n personal bests, with realistic ties."""
    rng = random.Random(seed)
    return [(i + 1, rng.randint(40_000, 120_000), 1_750_000_000_000 + i) for i in range(n)]


def filled_board(rows: list[tuple[int, int, int]]) -> MemoryBoard:
    board = MemoryBoard()
    for competitor, score, set_ms in rows:
        board.put(competitor, score, set_ms)
    return board
