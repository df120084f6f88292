"""Scores rendered for people."""

from __future__ import annotations

import pytest

from podium.ranking.display import display
from podium.ranking.scoring import encode_icpc, encode_laps, encode_points


@pytest.mark.parametrize(
    ("scoring", "score", "text"),
    [
        ("lowest_time", 3_723_456, "1:02:03.456"),
        ("fastest_lap", 19_500, "0:00:19.500"),
        ("most_laps", encode_laps(5, 95_000), "5 laps / 0:01:35.000"),
        ("aggregate_laps", encode_laps(12, 200_000), "12 laps / 0:03:20.000"),
        ("aggregate_laps", encode_laps(0, None), "0 laps"),  # no time: not "0:00:00.000"
        ("aggregate_points", encode_points(20.5), "20.5"),
        ("icpc", encode_icpc(2, 150, 70), "2 solved / 150 min"),
    ],
)
def test_display(scoring: str, score: int, text: str) -> None:
    assert display(scoring, score) == text
