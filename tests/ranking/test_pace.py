"""Pace per kilometre and per mile, and distances as events write them."""

from __future__ import annotations

import pytest

from podium.ranking.pace import MARATHON_M, distance_of, format_pace, pace_ms, parse_distance


@pytest.mark.parametrize(
    ("elapsed_ms", "distance_m", "unit", "text"),
    [
        (1_625_000, 5_000, "km", "5:25/km"),  # 27:05 for 5K
        (1_625_000, 5_000, "mile", "8:43/mi"),  # 523.03 s a mile
        (7_523_000, MARATHON_M, "km", "2:58/km"),  # 2:05:23 marathon: 178.29 s
        (2_999_999, 10_000, "km", "5:00/km"),  # 299.9999 s rounds to the whole second
        (2_994_999, 10_000, "km", "4:59/km"),  # 299.4999 s
        (5_000_000, 1_000, "km", "1:23:20/km"),  # hours when a kilometre takes them
    ],
)
def test_format_pace(elapsed_ms: int, distance_m: float, unit: str, text: str) -> None:
    assert format_pace(elapsed_ms, distance_m, unit) == text  # type: ignore[arg-type]


def test_pace_ms_is_proportional_and_refuses_no_distance() -> None:
    assert pace_ms(1_625_000, 5_000, "km") == 325_000
    assert pace_ms(3_600_000, 1_609.344, "mile") == 3_600_000
    with pytest.raises(ValueError, match="positive"):
        pace_ms(1_000, 0, "km")


@pytest.mark.parametrize(
    ("text", "metres"),
    [
        ("5K", 5_000),
        ("10 km", 10_000),
        ("5K Virtual", 5_000),
        ("13.1 Miles", 13.1 * 1609.344),
        ("1 mile fun run", 1609.344),
        ("Half Marathon", MARATHON_M / 2),
        ("half-marathon", MARATHON_M / 2),
        ("Marathon", MARATHON_M),
        ("10,000 metres", 10_000),
        ("  8   KM ", 8_000),
    ],
)
def test_parse_distance(text: str, metres: float) -> None:
    assert parse_distance(text) == pytest.approx(metres)


@pytest.mark.parametrize(
    "text", ["", "10M", "800m", "Fun Run", "Kids' dash", "5 laps", "0K", "99999999 km", "-5K"]
)
def test_unclear_distances_give_none(text: str) -> None:
    """A bare M is miles to some and metres to others: no guess, no wrong pace."""
    assert parse_distance(text) is None


def test_distance_of_prefers_display_then_metres_then_text() -> None:
    assert distance_of({"display": {"distance_m": 4_900}, "distance_m": 5_000}) == 4_900
    assert distance_of({"distance_m": 5_000, "distance": "10K"}) == 5_000
    assert distance_of({"distance": "10K"}) == 10_000
    assert distance_of({"distance_m": True, "distance": None}) is None
    assert distance_of({"distance_m": "5000", "display": "km"}) is None
    assert distance_of({}) is None
