"""Where Mooshak's objects live in the core, and how to find them by their wire ids.

- A contest is a competition of kind ``contest`` (ICPC scoring). Its Mooshak id is
  the external id ``mooshak``; a contest made without one (the demo's) answers to
  its numeric id.
- A problem is a challenge of kind ``problem`` of the contest. Its id is
  ``attributes.problem_id`` (else the label in ``code``); limits, statement and test
  cases are attributes too.
- A contest user is a ``mooshak_user`` credential: identifier ``<contest>/<name>``,
  or the bare name for a user of the whole instance. A team also has a person and an
  entry in the contest, which its submissions belong to.
- A submission is a result of the contest with ``attributes.verdict``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import credentials, external_ids, limits
from podium.store.tables import Challenge, Competition, Credential

SCHEME = "mooshak"
CONTEST_KIND = "contest"
PROBLEM_KIND = "problem"
USER_KIND = "mooshak_user"
credentials.describe(USER_KIND, "Mooshak user", "mooshak2")

# Mooshak's contest states and the core status each one maps to.
STATUSES = {
    "CREATED": "scheduled",
    "READY": "open",
    "RUNNING": "running",
    "RUNNING_VIRTUALLY": "running",
    "FINISHED": "finished",
    "CONCLUDED": "finished",
}
_FROM_CORE = {"scheduled": "CREATED", "open": "READY", "running": "RUNNING"}


def settings_of(contest: Competition) -> dict[str, Any]:
    """The contest's Mooshak-only fields (policy, register, notes ...)."""
    found = contest.attributes.get("mooshak")
    return dict(found) if isinstance(found, dict) else {}


def contest_status(contest: Competition) -> str:
    own = settings_of(contest).get("status")
    if isinstance(own, str) and own in STATUSES and STATUSES[own] == contest.status:
        return own
    return _FROM_CORE.get(contest.status, "FINISHED")


async def contest_keys(session: AsyncSession, contests: list[Competition]) -> dict[int, str]:
    """Wire ids of many contests in one query."""
    found = await external_ids.for_objects(session, "competition", [c.id for c in contests])
    return {c.id: found[c.id].get(SCHEME, str(c.id)) for c in contests}


async def contest_key(session: AsyncSession, contest: Competition) -> str:
    return (await contest_keys(session, [contest]))[contest.id]


async def find_contest(session: AsyncSession, contest_id: str) -> Competition | None:
    object_id = await external_ids.find(session, "competition", SCHEME, contest_id)
    if object_id is None:
        object_id = limits.id_of(contest_id)
    if object_id is None:
        return None
    contest = await session.get(Competition, object_id)
    if contest is None or contest.kind != CONTEST_KIND:
        return None
    return contest


async def list_contests(session: AsyncSession) -> list[Competition]:
    query = select(Competition).where(Competition.kind == CONTEST_KIND).order_by(Competition.id)
    return list((await session.scalars(query)).all())


def problem_key(problem: Challenge) -> str:
    own = problem.attributes.get("problem_id")
    return str(own) if own else (problem.code or str(problem.id))


async def problems_of(session: AsyncSession, contest: Competition) -> list[Challenge]:
    query = (
        select(Challenge)
        .where(Challenge.competition_id == contest.id, Challenge.kind == PROBLEM_KIND)
        .order_by(Challenge.position, Challenge.id)
    )
    return list((await session.scalars(query)).all())


async def find_problem(
    session: AsyncSession, contest: Competition, problem_id: str
) -> Challenge | None:
    return next(
        (p for p in await problems_of(session, contest) if problem_key(p) == problem_id), None
    )


def user_identifier(username: str, contest_key: str | None) -> str:
    return username if contest_key is None else f"{contest_key}/{username}"


async def find_user(
    session: AsyncSession, username: str, contest_key: str | None
) -> Credential | None:
    return await session.scalar(
        select(Credential).where(
            Credential.kind == USER_KIND,
            Credential.identifier == user_identifier(username, contest_key),
        )
    )


def epoch_seconds(when: datetime | None) -> str | None:
    """Mooshak writes dates as strings of epoch seconds."""
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return str(int(when.timestamp()))


def parse_epoch(value: object) -> datetime | None:
    """A date from the wire: epoch seconds (string or number), epoch ms, or ISO 8601."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError("not a date")
    if isinstance(value, int | float) or (
        isinstance(value, str) and limits.digits(value.strip()) and len(value) < 20
    ):
        number = float(value)
        if number > 1e11:  # milliseconds
            number /= 1000
        return datetime.fromtimestamp(number, UTC)
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise ValueError("not a date")
