"""Category boards' bookkeeping: who is in which group, and the facts that decide it.

Each competition whose categories were asked for keeps one board per group
(``podium.core.categories``) beside its overall board, plus a *membership* map,
competitor -> the group keys it is ranked in. When a competitor's score or facts
change, the map says which boards to leave, so a changed gender or a birthday
crossing a band moves it between boards without a scan. The map lives where the
boards live: in the process (embedded) or in Redis (shared by every worker).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from redis.asyncio import Redis
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import categories
from podium.core.categories import Facts, Group
from podium.store.tables import Competition, Entry, Person, Team

_CHUNK = 500
_SEPARATOR = "\x1f"  # between group keys in one Redis hash value (never in a key)

Members = dict[int, tuple[str, ...]]


class Membership(Protocol):
    async def get(self, competitors: Iterable[int]) -> Members: ...
    async def put(self, members: Members) -> None: ...
    async def groups(self) -> set[str]: ...
    async def clear(self) -> None: ...


class MemoryMembership:
    def __init__(self) -> None:
        self._members: Members = {}
        self._groups: set[str] = set()

    async def get(self, competitors: Iterable[int]) -> Members:
        return {c: self._members[c] for c in competitors if c in self._members}

    async def put(self, members: Members) -> None:
        for competitor, keys in members.items():
            if keys:
                self._members[competitor] = keys
                self._groups.update(keys)
            else:
                self._members.pop(competitor, None)

    async def groups(self) -> set[str]:
        return set(self._groups)

    async def clear(self) -> None:
        self._members.clear()
        self._groups.clear()


class RedisMembership:
    """A hash competitor -> group keys, and a set of every group key ever used."""

    def __init__(self, redis: Redis, key: str) -> None:
        self.redis = redis
        self._hash = f"{key}:members"
        self._set = f"{key}:groups"

    async def get(self, competitors: Iterable[int]) -> Members:
        wanted = list(competitors)
        out: Members = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            values = await self.redis.hmget(self._hash, [str(c) for c in chunk])
            for competitor, raw in zip(chunk, values, strict=True):
                if raw:
                    text = raw.decode() if isinstance(raw, bytes) else str(raw)
                    out[competitor] = tuple(text.split(_SEPARATOR))
        return out

    async def put(self, members: Members) -> None:
        keep = {str(c): _SEPARATOR.join(k) for c, k in members.items() if k}
        gone = [str(c) for c, k in members.items() if not k]
        used = {key for keys in members.values() for key in keys}
        async with self.redis.pipeline(transaction=True) as pipe:
            if keep:
                pipe.hset(self._hash, mapping=keep)  # type: ignore[arg-type]
            if gone:
                pipe.hdel(self._hash, *gone)
            if used:
                pipe.sadd(self._set, *used)
            await pipe.execute()

    async def groups(self) -> set[str]:
        return {
            m.decode() if isinstance(m, bytes) else str(m)
            for m in await self.redis.smembers(self._set)
        }

    async def clear(self) -> None:
        await self.redis.delete(self._hash, self._set)


async def memberships(
    session: AsyncSession,
    competition_id: int,
    rows: Iterable[Any],
    competitors: set[int] | None = None,
) -> dict[int, list[Group]]:
    """The groups of each competitor of ``rows`` (see ``placed``)."""
    found = await placed(session, competition_id, rows, competitors)
    return {competitor: groups for competitor, (_facts, groups) in found.items()}


async def placed(
    session: AsyncSession,
    competition_id: int,
    rows: Iterable[Any],
    competitors: set[int] | None = None,
) -> dict[int, tuple[Facts, list[Group]]]:
    """The facts and groups of each competitor of ``rows`` (results, ORM or SCORING_COLUMNS).

    ``competitors`` narrows the entries read to those (a refresh); without it every
    entry of the competition is read once (a build). Teams are not placed in groups.
    """
    from podium.ranking.leaderboards import competitor_of  # the packing lives there

    competition = await session.get(Competition, competition_id)
    if competition is None:
        return {}
    settings = categories.lenient_settings(competition.attributes, competition.starts_at)
    posted: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        competitor = competitor_of(row.person_id, row.team_id, row.entry_id)
        if competitor is not None and competitor & 3 != 2:
            posted.setdefault(competitor, []).append(row.attributes or {})
    wanted = set(posted) if competitors is None else {c for c in competitors if c & 3 != 2}
    base: dict[int, tuple[Any, ...]] = {}
    query = (
        select(Entry.id, Entry.person_id, Entry.attributes, Person.gender, Person.birth_date)
        .add_columns(Team.name)
        .outerjoin(Person, Entry.person_id == Person.id)
        .outerjoin(Team, Entry.team_id == Team.id)
        .where(Entry.competition_id == competition_id)
    )
    if competitors is None:
        batches: list[Any] = [query]
    else:
        people = [c >> 2 for c in wanted if c & 3 == 1]
        entries = [c >> 2 for c in wanted if c & 3 == 3]
        batches = [
            query.where(
                or_(
                    Entry.person_id.in_(people[i : i + _CHUNK]),
                    Entry.id.in_(entries[i : i + _CHUNK]),
                )
            )
            for i in range(0, max(len(people), len(entries)), _CHUNK)
        ]
    for batch in batches:
        for entry_id, person_id, attributes, gender, birth, team in await session.execute(batch):
            line = (gender, birth, attributes, team)
            base[entry_id * 4 + 3] = line
            if person_id is not None:
                base[person_id * 4 + 1] = line
    loose = [c >> 2 for c in wanted if c & 3 == 1 and c not in base]
    for start in range(0, len(loose), _CHUNK):
        found = await session.execute(
            select(Person.id, Person.gender, Person.birth_date).where(
                Person.id.in_(loose[start : start + _CHUNK])
            )
        )
        for person_id, gender, birth in found:
            base[person_id * 4 + 1] = (gender, birth, None, None)
    out: dict[int, tuple[Facts, list[Group]]] = {}
    for competitor in wanted:
        gender, birth, attributes, team = base.get(competitor, (None, None, None, None))
        found_facts = categories.facts(
            gender=gender,
            birth_date=birth,
            entry_attributes=attributes,
            team_name=team,
            result_attributes=posted.get(competitor, ()),
            day=settings.age_on,
        )
        out[competitor] = (found_facts, categories.groups(found_facts, settings))
    return out
