"""Core objects as Polympics JSON, loaded a page at a time (no query per row).

An account is a person of the Polympics organization with a ``discord`` external
id; its team is its first membership among the organization's teams; its awards
are the organization's awards it holds.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.dialects.polympics.auth import account_permissions, timestamp
from podium.store.tables import Award, Awardee, ExternalId, Person, Team, TeamMember

DISCORD = "discord"
KNOWN_DISCORD_IDS = "polympics_discord_ids"

Json = dict[str, Any]


def award_json(award: Award) -> Json:
    return {"id": award.id, "title": award.title, "image_url": award.image_url or ""}


async def _team_awards(session: AsyncSession, team_ids: list[int]) -> dict[int, list[Json]]:
    out: dict[int, list[Json]] = defaultdict(list)
    if team_ids:
        rows = await session.scalars(
            select(Award).where(Award.team_id.in_(team_ids)).order_by(Award.id)
        )
        for award in rows:
            assert award.team_id is not None
            out[award.team_id].append(award_json(award))
    return out


async def teams_json(session: AsyncSession, teams: list[Team]) -> list[Json]:
    ids = [team.id for team in teams]
    counts: dict[int, int] = {}
    if ids:
        rows = await session.execute(
            select(TeamMember.team_id, func.count())
            .where(TeamMember.team_id.in_(ids))
            .group_by(TeamMember.team_id)
        )
        counts = {team_id: count for team_id, count in rows}
    awards = await _team_awards(session, ids)
    return [
        {
            "id": team.id,
            "name": team.name,
            "created_at": timestamp(team.created_at),
            "member_count": counts.get(team.id, 0),
            "awards": awards.get(team.id, []),
        }
        for team in teams
    ]


async def team_json(session: AsyncSession, team: Team) -> Json:
    return (await teams_json(session, [team]))[0]


_TEAMS_OF = (
    select(TeamMember.person_id, Team)
    .join(Team, Team.id == TeamMember.team_id)
    .where(
        TeamMember.person_id.in_(bindparam("ids", expanding=True)),
        Team.organization_id == bindparam("org_id"),
    )
    .order_by(TeamMember.id)
)
_DISCORD_IDS = select(ExternalId.object_id, ExternalId.value).where(
    ExternalId.object_kind == "person",
    ExternalId.scheme == DISCORD,
    ExternalId.object_id.in_(bindparam("ids", expanding=True)),
)
_HELD = (
    select(Awardee.person_id, Award)
    .join(Award, Award.id == Awardee.award_id)
    .where(
        Awardee.person_id.in_(bindparam("ids", expanding=True)),
        Award.organization_id == bindparam("org_id"),
    )
    .order_by(Awardee.id)
)


async def teams_of(
    session: AsyncSession, organization_id: int, person_ids: list[int]
) -> dict[int, Team]:
    """Each person's team in the organization (their earliest membership there)."""
    out: dict[int, Team] = {}
    if person_ids:
        rows = await session.execute(_TEAMS_OF, {"ids": person_ids, "org_id": organization_id})
        for person_id, team in rows:
            out.setdefault(person_id, team)
    return out


def known_discord_ids(session: AsyncSession) -> dict[int, str]:
    """Discord ids this session already found (an account looked up by its Discord id),
    so rendering that account needs no second query for it."""
    known: dict[int, str] = session.info.setdefault(KNOWN_DISCORD_IDS, {})
    return known


async def discord_ids(session: AsyncSession, person_ids: list[int]) -> dict[int, str]:
    if not person_ids:
        return {}
    known = known_discord_ids(session)
    if all(i in known for i in person_ids):
        return {i: known[i] for i in person_ids}
    rows = await session.execute(_DISCORD_IDS, {"ids": person_ids})
    return dict(rows.all())


async def accounts_json(
    session: AsyncSession, organization_id: int, people: list[Person]
) -> list[Json]:
    ids = [person.id for person in people]
    discord = await discord_ids(session, ids)
    teams = await teams_of(session, organization_id, ids)
    distinct_teams = list({team.id: team for team in teams.values()}.values())
    team_views = {view["id"]: view for view in await teams_json(session, distinct_teams)}
    held: dict[int, list[Json]] = defaultdict(list)
    if ids:
        rows = await session.execute(_HELD, {"ids": ids, "org_id": organization_id})
        for person_id, award in rows:
            held[person_id].append(award_json(award))
    out = []
    for person in people:
        team = teams.get(person.id)
        discriminator = person.attributes.get("discriminator", "0000")
        out.append(
            {
                "id": discord.get(person.id, str(person.id)),
                "name": person.name,
                "discriminator": str(discriminator),
                "avatar_url": person.avatar_url,
                "team": team_views[team.id] if team is not None else None,
                "permissions": account_permissions(person),
                "created_at": timestamp(person.created_at),
                "awards": held.get(person.id, []),
            }
        )
    return out


async def account_json(session: AsyncSession, organization_id: int, person: Person) -> Json:
    return (await accounts_json(session, organization_id, [person]))[0]


async def award_extended_json(session: AsyncSession, organization_id: int, award: Award) -> Json:
    holders = list(
        (
            await session.scalars(
                select(Person)
                .join(Awardee, Awardee.person_id == Person.id)
                .where(Awardee.award_id == award.id)
                .order_by(Awardee.id)
            )
        ).all()
    )
    team = await session.get(Team, award.team_id) if award.team_id is not None else None
    return {
        "award": award_json(award),
        "awardees": await accounts_json(session, organization_id, holders),
        "team": await team_json(session, team) if team is not None else None,
    }
