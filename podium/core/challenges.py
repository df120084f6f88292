"""Challenges: what is competed on — a course, a map, a problem."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core.competitions import COMPETITIONS
from podium.core.errors import Invalid
from podium.core.fields import Attributes, CleanText, ExternalIds, Id, Name, Number
from podium.core.organizations import ORGANIZATIONS
from podium.core.resources import Command, Resource, Scope
from podium.store.tables import Challenge, Competition

Kind = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{0,19}$")]
ChallengeCode = Annotated[str, StringConstraints(min_length=1, max_length=100), CleanText]


class ChallengeCreate(Command):
    organization_id: Id
    name: Name
    competition_id: Id | None = None
    kind: Kind = "course"
    code: ChallengeCode | None = None
    position: Number = 0
    attributes: Attributes = {}
    external_ids: ExternalIds = {}


class ChallengeUpdate(Command):
    name: Name | None = None
    competition_id: Id | None = None
    kind: Kind | None = None
    code: ChallengeCode | None = None
    position: Number | None = None
    attributes: Attributes | None = None
    external_ids: ExternalIds | None = None


async def _scope(_session: AsyncSession, challenge: Challenge) -> Scope:
    return Scope(challenge.organization_id, challenge.competition_id)


async def _validate(session: AsyncSession, challenge: Challenge) -> None:
    if challenge.competition_id is not None:
        competition = await session.get(Competition, challenge.competition_id)
        # One answer for unknown and foreign ids: another organization's stay hidden.
        if competition is None or competition.organization_id != challenge.organization_id:
            raise Invalid(
                f"competition_id {challenge.competition_id} does not name a competition "
                "of this organization.",
                field="competition_id",
            )


CHALLENGES: Resource[Challenge] = Resource(
    kind="challenge",
    model=Challenge,
    create=ChallengeCreate,
    update=ChallengeUpdate,
    scope=_scope,
    refs={"organization_id": ORGANIZATIONS, "competition_id": COMPETITIONS},
    has_external_ids=True,
    validate=_validate,
)
