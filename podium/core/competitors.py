"""How a competitor (a person, team or entry of a competition) is named in downloads."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.store.tables import Entry, Person, Team

_CHUNK = 500


@dataclass(frozen=True)
class Named:
    name: str
    bib: str | None = None


async def named(
    session: AsyncSession, competition_id: int, competitors: set[int]
) -> dict[int, Named]:
    """competitor (id * 4 + kind) -> its name and, when it has an entry here, its bib."""
    out: dict[int, Named] = {}
    people = sorted(c >> 2 for c in competitors if c & 3 == 1)
    teams = sorted(c >> 2 for c in competitors if c & 3 == 2)
    entries = sorted(c >> 2 for c in competitors if c & 3 == 3)
    for start in range(0, len(people), _CHUNK):
        chunk = people[start : start + _CHUNK]
        for pid, name in await session.execute(
            select(Person.id, Person.name).where(Person.id.in_(chunk))
        ):
            out[pid * 4 + 1] = Named(name)
        for entered, bib in await session.execute(
            select(Entry.person_id, Entry.bib).where(
                Entry.competition_id == competition_id, Entry.person_id.in_(chunk)
            )
        ):
            if entered is not None and entered * 4 + 1 in out:
                out[entered * 4 + 1] = Named(out[entered * 4 + 1].name, bib)
    for start in range(0, len(teams), _CHUNK):
        for tid, name in await session.execute(
            select(Team.id, Team.name).where(Team.id.in_(teams[start : start + _CHUNK]))
        ):
            out[tid * 4 + 2] = Named(name)
    for start in range(0, len(entries), _CHUNK):
        rows = await session.execute(
            select(Entry.id, Entry.bib, Person.name, Team.name)
            .outerjoin(Person, Entry.person_id == Person.id)
            .outerjoin(Team, Entry.team_id == Team.id)
            .where(Entry.id.in_(entries[start : start + _CHUNK]))
        )
        for eid, bib, person_name, team_name in rows:
            out[eid * 4 + 3] = Named(person_name or team_name or f"Bib {bib or eid}", bib)
    return out
