"""Series standings: points per place over the races of a series, ties by countback.

A series is a competition whose races are its children. Each race gives places (its
declared final ranking when there is one, else its leaderboard); a place earns the
points the series awards for it, and a competitor's total is the sum of their best
``best_of`` races (all of them by default). Equal totals are broken by countback
over the races that counted (more wins, then more second places, and so on, as
sailing's RRS A8.1 and most racing series do); whoever is still level shares the
rank. A place shared in a race earns each competitor that place's full points.

The rules are the series competition's ``attributes["series"]``, every key optional::

    {"points": [25, 18, 15, 12, 10, 8, 6, 4, 2, 1], "best_of": null}

Places beyond the points table earn nothing but still count in the countback.
This module is pure: callers gather the places, it does the arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from podium.core.errors import Invalid

KEY = "series"
DEFAULT_POINTS: tuple[float, ...] = (25, 18, 15, 12, 10, 8, 6, 4, 2, 1)
MOST_PLACES = 1000  # a longer points table is a mistake, not a series
MOST_POINTS = 100_000  # points for one place
KNOWN = frozenset({"points", "best_of"})


@dataclass(frozen=True)
class Rules:
    points: tuple[float, ...] = DEFAULT_POINTS
    best_of: int | None = None  # None: every race counts

    def points_for(self, place: int | None) -> float:
        if place is None or not 1 <= place <= len(self.points):
            return 0
        return self.points[place - 1]


@dataclass(frozen=True)
class RacePlaces:
    """One race's outcome: competitor -> place (None: listed but unplaced)."""

    race_id: int
    places: Mapping[int, int | None]


@dataclass(frozen=True)
class RaceScore:
    race_id: int
    place: int | None
    points: float
    counted: bool  # False when dropped by best_of


@dataclass(frozen=True)
class Standing:
    rank: int
    competitor: int
    points: float
    scores: dict[int, RaceScore]  # by race id, only the races the competitor was in


def is_series(kind: str, attributes: Mapping[str, Any]) -> bool:
    """A competition of kind ``series``, or any with series rules in its attributes."""
    return kind == KEY or KEY in attributes


def rules_of(attributes: Mapping[str, Any]) -> Rules:
    """The series rules in a competition's attributes; Invalid says what is wrong."""
    raw = attributes.get(KEY)
    if raw is None:
        return Rules()
    if not isinstance(raw, Mapping):
        raise Invalid("attributes.series must be an object with points and best_of.", field=KEY)
    unknown = sorted(str(k) for k in raw if k not in KNOWN)
    if unknown:
        raise Invalid(f"attributes.series has unknown keys: {', '.join(unknown)}.", field=KEY)
    return Rules(_points(raw.get("points")), _best_of(raw.get("best_of")))


def _points(raw: Any) -> tuple[float, ...]:
    if raw is None:
        return DEFAULT_POINTS
    if not isinstance(raw, list) or not 1 <= len(raw) <= MOST_PLACES:
        raise Invalid(
            f"series points must be a list of 1 to {MOST_PLACES} numbers, first place first.",
            field="series.points",
        )
    for value in raw:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value) or not 0 <= value <= MOST_POINTS:
            raise Invalid(
                f"series points must be numbers from 0 to {MOST_POINTS}, not {value!r}.",
                field="series.points",
            )
    return tuple(raw)


def _best_of(raw: Any) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MOST_PLACES:
        raise Invalid(
            f"series best_of must be null (every race counts) or 1 to {MOST_PLACES}.",
            field="series.best_of",
        )
    return raw


def _counted(scores: list[tuple[int, RaceScore]], best_of: int | None) -> set[int]:
    """Race ids whose scores count: the best ``best_of`` by points, better place first.

    ``scores`` pairs each score with its race's position in the series; among equal
    scores the earlier race is kept, so the choice never depends on dict order.
    """
    if best_of is not None and len(scores) > best_of:
        scores = sorted(
            scores,
            key=lambda item: (
                -item[1].points,
                item[1].place if item[1].place is not None else math.inf,
                item[0],
            ),
        )[:best_of]
    return {score.race_id for _, score in scores}


def standings(races: Sequence[RacePlaces], rules: Rules) -> list[Standing]:
    """Everyone who took part in any race, best first, ranks shared on full ties."""
    taken: dict[int, list[tuple[int, RaceScore]]] = {}
    for position, race in enumerate(races):
        for competitor, place in race.places.items():
            score = RaceScore(race.race_id, place, rules.points_for(place), True)
            taken.setdefault(competitor, []).append((position, score))
    rows: list[Standing] = []
    backs: dict[int, tuple[int, ...]] = {}
    for competitor, scores in taken.items():
        counted = _counted(scores, rules.best_of)
        by_race = {
            s.race_id: RaceScore(s.race_id, s.place, s.points, s.race_id in counted)
            for _, s in scores
        }
        kept = [s for s in by_race.values() if s.counted]
        backs[competitor] = tuple(sorted(s.place for s in kept if s.place is not None))
        rows.append(Standing(0, competitor, sum(s.points for s in kept), by_race))
    # Countback compares counted places best first; a missing place is worse than any.
    width = max((len(places) for places in backs.values()), default=0)
    worst = max((max(places, default=0) for places in backs.values()), default=0) + 1

    def key(row: Standing) -> tuple[float, tuple[int, ...]]:
        places = backs[row.competitor]
        return (-row.points, places + (worst,) * (width - len(places)))

    rows.sort(key=lambda row: (key(row), row.competitor))
    out: list[Standing] = []
    for index, row in enumerate(rows):
        shared = index > 0 and key(rows[index - 1]) == key(row)
        rank = out[-1].rank if shared else index + 1
        out.append(Standing(rank, row.competitor, row.points, row.scores))
    return out
