"""Categories a competitor is placed in: gender, age group, division and team.

A competitor's *facts* (gender, age, division, team) come from its person and its
entry in the competition, with what a timer posted on the result (RunSignup rows
carry ``gender`` and ``age``) as the fallback. Age is counted on the event day from
the date of birth. The facts name the *groups* the competitor is ranked in; each
group has its own board in the leaderboard index (``podium.ranking.leaderboards``),
so a gender or age-group place is a rank lookup, never a sort per request.

The age-group scheme is a competition setting, ``attributes.categories``::

    {"age_groups": "5" | "10" | "masters" | [0, 18, 35, 50], "age_on": "2026-06-01"}

``"5"``/``"10"`` are 5- or 10-year bands from 20 (under-20 below), ``"masters"``
is Open under 40 then 5-year bands, a list gives the lower bound of each band.
``age_on`` defaults to the day the competition starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import pairwise
from typing import Any

from podium.core.errors import Invalid

KINDS = ("gender", "age", "division", "team")
GENDER_WORDS = {"F": "Women", "M": "Men", "X": "Non-binary"}
MOST_BANDS = 30
OLDEST = 130
MOST_NAME = 80  # characters of a division or team name kept in a group key

_PRESETS: dict[str, tuple[int, ...]] = {
    "5": (0, *range(20, 75, 5)),
    "10": (0, *range(20, 80, 10)),
    "masters": (0, *range(40, 80, 5)),
}
DEFAULT_SCHEME = "5"


@dataclass(frozen=True)
class AgeScheme:
    """Bands by lower bound, youngest first; ``open_below`` names the first band."""

    bounds: tuple[int, ...]
    open_below: str | None = None

    def group(self, age: int) -> str:
        band = 0
        for index, low in enumerate(self.bounds):
            if age >= low:
                band = index
        low = self.bounds[band]
        if band == 0 and self.open_below is not None:
            return self.open_below
        if band == len(self.bounds) - 1:
            return f"{low}+"
        if band == 0 and low == 0:
            return f"U{self.bounds[1]}"
        return f"{low}-{self.bounds[band + 1] - 1}"


@dataclass(frozen=True)
class Settings:
    scheme: AgeScheme
    age_on: date | None = None


@dataclass(frozen=True)
class Facts:
    gender: str | None = None
    age: int | None = None
    division: str | None = None
    team: str | None = None


@dataclass(frozen=True)
class Group:
    """One category board: ``key`` as stored (``"age:F:40-44"``), ``title`` as shown."""

    key: str
    kind: str
    title: str


def age_on(birth: date, day: date) -> int:
    """Whole years on ``day``; a 29 February birthday counts from 1 March in other years."""
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def parse_birth(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _scheme(raw: Any) -> AgeScheme:
    if raw is None:
        raw = DEFAULT_SCHEME
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if isinstance(raw, str):
        if raw not in _PRESETS:
            raise Invalid(
                f"categories.age_groups must be one of {', '.join(_PRESETS)} or a list "
                "of band lower bounds.",
                field="attributes",
            )
        return AgeScheme(_PRESETS[raw], "Open" if raw == "masters" else None)
    if not isinstance(raw, list) or not 1 <= len(raw) <= MOST_BANDS:
        raise Invalid(
            f"categories.age_groups as a list holds 1 to {MOST_BANDS} lower bounds.",
            field="attributes",
        )
    if not all(isinstance(b, int) and not isinstance(b, bool) and 0 <= b <= OLDEST for b in raw):
        raise Invalid(
            f"categories.age_groups bounds are whole ages from 0 to {OLDEST}.", field="attributes"
        )
    if any(a >= b for a, b in pairwise(raw)):
        raise Invalid("categories.age_groups bounds must rise.", field="attributes")
    bounds = tuple(raw)
    if bounds[0] > 0:  # ages below the first bound get a band of their own
        return AgeScheme((0, *bounds))
    return AgeScheme(bounds)


def settings_of(attributes: Mapping[str, Any] | None, starts_at: datetime | None) -> Settings:
    """The competition's category settings, checked (``Invalid`` names what to fix)."""
    raw = (attributes or {}).get("categories")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise Invalid("attributes.categories must be an object.", field="attributes")
    unknown = sorted(set(raw) - {"age_groups", "age_on"})
    if unknown:
        raise Invalid(
            f"attributes.categories has unknown keys: {', '.join(unknown)[:200]}.",
            field="attributes",
        )
    day = starts_at.astimezone(UTC).date() if starts_at is not None else None
    if raw.get("age_on") is not None:
        text = raw["age_on"]
        day = parse_birth(text) if isinstance(text, str) and len(text) == 10 else None
        if day is None:
            raise Invalid("categories.age_on must be a date (YYYY-MM-DD).", field="attributes")
    return Settings(_scheme(raw.get("age_groups")), day)


def lenient_settings(attributes: Mapping[str, Any] | None, starts_at: datetime | None) -> Settings:
    """Settings for ranking: a value stored before checks existed falls back to defaults."""
    try:
        return settings_of(attributes, starts_at)
    except Invalid:
        return Settings(_scheme(None), starts_at.date() if starts_at else None)


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        cleaned = " ".join(value.split())[:MOST_NAME]
        return cleaned or None
    return None


def _gender(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    upper = text.upper()
    words = {"FEMALE": "F", "WOMAN": "F", "W": "F", "MALE": "M", "MAN": "M", "NB": "X"}
    return words.get(upper, upper if len(upper) == 1 else text)


def _age(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 0 <= value <= OLDEST:
        return value
    return None


def facts(
    *,
    gender: str | None,
    birth_date: str | None,
    entry_attributes: Mapping[str, Any] | None,
    team_name: str | None,
    result_attributes: Iterable[Mapping[str, Any]] = (),
    day: date | None,
) -> Facts:
    """What places a competitor: the person and entry first, what results carried next."""
    entry = entry_attributes or {}
    posted: dict[str, Any] = {}
    for attributes in result_attributes:
        for key in ("gender", "age"):
            if attributes.get(key) not in (None, ""):
                posted[key] = attributes[key]
    birth = parse_birth(birth_date)
    when = day or datetime.now(UTC).date()
    age = age_on(birth, when) if birth is not None and birth <= when else None
    if age is None:
        age = _age(entry.get("age"))
    if age is None:
        age = _age(posted.get("age"))
    division = None
    for key in ("division", "class", "category"):
        division = division or _text(entry.get(key))
    return Facts(
        gender=_gender(gender) or _gender(entry.get("gender")) or _gender(posted.get("gender")),
        age=age,
        division=division,
        team=_text(team_name) or _text(entry.get("team_name")) or _text(entry.get("team")),
    )


def groups(found: Facts, settings: Settings) -> list[Group]:
    """The boards a competitor with these facts is ranked on, besides the overall one."""
    out = []
    if found.gender:
        out.append(Group(f"gender:{found.gender}", "gender", gender_title(found.gender)))
    if found.age is not None:
        band = settings.scheme.group(found.age)
        if found.gender:
            out.append(Group(f"age:{found.gender}:{band}", "age", f"{found.gender} {band}"))
        else:
            out.append(Group(f"age::{band}", "age", band))
    if found.division:
        out.append(Group(f"division:{found.division}", "division", found.division))
    if found.team:
        out.append(Group(f"team:{found.team}", "team", f"Team {found.team}"))
    return out


def gender_title(gender: str) -> str:
    return GENDER_WORDS.get(gender, gender)


def title_of(key: str) -> Group | None:
    """A group from its key alone (``"age:F:40-44"``), or None when it is not one."""
    kind, _, rest = key.partition(":")
    if not rest or kind not in KINDS or len(key) > 4 * MOST_NAME:
        return None
    if kind == "gender":
        return Group(key, kind, gender_title(rest))
    if kind == "age":
        gender, sep, band = rest.partition(":")
        if not sep or not band:
            return None
        return Group(key, kind, f"{gender} {band}" if gender else band)
    if kind == "team":
        return Group(key, kind, f"Team {rest}")
    return Group(key, kind, rest)
