"""Competition pages: details, the live leaderboard (or contest scoreboard), heats, exports.

``/competitions/{id}/leaderboard.html`` is the live region alone; ``live.js`` swaps
it in when the event feed reports a change, and the page works without it.
``/competitions/{id}/heats.html`` is a race's heats (racing now, up next, every heat
table) and ``heats.js`` follows the feed for it the same way. A series' page leads
with its standings over its races (``podium.web.series``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from podium.api.routes import leaderboards as exports
from podium.core import categories, freeze
from podium.core.categories import Group
from podium.core.principal import Principal
from podium.proxy import root_of
from podium.ranking.contest import load_contest
from podium.ranking.leaderboards import Leaderboards
from podium.store.database import Database
from podium.store.tables import Challenge, Competition, Organization
from podium.web import heats, runners, series, standings
from podium.web.render import not_found, page, parse_id
from podium.web.visibility import newest_token, public_children, public_competition

router = APIRouter(include_in_schema=False)
# Before the downloads below, whose ``{what}.{fmt}`` would take ``series.json`` too.
router.include_router(series.router)

# Exports for anonymous readers go through the API's own code with read access,
# after the page has checked the competition is public.
PUBLIC_READER = Principal(kind="web", label="public page", scopes=frozenset({"read"}))


def is_contest(competition: Competition) -> bool:
    return competition.scoring == "icpc"


def page_number(raw: str | None) -> int | None:
    """``?page=``: 1 when absent, None (not found) when it is not a page number."""
    if raw is None or raw == "":
        return 1
    return parse_id(raw)


async def _board(
    request: Request, competition: Competition, number: int = 1, group: Group | None = None
) -> dict[str, Any]:
    """The live region's context: a contest scoreboard or a leaderboard (page ``number``,
    of one category's board with ``group``)."""
    database: Database = request.app.state.database
    if is_contest(competition):
        # Pages are anonymous: behind a freeze, later submissions show as pending.
        hidden = freeze.hidden_after(competition, None)
        async with database.read() as session:
            loaded = await load_contest(session, competition.id, hidden_after=hidden)
        return {
            "table": loaded[1] if loaded else None,
            "competition": competition,
            "frozen_at": hidden if freeze.is_frozen(competition) else None,
        }
    leaderboards: Leaderboards = request.app.state.leaderboards
    board = await standings.load(database, leaderboards, competition.id, page=number, group=group)
    found, _fmt = await leaderboards.groups(competition.id)
    order = {kind: index for index, kind in enumerate(categories.KINDS)}
    return {
        "standings": board,
        "competition": competition,
        "categories": sorted(found, key=lambda g: (order.get(g.kind, 9), g.title)),
    }


async def _paged(
    request: Request, competition: Competition, raw: str | None, group: str | None = None
) -> dict[str, Any]:
    """The board at ``?page=`` (and ``?group=``); empty when there is no such page."""
    number = page_number(raw)
    chosen = categories.title_of(group) if group else None
    if number is None or (group and (chosen is None or is_contest(competition))):
        return {}
    context = await _board(request, competition, number, chosen)
    board = context.get("standings")
    if board is not None and number > board.pages:
        return {}
    return context


@router.get("/competitions/{competition_id}", response_class=HTMLResponse)
async def competition_page(
    competition_id: str,
    request: Request,
    q: str | None = None,
    number: Annotated[str | None, Query(alias="page")] = None,
    group: str | None = None,
) -> Response:
    wanted = parse_id(competition_id)
    database: Database = request.app.state.database
    async with database.read() as session:
        competition = await public_competition(session, wanted) if wanted else None
        if competition is None:
            return not_found(request, f"No public competition {competition_id}.")
        organization = await session.get(Organization, competition.organization_id)
        parent = (
            await public_competition(session, competition.parent_id)
            if competition.parent_id
            else None
        )
        children = await public_children(session, competition.id)
        challenges = (
            await session.scalars(
                select(Challenge)
                .where(Challenge.competition_id == competition.id)
                .order_by(Challenge.position, Challenge.id)
            )
        ).all()
        schedule = await heats.load(session, competition.id)
        token = await newest_token(session)
        found = await runners.find(session, competition.id, q) if q is not None else None
    if found is not None and found.exact is not None:
        where = f"/competitions/{competition.id}/results/{found.exact}"
        return RedirectResponse(f"{root_of(request.scope)}{where}", status_code=303)
    board = await _paged(request, competition, number, group)
    if not board:
        return not_found(
            request, f"No such page or category of the leaderboard of {competition.name}."
        )
    context = {
        "title": competition.name,
        "competition": competition,
        "organization": organization,
        "parent": parent,
        "children": children,
        "challenges": challenges,
        "heats": schedule,
        "series": await series.load(request, competition),
        "token": token,
        "contest": is_contest(competition),
        "found": found,
        **board,
    }
    bad = found is not None and found.error is not None and bool(q and q.strip())
    return page(request, "competition.html", context, 400 if bad else 200)


@router.get("/competitions/{competition_id}/leaderboard.html", response_class=HTMLResponse)
async def leaderboard_fragment(
    competition_id: str,
    request: Request,
    number: Annotated[str | None, Query(alias="page")] = None,
    group: str | None = None,
) -> HTMLResponse:
    wanted = parse_id(competition_id)
    database: Database = request.app.state.database
    async with database.read() as session:
        competition = await public_competition(session, wanted) if wanted else None
    if competition is None:
        return not_found(request, f"No public competition {competition_id}.")
    name = "_scoreboard.html" if is_contest(competition) else "_leaderboard.html"
    board = await _paged(request, competition, number, group)
    if not board:
        return not_found(
            request, f"No such page or category of the leaderboard of {competition.name}."
        )
    response = page(request, name, board)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/competitions/{competition_id}/heats.html", response_class=HTMLResponse)
async def heats_fragment(competition_id: str, request: Request) -> HTMLResponse:
    """The heats section's live region: racing now, up next and every heat table."""
    wanted = parse_id(competition_id)
    database: Database = request.app.state.database
    async with database.read() as session:
        competition = await public_competition(session, wanted) if wanted else None
        if competition is None:
            return not_found(request, f"No public competition {competition_id}.")
        schedule = await heats.load(session, competition.id)
    response = page(request, "_heats.html", {"heats": schedule, "competition": competition})
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/competitions/{competition_id}/{what}.{fmt}")
async def download(
    competition_id: str,
    what: Literal["results", "standings"],
    fmt: Literal["csv", "json"],
    request: Request,
) -> Response:
    """Public copies of the API's exports, same columns, no token needed."""
    wanted = parse_id(competition_id)
    database: Database = request.app.state.database
    async with database.read() as session:
        competition = await public_competition(session, wanted) if wanted else None
    if competition is None or wanted is None:
        return not_found(request, f"No public competition {competition_id}.")
    if is_contest(competition) and freeze.is_frozen(competition):
        # The exports would show the verdicts the frozen scoreboard hides.
        context = {"title": "Scoreboard frozen", "competition": competition}
        return page(request, "frozen.html", context, 403)
    if what == "results":
        return await exports.export_results(wanted, database, PUBLIC_READER, fmt)
    return await exports.standings(wanted, database, PUBLIC_READER, None, fmt)
