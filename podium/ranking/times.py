"""Elapsed-time values: parse what timers and users send into integer milliseconds.

Accepted forms: ``hhh:mm:ss.s``, ``h:mm:ss.fff``, ``mm:ss.f``, ``ss.fff`` (hours are
unbounded, 1 to 3 fractional digits), a bare integer string or ``int`` as milliseconds,
and the status tokens DQ, DNS, DNF, DNQ, which are kept apart from times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from podium.core.errors import Invalid

STATUS_TOKENS = ("DQ", "DNS", "DNF", "DNQ")

_CLOCK = re.compile(r"^(?:(?:(\d+):)?(\d+):)?(\d+)(?:\.(\d{1,3}))?$")
_INTEGER = re.compile(r"^\d+$")
MAX_MS = 10**13  # about 317 years: anything larger is a mistake, not a race

Rounding = Literal["half_up", "half_even", "down", "up"]


@dataclass(frozen=True)
class TimeValue:
    """Either a time in milliseconds or a status token, never both."""

    ms: int | None = None
    status: str | None = None

    @property
    def is_time(self) -> bool:
        return self.ms is not None


def parse_time(value: str | int, *, allow_status: bool = True) -> TimeValue:
    """Parse a time or a status token; raises Invalid quoting the bad value."""
    if isinstance(value, bool):
        raise Invalid(f"{value!r} is not a time.")
    if isinstance(value, int):
        if value < 0 or value > MAX_MS:
            raise Invalid(f"{value!r} is not a time: milliseconds must be 0 to {MAX_MS}.")
        return TimeValue(ms=value)
    text = value.strip()
    if text.upper() in STATUS_TOKENS:
        if not allow_status:
            raise Invalid(f"{value!r} is a status, not a time.")
        return TimeValue(status=text.upper())
    if text.startswith("-"):
        raise Invalid(f"{value!r} is not a time: it is negative.")
    if _INTEGER.match(text):
        return parse_time(int(text))
    match = _CLOCK.match(text)
    if match is None:
        raise Invalid(
            f"{value!r} is not a time: use h:mm:ss.fff, mm:ss.f, ss.fff, milliseconds, "
            f"or one of {', '.join(STATUS_TOKENS)}."
        )
    hours_s, minutes_s, seconds_s, fraction = match.groups()
    hours = int(hours_s) if hours_s is not None else 0
    minutes = int(minutes_s) if minutes_s is not None else 0
    seconds = int(seconds_s)
    if minutes_s is not None and seconds >= 60:
        raise Invalid(f"{value!r} is not a time: seconds must be below 60.")
    if hours_s is not None and minutes >= 60:
        raise Invalid(f"{value!r} is not a time: minutes must be below 60.")
    ms = ((hours * 60 + minutes) * 60 + seconds) * 1000 + int((fraction or "0").ljust(3, "0"))
    return parse_time(ms)


def parse_ms(value: str | int) -> int:
    """Like ``parse_time`` but a status token is an error."""
    ms = parse_time(value, allow_status=False).ms
    assert ms is not None
    return ms


Style = Literal["full", "compact"]


def format_time(
    ms: int,
    *,
    precision: int = 3,
    rounding: Rounding = "half_up",
    style: Style = "full",
) -> str:
    """Render milliseconds as ``h:mm:ss.fff``.

    ``precision`` is 0 to 3 fractional digits, rounded as asked (timing rules often want
    truncation, displays rounding). ``style="compact"`` drops zero hours and a leading
    zero in the minutes, as RunSignup shows times (``16:47.5``, ``1:56:24.47``).
    """
    if not 0 <= precision <= 3:
        raise ValueError("precision is 0 to 3 digits")
    if ms < 0:
        raise ValueError("a time is never negative")
    step = 10 ** (3 - precision)
    total_ms = _round(ms, step, rounding) * step
    seconds, millis = divmod(total_ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    fraction = f".{millis // step:0{precision}d}" if precision else ""
    if style == "compact":
        if hours:
            return f"{hours}:{minutes:02d}:{seconds:02d}{fraction}"
        return f"{minutes}:{seconds:02d}{fraction}"
    return f"{hours}:{minutes:02d}:{seconds:02d}{fraction}"


def _round(ms: int, step: int, rounding: Rounding) -> int:
    """``ms / step`` rounded as asked, in integers (leaderboards format thousands a second)."""
    units, rest = divmod(ms, step)
    if rest == 0 or rounding == "down":
        return units
    if rounding == "up":
        return units + 1
    twice = rest * 2
    if twice > step or (twice == step and (rounding == "half_up" or units % 2 == 1)):
        return units + 1
    return units


def format_value(
    value: TimeValue,
    *,
    precision: int = 3,
    rounding: Rounding = "half_up",
    style: Style = "full",
) -> str:
    """A time as ``format_time`` renders it, or its status token."""
    if value.status is not None:
        return value.status
    assert value.ms is not None
    return format_time(value.ms, precision=precision, rounding=rounding, style=style)
