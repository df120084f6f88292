"""Competitions, challenges, entries and the round → heat → slot schedule."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from podium.api import crud, models
from podium.api.bodies import LimitedRoute
from podium.api.deps import DB, Actor, PageArgs
from podium.core import challenges, competitions, entries, resources, schedule
from podium.core.limits import INT64_MAX
from podium.core.resources import visible
from podium.store.tables import Challenge, Competition, Entry, Heat, Round, Slot

router = APIRouter(route_class=LimitedRoute)

IdFilter = Annotated[int | None, Query(ge=1, le=INT64_MAX)]
Word = Annotated[str | None, Query(max_length=40)]


@router.get("/competitions", response_model=models.Page[models.Competition], tags=["competition"])
async def list_competitions(
    db: DB,
    actor: Actor,
    page: PageArgs,
    organization_id: IdFilter = None,
    parent_id: IdFilter = None,
    top_level: Annotated[bool, Query(description="Only competitions without a parent.")] = False,
    kind: Word = None,
    status: Word = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, object]:
    query = visible(select(Competition), actor, Competition.organization_id)
    if organization_id is not None:
        query = query.where(Competition.organization_id == organization_id)
    if parent_id is not None:
        query = query.where(Competition.parent_id == parent_id)
    if top_level:
        query = query.where(Competition.parent_id.is_(None))
    if kind:
        query = query.where(Competition.kind == kind)
    if status:
        query = query.where(Competition.status == status)
    if q:
        query = query.where(Competition.name.ilike(f"%{q}%"))
    async with db.read() as session:
        return await crud.list_page(
            session, competitions.COMPETITIONS, query, page, models.Competition
        )


crud.create_route(router, "/competitions", competitions.COMPETITIONS, models.Competition)
crud.item_routes(router, "/competitions", competitions.COMPETITIONS, models.Competition)


@router.get("/challenges", response_model=models.Page[models.Challenge], tags=["challenge"])
async def list_challenges(
    db: DB,
    actor: Actor,
    page: PageArgs,
    organization_id: IdFilter = None,
    competition_id: IdFilter = None,
    kind: Word = None,
    code: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, object]:
    query = visible(select(Challenge), actor, Challenge.organization_id)
    if organization_id is not None:
        query = query.where(Challenge.organization_id == organization_id)
    if competition_id is not None:
        query = query.where(Challenge.competition_id == competition_id)
    if kind:
        query = query.where(Challenge.kind == kind)
    if code:
        query = query.where(Challenge.code == code)
    async with db.read() as session:
        return await crud.list_page(session, challenges.CHALLENGES, query, page, models.Challenge)


crud.create_route(router, "/challenges", challenges.CHALLENGES, models.Challenge)
crud.item_routes(router, "/challenges", challenges.CHALLENGES, models.Challenge)


@router.get(
    "/competitions/{parent_id}/entries", response_model=models.Page[models.Entry], tags=["entry"]
)
async def list_entries(
    parent_id: crud.ObjectId,
    db: DB,
    actor: Actor,
    page: PageArgs,
    person_id: IdFilter = None,
    bib: Annotated[str | None, Query(max_length=40)] = None,
    registration_id: Annotated[str | None, Query(max_length=40)] = None,
    status: Word = None,
) -> dict[str, object]:
    query = select(Entry).where(Entry.competition_id == parent_id)
    if person_id is not None:
        query = query.where(Entry.person_id == person_id)
    if bib:
        query = query.where(Entry.bib == bib)
    if registration_id:
        query = query.where(Entry.registration_id == registration_id)
    if status:
        query = query.where(Entry.status == status)
    async with db.read() as session:
        await resources.get(session, actor, competitions.COMPETITIONS, parent_id)
        return await crud.list_page(session, entries.ENTRIES, query, page, models.Entry)


crud.create_route(
    router,
    "/competitions/{parent_id}/entries",
    entries.ENTRIES,
    models.Entry,
    parent="competition_id",
)
crud.item_routes(router, "/entries", entries.ENTRIES, models.Entry)


@router.get(
    "/competitions/{parent_id}/rounds", response_model=models.Page[models.Round], tags=["round"]
)
async def list_rounds(
    parent_id: crud.ObjectId, db: DB, actor: Actor, page: PageArgs
) -> dict[str, object]:
    async with db.read() as session:
        await resources.get(session, actor, competitions.COMPETITIONS, parent_id)
        query = select(Round).where(Round.competition_id == parent_id)
        return await crud.list_page(session, schedule.ROUNDS, query, page, models.Round)


crud.create_route(
    router,
    "/competitions/{parent_id}/rounds",
    schedule.ROUNDS,
    models.Round,
    parent="competition_id",
)
crud.item_routes(router, "/rounds", schedule.ROUNDS, models.Round)


@router.get("/rounds/{parent_id}/heats", response_model=models.Page[models.Heat], tags=["heat"])
async def list_heats(
    parent_id: crud.ObjectId, db: DB, actor: Actor, page: PageArgs
) -> dict[str, object]:
    async with db.read() as session:
        await resources.get(session, actor, schedule.ROUNDS, parent_id)
        query = select(Heat).where(Heat.round_id == parent_id)
        return await crud.list_page(session, schedule.HEATS, query, page, models.Heat)


crud.create_route(
    router, "/rounds/{parent_id}/heats", schedule.HEATS, models.Heat, parent="round_id"
)
crud.item_routes(router, "/heats", schedule.HEATS, models.Heat)


@router.get("/heats/{parent_id}/slots", response_model=models.Page[models.Slot], tags=["slot"])
async def list_slots(
    parent_id: crud.ObjectId, db: DB, actor: Actor, page: PageArgs
) -> dict[str, object]:
    async with db.read() as session:
        await resources.get(session, actor, schedule.HEATS, parent_id)
        query = select(Slot).where(Slot.heat_id == parent_id)
        return await crud.list_page(session, schedule.SLOTS, query, page, models.Slot)


crud.create_route(router, "/heats/{parent_id}/slots", schedule.SLOTS, models.Slot, parent="heat_id")
crud.item_routes(router, "/slots", schedule.SLOTS, models.Slot)
