"""Pace: time per kilometre or per mile, from a time and the event's distance.

Distances come from ``display.distance_m`` or from what the store already holds for
an event: ``distance_m`` (metres) or RunSignup's free ``distance`` text ("5K",
"13.1 Miles", "Half Marathon"). Text that does not say its unit plainly gives no
distance rather than a wrong pace: a bare "M" is miles to some timers and metres to
others, so "10M" is not guessed at.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Literal

from podium.ranking.times import format_time

PaceUnit = Literal["km", "mile"]
UNIT_M: dict[str, float] = {"km": 1000.0, "mile": 1609.344}
SUFFIX = {"km": "/km", "mile": "/mi"}
MARATHON_M = 42_195.0
MAX_DISTANCE_M = 10_000_000.0  # 10 000 km: longer than any race, still a number

_METRES = {
    "k": 1000.0,
    "km": 1000.0,
    "kms": 1000.0,
    "kilometer": 1000.0,
    "kilometers": 1000.0,
    "kilometre": 1000.0,
    "kilometres": 1000.0,
    "mi": 1609.344,
    "mile": 1609.344,
    "miles": 1609.344,
    "meter": 1.0,
    "meters": 1.0,
    "metre": 1.0,
    "metres": 1.0,
}
_AMOUNT = re.compile(r"^(\d+(?:\.\d+)?)\s*([a-z]+)\b")
_NAMED = (("half marathon", MARATHON_M / 2), ("half-marathon", MARATHON_M / 2))


def parse_distance(text: str) -> float | None:
    """Metres in a distance as people write it ("5K", "10 km", "13.1 Miles",
    "Marathon"), or None when it is not plainly a distance."""
    words = " ".join(re.sub(r"(?<=\d),(?=\d{3}\b)", "", text).lower().split())
    for name, metres in _NAMED:
        if words.startswith(name):
            return metres
    if words.startswith("marathon"):
        return MARATHON_M
    match = _AMOUNT.match(words)
    if match is None or match.group(2) not in _METRES:
        return None
    metres = float(match.group(1)) * _METRES[match.group(2)]
    return metres if 0 < metres <= MAX_DISTANCE_M else None


def metres_of(value: object) -> float | None:
    """A stored distance in metres when it is one (a positive number, not a flag)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) if 0 < value <= MAX_DISTANCE_M else None
    return None


def distance_of(attributes: Mapping[str, object]) -> float | None:
    """The event's distance in metres from a competition's attributes, if it has one."""
    display = attributes.get("display")
    for source in (display if isinstance(display, Mapping) else {}, attributes):
        metres = metres_of(source.get("distance_m"))
        if metres is not None:
            return metres
    text = attributes.get("distance")
    return parse_distance(text) if isinstance(text, str) else None


def _per_unit(elapsed_ms: int, distance_m: float, unit: PaceUnit) -> Fraction:
    if distance_m <= 0:
        raise ValueError("a distance is positive")
    return elapsed_ms * Fraction(UNIT_M[unit]) / Fraction(distance_m)


def _half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def pace_ms(elapsed_ms: int, distance_m: float, unit: PaceUnit) -> int:
    """Milliseconds per ``unit``, to the nearest millisecond."""
    return _half_up(_per_unit(elapsed_ms, distance_m, unit))


def format_pace(elapsed_ms: int, distance_m: float, unit: PaceUnit) -> str:
    """``5:25/km`` or ``8:43/mi``: whole seconds, rounded half up once from the exact
    pace (an average, not a timed result, so no timing rule asks for more)."""
    seconds = _half_up(_per_unit(elapsed_ms, distance_m, unit) / 1000)
    return format_time(seconds * 1000, precision=0, style="compact") + SUFFIX[unit]
