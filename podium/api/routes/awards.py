"""Awards and their holders."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.api import crud, models
from podium.api.bodies import LimitedRoute
from podium.api.deps import DB, Actor, PageArgs
from podium.core import awards
from podium.core.limits import INT64_MAX
from podium.core.resources import visible
from podium.store.tables import Award, Awardee

router = APIRouter(route_class=LimitedRoute)


async def _holders(session: AsyncSession, ids: list[int]) -> dict[int, dict[str, Any]]:
    return {k: {"person_ids": v} for k, v in (await awards.holders(session, ids)).items()}


@router.get("/awards", response_model=models.Page[models.Award], tags=["award"])
async def list_awards(
    db: DB,
    actor: Actor,
    page: PageArgs,
    organization_id: Annotated[int | None, Query(ge=1, le=INT64_MAX)] = None,
    competition_id: Annotated[int | None, Query(ge=1, le=INT64_MAX)] = None,
    person_id: Annotated[
        int | None, Query(ge=1, le=INT64_MAX, description="Awards this person holds.")
    ] = None,
) -> dict[str, object]:
    query = visible(select(Award), actor, Award.organization_id)
    if organization_id is not None:
        query = query.where(Award.organization_id == organization_id)
    if competition_id is not None:
        query = query.where(Award.competition_id == competition_id)
    if person_id is not None:
        query = query.where(
            Award.id.in_(select(Awardee.award_id).where(Awardee.person_id == person_id))
        )
    async with db.read() as session:
        return await crud.list_page(session, awards.AWARDS, query, page, models.Award, _holders)


crud.create_route(
    router, "/awards", awards.AWARDS, models.Award, creator=awards.create_award, extras=_holders
)
crud.item_routes(router, "/awards", awards.AWARDS, models.Award, extras=_holders)


@router.put("/awards/{award_id}/holders/{person_id}", status_code=204, tags=["award"])
async def give_award(
    award_id: crud.ObjectId, person_id: crud.ObjectId, db: DB, actor: Actor
) -> None:
    async with db.write() as session:
        await awards.give(session, actor, award_id, person_id)


@router.delete("/awards/{award_id}/holders/{person_id}", status_code=204, tags=["award"])
async def take_award(
    award_id: crud.ObjectId, person_id: crud.ObjectId, db: DB, actor: Actor
) -> None:
    async with db.write() as session:
        await awards.take(session, actor, award_id, person_id)
