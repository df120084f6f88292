"""The printable awards list: the top N overall and per group, ready for the podium.

Ranks come from the same leaderboard index as the live page (or the contest table),
so the list always agrees with the board; the browser's "print to PDF" is the PDF.
Groups are the person's gender and the entry's ``category`` attribute, as the
participant import stores them; without either the list is overall only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from podium.core import freeze
from podium.ranking.contest import load_contest
from podium.ranking.display import display
from podium.ranking.leaderboards import BoardKey
from podium.store.database import Database
from podium.store.tables import Competition, Entry, Organization, Person
from podium.web import standings
from podium.web.competitions import is_contest
from podium.web.render import not_found, page, parse_id
from podium.web.visibility import public_competition

router = APIRouter(include_in_schema=False)

DEFAULT_TOP = 3
MOST_TOP = 50
CHUNK = 500  # rows read from the index at a time
MOST_WALKED = 20_000  # rows of the index one list reads at most, however big the field
GENDER_WORDS = {"F": "Women", "M": "Men", "X": "Non-binary"}


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


async def _groups_of(database: Database, competition_id: int) -> dict[int, list[str]]:
    """competitor code -> the titles of the groups it belongs to (gender, category)."""
    out: dict[int, list[str]] = {}
    async with database.read() as session:
        rows = await session.execute(
            select(Entry.id, Entry.person_id, Entry.attributes, Person.gender)
            .outerjoin(Person, Entry.person_id == Person.id)
            .where(Entry.competition_id == competition_id)
        )
        for entry_id, person_id, attributes, gender in rows:
            titles = []
            if gender:
                titles.append(GENDER_WORDS.get(gender, gender))
            category = (attributes or {}).get("category")
            if isinstance(category, str) and category.strip():
                titles.append(f"Category {category.strip()}")
            out[entry_id * 4 + 3] = titles
            if person_id is not None:
                out[person_id * 4 + 1] = titles
    return out


async def _board_groups(request: Request, competition: Competition, top: int) -> list[Group]:
    """Overall and group winners, walking the index best first until every group is full."""
    database: Database = request.app.state.database
    board, fmt = await request.app.state.leaderboards.board(BoardKey(competition.id))
    memberships = await _groups_of(database, competition.id)
    overall = Group("Overall")
    groups: dict[str, Group] = {}
    for titles in memberships.values():
        for title in titles:
            groups.setdefault(title, Group(title))
    full: set[str] = set()
    offset = 0
    while offset < MOST_WALKED:
        rows = await board.top(offset, CHUNK, fmt.tie_rule)
        if not rows:
            break
        async with database.read() as session:
            names = await standings.names_of(session, {row.competitor for row in rows})
        for row in rows:
            name, person_id = names.get(row.competitor, ("(removed)", None))
            award = Award(row.rank, name, person_id, display(fmt.scoring, row.score))
            if "Overall" not in full and not overall.offer(row.rank, award, top):
                full.add("Overall")
            for title in memberships.get(row.competitor, []):
                if title not in full and not groups[title].offer(row.rank, award, top):
                    full.add(title)
        if len(full) == len(groups) + 1:
            break
        offset += CHUNK
    return [overall, *(group for _, group in sorted(groups.items()) if group.awards)]


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
