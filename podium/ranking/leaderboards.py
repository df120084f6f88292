"""Leaderboards: index boards built from the store and kept in step by the event log.

A board ranks one competition, or one challenge (map, course) inside it. It is built
from the results table the first time it is asked for, and afterwards every
``result.*`` event marks its competitor dirty; a dirty competitor's score is
recomputed from the store. Recomputing is idempotent, so applying an event twice is
harmless, and a crash between commit and apply is repaired by the next catch-up,
which resumes from the last applied ``seq``. Changes are applied by one process at
a time, in seq order, and a board joins the catch-up only once the events since its
snapshot are replayed into it (``podium.ranking.coordination``).

Embedded mode keeps boards in memory; with Redis they live in sorted sets that
every worker shares, with the applied ``seq``, the registry of built boards and the
locks kept in Redis too.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import categories
from podium.core.categories import Group
from podium.ranking.coordination import Coordination, LocalCoordination, RedisCoordination
from podium.ranking.display import DEFAULT as DEFAULT_DISPLAY
from podium.ranking.display import DisplaySettings
from podium.ranking.groups import (
    Membership,
    MemoryMembership,
    RedisMembership,
    memberships,
)
from podium.ranking.index import Board, MemoryBoard, RedisBoard, Row
from podium.ranking.scoring import Options, Performance, Score, score
from podium.ranking.ties import TieRule
from podium.store.database import Database
from podium.store.tables import Competition, Event, Result

log = logging.getLogger("podium.ranking")

# Competitor ids pack the subject kind into the low two bits.
KINDS = {1: "person", 2: "team", 3: "entry"}
_CHUNK = 500
_REPLAY_BATCH = 5000


def competitor_of(person_id: int | None, team_id: int | None, entry_id: int | None) -> int | None:
    """A result counts for its person, else its team, else its entry."""
    if person_id is not None:
        return person_id * 4 + 1
    if team_id is not None:
        return team_id * 4 + 2
    if entry_id is not None:
        return entry_id * 4 + 3
    return None


def subject(competitor: int) -> tuple[str, int]:
    return KINDS[competitor & 3], competitor >> 2


def subject_column(kind: str) -> Any:
    return {"person": Result.person_id, "team": Result.team_id, "entry": Result.entry_id}[kind]


@dataclass(frozen=True)
class BoardKey:
    """A board: a competition's, one challenge's, or one category's (``group``)."""

    competition_id: int
    challenge_id: int | None = None
    group: str | None = None

    @property
    def name(self) -> str:
        base = f"{self.competition_id}:{self.challenge_id or 0}"
        return base if self.group is None else f"{base}:{self.group}"

    @staticmethod
    def parse(name: str) -> BoardKey:
        competition, challenge, *group = name.split(":", 2)
        return BoardKey(int(competition), int(challenge) or None, group[0] if group else None)


def groups_marker(competition_id: int) -> str:
    """Registered once a competition's category boards are built (an empty group)."""
    return f"{competition_id}:0:"


@dataclass(frozen=True)
class Format:
    scoring: str
    tie_rule: TieRule
    options: Options
    organization_id: int | None = None
    # How scores read (``attributes.display``): every page of a board writes them alike.
    display: DisplaySettings = DEFAULT_DISPLAY

    def encode(self) -> str:
        """As registered beside a built board, so every worker ranks it the same way."""
        return orjson.dumps(
            {
                "scoring": self.scoring,
                "tie_rule": self.tie_rule,
                "options": dataclasses.asdict(self.options),
                "organization_id": self.organization_id,
                "display": dataclasses.asdict(self.display),
            }
        ).decode()

    @staticmethod
    def decode(raw: str) -> Format:
        data = orjson.loads(raw)
        return Format(
            data["scoring"],
            data["tie_rule"],
            Options(**data["options"]),
            data["organization_id"],
            DisplaySettings(**data.get("display", {})),
        )


# Only what scoring reads: building a board streams these as plain rows, not ORM objects.
SCORING_COLUMNS = (
    Result.id,
    Result.person_id,
    Result.team_id,
    Result.entry_id,
    Result.status,
    Result.elapsed_ms,
    Result.laps,
    Result.lap_times_ms,
    Result.points,
    Result.challenge_id,
    Result.recorded_at,
    Result.attributes,
)


def performance(row: Any) -> Performance:
    """A result (ORM object or a row of SCORING_COLUMNS) as scoring sees it."""
    attributes = row.attributes or {}
    verdict = attributes.get("verdict")
    best = attributes.get("best_ms")
    return Performance(
        result_id=row.id,
        status=row.status,
        elapsed_ms=row.elapsed_ms,
        laps=row.laps,
        lap_times_ms=tuple(row.lap_times_ms or ()),
        points=row.points,
        challenge_id=row.challenge_id,
        recorded_at=row.recorded_at,
        verdict=verdict if isinstance(verdict, str) else None,
        best_ms=_best_ms(best) if isinstance(best, dict) else {},
        **_chip(attributes),
    )


def _chip(attributes: dict[str, Any]) -> dict[str, int]:
    """The chip time a timer posted beside the gun time, for ``rank_by: chip``."""
    chip = attributes.get("chip_time_ms")
    if isinstance(chip, int) and not isinstance(chip, bool) and chip >= 0:
        return {"chip_ms": chip}
    return {}


def _best_ms(raw: dict[str, Any]) -> dict[int, int]:
    """``attributes.best_ms`` as stored in JSON ({"1": ms, "3": ms}) with int keys."""
    return {int(k): int(v) for k, v in raw.items() if str(k).isdigit() and isinstance(v, int)}


def _board_filter(key: BoardKey) -> list[Any]:
    clauses = [Result.competition_id == key.competition_id]
    if key.challenge_id is not None:
        clauses.append(Result.challenge_id == key.challenge_id)
    return clauses


async def competition_format(session: AsyncSession, competition_id: int) -> Format | None:
    competition = await session.get(Competition, competition_id)
    if competition is None:
        return None
    return Format(
        competition.scoring,
        competition.tie_rule,  # type: ignore[arg-type]
        Options.of(competition.attributes),
        competition.organization_id,
        DisplaySettings.of(competition.attributes),
    )


def scores_by_competitor(rows: Iterable[Any], fmt: Format) -> dict[int, Score]:
    grouped: dict[int, list[Performance]] = {}
    for row in rows:
        competitor = competitor_of(row.person_id, row.team_id, row.entry_id)
        if competitor is not None:
            grouped.setdefault(competitor, []).append(performance(row))
    return {c: score(fmt.scoring, perfs, fmt.options) for c, perfs in grouped.items()}


def _entries(rows: list[Any], fmt: Format) -> list[tuple[int, int, int]]:
    scores = scores_by_competitor(rows, fmt)
    return [
        (competitor, value.score, set_ms(value))
        for competitor, value in scores.items()
        if value.score is not None
    ]


def set_ms(value: Score) -> int:
    return int(value.set_at.timestamp() * 1000) if value.set_at else 0


class Leaderboards:
    """Every board of one server process (or, with Redis, of all of them).

    See ``podium.ranking.coordination`` for the protocol that keeps boards equal to a
    from-scratch ranking when several processes build and apply at once.
    """

    def __init__(
        self, database: Database, redis: Redis | None = None, prefix: str = "podium:lb"
    ) -> None:
        self.database = database
        self.redis = redis
        self.prefix = prefix
        self.coordination: Coordination = (
            RedisCoordination(redis, prefix) if redis is not None else LocalCoordination()
        )
        self._boards: dict[BoardKey, Board] = {}
        self._members: dict[int, Membership] = {}
        self._decoded: dict[str, Format] = {}
        # The newest seq this process has applied or seen applied.
        self._seen = 0
        # Seconds one board build took; the app points this at its metrics.
        self.observe_build: Callable[[float], None] = _unobserved

    @property
    def held(self) -> int:
        """How many boards this process holds (in memory, or handles on Redis boards)."""
        return len(self._boards)

    def _board(self, key: BoardKey) -> Board:
        board = self._boards.get(key)
        if board is None:
            board = (
                RedisBoard(self.redis, f"{self.prefix}:{key.name}")
                if self.redis is not None
                else MemoryBoard()
            )
            self._boards[key] = board
        return board

    def _membership(self, competition_id: int) -> Membership:
        found = self._members.get(competition_id)
        if found is None:
            found = (
                RedisMembership(self.redis, f"{self.prefix}:{competition_id}:0")
                if self.redis is not None
                else MemoryMembership()
            )
            self._members[competition_id] = found
        return found

    async def _built(self, key: BoardKey) -> Format | None:
        """The format ``key`` was built with, or None while it is not built."""
        raw = await self.coordination.built(key.name)
        if raw is None:
            return None
        fmt = self._decoded.get(raw)
        if fmt is None:
            try:
                fmt = Format.decode(raw)
            except (ValueError, TypeError, KeyError):  # written by another version
                return None
            if len(self._decoded) > 1024:
                self._decoded.clear()
            self._decoded[raw] = fmt
        return fmt

    async def board(self, key: BoardKey) -> tuple[Board, Format]:
        """The board for ``key``, built if needed and caught up with our own writes.

        Writes of other processes arrive through ``run``'s polling; this process's own
        writes are applied before it answers, so a client reads what it just wrote.
        The format returned is the one the board was built with.
        """
        if self.database.committed_seq > self._seen:
            await self.catch_up()
        if key.group is not None:
            if key.challenge_id is not None:
                raise LookupError(key)  # categories rank whole competitions only
            return self._board(key), await self._groups_format(key.competition_id)
        fmt = await self._built(key)
        if fmt is None:
            fmt = await self._build(key)
        return self._board(key), fmt

    async def groups(self, competition_id: int) -> tuple[list[Group], Format]:
        """The category boards a competition has (a group with members), built if needed."""
        fmt = await self.board(BoardKey(competition_id, None, ""))
        keys = await self._membership(competition_id).groups()
        found = []
        for key in sorted(keys):
            group = categories.title_of(key)
            if group is not None:
                found.append(group)
        return found, fmt[1]

    async def categories_of(
        self, competition_id: int, competitors: Iterable[int]
    ) -> dict[int, list[Group]]:
        """Each competitor's categories, from one read of the membership map."""
        await self.board(BoardKey(competition_id, None, ""))
        found = await self._membership(competition_id).get(competitors)
        return {
            competitor: [g for key in keys if (g := categories.title_of(key)) is not None]
            for competitor, keys in found.items()
        }

    async def places(self, competition_id: int, competitor: int) -> list[tuple[Group, Row, int]]:
        """A competitor's place on each of its category boards: (group, row, field size)."""
        _board, fmt = await self.board(BoardKey(competition_id, None, ""))
        keys = (await self._membership(competition_id).get([competitor])).get(competitor, ())
        out = []
        for key in keys:
            group = categories.title_of(key)
            board = self._board(BoardKey(competition_id, None, key))
            row = await board.get(competitor, fmt.tie_rule)
            if group is not None and row is not None:
                out.append((group, row, await board.count()))
        return out

    async def _groups_format(self, competition_id: int) -> Format:
        fmt = await self._built(BoardKey(competition_id, None, ""))
        if fmt is None:
            fmt = await self._build_groups(competition_id)
        return fmt

    async def _build_groups(self, competition_id: int) -> Format:
        """Every category board of a competition from one snapshot, as ``_build`` does."""
        marker = groups_marker(competition_id)
        async with self.coordination.build_lock(marker):
            started = time.perf_counter()
            while True:
                built = await self._built(BoardKey(competition_id, None, ""))
                if built is not None:
                    return built
                async with self.database.read() as session:
                    seq = await _newest_seq(session)
                    fmt = await competition_format(session, competition_id)
                    if fmt is None:
                        raise LookupError(competition_id)
                    stream = await session.stream(
                        select(*SCORING_COLUMNS)
                        .where(Result.competition_id == competition_id)
                        .execution_options(yield_per=10_000)
                    )
                    rows = [row async for row in stream]
                    members = await memberships(session, competition_id, rows)
                scores = await asyncio.to_thread(scores_by_competitor, rows, fmt)
                membership = self._membership(competition_id)
                for key in await membership.groups():
                    await self._board(BoardKey(competition_id, None, key)).clear()
                await membership.clear()
                by_group: dict[str, list[tuple[int, int, int]]] = {}
                placed: dict[int, tuple[str, ...]] = {}
                for competitor, found in members.items():
                    value = scores.get(competitor)
                    if value is None or value.score is None:
                        continue
                    placed[competitor] = tuple(g.key for g in found)
                    for group in found:
                        by_group.setdefault(group.key, []).append(
                            (competitor, value.score, set_ms(value))
                        )
                for key, entries in by_group.items():
                    board = self._board(BoardKey(competition_id, None, key))
                    if isinstance(board, MemoryBoard):
                        board.fill(entries)
                    else:
                        await board.load(entries)
                await membership.put(placed)
                async with self.coordination.apply_lock():
                    applied = await self.coordination.applied()
                    dirty = await self._dirty_since(competition_id, seq, applied)
                    if dirty is not None:
                        if dirty:
                            await self._refresh_groups(competition_id, fmt, dirty)
                        await self.coordination.mark_built(marker, fmt.encode())
                        self._seen = max(self._seen, applied)
                        self.observe_build(time.perf_counter() - started)
                        log.info(
                            "category boards built",
                            extra={"board": marker, "groups": len(by_group), "seq": seq},
                        )
                        return fmt

    async def _dirty_since(self, competition_id: int, since: int, upto: int) -> set[int] | None:
        """Competitors whose score or facts changed in (since, upto]; None if the rules did."""
        dirty: set[int] = set()
        async for events in self._competition_events(competition_id, since, upto, facts=True):
            for event in events:
                if event.object_kind == "competition":
                    if _rules_changed(event):
                        return None
                    continue
                dirty.update(_competitors_of(event))
        return dirty

    async def _competition_events(
        self, competition_id: int, since: int, upto: int, *, facts: bool
    ) -> AsyncIterator[Sequence[Event]]:
        """The events in (since, upto] that can change a competition's boards, in batches:
        its rule changes and results, and with ``facts`` entries and people too."""
        kinds = ["result", "entry"] if facts else ["result"]
        wanted = ((Event.object_kind == "competition") & (Event.object_id == competition_id)) | (
            Event.object_kind.in_(kinds) & (Event.competition_id == competition_id)
        )
        if facts:
            wanted = wanted | (Event.object_kind == "person")
        cursor = since
        while cursor < upto:
            async with self.database.read() as session:
                events = (
                    await session.scalars(
                        select(Event)
                        .where(Event.seq > cursor, Event.seq <= upto, wanted)
                        .order_by(Event.seq)
                        .limit(_REPLAY_BATCH)
                    )
                ).all()
            if not events:
                return
            yield events
            cursor = events[-1].seq

    async def _refresh_groups(
        self,
        competition_id: int,
        fmt: Format,
        competitors: set[int],
        rows: list[Any] | None = None,
    ) -> None:
        """Move each competitor to the category boards its current score and facts name."""
        wanted = {c for c in competitors if c & 3 != 2}
        if not wanted:
            return
        async with self.database.read() as session:
            if rows is None:
                rows = await self._rows_of(session, BoardKey(competition_id), wanted)
            members = await memberships(session, competition_id, rows, wanted)
        scores = scores_by_competitor(rows, fmt)
        membership = self._membership(competition_id)
        before = await membership.get(wanted)
        after: dict[int, tuple[str, ...]] = {}
        for competitor in wanted:
            value = scores.get(competitor)
            found = members.get(competitor, [])
            keys = () if value is None or value.score is None else tuple(g.key for g in found)
            for key in set(before.get(competitor, ())) - set(keys):
                await self._board(BoardKey(competition_id, None, key)).remove(competitor)
            for key in keys:
                assert value is not None and value.score is not None
                board = self._board(BoardKey(competition_id, None, key))
                await board.upsert(competitor, value.score, set_ms(value))
            if keys or competitor in before:
                after[competitor] = keys
        await membership.put(after)

    async def _build(self, key: BoardKey) -> Format:
        """Build ``key`` from a snapshot, replay what committed since, then register it.

        The snapshot's seq is read before its rows, so the rows hold at least every
        change up to that seq; replaying later events is idempotent, so rows that are
        newer than the seq do no harm.
        """
        async with self.coordination.build_lock(key.name):
            started = time.perf_counter()
            while True:
                built = await self._built(key)
                if built is not None:
                    return built  # another task or process built it meanwhile
                async with self.database.read() as session:
                    seq = await _newest_seq(session)
                    fmt = await competition_format(session, key.competition_id)
                    if fmt is None:
                        raise LookupError(key)
                    stream = await session.stream(
                        select(*SCORING_COLUMNS)
                        .where(*_board_filter(key))
                        .execution_options(yield_per=10_000)
                    )
                    rows = [row async for row in stream]
                # Scoring a million rows is CPU work: keep the event loop serving meanwhile.
                entries = await asyncio.to_thread(_entries, rows, fmt)
                board = self._board(key)
                if isinstance(board, MemoryBoard):
                    await asyncio.to_thread(board.fill, entries)
                else:
                    await board.load(entries)
                async with self.coordination.apply_lock():
                    applied = await self.coordination.applied()
                    if await self._replay(key, fmt, seq, applied):
                        await self.coordination.mark_built(key.name, fmt.encode())
                        self._seen = max(self._seen, applied)
                        self.observe_build(time.perf_counter() - started)
                        log.info(
                            "board built",
                            extra={"board": key.name, "entries": len(entries), "seq": seq},
                        )
                        return fmt
                # The competition's rules changed while we built: build again.

    async def _replay(self, key: BoardKey, fmt: Format, since: int, upto: int) -> bool:
        """Refresh ``key``'s competitors touched by events in (since, upto].

        Catch-up skipped those events because the board was not registered yet. False
        when one of them changed the competition's rules (the snapshot is useless).
        """
        dirty: set[int] = set()
        async for events in self._competition_events(key.competition_id, since, upto, facts=False):
            for event in events:
                if event.object_kind == "competition":
                    if _rules_changed(event):
                        return False
                    continue
                for board_key, competitor in _touched(event):
                    if board_key == key:
                        dirty.add(competitor)
        if dirty:
            await self._refresh(key, fmt, dirty)
        return True

    async def catch_up(self, batch: int = 5000) -> int:
        """Apply every committed event not applied yet; returns the last applied seq.

        Seqs are gap-free, so the log is read in seq ranges up to the newest one; only
        events that can touch a built board are fetched.
        """
        async with self.database.read() as session:
            newest = await _newest_seq(session)
        applied = await self.coordination.applied()
        if applied < newest:
            async with self.coordination.apply_lock():
                applied = await self.coordination.applied()
                while applied < newest:
                    upto = min(newest, applied + batch)
                    built = sorted(await self.coordination.built_competitions())
                    # Entry and person events matter only where category boards exist.
                    grouped = [
                        c for c in built if await self._built(BoardKey(c, None, "")) is not None
                    ]
                    wanted = (Event.object_kind == "competition") | (
                        (Event.object_kind == "result") & Event.competition_id.in_(built)
                    )
                    if grouped:
                        wanted = (
                            wanted
                            | (Event.object_kind == "person")
                            | ((Event.object_kind == "entry") & Event.competition_id.in_(grouped))
                        )
                    query = select(Event).where(Event.seq > applied, Event.seq <= upto, wanted)
                    async with self.database.read() as session:
                        events = (await session.scalars(query.order_by(Event.seq))).all()
                    await self._apply(events)
                    applied = upto
                    await self.coordination.set_applied(applied)
        self._seen = max(self._seen, applied)
        return applied

    async def _apply(self, events: Sequence[Event]) -> None:
        dirty: dict[BoardKey, set[int]] = {}
        # Facts changed (an entry's division, a person's gender or birth date).
        facts: dict[int | None, set[int]] = {}
        for event in events:
            if event.object_kind == "competition":
                if _rules_changed(event) and event.object_id is not None:
                    await self._forget_competition(event.object_id)
                continue
            if event.object_kind in ("entry", "person"):
                facts.setdefault(event.competition_id, set()).update(_competitors_of(event))
                continue
            for key, competitor in _touched(event):
                dirty.setdefault(key, set()).add(competitor)
        for key, competitors in dirty.items():
            fmt = await self._built(key)
            if fmt is not None:
                await self._refresh(key, fmt, competitors)
            elif key.challenge_id is None:  # no overall board: its categories may be built
                fmt = await self._built(BoardKey(key.competition_id, None, ""))
                if fmt is not None:
                    await self._refresh_groups(key.competition_id, fmt, competitors)
        if facts:
            anywhere = facts.pop(None, set())
            for competition_id in await self.coordination.built_competitions():
                changed = facts.get(competition_id, set()) | anywhere
                fmt = await self._built(BoardKey(competition_id, None, ""))
                if changed and fmt is not None:
                    await self._refresh_groups(competition_id, fmt, changed)

    async def _forget_competition(self, competition_id: int) -> None:
        """Scoring or tie rule may have changed: drop its boards, rebuild on next use."""
        for name in await self.coordination.unmark(competition_id):
            key = BoardKey.parse(name)
            if key.group == "":  # the category boards: every group, and who is where
                membership = self._membership(competition_id)
                for group in await membership.groups():
                    await self._board(BoardKey(competition_id, None, group)).clear()
                await membership.clear()
            else:
                await self._board(key).clear()
        for key in [k for k in self._boards if k.competition_id == competition_id]:
            self._boards.pop(key, None)
        self._members.pop(competition_id, None)

    async def _rows_of(
        self, session: AsyncSession, key: BoardKey, competitors: set[int]
    ) -> list[Any]:
        """The scoring rows of these competitors on ``key``'s board."""
        rows: list[Any] = []
        by_kind: dict[str, list[int]] = {}
        for competitor in competitors:
            kind, object_id = subject(competitor)
            by_kind.setdefault(kind, []).append(object_id)
        for kind, ids in by_kind.items():
            column = subject_column(kind)
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                found = await session.execute(
                    select(*SCORING_COLUMNS).where(*_board_filter(key), column.in_(chunk))
                )
                rows.extend(found.all())
        return rows

    async def _refresh(self, key: BoardKey, fmt: Format, competitors: set[int]) -> None:
        async with self.database.read() as session:
            rows = await self._rows_of(session, key, competitors)
        scores = scores_by_competitor(rows, fmt)
        board = self._board(key)
        for competitor in competitors:
            value = scores.get(competitor)
            if value is None or value.score is None:
                await board.remove(competitor)
            else:
                await board.upsert(competitor, value.score, set_ms(value))
        if key.challenge_id is None and await self._built(BoardKey(key.competition_id, None, "")):
            await self._refresh_groups(key.competition_id, fmt, competitors, rows)

    async def warm(self, statuses: tuple[str, ...] = ("running", "open")) -> None:
        """Build the boards of live competitions, so their first reader does not wait."""
        async with self.database.read() as session:
            ids = (
                await session.scalars(
                    select(Competition.id).where(Competition.status.in_(list(statuses)))
                )
            ).all()
        for competition_id in ids:
            await self.board(BoardKey(competition_id))

    async def run(self, interval: float = 0.25, warmed: Callable[[], None] | None = None) -> None:
        """Build live boards, then keep every built board in step until cancelled.

        ``warmed`` is called once the warm-up is over (built or failed: a board that
        failed is built on first use), which is when this process is ready.
        """
        try:
            await self.warm()
        except Exception:  # a board that fails to build is built again on first use
            log.exception("leaderboard warm-up failed")
        if warmed is not None:
            warmed()
        while True:
            try:
                await self.catch_up()
            except Exception:  # keep serving; the next round retries from the applied seq
                log.exception("leaderboard catch-up failed")
            await asyncio.sleep(interval)


def _unobserved(_seconds: float) -> None:
    """No metrics attached (the CLI, tests)."""


async def _newest_seq(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.coalesce(func.max(Event.seq), 0))) or 0)


def _touched(event: Event) -> list[tuple[BoardKey, int]]:
    """The boards and competitors a result event may change (before and after)."""
    if event.object_kind != "result" or event.competition_id is None:
        return []
    touched: list[tuple[BoardKey, int]] = []
    for payload in _result_payloads(event):
        competitor = competitor_of(
            payload.get("person_id"), payload.get("team_id"), payload.get("entry_id")
        )
        if competitor is None:
            continue
        touched.append((BoardKey(event.competition_id), competitor))
        if payload.get("challenge_id") is not None:
            touched.append((BoardKey(event.competition_id, payload["challenge_id"]), competitor))
    return touched


def _competitors_of(event: Event) -> set[int]:
    """Competitors whose score or category facts an event may change."""
    out: set[int] = set()
    for payload in _result_payloads(event):
        if event.object_kind == "person" and event.object_id is not None:
            out.add(event.object_id * 4 + 1)
        elif event.object_kind == "entry" and event.object_id is not None:
            out.add(event.object_id * 4 + 3)
            if isinstance(payload.get("person_id"), int):
                out.add(payload["person_id"] * 4 + 1)
        else:
            competitor = competitor_of(
                payload.get("person_id"), payload.get("team_id"), payload.get("entry_id")
            )
            if competitor is not None:
                out.add(competitor)
    return out


def _result_payloads(event: Event) -> list[dict[str, Any]]:
    """The result after and before the change: both competitors may need a refresh."""
    return [p for p in (event.payload, event.before) if p]


def _rules_changed(event: Event) -> bool:
    if event.type == "competition.created":
        return False
    after, before = event.payload or {}, event.before or {}
    watched = ("scoring", "tie_rule", "attributes", "organization_id")
    return any(after.get(k) != before.get(k) for k in watched)
