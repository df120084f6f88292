"""Awards and who holds them (Polympics awards, Trackmania medals)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import events, resources
from podium.core.competitions import COMPETITIONS
from podium.core.errors import NotFound
from podium.core.fields import Attributes, ExternalIds, Id, Name, Url
from podium.core.organizations import ORGANIZATIONS
from podium.core.people import PEOPLE
from podium.core.principal import Principal
from podium.core.resources import Command, Resource, Scope
from podium.core.teams import TEAMS
from podium.store.tables import Award, Awardee


class AwardCreate(Command):
    title: Name
    organization_id: Id | None = None
    competition_id: Id | None = None
    team_id: Id | None = None
    image_url: Url | None = None
    person_ids: list[Id] = []
    attributes: Attributes = {}
    external_ids: ExternalIds = {}


class AwardUpdate(Command):
    title: Name | None = None
    competition_id: Id | None = None
    team_id: Id | None = None
    image_url: Url | None = None
    attributes: Attributes | None = None
    external_ids: ExternalIds | None = None


async def _scope(_session: AsyncSession, award: Award) -> Scope:
    return Scope(award.organization_id, award.competition_id)


AWARDS: Resource[Award] = Resource(
    kind="award",
    model=Award,
    create=AwardCreate,
    update=AwardUpdate,
    scope=_scope,
    refs={"organization_id": ORGANIZATIONS, "competition_id": COMPETITIONS, "team_id": TEAMS},
    has_external_ids=True,
)


async def create_award(session: AsyncSession, principal: Principal, command: AwardCreate) -> Award:
    award = await resources.create(
        session, principal, AWARDS, command.model_copy(update={"person_ids": []})
    )
    for person_id in dict.fromkeys(command.person_ids):
        await give(session, principal, award.id, person_id)
    return award


async def holders(session: AsyncSession, award_ids: list[int]) -> dict[int, list[int]]:
    """Person ids holding each award, for a whole page of awards in one query."""
    out: dict[int, list[int]] = {award_id: [] for award_id in award_ids}
    if award_ids:
        rows = await session.execute(
            select(Awardee.award_id, Awardee.person_id)
            .where(Awardee.award_id.in_(award_ids))
            .order_by(Awardee.id)
        )
        for award_id, person_id in rows:
            out[award_id].append(person_id)
    return out


async def give(session: AsyncSession, principal: Principal, award_id: int, person_id: int) -> bool:
    """Make the person a holder; False (and no event) when they already hold it."""
    award = await resources.get(session, principal, AWARDS, award_id)
    principal.require("setup", award.organization_id)
    await resources.get(session, principal, PEOPLE, person_id)
    held = await session.scalar(
        select(Awardee.id).where(Awardee.award_id == award_id, Awardee.person_id == person_id)
    )
    if held is not None:
        return False
    session.add(Awardee(award_id=award_id, person_id=person_id))
    await session.flush()
    events.record(
        session,
        principal,
        "award.given",
        "award",
        award_id,
        {"award_id": award_id, "person_id": person_id},
        organization_id=award.organization_id,
        competition_id=award.competition_id,
    )
    return True


async def take(session: AsyncSession, principal: Principal, award_id: int, person_id: int) -> None:
    award = await resources.get(session, principal, AWARDS, award_id)
    principal.require("setup", award.organization_id)
    held = await session.scalar(
        select(Awardee).where(Awardee.award_id == award_id, Awardee.person_id == person_id)
    )
    if held is None:
        raise NotFound(f"Person {person_id} does not hold award {award_id}.")
    await session.delete(held)
    events.record(
        session,
        principal,
        "award.taken",
        "award",
        award_id,
        {"award_id": award_id, "person_id": person_id},
        organization_id=award.organization_id,
        competition_id=award.competition_id,
    )
