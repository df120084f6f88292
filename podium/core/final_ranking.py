"""A competition's final ranking: an order decided once, shown before the live board.

The leaderboard ranks results by the competition's scoring format while the event
runs. Many events end with an order decided elsewhere (a timer's class ranking, a
bracket, a jury): once it is declared, that order is the competition's result, and
the board stays beside it for reference. It is a result set marked
``attributes.final_ranking``; its results carry ``place`` (1 = winner), or no place
for a competitor who is listed but unplaced. Any dialect, the console or the native
API (a result set created with that attribute) can declare one; standings, exports
and the competition page read it from here. Declaring a new one replaces the old.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import resources, results
from podium.core.principal import Principal
from podium.core.result_sets import RESULT_SETS, ResultSetCreate, ResultSetUpdate
from podium.core.results import RESULTS, ResultCreate
from podium.store.tables import Result, ResultSet
from podium.store.types import utcnow

MARK = "final_ranking"
DECLARED = "declared_at"


@dataclass(frozen=True)
class Placing:
    """One competitor of the final ranking; ``place`` is None when listed unplaced."""

    place: int | None
    subject: str  # "person", "team" or "entry": whom the result counts for
    subject_id: int
    result_id: int


@dataclass(frozen=True)
class FinalRanking:
    result_set_id: int
    name: str
    set_at: datetime
    placings: list[Placing]


def is_final(result_set: ResultSet) -> bool:
    return bool((result_set.attributes or {}).get(MARK))


async def _sets(session: AsyncSession, competition_id: int) -> list[ResultSet]:
    found = await session.scalars(
        select(ResultSet)
        .where(ResultSet.competition_id == competition_id)
        .order_by(ResultSet.updated_at.desc(), ResultSet.id.desc())
    )
    return list(found.all())


async def load(session: AsyncSession, competition_id: int) -> FinalRanking | None:
    """The declared final ranking (the newest marked set), or None without one.

    Placed competitors come by place, then the unplaced in the order declared. A
    marked set with no results is no ranking (an empty declaration clears it).
    """
    marked = next((s for s in await _sets(session, competition_id) if is_final(s)), None)
    if marked is None:
        return None
    rows = (
        await session.execute(
            select(Result.id, Result.person_id, Result.team_id, Result.entry_id, Result.place)
            .where(Result.result_set_id == marked.id)
            .order_by(Result.place.is_(None), Result.place, Result.id)
        )
    ).all()
    placings = []
    for result_id, person_id, team_id, entry_id, place in rows:
        for kind, object_id in (("person", person_id), ("team", team_id), ("entry", entry_id)):
            if object_id is not None:
                placings.append(Placing(place, kind, object_id, result_id))
                break
    if not placings:
        return None
    return FinalRanking(marked.id, marked.name, _declared(marked), placings)


def _declared(result_set: ResultSet) -> datetime:
    raw = result_set.attributes.get(DECLARED)
    try:
        return datetime.fromisoformat(raw) if isinstance(raw, str) else result_set.updated_at
    except ValueError:
        return result_set.updated_at


async def declare(
    session: AsyncSession,
    principal: Principal,
    competition_id: int,
    name: str,
    placings: Sequence[ResultCreate],
) -> ResultSet:
    """Make ``placings`` the final ranking, in the result set called ``name``.

    The set's earlier results are replaced and any other set stops being final, so
    one ranking is final at a time; every change goes through the result commands,
    so the event log, the feed and the boards see it.
    """
    sets = await _sets(session, competition_id)
    mark = {MARK: True, DECLARED: utcnow().isoformat()}
    target = next((s for s in sets if s.name == name), None)
    for other in sets:
        if other is not target and is_final(other):
            attributes = {k: v for k, v in other.attributes.items() if k != MARK}
            await resources.update(
                session, principal, RESULT_SETS, other.id, ResultSetUpdate(attributes=attributes)
            )
    if target is None:
        target = await resources.create(
            session,
            principal,
            RESULT_SETS,
            ResultSetCreate(name=name, attributes=mark),
            competition_id=competition_id,
        )
    else:
        old = list(
            await session.scalars(select(Result.id).where(Result.result_set_id == target.id))
        )
        for result_id in old:
            await resources.delete(session, principal, RESULTS, result_id)
        await resources.update(
            session,
            principal,
            RESULT_SETS,
            target.id,
            ResultSetUpdate(attributes={**target.attributes, **mark}),
        )
    commands = [c.model_copy(update={"result_set_id": target.id}) for c in placings]
    if commands:
        await results.create_many(session, principal, competition_id, commands)
    return target
