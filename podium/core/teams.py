"""Teams and their members."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import events, resources
from podium.core.errors import Conflict, NotFound
from podium.core.fields import Attributes, CleanText, ExternalIds, Id, Name
from podium.core.organizations import ORGANIZATIONS
from podium.core.people import PEOPLE
from podium.core.principal import Principal
from podium.core.resources import Command, Resource, Scope
from podium.store.tables import Team, TeamMember

Role = Annotated[str, StringConstraints(min_length=1, max_length=40), CleanText]


class TeamCreate(Command):
    name: Name
    organization_id: Id | None = None
    attributes: Attributes = {}
    external_ids: ExternalIds = {}


class TeamUpdate(Command):
    name: Name | None = None
    organization_id: Id | None = None
    attributes: Attributes | None = None
    external_ids: ExternalIds | None = None


class MemberAdd(Command):
    person_id: Id
    role: Role = "member"


async def _scope(_session: AsyncSession, team: Team) -> Scope:
    return Scope(team.organization_id)


TEAMS: Resource[Team] = Resource(
    kind="team",
    model=Team,
    create=TeamCreate,
    update=TeamUpdate,
    scope=_scope,
    refs={"organization_id": ORGANIZATIONS},
    has_external_ids=True,
)


async def members(session: AsyncSession, principal: Principal, team_id: int) -> list[TeamMember]:
    await resources.get(session, principal, TEAMS, team_id)
    rows = await session.scalars(
        select(TeamMember).where(TeamMember.team_id == team_id).order_by(TeamMember.id)
    )
    return list(rows.all())


async def add_member(
    session: AsyncSession, principal: Principal, team_id: int, command: MemberAdd
) -> TeamMember:
    team = await resources.get(session, principal, TEAMS, team_id)
    principal.require("setup", team.organization_id)
    await resources.get(session, principal, PEOPLE, command.person_id)
    existing = await session.scalar(
        select(TeamMember).where(
            TeamMember.team_id == team_id, TeamMember.person_id == command.person_id
        )
    )
    if existing is not None:
        raise Conflict(f"Person {command.person_id} is already a member of team {team_id}.")
    member = TeamMember(team_id=team_id, person_id=command.person_id, role=command.role)
    session.add(member)
    await session.flush()
    events.record(
        session,
        principal,
        "team.member_added",
        "team",
        team_id,
        events.snapshot(member),
        organization_id=team.organization_id,
    )
    return member


async def remove_member(
    session: AsyncSession, principal: Principal, team_id: int, person_id: int
) -> None:
    team = await resources.get(session, principal, TEAMS, team_id)
    principal.require("setup", team.organization_id)
    member = await session.scalar(
        select(TeamMember).where(TeamMember.team_id == team_id, TeamMember.person_id == person_id)
    )
    if member is None:
        raise NotFound(f"Person {person_id} is not a member of team {team_id}.")
    payload = events.snapshot(member)
    await session.delete(member)
    events.record(
        session,
        principal,
        "team.member_removed",
        "team",
        team_id,
        payload,
        organization_id=team.organization_id,
    )
