"""The landing page: what this Podium holds and where each protocol lives.

It shows only public competitions and needs no JavaScript or network, so it works
offline at the field.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select

from podium import __version__
from podium.store.database import Database
from podium.store.tables import Competition, Organization, Result

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    database: Database = request.app.state.database
    async with database.read() as session:
        orgs = (await session.scalars(select(Organization).order_by(Organization.name))).all()
        tally = await session.execute(
            select(Result.competition_id, func.count()).group_by(Result.competition_id)
        )
        counts = {competition_id: count for competition_id, count in tally.all()}
        competitions = (
            await session.scalars(
                select(Competition)
                .where(Competition.public.is_(True))
                .order_by(Competition.organization_id, Competition.id)
            )
        ).all()
    by_org: dict[int, list[Competition]] = {}
    for competition in competitions:
        by_org.setdefault(competition.organization_id, []).append(competition)
    return templates.TemplateResponse(
        request,
        "home.html",
        {"orgs": orgs, "by_org": by_org, "counts": counts, "version": __version__},
    )
