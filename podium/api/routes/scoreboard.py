"""The CLICS scoreboard of a programming contest, computed from its submissions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from podium.api import crud
from podium.api.bodies import LimitedRoute
from podium.api.deps import DB, Actor
from podium.api.responses import OrjsonResponse
from podium.core import freeze
from podium.core.errors import NotFound
from podium.ranking.clics import clics_scoreboard
from podium.ranking.contest import load_contest
from podium.store.tables import Competition

router = APIRouter(route_class=LimitedRoute, tags=["leaderboard"])


@router.get(
    "/competitions/{competition_id}/scoreboard",
    responses={200: {"description": "CLICS 2023-06 scoreboard, rows best first."}},
)
async def scoreboard(competition_id: crud.ObjectId, db: DB, actor: Actor) -> Response:
    """Rank, solved count and minute totals per team, as CLICS clients expect.

    Read access follows the leaderboard: a token that may read the organization.
    A contest is of kind ``contest`` or scored ``icpc`` (what the web pages show as a
    scoreboard); any other competition is reported as missing, like an unknown one.
    """
    missing = NotFound(f"No contest with id {competition_id}.")
    async with db.read() as session:
        competition = await session.get(Competition, competition_id)
        if (
            competition is None
            or not (competition.kind == "contest" or competition.scoring == "icpc")
            or not actor.allows("read", competition.organization_id)
        ):
            raise missing
        # Behind a scoreboard freeze, readers without ``judge`` see later submissions pending.
        hidden = freeze.hidden_after(competition, actor)
        loaded = await load_contest(session, competition_id, hidden_after=hidden)
    if loaded is None:
        raise missing
    body: dict[str, Any] = clics_scoreboard(loaded[0], loaded[1], datetime.now(UTC))
    return OrjsonResponse(body)
