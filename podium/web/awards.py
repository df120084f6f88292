"""The printable awards list: the top N overall and per group, ready for the podium.

Ranks come from the same leaderboard index as the live page (or the contest table),
so the list always agrees with the board; the browser's "print to PDF" is the PDF.
After the overall list come the categories (``podium.core.categories``): gender,
age group, division and team, each read from its own category board.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from podium.core import categories, freeze
from podium.ranking.contest import load_contest
from podium.ranking.display import display
from podium.ranking.index import Board, Row
from podium.ranking.leaderboards import BoardKey, Leaderboards
from podium.ranking.ties import TieRule
from podium.store.database import Database
from podium.store.tables import Competition, Organization
from podium.web import standings
from podium.web.competitions import is_contest
from podium.web.render import not_found, page, parse_id
from podium.web.visibility import public_competition

router = APIRouter(include_in_schema=False)

DEFAULT_TOP = 3
MOST_TOP = 50
MOST_WALKED = 20_000  # rows of the index one list reads at most, however big the field


@dataclass(frozen=True)
class Award:
    place: int
    name: str
    person_id: int | None
    result: str


@dataclass
class Group:
    title: str
    awards: list[Award] = field(default_factory=list)
    _last_rank: int | None = None

    def offer(self, rank: int, award: Award, top: int) -> bool:
        """Add a row in board order; ties on the board share a place. False once full."""
        place = self.awards[-1].place if rank == self._last_rank and self.awards else 0
        place = place or len(self.awards) + 1
        if place > top:
            return False
        self.awards.append(Award(place, award.name, award.person_id, award.result))
        self._last_rank = rank
        return True


def parse_top(raw: str | None) -> int | None:
    """``?top=``: missing means 3; numbers are clamped to 1..50; anything else is None."""
    if raw is None or raw == "":
        return DEFAULT_TOP
    text = raw.strip()
    if not text.isascii() or not text.lstrip("-").isdigit() or len(text) > 6:
        return None
    return max(1, min(MOST_TOP, int(text)))


async def _listed(board: Board, rule: TieRule, top: int) -> list[Row]:
    """The rows that make the top ``top`` places (ties at the last place all count)."""
    rows: list[Row] = []
    while len(rows) < MOST_WALKED:
        chunk = await board.top(len(rows), max(top * 2, 8), rule)
        rows.extend(row for row in chunk if row.rank <= top)
        if len(chunk) < max(top * 2, 8) or chunk[-1].rank > top:
            return rows
    return rows


async def _board_groups(request: Request, competition: Competition, top: int) -> list[Group]:
    """Overall, then each category (gender, age group, division, team) from its own board."""
    database: Database = request.app.state.database
    leaderboards: Leaderboards = request.app.state.leaderboards
    board, fmt = await leaderboards.board(BoardKey(competition.id))
    found, _fmt = await leaderboards.groups(competition.id)
    order = {kind: index for index, kind in enumerate(categories.KINDS)}
    lists: list[tuple[str, list[Row]]] = [("Overall", await _listed(board, fmt.tie_rule, top))]
    for category in sorted(found, key=lambda g: (order.get(g.kind, 9), g.title)):
        group_board, _ = await leaderboards.board(BoardKey(competition.id, None, category.key))
        rows = await _listed(group_board, fmt.tie_rule, top)
        if rows:
            lists.append((category.title, rows))
    async with database.read() as session:
        names = await standings.names_of(session, {r.competitor for _, rows in lists for r in rows})
    out = []
    for title, rows in lists:
        group = Group(title)
        for row in rows:
            name, person_id = names.get(row.competitor, ("(removed)", None))
            shown = display(fmt.scoring, row.score, fmt.display)
            group.awards.append(Award(row.rank, name, person_id, shown))
        out.append(group)
    return out


async def _contest_groups(request: Request, competition: Competition, top: int) -> list[Group]:
    """A contest's winners as anonymous readers may see them (a frozen board stays frozen)."""
    database: Database = request.app.state.database
    hidden = freeze.hidden_after(competition, None)
    async with database.read() as session:
        loaded = await load_contest(session, competition.id, hidden_after=hidden)
    overall = Group("Overall")
    for row in loaded[1].rows if loaded else []:
        award = Award(row.rank, row.team.name, None, f"{row.solved} solved")
        if not overall.offer(row.rank, award, top):
            break
    return [overall]


@router.get("/competitions/{competition_id}/awards", response_class=HTMLResponse)
async def awards_page(competition_id: str, request: Request) -> HTMLResponse:
    wanted = parse_id(competition_id)
    database: Database = request.app.state.database
    async with database.read() as session:
        competition = await public_competition(session, wanted) if wanted else None
        if competition is None:
            return not_found(request, f"No public competition {competition_id}.")
        organization = await session.get(Organization, competition.organization_id)
    top = parse_top(request.query_params.get("top"))
    context: dict[str, Any] = {
        "title": f"Awards: {competition.name}",
        "competition": competition,
        "organization": organization,
    }
    if top is None:
        context["error"] = f"top must be a whole number from 1 to {MOST_TOP}."
        return page(request, "awards.html", context, 400)
    make = _contest_groups if is_contest(competition) else _board_groups
    context |= {"top": top, "groups": await make(request, competition, top)}
    return page(request, "awards.html", context)
