"""Scores rendered for people."""

from __future__ import annotations

import pytest

from podium.core.errors import Invalid
from podium.ranking.display import DisplaySettings, display
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


def forms(**settings: object) -> DisplaySettings:
    return DisplaySettings.from_settings(settings)


@pytest.mark.parametrize(
    ("settings", "scoring", "score", "text"),
    [
        ({"time": "road"}, "lowest_time", 1_092_400, "18:12.4"),
        ({"time": "road"}, "lowest_time", 1_092_401, "18:12.5"),  # outside the stadium: up
        ({"time": "road"}, "lowest_time", 3_723_456, "1:02:03.5"),
        ({"time": "marathon"}, "lowest_time", 3_723_000, "1:02:03"),
        ({"time": "marathon"}, "lowest_time", 3_723_456, "1:02:04"),  # 2:09:44.32 reads 2:09:45
        ({"time": "marathon", "rounding": "down"}, "lowest_time", 3_723_456, "1:02:03"),
        ({"time": "marathon", "decimals": 1}, "lowest_time", 3_723_456, "1:02:03.5"),
        ({"time": "marathon"}, "lowest_time", 3_500_000, "0:58:20"),  # hours always
        ({"time": "laps"}, "most_laps", encode_laps(6, 131_053), "6 laps / 2:11.053"),
        ({"time": "laps"}, "fastest_lap", 19_500, "0:19.500"),
        ({"time": "laps"}, "aggregate_laps", encode_laps(1, 20_000), "1 lap / 0:20.000"),
        ({"time": "auto"}, "most_laps", encode_laps(6, 131_053), "6 laps / 2:11.053"),
        ({"time": "auto"}, "lowest_time", 1_092_400, "18:12.4"),
        ({"time": "auto", "distance_m": 42_195}, "lowest_time", 7_523_100, "2:05:24"),
        ({"time": "auto", "distance_m": 10_000}, "lowest_time", 3_723_400, "1:02:03.4"),
        ({"time": "clock", "decimals": 0}, "lowest_time", 3_723_456, "1:02:03"),
        ({"decimals": 2}, "aggregate_points", encode_points(20.5), "20.50"),
        ({"time": "road"}, "aggregate_points", encode_points(20.5), "20.5"),
        (
            {"time": "marathon", "decimals": 0},
            "icpc",
            encode_icpc(2, 150, 70),
            "2 solved / 150 min",
        ),
    ],
)
def test_display_settings(settings: dict[str, object], scoring: str, score: int, text: str) -> None:
    assert display(scoring, score, forms(**settings)) == text


@pytest.mark.parametrize(
    ("scoring", "score"),
    [
        ("lowest_time", 3_723_456),
        ("fastest_lap", 19_500),
        ("most_laps", encode_laps(5, 95_000)),
        ("aggregate_points", encode_points(20.5)),
        ("icpc", encode_icpc(2, 150, 70)),
    ],
)
def test_no_settings_read_as_before(scoring: str, score: int) -> None:
    """An empty ``display`` and none at all both keep the engine's full clock."""
    assert (
        display(scoring, score, forms())
        == display(scoring, score)
        == display(scoring, score, DisplaySettings.of({}))
    )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("road", "display must be an object."),
        ({"time": "sprint"}, 'display.time must be "clock", "auto", "road", "marathon" or "laps".'),
        ({"time": None}, "display.time must be"),
        ({"decimals": 4}, "display.decimals must be a whole number from 0 to 3, or null."),
        ({"decimals": True}, "display.decimals must be"),
        ({"decimals": "1"}, "display.decimals must be"),
        ({"rounding": "nearest"}, "display.rounding must be"),
        ({"pace": "furlong"}, 'display.pace must be "none", "km" or "mile".'),
        ({"distance_m": 0}, "display.distance_m must be metres above 0"),
        ({"distance_m": "5K"}, "display.distance_m must be"),
        ({"distance_m": 1e12}, "display.distance_m must be"),
        ({"decimal": 1}, "display has no setting 'decimal': use time, decimals,"),
    ],
)
def test_bad_settings_are_refused_by_name(settings: object, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        DisplaySettings.from_settings(settings)
    assert caught.value.message.startswith(message)
    assert str(caught.value.details["field"]).startswith("attributes.display")


def test_settings_read_from_attributes_fill_the_distance() -> None:
    runsignup = DisplaySettings.of({"display": {"time": "auto"}, "distance": "Half Marathon"})
    assert runsignup.distance_m == pytest.approx(21_097.5)
    assert runsignup.time_text("lowest_time", 4_500_001) == "1:15:01"  # auto: marathon form
    assert runsignup.pace_text("lowest_time", 4_500_000) == "3:33/km"
    # Stored before checks existed: a page reads the defaults, not an error.
    assert DisplaySettings.of({"display": {"time": 7}, "distance_m": 5_000}) == DisplaySettings(
        distance_m=5_000
    )


def test_pace_only_for_race_times_with_a_distance() -> None:
    five_k = forms(distance_m=5_000)
    assert five_k.pace_text("lowest_time", 1_625_000) == "5:25/km"
    assert forms(distance_m=5_000, pace="mile").pace_text("personal_best", 1_625_000) == "8:43/mi"
    assert forms(distance_m=5_000, pace="none").pace_text("lowest_time", 1_625_000) is None
    assert forms().pace_text("lowest_time", 1_625_000) is None
    assert five_k.pace_text("fastest_lap", 19_500) is None
