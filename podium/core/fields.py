"""Constrained field types shared by the concept commands."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints


def _as_utc(value: datetime) -> datetime:
    """Naive times are taken as UTC, so every stored time compares with every other."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(max_length=100)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]
Url = Annotated[str, StringConstraints(max_length=2000)]
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Number = Annotated[int, Field(ge=0, le=1_000_000)]
Millis = Annotated[int, Field(ge=0, le=10**13)]
Attributes = dict[str, Any]
ExternalIds = dict[
    Annotated[str, StringConstraints(max_length=40)],
    Annotated[str, StringConstraints(min_length=1, max_length=200)],
]

ResultStatus = Literal["OK", "DQ", "DNS", "DNF", "DNQ"]
"""Finished, disqualified, did not start, did not finish, did not qualify."""

RESULT_STATUSES: tuple[str, ...] = ("OK", "DQ", "DNS", "DNF", "DNQ")
