"""How a score reads to a person, per scoring format."""

from __future__ import annotations

from podium.ranking.scoring import decode_icpc, decode_laps, decode_points
from podium.ranking.times import format_time

TIME_FORMATS = frozenset(
    {
        "lowest_time",
        "personal_best",
        "fastest_lap",
        "fastest_2_consecutive",
        "fastest_3_consecutive",
    }
)
POINT_FORMATS = frozenset({"highest_points", "aggregate_points"})
LAP_FORMATS = frozenset({"most_laps", "aggregate_laps"})


def display(scoring: str, score: int) -> str:
    if scoring in TIME_FORMATS:
        return format_time(score)
    if scoring in LAP_FORMATS:
        laps, total = decode_laps(score)
        return f"{laps} laps" if total is None else f"{laps} laps / {format_time(total)}"
    if scoring in POINT_FORMATS:
        points = decode_points(score)
        return f"{points:g}"
    if scoring == "icpc":
        solved, penalty, _last = decode_icpc(score)
        return f"{solved} solved / {penalty} min"
    return str(score)
