"""Submitting a record: a time replaces an account's personal best only when better.

Each board the record counts on (the all-time board and any running campaign or Track
of the Day with the map) keeps one result per account, so a board's ranking index is
one entry per player.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import resources
from podium.core import results as core_results
from podium.core.principal import Principal
from podium.core.results import RESULTS, ResultCreate, ResultUpdate
from podium.dialects.nadeo import content
from podium.store.tables import Challenge, Person, Result
from podium.store.types import utcnow


async def submit(
    session: AsyncSession,
    principal: Principal,
    person: Person,
    map_: Challenge,
    score_ms: int,
    when: datetime | None = None,
) -> dict[int, bool]:
    """Per board (competition id): whether this time became the account's record there."""
    when = when or utcnow()
    improved: dict[int, bool] = {}
    for board in await content.boards_for(session, principal, map_, when):
        current = await session.scalar(
            select(Result).where(
                Result.competition_id == board.id,
                Result.challenge_id == map_.id,
                Result.person_id == person.id,
            )
        )
        if current is None:
            await core_results.create_one(
                session,
                principal,
                board.id,
                ResultCreate(
                    person_id=person.id, challenge_id=map_.id, elapsed_ms=score_ms, recorded_at=when
                ),
            )
            improved[board.id] = True
        elif current.elapsed_ms is None or score_ms < current.elapsed_ms:
            await resources.update(
                session,
                principal,
                RESULTS,
                current.id,
                ResultUpdate(elapsed_ms=score_ms, recorded_at=when),
            )
            improved[board.id] = True
        else:
            improved[board.id] = False
    return improved
