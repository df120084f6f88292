"""The landing page: organizations and their public competitions, then where the APIs live.

It needs no JavaScript or network, so it works offline at the field.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from podium.store.database import Database
from podium.store.tables import Competition, Organization, Result
from podium.web.render import page

router = APIRouter(include_in_schema=False)

# Shown first: what is happening now, then what is coming, then what is over.
STATUS_ORDER = {"running": 0, "open": 1, "scheduled": 2, "finished": 3}


def by_status(competition: Competition) -> tuple[int, int]:
    return (STATUS_ORDER.get(competition.status, 4), competition.id)


async def result_counts(database: Database) -> dict[int, int]:
    async with database.read() as session:
        tally = await session.execute(
            select(Result.competition_id, func.count()).group_by(Result.competition_id)
        )
        return {competition_id: count for competition_id, count in tally.all()}


def rolled_up(competitions: Sequence[Competition], counts: dict[int, int]) -> dict[int, int]:
    """Results of a competition and of everything under it (a race and its events)."""
    parents = {c.id: c.parent_id for c in competitions}
    totals = dict(counts)
    for competition_id, count in counts.items():
        seen = {competition_id}
        parent = parents.get(competition_id)
        while parent is not None and parent not in seen:
            seen.add(parent)
            totals[parent] = totals.get(parent, 0) + count
            parent = parents.get(parent)
    return totals


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    database: Database = request.app.state.database
    async with database.read() as session:
        orgs = (await session.scalars(select(Organization).order_by(Organization.name))).all()
        competitions = (
            await session.scalars(select(Competition).where(Competition.public.is_(True)))
        ).all()
    by_org: dict[int, list[Competition]] = {}
    for competition in sorted(competitions, key=by_status):
        if competition.parent_id is None:
            by_org.setdefault(competition.organization_id, []).append(competition)
    context = {
        "title": "Podium",
        "orgs": orgs,
        "by_org": by_org,
        "counts": rolled_up(competitions, await result_counts(database)),
    }
    return page(request, "home.html", context)
