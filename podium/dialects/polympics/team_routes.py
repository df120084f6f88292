"""``/teams/*`` and ``/team/{id}``: the organization's core teams."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.api.responses import OrjsonResponse
from podium.core import resources
from podium.core.teams import TEAMS, TeamCreate, TeamUpdate
from podium.dialects.polympics import accounts, forms, rules, views, wire
from podium.dialects.polympics.context import Context, finder, page_args, paginate
from podium.dialects.polympics.forms import Record, raise_if, read_body
from podium.dialects.polympics.problems import Issue, forbidden
from podium.store.tables import Team

router = APIRouter()


@dataclass(frozen=True, kw_only=True)
class TeamForm:
    """``POST /teams/new`` and ``PATCH /team/{id}`` (the name is required on both)."""

    name: Annotated[str, forms.NAME]


@router.get("/teams/search")
async def search_teams(request: Request) -> Response:
    ctx = Context.of(request)
    org_id = await ctx.org_id()
    issues: list[Issue] = []
    args = page_args(request, ctx.settings, issues)
    raise_if(issues)
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
        issues: list[Issue] = []
        found = await forms.param(
            Record("Team"), team, ["path", "team"], finder(session, org_id), issues
        )
        raise_if(issues)
        return OrjsonResponse(await views.team_json(session, found))


@router.post("/teams/new")
async def create_team(request: Request) -> Response:
    ctx = Context.of(request)
    raw = await read_body(request)
    caller = await ctx.caller(request)
    issues: list[Issue] = []
    command = await forms.parse(TeamForm, raw, issues=issues)
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


# DELETE has no body to check, unlike a PATCH whose body is missing (None).
_NO_BODY = object()


async def _managed_team(
    session: AsyncSession, caller: Any, org_id: int, raw: str, body: Any = _NO_BODY
) -> tuple[Team, TeamForm | None]:
    """The path's team and, for a PATCH, the body; then the caller's right to manage it."""
    find = finder(session, org_id)
    issues: list[Issue] = []
    team = await forms.param(Record("Team"), raw, ["path", "team"], find, issues)
    command = await forms.parse(TeamForm, body, find, issues) if body is not _NO_BODY else None
    raise_if(issues)
    caller_team = await accounts.team_id_of(session, org_id, caller.person_id)
    if not rules.can_manage_team(caller, team_id=team.id, caller_team_id=caller_team):
        raise forbidden()
    return team, command


@router.patch("/team/{team}")
async def update_team(request: Request, team: str) -> Response:
    ctx = Context.of(request)
    raw = await read_body(request)
    caller = await ctx.caller(request)
    org_id = await ctx.org_id()

    async def work(session: AsyncSession) -> Any:
        found, command = await _managed_team(session, caller, org_id, team, raw)
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
        found, _ = await _managed_team(session, caller, org_id, team)
        await resources.delete(session, caller.principal(org_id), TEAMS, found.id)

    await ctx.write(work)
    return Response(status_code=204)
