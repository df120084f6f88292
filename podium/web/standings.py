"""A competition's leaderboard as a page shows it: ranked rows with names, then the rest.

Ranked rows come from the live leaderboard index (so a page costs O(log n + limit)
however big the field), formatted by the ranking engine's ``display``. Competitors
with no counting result (DNF, DQ, ...) are not on the index; they are listed after
it from their results' statuses, so nobody silently disappears from the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import competitors, final_ranking
from podium.core.categories import Group
from podium.ranking.display import DisplaySettings, display
from podium.ranking.index import Board
from podium.ranking.leaderboards import BoardKey, Leaderboards, competitor_of, subject
from podium.ranking.ties import TieRule
from podium.store.database import Database
from podium.store.tables import Entry, Person, Result, Team

PAGE_SIZE = 100
FINAL_LIMIT = 1000  # lines of a final ranking a page lists
KIND_CODES = {"person": 1, "team": 2, "entry": 3}
STATUS_WORDS = {
    "OK": "Finished",
    "DNF": "Did not finish",
    "DNS": "Did not start",
    "DQ": "Disqualified",
    "DNQ": "Did not qualify",
}


@dataclass(frozen=True)
class Line:
    rank: int | None
    name: str
    person_id: int | None
    result: str
    status: str
    status_text: str
    # Why the result is DQ/DNF/DNS, as the desk recorded it.
    reason: str | None = None
    # A protest on one of the competitor's results is open.
    provisional: bool = False
    # The competitor's entry in this competition: the key of its result page.
    entry_id: int | None = None
    bib: str | None = None
    # Its age group and division (``F 40-44 · Elite``), when it has them.
    category: str | None = None


@dataclass(frozen=True)
class Standings:
    scoring: str
    total: int
    lines: list[Line]
    final: Final | None = None
    # Which page of the ranked field this is (1-based) and how many there are.
    page: int = 1
    page_size: int = PAGE_SIZE
    # A category's board instead of the whole field (``gender:F``), and its name.
    group: str | None = None
    group_title: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def first(self) -> int:
        """Index position of the page's first ranked line, 1-based (for "101-200")."""
        return (self.page - 1) * self.page_size + 1

    @property
    def more(self) -> bool:
        return self.total > sum(1 for line in self.lines if line.rank is not None)


@dataclass(frozen=True)
class FinalLine:
    place: int | None
    name: str
    person_id: int | None
    board_rank: int | None
    board_result: str


@dataclass(frozen=True)
class Final:
    """A declared final ranking as the page shows it, each line with its board result."""

    name: str
    set_at: datetime
    lines: list[FinalLine]


async def names_of(
    session: AsyncSession, competitors: set[int]
) -> dict[int, tuple[str, int | None]]:
    """competitor -> (name to show, person id to link to)."""
    wanted: dict[str, list[int]] = {"person": [], "team": [], "entry": []}
    for competitor in competitors:
        kind, object_id = subject(competitor)
        wanted[kind].append(object_id)
    out: dict[int, tuple[str, int | None]] = {}
    if wanted["person"]:
        for pid, name in await session.execute(
            select(Person.id, Person.name).where(Person.id.in_(wanted["person"]))
        ):
            out[pid * 4 + 1] = (name, pid)
    if wanted["team"]:
        for tid, name in await session.execute(
            select(Team.id, Team.name).where(Team.id.in_(wanted["team"]))
        ):
            out[tid * 4 + 2] = (name, None)
    if wanted["entry"]:
        rows = await session.execute(
            select(Entry.id, Entry.bib, Person.id, Person.name, Team.name)
            .outerjoin(Person, Entry.person_id == Person.id)
            .outerjoin(Team, Entry.team_id == Team.id)
            .where(Entry.id.in_(wanted["entry"]))
        )
        for eid, bib, pid, person_name, team_name in rows:
            out[eid * 4 + 3] = (person_name or team_name or f"Bib {bib or eid}", pid)
    return out


def _bib(named: competitors.Named | None) -> str | None:
    return named.bib if named is not None else None


def _category(found: list[Group]) -> str | None:
    """What the Category column says: the age group, then the division."""
    shown = [g.title for kind in ("age", "division") for g in found if g.kind == kind]
    return " · ".join(shown) or None


async def _entry_ids(
    session: AsyncSession, competition_id: int, competitors: set[int]
) -> dict[int, int]:
    """competitor -> its entry in the competition: the key of its result page."""
    out: dict[int, int] = {}
    people: list[int] = []
    for competitor in competitors:
        kind, object_id = subject(competitor)
        if kind == "entry":
            out[competitor] = object_id
        elif kind == "person":
            people.append(object_id)
    if people:
        # One entry per person and competition (a unique constraint).
        rows = await session.execute(
            select(Entry.person_id, Entry.id).where(
                Entry.competition_id == competition_id, Entry.person_id.in_(people)
            )
        )
        out.update((pid * 4 + 1, eid) for pid, eid in rows if pid is not None)
    return out


async def _unranked(
    session: AsyncSession, competition_id: int, limit: int
) -> list[tuple[int, str, str | None]]:
    """(competitor, status, reason) of results that did not count, worst status last."""
    rows = await session.execute(
        select(
            Result.person_id, Result.team_id, Result.entry_id, Result.status, Result.status_reason
        )
        .where(Result.competition_id == competition_id, Result.status != "OK")
        .order_by(Result.status, Result.id)
        .limit(limit * 4)
    )
    seen: dict[int, tuple[str, str | None]] = {}
    for person_id, team_id, entry_id, status, reason in rows:
        competitor = competitor_of(person_id, team_id, entry_id)
        if competitor is not None and competitor not in seen:
            seen[competitor] = (status, reason)
    return [(c, status, reason) for c, (status, reason) in seen.items()][:limit]


async def _under_review(session: AsyncSession, competition_id: int) -> set[int]:
    """Competitors with an open protest (few at a time: only those rows are read)."""
    rows = await session.execute(
        select(Result.person_id, Result.team_id, Result.entry_id).where(
            Result.competition_id == competition_id, Result.review.is_not(None)
        )
    )
    return {c for row in rows if (c := competitor_of(*row)) is not None}


async def load(
    database: Database,
    leaderboards: Leaderboards,
    competition_id: int,
    limit: int = PAGE_SIZE,
    page: int = 1,
    group: Group | None = None,
) -> Standings:
    """Page ``page`` of the ranked field, read from the index at an offset (no sort here).

    Competitors without a counting result follow the last page of ranked ones. With
    ``group`` it is that category's board: its places, no unranked list, no final.
    """
    board, fmt = await leaderboards.board(
        BoardKey(competition_id, None, group.key if group else None)
    )
    total = await board.count()
    ranked = await board.top((page - 1) * limit, limit, fmt.tie_rule)
    last = page * limit >= total and group is None
    async with database.read() as session:
        others = [
            (competitor, status, reason)
            for competitor, status, reason in (
                await _unranked(session, competition_id, limit) if last else []
            )
            if await board.get(competitor, fmt.tie_rule) is None
        ]
        shown_here = {row.competitor for row in ranked} | {c for c, _, _ in others}
        names = await names_of(session, shown_here)
        entries = await _entry_ids(session, competition_id, shown_here)
        bibs = await competitors.named(session, competition_id, shown_here)
        reviewed = await _under_review(session, competition_id)
    placed = await leaderboards.categories_of(competition_id, shown_here)
    final = (
        await _final(database, board, fmt.tie_rule, fmt.scoring, competition_id, fmt.display)
        if group is None
        else None
    )
    lines = []
    for row in ranked:
        name, person_id = names.get(row.competitor, ("(removed)", None))
        entry_id = entries.get(row.competitor)
        shown = display(fmt.scoring, row.score, fmt.display)
        provisional = row.competitor in reviewed
        lines.append(
            Line(
                row.rank,
                name,
                person_id,
                shown,
                "OK",
                "Finished",
                None,
                provisional,
                entry_id,
                _bib(bibs.get(row.competitor)),
                _category(placed.get(row.competitor, [])),
            )
        )
    for competitor, status, reason in others:
        name, person_id = names.get(competitor, ("(removed)", None))
        entry_id = entries.get(competitor)
        words = STATUS_WORDS.get(status, status)
        provisional = competitor in reviewed
        lines.append(
            Line(
                None,
                name,
                person_id,
                status,
                status,
                words,
                reason,
                provisional,
                entry_id,
                _bib(bibs.get(competitor)),
            )
        )
    return Standings(
        fmt.scoring,
        total,
        lines,
        final,
        page,
        limit,
        group.key if group else None,
        group.title if group else None,
    )


async def _final(
    database: Database,
    board: Board,
    rule: TieRule,
    scoring: str,
    competition_id: int,
    settings: DisplaySettings,
) -> Final | None:
    """The declared final ranking, if any, with each competitor's board rank beside it."""
    async with database.read() as session:
        declared = await final_ranking.load(session, competition_id)
        if declared is None:
            return None
        competitors = [
            p.subject_id * 4 + KIND_CODES[p.subject] for p in declared.placings[:FINAL_LIMIT]
        ]
        names = await names_of(session, set(competitors))
    lines = []
    for placing, competitor in zip(declared.placings, competitors, strict=False):
        name, person_id = names.get(competitor, ("(removed)", None))
        row = await board.get(competitor, rule)
        shown = display(scoring, row.score, settings) if row is not None else ""
        lines.append(FinalLine(placing.place, name, person_id, row.rank if row else None, shown))
    return Final(declared.name, declared.set_at, lines)
