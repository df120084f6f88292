"""``/teams/*`` and ``/team/{id}``: the organization's core teams."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.api.responses import OrjsonResponse
from podium.core import resources
from podium.core.teams import TEAMS, TeamCreate, TeamUpdate
from podium.dialects.polympics import accounts, rules, views, wire
from podium.dialects.polympics.context import Context, body, page_args, paginate, path_id, raise_if
from podium.dialects.polympics.problems import Issue, forbidden, not_found
from podium.store.tables import Team

router = APIRouter()


class TeamBody(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]


async def load_team(
    session: AsyncSession, org_id: int, raw: str, name: str = "team"
) -> tuple[Team | None, list[Issue]]:
    team_id, issues = path_id(raw, name, "Team")
    if team_id is None:
        return None, issues
    team = await accounts.find_team(session, org_id, team_id)
    return (team, []) if team is not None else (None, [not_found("path", name, "Team")])


@router.get("/teams/search")
async def search_teams(request: Request) -> Response:
    ctx = Context.of(request)
    org_id = await ctx.org_id()
    args, issues = page_args(request, ctx.settings)
    raise_if(issues)
    assert args is not None
    query = select(Team).where(Team.organization_id == org_id)
    q = request.query_params.get("q")
    if q:
        query = query.where(Team.name.icontains(q, autoescape=True))
    async with ctx.database.read() as session:
        order = [func.lower(Team.name), Team.name, Team.id]
        teams, meta = await paginate(session, query, args, order)
        data = await views.teams_json(session, teams)
    return OrjsonResponse({**meta, "data": data})


@router.get("/team/{team}")
async def get_team(request: Request, team: str) -> Response:
    ctx = Context.of(request)
    org_id = await ctx.org_id()
    async with ctx.database.read() as session:
        found, issues = await load_team(session, org_id, team)
        raise_if(issues)
        assert found is not None
        return OrjsonResponse(await views.team_json(session, found))


@router.post("/teams/new")
async def create_team(request: Request) -> Response:
    ctx = Context.of(request)
    caller = await ctx.caller(request)
    command, issues = await body(request, TeamBody)
    raise_if(issues)
    assert command is not None
    if not caller.has(wire.MANAGE_TEAMS):
        raise forbidden()
    org_id = await ctx.org_id()

    async def work(session: AsyncSession) -> Any:
        team = await resources.create(
            session,
            caller.principal(org_id),
            TEAMS,
            TeamCreate(name=command.name, organization_id=org_id),
        )
        return await views.team_json(session, team)

    return OrjsonResponse(await ctx.write(work), status_code=201)


async def _managed_team(
    session: AsyncSession, caller: Any, org_id: int, raw: str, issues: list[Issue]
) -> Team:
    team, path_issues = await load_team(session, org_id, raw)
    raise_if(path_issues + issues)
    assert team is not None
    caller_team = await accounts.team_id_of(session, org_id, caller.person_id)
    if not rules.can_manage_team(caller, team_id=team.id, caller_team_id=caller_team):
        raise forbidden()
    return team


@router.patch("/team/{team}")
async def update_team(request: Request, team: str) -> Response:
    ctx = Context.of(request)
    caller = await ctx.caller(request)
    command, issues = await body(request, TeamBody)
    org_id = await ctx.org_id()

    async def work(session: AsyncSession) -> Any:
        found = await _managed_team(session, caller, org_id, team, issues)
        assert command is not None
        updated = await resources.update(
            session, caller.principal(org_id), TEAMS, found.id, TeamUpdate(name=command.name)
        )
        return await views.team_json(session, updated)

    return OrjsonResponse(await ctx.write(work))


@router.delete("/team/{team}")
async def delete_team(request: Request, team: str) -> Response:
    """Members leave the team and its awards keep existing without one (no callbacks)."""
    ctx = Context.of(request)
    caller = await ctx.caller(request)
    org_id = await ctx.org_id()

    async def work(session: AsyncSession) -> None:
        found = await _managed_team(session, caller, org_id, team, [])
        await resources.delete(session, caller.principal(org_id), TEAMS, found.id)

    await ctx.write(work)
    return Response(status_code=204)
