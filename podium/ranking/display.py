"""How a score reads to a person, per scoring format and the competition's display settings.

``display(scoring, score)`` without settings keeps the engine's full clock
(``1:02:03.456``), which every page showed before display settings existed, so a
competition that sets nothing reads as it always did. ``attributes.display`` picks
each sport's usual form instead; see ``DisplaySettings``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

from podium.core.errors import Invalid
from podium.ranking.pace import MAX_DISTANCE_M, PaceUnit, distance_of, format_pace
from podium.ranking.scoring import decode_icpc, decode_laps, decode_points
from podium.ranking.times import Rounding, Style, format_time

TIME_FORMATS = frozenset(
    {
        "lowest_time",
        "personal_best",
        "fastest_lap",
        "fastest_2_consecutive",
        "fastest_3_consecutive",
    }
)
# Formats whose score is a whole race's time: the ones a pace and a chip time belong to.
RACE_TIME_FORMATS = frozenset({"lowest_time", "personal_best"})
POINT_FORMATS = frozenset({"highest_points", "aggregate_points"})
LAP_FORMATS = frozenset({"most_laps", "aggregate_laps"})

TimeForm = Literal["clock", "auto", "road", "marathon", "laps"]
Pace = Literal["none", "km", "mile"]
TIME_FORMS: tuple[str, ...] = get_args(TimeForm)
PACES: tuple[str, ...] = get_args(Pace)
ROUNDINGS: tuple[str, ...] = get_args(Rounding)
KEYS = ("time", "decimals", "rounding", "pace", "distance_m")


@dataclass(frozen=True)
class Form:
    """One concrete way to write a time: hours always or only when needed, digits."""

    style: Style
    decimals: int
    rounding: Rounding


# Road and marathon times round up: World Athletics TR 19.24 converts a time run
# outside the stadium to the next longer unit shown (2:09:44.32 reads 2:09:45).
FORMS: dict[str, Form] = {
    "clock": Form("full", 3, "half_up"),  # 1:02:03.456, the engine's own form
    "road": Form("compact", 1, "up"),  # 18:12.4, 1:02:03.5
    "marathon": Form("full", 0, "up"),  # 2:05:31, 0:58:40
    "laps": Form("compact", 3, "half_up"),  # 2:11.053, 0:19.500
}
HALF_MARATHON_M = 21_000.0  # from here on, "auto" writes whole seconds with hours


@dataclass(frozen=True)
class DisplaySettings:
    """A competition's ``attributes.display``; every key is optional.

    ``time``: "clock" (default), "road", "marathon", "laps", or "auto" (the sport's
    usual form from the scoring: laps for drone formats, marathon for race times over
    a known distance of 21 km or more, road otherwise). ``decimals`` (0-3) and
    ``rounding`` override the form's own. ``pace`` is "km", "mile" or "none";
    it shows for race-time formats when a distance is known. ``distance_m`` is the
    event's distance in metres, when the store holds none.
    """

    time: TimeForm = "clock"
    decimals: int | None = None
    rounding: Rounding | None = None
    pace: Pace = "km"
    distance_m: float | None = None

    @staticmethod
    def from_settings(settings: object) -> DisplaySettings:
        """The settings as written; raises Invalid naming the first bad key."""
        if not isinstance(settings, Mapping):
            raise Invalid("display must be an object.", field=_FIELD)
        unknown = sorted(str(k) for k in settings if k not in KEYS)
        if unknown:
            raise Invalid(
                f"display has no setting {unknown[0]!r}: use {', '.join(KEYS)}.",
                field=f"{_FIELD}.{unknown[0]}",
            )
        time = settings.get("time", "clock")
        if time not in TIME_FORMS:
            raise _bad("time", _choices(TIME_FORMS))
        decimals = settings.get("decimals")
        if decimals is not None and not (
            isinstance(decimals, int) and not isinstance(decimals, bool) and 0 <= decimals <= 3
        ):
            raise _bad("decimals", "a whole number from 0 to 3, or null")
        rounding = settings.get("rounding")
        if rounding is not None and rounding not in ROUNDINGS:
            raise _bad("rounding", _choices(ROUNDINGS) + ", or null")
        pace = settings.get("pace", "km")
        if pace not in PACES:
            raise _bad("pace", _choices(PACES))
        distance = settings.get("distance_m")
        if distance is not None and not (
            isinstance(distance, int | float)
            and not isinstance(distance, bool)
            and 0 < distance <= MAX_DISTANCE_M
        ):
            raise _bad("distance_m", f"metres above 0 and at most {MAX_DISTANCE_M:.0f}, or null")
        return DisplaySettings(
            time,
            decimals,
            rounding,
            pace,
            None if distance is None else float(distance),
        )

    @staticmethod
    def of(attributes: Mapping[str, object] | None) -> DisplaySettings:
        """A competition's settings for reading pages: what it stored, with the event's
        distance filled from its other attributes. Settings stored before they were
        checked read as the defaults, so a page never fails on them."""
        attributes = attributes or {}
        raw = attributes.get("display", {})
        try:
            settings = DisplaySettings.from_settings(raw)
        except Invalid:
            settings = DisplaySettings()
        distance = distance_of(attributes)
        if distance == settings.distance_m:
            return settings
        return DisplaySettings(
            settings.time, settings.decimals, settings.rounding, settings.pace, distance
        )

    def form(self, scoring: str) -> Form:
        """The concrete form for a time of ``scoring``, overrides applied."""
        name: str = self.time
        if name == "auto":
            if scoring in RACE_TIME_FORMATS:
                far = self.distance_m is not None and self.distance_m >= HALF_MARATHON_M
                name = "marathon" if far else "road"
            else:
                name = "laps"
        base = FORMS[name]
        return Form(
            base.style,
            base.decimals if self.decimals is None else self.decimals,
            base.rounding if self.rounding is None else self.rounding,
        )

    def time_text(self, scoring: str, ms: int) -> str:
        """A time of ``scoring`` in this competition's form."""
        form = self.form(scoring)
        return format_time(ms, precision=form.decimals, rounding=form.rounding, style=form.style)

    def pace_text(self, scoring: str, ms: int) -> str | None:
        """The pace of a race time, or None when it has none (no distance, no pace asked,
        or a format whose score is not a race's time)."""
        if scoring not in RACE_TIME_FORMATS or self.pace == "none" or self.distance_m is None:
            return None
        unit: PaceUnit = self.pace
        return format_pace(ms, self.distance_m, unit)


DEFAULT = DisplaySettings()
_FIELD = "attributes.display"


def _choices(values: tuple[str, ...]) -> str:
    return ", ".join(f'"{v}"' for v in values[:-1]) + f' or "{values[-1]}"'


def _bad(key: str, wanted: str) -> Invalid:
    return Invalid(f"display.{key} must be {wanted}.", field=f"{_FIELD}.{key}")


def display(scoring: str, score: int, settings: DisplaySettings | None = None) -> str:
    """A score as the competition shows it (the engine's full clock without settings)."""
    shown = settings or DEFAULT
    if scoring in TIME_FORMATS:
        return shown.time_text(scoring, score)
    if scoring in LAP_FORMATS:
        laps, total = decode_laps(score)
        counted = "1 lap" if laps == 1 else f"{laps} laps"
        return counted if total is None else f"{counted} / {shown.time_text(scoring, total)}"
    if scoring in POINT_FORMATS:
        points = decode_points(score)
        return f"{points:g}" if shown.decimals is None else f"{points:.{shown.decimals}f}"
    if scoring == "icpc":
        solved, penalty, _last = decode_icpc(score)
        return f"{solved} solved / {penalty} min"
    return str(score)
