"""The leaderboard index: ranks in O(log n), never a COUNT over the results table.

A board orders entries by (score, set time, competitor), lower first. Both backends
keep exactly that order, so they give the same answers:

- ``MemoryBoard`` packs each entry into one int in a ``SortedList`` (embedded mode);
- ``RedisBoard`` keeps a sorted set whose score is the score and whose member is
  ``"<set ms>:<competitor>"`` zero-padded, so Redis orders equal scores by who set
  them first (several workers share it).

Competitor ids are positive ints below 2**44, scores are ints in [-2**53, 2**53)
(see ``scoring``), set times are epoch milliseconds below 2**44.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from redis.asyncio import Redis
from sortedcontainers import SortedList

from podium.ranking.ties import TieRule

_LOW = 44
_LOW_MASK = (1 << _LOW) - 1
_SCORE_SHIFT = 2 * _LOW
_SCORE_OFFSET = 1 << 53  # scores may be negative (points); keep entries non-negative
MAX_COMPETITOR = _LOW_MASK
MAX_SET_MS = _LOW_MASK


@dataclass(frozen=True)
class Row:
    competitor: int
    score: int
    set_ms: int
    rank: int


def _pack(score: int, set_ms: int, competitor: int) -> int:
    return ((score + _SCORE_OFFSET) << _SCORE_SHIFT) | (set_ms << _LOW) | competitor


def _unpack(entry: int) -> tuple[int, int, int]:
    return (
        (entry >> _SCORE_SHIFT) - _SCORE_OFFSET,
        (entry >> _LOW) & _LOW_MASK,
        entry & _LOW_MASK,
    )


def _score_floor(score: int) -> int:
    """The smallest packed entry with this score."""
    return (score + _SCORE_OFFSET) << _SCORE_SHIFT


def _check(score: int, set_ms: int, competitor: int) -> None:
    if not 0 < competitor <= MAX_COMPETITOR:
        raise ValueError(f"competitor id {competitor} out of range")
    if not 0 <= set_ms <= MAX_SET_MS:
        raise ValueError(f"set time {set_ms} out of range")
    if not -_SCORE_OFFSET <= score < _SCORE_OFFSET:
        raise ValueError(f"score {score} out of range")


class Board(Protocol):
    """What every backend answers. Ranks follow the tie rule given per call."""

    async def upsert(
        self, competitor: int, score: int, set_ms: int, *, improve_only: bool = False
    ) -> bool: ...
    async def remove(self, competitor: int) -> bool: ...
    async def clear(self) -> None: ...
    async def load(self, rows: Iterable[tuple[int, int, int]]) -> None: ...
    async def count(self) -> int: ...
    async def get(self, competitor: int, rule: TieRule) -> Row | None: ...
    async def position_for(self, score: int, rule: TieRule) -> int: ...
    async def top(self, offset: int, limit: int, rule: TieRule) -> list[Row]: ...
    async def around(
        self, competitor: int, before: int, after: int, rule: TieRule
    ) -> list[Row]: ...


class MemoryBoard:
    """In-process order-statistic board (a sorted list of packed ints)."""

    def __init__(self) -> None:
        self._entries: SortedList = SortedList()
        self._by_competitor: dict[int, int] = {}
        # Distinct scores with their multiplicity, for dense ranks.
        self._scores: SortedList = SortedList()
        self._multiplicity: dict[int, int] = {}

    # The synchronous core; the async methods wrap it for the Board protocol.

    def put(self, competitor: int, score: int, set_ms: int, *, improve_only: bool = False) -> bool:
        _check(score, set_ms, competitor)
        entry = _pack(score, set_ms, competitor)
        old = self._by_competitor.get(competitor)
        if old is not None:
            if old == entry or (improve_only and old >> _SCORE_SHIFT <= entry >> _SCORE_SHIFT):
                return False
            self._discard(old)
        self._entries.add(entry)
        self._by_competitor[competitor] = entry
        seen = self._multiplicity.get(score, 0)
        if not seen:
            self._scores.add(score)
        self._multiplicity[score] = seen + 1
        return True

    def _discard(self, entry: int) -> None:
        self._entries.remove(entry)
        score = _unpack(entry)[0]
        left = self._multiplicity[score] - 1
        if left:
            self._multiplicity[score] = left
        else:
            del self._multiplicity[score]
            self._scores.remove(score)

    def drop(self, competitor: int) -> bool:
        entry = self._by_competitor.pop(competitor, None)
        if entry is None:
            return False
        self._discard(entry)
        return True

    def size(self) -> int:
        return len(self._entries)

    def rank_at(self, index: int, score: int, rule: TieRule) -> int:
        if rule == "first_set":
            return index + 1
        if rule == "shared":
            return int(self._entries.bisect_left(_score_floor(score))) + 1
        return int(self._scores.bisect_left(score)) + 1

    def position(self, score: int, rule: TieRule) -> int:
        """The rank a new entry with ``score`` would get (after existing equal ones)."""
        if rule == "first_set":
            return int(self._entries.bisect_left(_score_floor(score + 1))) + 1
        if rule == "shared":
            return int(self._entries.bisect_left(_score_floor(score))) + 1
        return int(self._scores.bisect_left(score)) + 1

    def row(self, competitor: int, rule: TieRule) -> Row | None:
        entry = self._by_competitor.get(competitor)
        if entry is None:
            return None
        index = int(self._entries.index(entry))
        score, set_ms, _ = _unpack(entry)
        return Row(competitor, score, set_ms, self.rank_at(index, score, rule))

    def slice(self, start: int, stop: int, rule: TieRule) -> list[Row]:
        start = max(start, 0)
        entries: Sequence[int] = self._entries[start:stop]
        return self._rows(start, entries, rule)

    def _rows(self, start: int, entries: Sequence[int], rule: TieRule) -> list[Row]:
        rows: list[Row] = []
        last_score: int | None = None
        current = 0
        for offset, entry in enumerate(entries):
            score, set_ms, competitor = _unpack(entry)
            index = start + offset
            if rule == "first_set":
                current = index + 1
            elif score != last_score:
                # Shared ranks restart at the first of equal scores; dense ranks count scores.
                current = self.rank_at(index, score, rule)
            last_score = score
            rows.append(Row(competitor, score, set_ms, current))
        return rows

    def index_of(self, competitor: int) -> int | None:
        entry = self._by_competitor.get(competitor)
        return None if entry is None else int(self._entries.index(entry))

    def fill(self, rows: Iterable[tuple[int, int, int]]) -> None:
        """Replace the contents with (competitor, score, set ms) rows, sorting once.

        A competitor listed twice keeps its last row.
        """
        by_competitor: dict[int, int] = {}
        multiplicity: dict[int, int] = {}
        for competitor, score, set_ms in rows:
            _check(score, set_ms, competitor)
            by_competitor[competitor] = _pack(score, set_ms, competitor)
        for entry in by_competitor.values():
            score = _unpack(entry)[0]
            multiplicity[score] = multiplicity.get(score, 0) + 1
        self._entries = SortedList(by_competitor.values())
        self._by_competitor = by_competitor
        self._scores = SortedList(multiplicity)
        self._multiplicity = multiplicity

    # Board protocol.

    async def load(self, rows: Iterable[tuple[int, int, int]]) -> None:
        self.fill(rows)

    async def upsert(
        self, competitor: int, score: int, set_ms: int, *, improve_only: bool = False
    ) -> bool:
        return self.put(competitor, score, set_ms, improve_only=improve_only)

    async def remove(self, competitor: int) -> bool:
        return self.drop(competitor)

    async def clear(self) -> None:
        self.fill(())

    async def count(self) -> int:
        return self.size()

    async def get(self, competitor: int, rule: TieRule) -> Row | None:
        return self.row(competitor, rule)

    async def position_for(self, score: int, rule: TieRule) -> int:
        return self.position(score, rule)

    async def top(self, offset: int, limit: int, rule: TieRule) -> list[Row]:
        return self.slice(offset, offset + limit, rule)

    async def around(self, competitor: int, before: int, after: int, rule: TieRule) -> list[Row]:
        index = self.index_of(competitor)
        if index is None:
            return []
        return self.slice(index - before, index + after + 1, rule)


def _member(set_ms: int, competitor: int) -> str:
    return f"{set_ms:014d}:{competitor:014d}"


def _from_member(member: bytes | str) -> tuple[int, int]:
    text = member.decode() if isinstance(member, bytes) else member
    set_ms, competitor = text.split(":")
    return int(set_ms), int(competitor)


# KEYS: zset, competitor hash ("<member> <score>"), distinct-score zset, score counts.
# Scores travel as exact decimal strings: Lua would print large numbers inexactly.
# ARGV: competitor, score, member, improve_only. Returns 1 when the board changed.
_UPSERT = """
local old = redis.call('HGET', KEYS[2], ARGV[1])
if old then
  if old == ARGV[3] .. ' ' .. ARGV[2] then return 0 end
  local old_member, old_score = string.match(old, '(%S+) (%S+)')
  if ARGV[4] == '1' and tonumber(old_score) <= tonumber(ARGV[2]) then return 0 end
  redis.call('ZREM', KEYS[1], old_member)
  if redis.call('HINCRBY', KEYS[4], old_score, -1) <= 0 then
    redis.call('HDEL', KEYS[4], old_score)
    redis.call('ZREM', KEYS[3], old_score)
  end
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3] .. ' ' .. ARGV[2])
if redis.call('HINCRBY', KEYS[4], ARGV[2], 1) == 1 then
  redis.call('ZADD', KEYS[3], ARGV[2], ARGV[2])
end
return 1
"""

_REMOVE = """
local old = redis.call('HGET', KEYS[2], ARGV[1])
if not old then return 0 end
local old_member, old_score = string.match(old, '(%S+) (%S+)')
redis.call('ZREM', KEYS[1], old_member)
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('HINCRBY', KEYS[4], old_score, -1) <= 0 then
  redis.call('HDEL', KEYS[4], old_score)
  redis.call('ZREM', KEYS[3], old_score)
end
return 1
"""


class RedisBoard:
    """A board in Redis sorted sets, shared by every worker."""

    def __init__(self, redis: Redis, key: str) -> None:
        self.redis = redis
        self.keys = [f"{key}:z", f"{key}:m", f"{key}:d", f"{key}:c"]
        self._upsert = redis.register_script(_UPSERT)
        self._remove = redis.register_script(_REMOVE)

    async def upsert(
        self, competitor: int, score: int, set_ms: int, *, improve_only: bool = False
    ) -> bool:
        _check(score, set_ms, competitor)
        args: list[str | int] = [
            competitor,
            str(score),
            _member(set_ms, competitor),
            "1" if improve_only else "0",
        ]
        return bool(await self._upsert(keys=self.keys, args=args))

    async def remove(self, competitor: int) -> bool:
        return bool(await self._remove(keys=self.keys, args=[competitor]))

    async def clear(self) -> None:
        await self.redis.delete(*self.keys)

    async def load(self, rows: Iterable[tuple[int, int, int]], batch: int = 5000) -> None:
        """Replace the contents in pipelined batches (a rebuild need not run Lua per row).

        A competitor listed twice keeps its last row, as in ``MemoryBoard.fill``.
        """
        await self.clear()
        multiplicity: dict[int, int] = {}
        members: dict[str, int] = {}
        owners: dict[Any, Any] = {}

        async def flush() -> None:
            if members:
                async with self.redis.pipeline(transaction=False) as pipe:
                    pipe.zadd(self.keys[0], members)
                    pipe.hset(self.keys[1], mapping=owners)
                    await pipe.execute()
            members.clear()
            owners.clear()

        latest = {competitor: (score, set_ms) for competitor, score, set_ms in rows}
        for competitor, (score, set_ms) in latest.items():
            _check(score, set_ms, competitor)
            member = _member(set_ms, competitor)
            members[member] = score
            owners[str(competitor)] = f"{member} {score}"
            multiplicity[score] = multiplicity.get(score, 0) + 1
            if len(members) >= batch:
                await flush()
        await flush()
        items = list(multiplicity.items())
        for start in range(0, len(items), batch):
            chunk = items[start : start + batch]
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.zadd(self.keys[2], {str(score): score for score, _n in chunk})
                pipe.hset(self.keys[3], mapping={str(score): n for score, n in chunk})
                await pipe.execute()

    async def count(self) -> int:
        return int(await self.redis.zcard(self.keys[0]))

    async def _rank_of(self, index: int, score: int, rule: TieRule) -> int:
        if rule == "first_set":
            return index + 1
        if rule == "shared":
            return int(await self.redis.zcount(self.keys[0], "-inf", f"({score}")) + 1
        return int(await self.redis.zcount(self.keys[2], "-inf", f"({score}")) + 1

    async def _member_of(self, competitor: int) -> tuple[str, int] | None:
        stored = await self.redis.hget(self.keys[1], str(competitor))
        if stored is None:
            return None
        member, score = (stored.decode() if isinstance(stored, bytes) else stored).split(" ")
        return member, int(score)

    async def get(self, competitor: int, rule: TieRule) -> Row | None:
        found = await self._member_of(competitor)
        if found is None:
            return None
        member, score = found
        index: Any = await self.redis.zrank(self.keys[0], member)
        if index is None:
            return None
        set_ms, _ = _from_member(member)
        return Row(competitor, score, set_ms, await self._rank_of(int(index), score, rule))

    async def position_for(self, score: int, rule: TieRule) -> int:
        if rule == "first_set":
            return int(await self.redis.zcount(self.keys[0], "-inf", score)) + 1
        return await self._rank_of(0, score, rule)

    async def _rows(self, start: int, stop: int, rule: TieRule) -> list[Row]:
        start = max(start, 0)
        if stop <= start:
            return []
        found: Any = await self.redis.zrange(self.keys[0], start, stop - 1, withscores=True)
        rows: list[Row] = []
        last: int | None = None
        current = 0
        for offset, (member, raw_score) in enumerate(found):
            score = int(raw_score)
            set_ms, competitor = _from_member(member)
            if rule == "first_set":
                current = start + offset + 1
            elif score != last:
                current = await self._rank_of(start + offset, score, rule)
            last = score
            rows.append(Row(competitor, score, set_ms, current))
        return rows

    async def top(self, offset: int, limit: int, rule: TieRule) -> list[Row]:
        return await self._rows(offset, offset + limit, rule)

    async def around(self, competitor: int, before: int, after: int, rule: TieRule) -> list[Row]:
        found = await self._member_of(competitor)
        if found is None:
            return []
        index: Any = await self.redis.zrank(self.keys[0], found[0])
        if index is None:
            return []
        return await self._rows(int(index) - before, int(index) + after + 1, rule)
