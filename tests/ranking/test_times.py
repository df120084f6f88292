"""Time values: parsing what timers send, formatting back, and round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podium.core.errors import Invalid
from podium.ranking.times import MAX_MS, TimeValue, format_time, format_value, parse_ms, parse_time


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("00:17:00.1", 1_020_100),
        ("0:17:00.10", 1_020_100),
        ("1:56:24.47", 6_984_470),
        ("100:00:00", 360_000_000),
        ("60:31:31", 217_891_000),
        ("16:47.5", 1_007_500),
        ("75:00", 4_500_000),
        ("59.999", 59_999),
        ("75.5", 75_500),
        ("53145", 53_145),
        ("0", 0),
        (" 1:02.003 ", 62_003),
        (53145, 53_145),
    ],
)
def test_parses_every_documented_form(text: str | int, ms: int) -> None:
    assert parse_time(text) == TimeValue(ms=ms)


@pytest.mark.parametrize("token", ["DQ", "DNS", "DNF", "DNQ", "dnf", " Dns "])
def test_status_tokens_are_kept_apart(token: str) -> None:
    value = parse_time(token)
    assert value.ms is None and value.status == token.strip().upper()
    with pytest.raises(Invalid, match="status, not a time"):
        parse_ms(token)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1:60:00", "minutes must be below 60"),
        ("1:00:60", "seconds must be below 60"),
        ("10:75.2", "seconds must be below 60"),
        ("-1:00", "negative"),
        ("-5", "negative"),
        ("abc", "is not a time"),
        ("1:2:3:4", "is not a time"),
        ("12.3456", "is not a time"),
        ("", "is not a time"),
        ("1:00:", "is not a time"),
        (-1, "0 to"),
        (MAX_MS + 1, "0 to"),
    ],
)
def test_rejects_with_the_bad_value_quoted(text: str | int, reason: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_time(text)
    assert reason in caught.value.message and repr(text) in caught.value.message


def test_bool_is_not_a_time() -> None:
    with pytest.raises(Invalid):
        parse_time(True)


@pytest.mark.parametrize(
    ("ms", "options", "text"),
    [
        (1_020_100, {}, "0:17:00.100"),
        (1_020_100, {"precision": 1, "style": "compact"}, "17:00.1"),
        (6_984_470, {"precision": 2, "style": "compact"}, "1:56:24.47"),
        (1_119_000, {"precision": 0, "style": "compact"}, "18:39"),
        (59_999, {"precision": 2}, "0:01:00.00"),
        (59_999, {"precision": 2, "rounding": "down"}, "0:00:59.99"),
        (71_345, {"precision": 1, "rounding": "half_up"}, "0:01:11.3"),
        (71_350, {"precision": 1, "rounding": "half_up"}, "0:01:11.4"),
        (71_350, {"precision": 1, "rounding": "half_even"}, "0:01:11.4"),
        (71_250, {"precision": 1, "rounding": "half_even"}, "0:01:11.2"),
        (71_201, {"precision": 1, "rounding": "up"}, "0:01:11.3"),
        (360_000_000, {"precision": 0}, "100:00:00"),
        (5_000, {"style": "compact"}, "0:05.000"),
    ],
)
def test_formats_with_precision_rounding_and_style(
    ms: int, options: dict[str, object], text: str
) -> None:
    assert format_time(ms, **options) == text  # type: ignore[arg-type]


def test_format_value_passes_status_through() -> None:
    assert format_value(TimeValue(status="DNF")) == "DNF"
    assert format_value(TimeValue(ms=1500), precision=1) == "0:00:01.5"


@given(st.integers(min_value=0, max_value=MAX_MS))
def test_full_format_round_trips_exactly(ms: int) -> None:
    assert parse_ms(format_time(ms)) == ms


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["full", "compact"]))
def test_every_style_parses_back(ms: int, style: str) -> None:
    assert parse_ms(format_time(ms, style=style)) == ms  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=3))
def test_rounding_stays_within_half_a_unit(ms: int, precision: int) -> None:
    step = 10 ** (3 - precision)
    shown = parse_ms(format_time(ms, precision=precision))
    assert abs(shown - ms) <= step // 2 and shown % step == 0
    truncated = parse_ms(format_time(ms, precision=precision, rounding="down"))
    assert 0 <= ms - truncated < step
