"""Constrained field types shared by the concept commands.

Every text field is a ``Text`` (no NUL, bounded length), every integer a bounded
one, and free-form ``Attributes`` pass ``podium.core.limits``: whatever a dialect
hands the core, these refuse what the store would fail on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints

from podium.core import limits


def _as_utc(value: datetime) -> datetime:
    """Naive times are taken as UTC, so every stored time compares with every other."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]


def _clean(value: str) -> str:
    problem = limits.text_offence(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _within_limits(value: dict[str, Any]) -> dict[str, Any]:
    problem = limits.offence(value)
    if problem is not None:
        raise ValueError(problem)
    return value


# Text the store can hold: no NUL, no lone surrogates.
CleanText = AfterValidator(_clean)
# The longest free text (descriptions, statements) a field holds.
MAX_TEXT = 100_000


Text = Annotated[str, StringConstraints(max_length=MAX_TEXT), CleanText]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200), CleanText]
ShortText = Annotated[str, StringConstraints(max_length=100), CleanText]
Code = Annotated[str, StringConstraints(min_length=1, max_length=40), CleanText]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]
# Why something was done: a correction's note, a disqualification's reason.
Reason = Annotated[str, StringConstraints(max_length=500), CleanText]
Url = Annotated[str, StringConstraints(max_length=2000), CleanText]
Int64 = Annotated[int, Field(ge=limits.INT64_MIN, le=limits.INT64_MAX)]
Id = Annotated[int, Field(ge=1, le=limits.INT64_MAX)]
Number = Annotated[int, Field(ge=0, le=1_000_000)]
Millis = Annotated[int, Field(ge=0, le=10**13)]
Attributes = Annotated[dict[str, Any], AfterValidator(_within_limits)]
ExternalIds = dict[
    Annotated[str, StringConstraints(max_length=40), CleanText],
    Annotated[str, StringConstraints(min_length=1, max_length=200), CleanText],
]

ResultStatus = Literal["OK", "DQ", "DNS", "DNF", "DNQ"]
"""Finished, disqualified, did not start, did not finish, did not qualify."""

RESULT_STATUSES: tuple[str, ...] = ("OK", "DQ", "DNS", "DNF", "DNQ")
