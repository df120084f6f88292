"""What the MultiGP server and client share: formats, frequencies, the envelope.

RaceSync sends nearly every value as a string (ids, "0"/"1" flags), except
``childRaceCount`` (an int) and ``status`` (a bool, or int 1 from ``user/login``).
"""

from __future__ import annotations

from typing import Any

BASE_PATH = "/mgp/multigpwebservice"

# scoringFormat -> the core scoring format that ranks it. "Aggregate Laps" sums laps
# over the rounds flown, as RotorHazard's class ranking (what it pushes) does.
SCORING_FORMATS: dict[str, str] = {
    "0": "aggregate_laps",
    "1": "fastest_lap",
    "2": "fastest_3_consecutive",
    "6": "fastest_2_consecutive",
}
SCORING_NAMES = {
    "0": "Aggregate Laps",
    "1": "Fastest Lap",
    "2": "Fastest 3 Consecutive Laps",
    "6": "Fastest 2 Consecutive Laps",
}

# Raceband, the default frequency profile: (band, channel, MHz).
RACEBAND: tuple[tuple[str, str, int], ...] = tuple(
    ("R", str(n), mhz)
    for n, mhz in enumerate((5658, 5695, 5732, 5769, 5806, 5843, 5880, 5917), start=1)
)
FATSHARK: tuple[tuple[str, str, int], ...] = tuple(
    ("F", str(n), mhz)
    for n, mhz in enumerate((5740, 5760, 5780, 5800, 5820, 5840, 5860, 5880), start=1)
)
PROFILES = {"raceband": RACEBAND, "fatshark": FATSHARK}


def ok(**fields: Any) -> dict[str, Any]:
    return {"status": True, **fields}


def failure(message: str, field: str = "general", http_status: int = 400) -> dict[str, Any]:
    """RaceSync's error envelope: ``status`` false with a message and per-field errors."""
    return {
        "status": False,
        "statusDescription": message,
        "errors": {field: [message]},
        "httpStatus": http_status,
    }


def flag(value: bool) -> str:
    return "1" if value else "0"


def is_set(value: Any) -> bool:
    """A RaceSync boolean: "1", 1, true."""
    return str(value).strip().lower() in ("1", "true", "yes")


MAX_MS = 10**13  # the longest time a result stores (about 317 years)
MAX_ID_DIGITS = 18  # ids beyond this fit no column: treated as malformed, not looked up


def whole_number(value: Any) -> int | None:
    """An id or count as RaceSync clients send it: 7, "7", " 7 ", 7.0 or "7.0"; else None.

    Bools are not numbers here (``True`` would read as 1), nor negative or fractional
    values, nor digits other than ASCII ones (``int("²")`` fails).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < 10**MAX_ID_DIGITS else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and 0 <= value < 10**MAX_ID_DIGITS else None
    if isinstance(value, str):
        text = value.strip()
        whole, dot, zeros = text.partition(".")
        if dot and zeros.strip("0") == "":  # "5.0" as a number's text
            text = whole
        if text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS:
            return int(text)
    return None


def pilot_id(value: Any) -> str | None:
    """A MultiGP pilot id as stored (a string of digits), from a string or an int.

    RotorHazard sends it as a string in slot pushes and as an int in the overall
    ranking; both name the same pilot.
    """
    number = whole_number(value)
    return None if number is None else str(number)


def seconds_to_ms(value: Any) -> int | None:
    """Seconds with up to 3 decimals (121.402) as exact integer milliseconds."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    whole, _, fraction = text.partition(".")
    if not whole.lstrip("-").isdigit() or (fraction and not fraction.isdigit()):
        raise ValueError(f"{value!r} is not a number of seconds")
    if whole.startswith("-"):
        raise ValueError(f"{value!r} is negative")
    digits = (fraction + "000")[:3]
    rest = fraction[3:]
    ms = int(whole) * 1000 + int(digits)
    if rest and int(rest[0]) >= 5:  # round half up past the millisecond
        ms += 1
    return ms


def ms_to_seconds(ms: int | None) -> str | None:
    return None if ms is None else f"{ms // 1000}.{ms % 1000:03d}"
