"""What an anonymous reader may see: public competitions (``public_competition``,
the event feed's rule too), their public children, and where the feed starts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core.competitions import public_competition
from podium.feed.stream import token_for
from podium.store.tables import Competition, Event

__all__ = ["newest_token", "public_children", "public_competition"]


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
