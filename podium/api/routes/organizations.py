"""Organizations, people, teams and team members."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import InstrumentedAttribute

from podium.api import crud, models
from podium.api.bodies import LimitedRoute
from podium.api.deps import DB, Actor, PageArgs
from podium.core import external_ids, organizations, people, teams
from podium.core.limits import INT64_MAX
from podium.core.principal import Principal
from podium.core.resources import visible
from podium.store.tables import ExternalId, Organization, Person, Team

router = APIRouter(route_class=LimitedRoute)

Search = Annotated[str | None, Query(max_length=200, description="Case-insensitive name match.")]
ExternalRef = Annotated[
    str | None,
    Query(max_length=250, description="An external id as scheme:value, e.g. discord:1234."),
]
OrgFilter = Annotated[int | None, Query(ge=1, le=INT64_MAX)]


def _by_external_id(
    kind: str, ref: str | None, id_column: InstrumentedAttribute[int]
) -> ColumnElement[bool] | None:
    if ref is None:
        return None
    scheme, value = external_ids.parse_ref(ref)
    return id_column.in_(
        select(ExternalId.object_id).where(
            ExternalId.object_kind == kind, ExternalId.scheme == scheme, ExternalId.value == value
        )
    )


def _owned(
    query: Select[Any],
    model: type[Person] | type[Team],
    kind: str,
    actor: Principal,
    organization_id: int | None,
    q: str | None,
    external_id: str | None,
) -> Select[Any]:
    """Filters shared by lists of objects an organization may own (people, teams)."""
    query = visible(query, actor, model.organization_id)
    if organization_id is not None:
        query = query.where(model.organization_id == organization_id)
    if q:
        query = query.where(model.name.ilike(f"%{q}%"))
    if (clause := _by_external_id(kind, external_id, model.id)) is not None:
        query = query.where(clause)
    return query


@router.get(
    "/organizations", response_model=models.Page[models.Organization], tags=["organization"]
)
async def list_organizations(
    db: DB, actor: Actor, page: PageArgs, q: Search = None, external_id: ExternalRef = None
) -> dict[str, object]:
    query = select(Organization)
    if actor.organization_id is not None:
        query = query.where(Organization.id == actor.organization_id)
    if q:
        query = query.where(Organization.name.ilike(f"%{q}%"))
    if (clause := _by_external_id("organization", external_id, Organization.id)) is not None:
        query = query.where(clause)
    async with db.read() as session:
        return await crud.list_page(
            session, organizations.ORGANIZATIONS, query, page, models.Organization
        )


crud.create_route(
    router,
    "/organizations",
    organizations.ORGANIZATIONS,
    models.Organization,
    creator=organizations.create_organization,
)
crud.item_routes(
    router,
    "/organizations",
    organizations.ORGANIZATIONS,
    models.Organization,
    deleter=organizations.delete_organization,
)


@router.get("/people", response_model=models.Page[models.Person], tags=["person"])
async def list_people(
    db: DB,
    actor: Actor,
    page: PageArgs,
    organization_id: OrgFilter = None,
    q: Search = None,
    external_id: ExternalRef = None,
) -> dict[str, object]:
    query = _owned(select(Person), Person, "person", actor, organization_id, q, external_id)
    async with db.read() as session:
        return await crud.list_page(session, people.PEOPLE, query, page, models.Person)


crud.create_route(router, "/people", people.PEOPLE, models.Person)
crud.item_routes(router, "/people", people.PEOPLE, models.Person)


@router.get("/teams", response_model=models.Page[models.Team], tags=["team"])
async def list_teams(
    db: DB,
    actor: Actor,
    page: PageArgs,
    organization_id: OrgFilter = None,
    q: Search = None,
    external_id: ExternalRef = None,
) -> dict[str, object]:
    query = _owned(select(Team), Team, "team", actor, organization_id, q, external_id)
    async with db.read() as session:
        return await crud.list_page(session, teams.TEAMS, query, page, models.Team)


crud.create_route(router, "/teams", teams.TEAMS, models.Team)
crud.item_routes(router, "/teams", teams.TEAMS, models.Team)


@router.get("/teams/{team_id}/members", response_model=list[models.TeamMember], tags=["team"])
async def list_members(team_id: crud.ObjectId, db: DB, actor: Actor) -> object:
    async with db.read() as session:
        return await teams.members(session, actor, team_id)


@router.post(
    "/teams/{team_id}/members", response_model=models.TeamMember, status_code=201, tags=["team"]
)
async def add_member(
    team_id: crud.ObjectId, body: models.MemberAdd, db: DB, actor: Actor
) -> object:
    async with db.write() as session:
        return await teams.add_member(session, actor, team_id, body)


@router.delete("/teams/{team_id}/members/{person_id}", status_code=204, tags=["team"])
async def remove_member(
    team_id: crud.ObjectId, person_id: crud.ObjectId, db: DB, actor: Actor
) -> None:
    async with db.write() as session:
        await teams.remove_member(session, actor, team_id, person_id)
