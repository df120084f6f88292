"""Tie rules: turning ordered scores into ranks.

- ``shared``: equal scores share a rank and the next rank skips ("1, 2, 2, 4").
- ``dense``: equal scores share a rank and the next does not skip ("1, 2, 2, 3").
- ``first_set``: every competitor gets a distinct position; among equal scores, the
  one who set the score first is ahead (what Trackmania does).

Competitors without a score get no rank; they follow every ranked one, grouped by
status in ``scoring.STATUS_ORDER``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from podium.ranking.scoring import STATUS_ORDER, Score

TieRule = Literal["shared", "dense", "first_set"]
TIE_RULES: tuple[TieRule, ...] = ("shared", "dense", "first_set")


@dataclass(frozen=True)
class Standing:
    competitor: Hashable
    rank: int | None
    score: Score


def _order_key(competitor: Hashable, score: Score) -> tuple[int, int, float, str]:
    status = STATUS_ORDER.index(score.status) if score.status in STATUS_ORDER else len(STATUS_ORDER)
    set_at = score.set_at.timestamp() if isinstance(score.set_at, datetime) else float("inf")
    if score.score is None:
        return (1, status, 0.0, str(competitor))
    return (0, score.score, set_at, f"{score.deciding_result or 0:020d}:{competitor}")


def rank(scores: Sequence[tuple[Hashable, Score]], rule: TieRule = "shared") -> list[Standing]:
    """Standings in display order, with ranks under ``rule``."""
    ordered = sorted(scores, key=lambda item: _order_key(*item))
    out: list[Standing] = []
    previous: int | None = None
    current = 0
    distinct = 0
    for position, (competitor, score) in enumerate(ordered, start=1):
        if score.score is None:
            out.append(Standing(competitor, None, score))
            continue
        if score.score != previous:
            distinct += 1
            current = position
            previous = score.score
        value = {"shared": current, "dense": distinct, "first_set": position}[rule]
        out.append(Standing(competitor, value, score))
    return out
