"""An organization's page: every public competition it runs, events under their race."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from podium.core.organizations import by_slug
from podium.store.database import Database
from podium.store.tables import Competition, Organization
from podium.web.home import by_status, result_counts, rolled_up
from podium.web.render import not_found, page, parse_id

router = APIRouter(include_in_schema=False)


@router.get("/organizations/{key}", response_class=HTMLResponse)
async def organization_page(key: str, request: Request) -> HTMLResponse:
    """``key`` is the slug or the id, so both kinds of link keep working."""
    database: Database = request.app.state.database
    async with database.read() as session:
        wanted = parse_id(key)
        organization = (
            await session.get(Organization, wanted) if wanted else await by_slug(session, key)
        )
        if organization is None:
            return not_found(request, f"No organization {key}.")
        competitions = (
            await session.scalars(
                select(Competition).where(
                    Competition.organization_id == organization.id,
                    Competition.public.is_(True),
                )
            )
        ).all()
    tops = sorted((c for c in competitions if c.parent_id is None), key=by_status)
    children: dict[int, list[Competition]] = {}
    for competition in sorted(competitions, key=by_status):
        if competition.parent_id is not None:
            children.setdefault(competition.parent_id, []).append(competition)
    context = {
        "title": organization.name,
        "organization": organization,
        "tops": tops,
        "children": children,
        "counts": rolled_up(competitions, await result_counts(database)),
    }
    return page(request, "organization.html", context)
