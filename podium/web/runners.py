"""Results people look up at the event: find a bib or name, and one runner's result page.

The result page is keyed by the entry id (stable, and what a bib belongs to), so
its URL can be printed as a QR code on a bib or a results board. Ranks come from
the live leaderboard index, like the leaderboard's; nothing here sorts the field.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core.limits import text_offence
from podium.proxy import root_of
from podium.ranking.display import display
from podium.ranking.leaderboards import BoardKey, competitor_of
from podium.store.database import Database
from podium.store.tables import Competition, Entry, Organization, Person, Result, Team
from podium.web.render import clock, not_found, page, parse_id
from podium.web.standings import STATUS_WORDS
from podium.web.visibility import public_competition

router = APIRouter(include_in_schema=False)

MAX_QUERY = 100  # characters of a search; longer is not a bib or a name
MAX_MATCHES = 50
# Attributes (of the entry, then the person) shown when present, with their labels.
FACTS = (
    ("club", "Club"),
    ("team", "Team"),
    ("city", "City"),
    ("age", "Age"),
    ("age_group", "Age group"),
    ("category", "Category"),
    ("division", "Division"),
)
TIMES = (("gun_time", "Gun time"), ("chip_time", "Chip time"))


@dataclass(frozen=True)
class Match:
    entry_id: int
    bib: str | None
    name: str


@dataclass
class Found:
    """What a search answers: matches, a message, or one bib to go straight to."""

    query: str = ""
    matches: list[Match] = field(default_factory=list)
    more: bool = False
    error: str | None = None
    exact: int | None = None


def clean_query(raw: str) -> tuple[str, str | None]:
    """The search text trimmed, or why it cannot be searched for."""
    text = " ".join(raw.split())
    problem = text_offence(text)
    if problem is not None:
        return "", problem
    if len(text) > MAX_QUERY:
        return "", f"Search for at most {MAX_QUERY} characters."
    return text, None


async def find(session: AsyncSession, competition_id: int, raw: str) -> Found:
    """Entries whose bib is ``raw`` exactly or whose name contains it (any case)."""
    query, error = clean_query(raw)
    if error is not None or not query:
        return Found(query, error=error or "Type a bib number or part of a name.")
    bib = await session.scalar(
        select(Entry.id).where(Entry.competition_id == competition_id, Entry.bib == query)
    )
    if bib is not None:
        return Found(query, exact=bib)
    name = func.coalesce(Person.name, Team.name, "")
    rows = (
        await session.execute(
            select(Entry.id, Entry.bib, name)
            .outerjoin(Person, Entry.person_id == Person.id)
            .outerjoin(Team, Entry.team_id == Team.id)
            .where(
                Entry.competition_id == competition_id,
                or_(
                    func.lower(Person.name).contains(query.lower(), autoescape=True),
                    func.lower(Team.name).contains(query.lower(), autoescape=True),
                ),
            )
            .order_by(name, Entry.id)
            .limit(MAX_MATCHES + 1)
        )
    ).all()
    matches = [Match(eid, bib, shown) for eid, bib, shown in rows[:MAX_MATCHES]]
    return Found(query, matches, len(rows) > MAX_MATCHES)


@dataclass(frozen=True)
class Split:
    name: str
    time: str


def _facts(*sources: dict[str, Any], names: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """(label, value) of the first source that has each attribute, as short text."""
    out = []
    for key, label in names:
        for source in sources:
            value = source.get(key)
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                out.append((label, str(value)[:200]))
                break
    return out


def _time(value: str) -> str:
    """An attribute time: milliseconds shown as the engine's clock, text as it is."""
    return clock(int(value)) if value.isascii() and value.isdigit() else value


def page_url(request: Request, competition_id: int, entry_id: int) -> str:
    """The result page's absolute address, as a phone scanning the QR code needs it."""
    root = root_of(request.scope)
    base = f"{request.url.scheme}://{request.url.netloc}{root}"
    return f"{base}/competitions/{competition_id}/results/{entry_id}"


async def _entry(
    session: AsyncSession, competition_id: str, key: str
) -> tuple[Competition, Entry] | None:
    wanted, entry_id = parse_id(competition_id), parse_id(key)
    competition = await public_competition(session, wanted) if wanted else None
    if competition is None or entry_id is None:
        return None
    entry = await session.get(Entry, entry_id)
    if entry is None or entry.competition_id != competition.id:
        return None
    return competition, entry


@router.get("/competitions/{competition_id}/results/{key}", response_class=HTMLResponse)
async def runner_page(competition_id: str, key: str, request: Request) -> HTMLResponse:
    database: Database = request.app.state.database
    async with database.read() as session:
        found = await _entry(session, competition_id, key)
        if found is None:
            return not_found(request, f"No public result {key} in competition {competition_id}.")
        competition, entry = found
        organization = await session.get(Organization, competition.organization_id)
        person = await session.get(Person, entry.person_id) if entry.person_id else None
        team = await session.get(Team, entry.team_id) if entry.team_id else None
        mine = [Result.entry_id == entry.id]
        if entry.person_id is not None:
            mine.append(Result.person_id == entry.person_id)
        rows = (
            await session.scalars(
                select(Result)
                .where(Result.competition_id == competition.id, or_(*mine))
                .order_by(Result.id)
                .limit(100)
            )
        ).all()
    # The result that counts is an OK one if there is one; its status speaks otherwise.
    result = next((r for r in rows if r.status == "OK"), rows[0] if rows else None)
    if result is not None:
        competitor = competitor_of(result.person_id, result.team_id, result.entry_id)
    else:
        competitor = competitor_of(entry.person_id, entry.team_id, entry.id)
    board, fmt = await request.app.state.leaderboards.board(BoardKey(competition.id))
    row = await board.get(competitor, fmt.tie_rule) if competitor is not None else None
    total = await board.count()
    attributes = [
        entry.attributes or {},
        (result.attributes if result else None) or {},
        (person.attributes if person else None) or {},
    ]
    facts = _facts(*attributes, names=FACTS)
    if person is not None and person.gender:
        facts.append(("Gender", person.gender))
    times = [(label, _time(value)) for label, value in _facts(*attributes, names=TIMES)]
    splits = [
        Split(str(split.get("name", "")), clock(split.get("elapsed_ms")))
        for split in (result.splits if result else [])
        if isinstance(split, dict)
    ]
    name = (person.name if person else None) or (team.name if team else None)
    status = result.status if result else None
    context = {
        "title": f"{name or 'Bib ' + (entry.bib or str(entry.id))} · {competition.name}",
        "competition": competition,
        "organization": organization,
        "entry": entry,
        "name": name or f"Bib {entry.bib or entry.id}",
        "person": person,
        "team": team,
        "facts": facts,
        "times": times,
        "result": result,
        "status": status,
        "status_text": STATUS_WORDS.get(status, status) if status else None,
        "provisional": any(r.review is not None for r in rows),
        "rank": row.rank if row else None,
        "total": total,
        "shown": display(fmt.scoring, row.score) if row else None,
        "splits": splits,
        "url": page_url(request, competition.id, entry.id),
    }
    return page(request, "runner.html", context)


def qr_svg(url: str) -> bytes:
    """A standalone SVG document (with its namespace, so browsers show it as an image)."""
    out = io.BytesIO()
    code = segno.make(url, error="m", micro=False)
    code.save(out, kind="svg", scale=4, title="QR code of this result page's address")
    return out.getvalue()


@router.get("/competitions/{competition_id}/results/{key}/qr.svg")
async def runner_qr(competition_id: str, key: str, request: Request) -> Response:
    """The result page's address as a QR code (SVG: sharp at any size, prints well)."""
    database: Database = request.app.state.database
    async with database.read() as session:
        found = await _entry(session, competition_id, key)
    if found is None:
        return not_found(request, f"No public result {key} in competition {competition_id}.")
    competition, entry = found
    return Response(
        qr_svg(page_url(request, competition.id, entry.id)),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )
