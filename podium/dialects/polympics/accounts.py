"""Polympics objects found in and written to the core.

The dialect serves one organization (``polympics_organization``, created on first
use). Writes go through the core services with the caller's principal, so each
leaves its event in the log like any native change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import resources, teams
from podium.core.organizations import ORGANIZATIONS, OrganizationCreate
from podium.core.people import PEOPLE, PersonCreate, PersonUpdate
from podium.core.principal import SYSTEM, Principal
from podium.core.teams import MemberAdd
from podium.dialects.polympics.auth import PERMISSIONS_KEY
from podium.dialects.polympics.views import DISCORD, known_discord_ids
from podium.store.tables import Award, ExternalId, Organization, Person, Team, TeamMember


async def organization_id(session: AsyncSession, slug: str) -> int | None:
    found: int | None = await session.scalar(
        select(Organization.id).where(Organization.slug == slug)
    )
    return found


async def ensure_organization(session: AsyncSession, slug: str) -> int:
    """The served organization's id, creating it in this (write) transaction if missing."""
    found = await organization_id(session, slug)
    if found is not None:
        return found
    org = await resources.create(
        session,
        SYSTEM,
        ORGANIZATIONS,
        OrganizationCreate(slug=slug, name="Polympics", description="Polympics accounts."),
    )
    return org.id


# Built once: a keyed read then skips building the statement and its cache key.
_FIND_ACCOUNT = (
    select(Person)
    .join(ExternalId, ExternalId.object_id == Person.id)
    .where(
        ExternalId.object_kind == "person",
        ExternalId.scheme == DISCORD,
        ExternalId.value == bindparam("value"),
        Person.organization_id == bindparam("org_id"),
    )
)


async def find_account(session: AsyncSession, org_id: int, discord_id: int) -> Person | None:
    value = str(discord_id)
    person = await session.scalar(_FIND_ACCOUNT, {"value": value, "org_id": org_id})
    if person is not None:
        known_discord_ids(session)[person.id] = value
    return person


async def discord_id_taken(session: AsyncSession, discord_id: int) -> bool:
    found = await session.scalar(
        select(ExternalId.id).where(
            ExternalId.object_kind == "person",
            ExternalId.scheme == DISCORD,
            ExternalId.value == str(discord_id),
        )
    )
    return found is not None


async def find_team(session: AsyncSession, org_id: int, team_id: int) -> Team | None:
    team = await session.get(Team, team_id)
    return team if team is not None and team.organization_id == org_id else None


async def find_award(session: AsyncSession, org_id: int, award_id: int) -> Award | None:
    award = await session.get(Award, award_id)
    return award if award is not None and award.organization_id == org_id else None


async def team_id_of(session: AsyncSession, org_id: int, person_id: int | None) -> int | None:
    if person_id is None:
        return None
    found: int | None = await session.scalar(
        select(TeamMember.team_id)
        .join(Team, Team.id == TeamMember.team_id)
        .where(TeamMember.person_id == person_id, Team.organization_id == org_id)
        .order_by(TeamMember.id)
        .limit(1)
    )
    return found


async def create_account(
    session: AsyncSession,
    principal: Principal,
    org_id: int,
    *,
    discord_id: int,
    name: str,
    discriminator: str,
    avatar_url: str | None,
    permissions: int,
) -> Person:
    return await resources.create(
        session,
        principal,
        PEOPLE,
        PersonCreate(
            name=name,
            organization_id=org_id,
            avatar_url=avatar_url,
            attributes={"discriminator": discriminator, PERMISSIONS_KEY: permissions},
            external_ids={DISCORD: str(discord_id)},
        ),
    )


async def update_account(
    session: AsyncSession, principal: Principal, person: Person, **changes: Any
) -> Person:
    """Change name/avatar_url columns and discriminator/permissions attributes."""
    attributes = dict(person.attributes)
    for key in ("discriminator", PERMISSIONS_KEY):
        if key in changes:
            attributes[key] = changes.pop(key)
    command = PersonUpdate(**changes, attributes=attributes)
    return await resources.update(session, principal, PEOPLE, person.id, command)


async def move(
    session: AsyncSession, principal: Principal, org_id: int, person_id: int, team_id: int | None
) -> None:
    """Put the person in ``team_id`` (None: in no team) among the organization's teams."""
    current = await session.scalars(
        select(TeamMember.team_id)
        .join(Team, Team.id == TeamMember.team_id)
        .where(TeamMember.person_id == person_id, Team.organization_id == org_id)
    )
    for old in list(current.all()):
        if old != team_id:
            await teams.remove_member(session, principal, old, person_id)
        else:
            team_id = None  # already there
    if team_id is not None:
        await teams.add_member(session, principal, team_id, MemberAdd(person_id=person_id))
