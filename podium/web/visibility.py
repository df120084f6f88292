"""What an anonymous reader may see: public competitions, as the event feed allows.

A competition shows only when it and every competition above it are public, so a
hidden season does not leak through its public rounds.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.feed.stream import token_for
from podium.store.tables import Competition, Event

MAX_DEPTH = 16


async def public_competition(session: AsyncSession, competition_id: int) -> Competition | None:
    competition = await session.get(Competition, competition_id)
    current = competition
    for _ in range(MAX_DEPTH):
        if current is None or not current.public:
            return None
        if current.parent_id is None:
            return competition
        current = await session.get(Competition, current.parent_id)
    return None


async def public_children(session: AsyncSession, competition_id: int) -> list[Competition]:
    rows = await session.scalars(
        select(Competition)
        .where(Competition.parent_id == competition_id, Competition.public.is_(True))
        .order_by(Competition.starts_at, Competition.id)
    )
    return list(rows.all())


async def newest_token(session: AsyncSession) -> str:
    """The feed token of the newest committed event: a live page follows from there."""
    seq = await session.scalar(select(Event.seq).order_by(Event.seq.desc()).limit(1))
    return token_for(seq or 0)
