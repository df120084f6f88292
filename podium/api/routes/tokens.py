"""API tokens (admin) and the raw event log."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import StringConstraints

from podium.api import crud, models
from podium.api.bodies import LimitedRoute
from podium.api.deps import DB, Actor
from podium.core import credentials, events
from podium.core.errors import Forbidden
from podium.core.fields import CleanText
from podium.core.limits import INT64_MAX
from podium.store.tables import Credential

KindName = Annotated[str, StringConstraints(max_length=40), CleanText]

router = APIRouter(route_class=LimitedRoute)


@router.post("/tokens", response_model=models.TokenCreated, status_code=201, tags=["token"])
async def create_token(body: models.TokenCreate, db: DB, actor: Actor) -> models.TokenCreated:
    async with db.write() as session:
        credential, secret = await credentials.issue_token(session, actor, body)
        token = models.Token.model_validate(credential, from_attributes=True)
        return models.TokenCreated(**token.model_dump(), token=secret)


@router.get("/tokens", response_model=list[models.Token], tags=["token"])
async def list_tokens(db: DB, actor: Actor) -> object:
    if not actor.holds({"admin"}):
        raise Forbidden("Listing tokens needs the 'admin' permission.")
    async with db.read() as session:
        return await credentials.list_tokens(session, actor)


@router.delete("/tokens/{token_id}", status_code=204, tags=["token"])
async def revoke_token(token_id: crud.ObjectId, db: DB, actor: Actor) -> None:
    if not actor.holds({"admin"}):
        raise Forbidden("Revoking tokens needs the 'admin' permission.")
    async with db.write() as session:
        await credentials.revoke_token(session, actor, token_id)


@router.get("/credentials", response_model=list[models.CredentialInfo], tags=["token"])
async def list_credentials(
    db: DB,
    actor: Actor,
    organization_id: Annotated[int | None, Query(ge=1, le=INT64_MAX)] = None,
    kind: Annotated[list[KindName] | None, Query(description="Only these kinds.")] = None,
    sessions: Annotated[
        bool, Query(description="Also list logins (temporary keys, session ids).")
    ] = False,
) -> list[models.CredentialInfo]:
    """Every credential the caller administers, of every dialect: tokens, keys, logins."""
    if not actor.holds({"admin"}):
        raise Forbidden("Listing credentials needs the 'admin' permission.")
    async with db.read() as session:
        rows = await credentials.list_credentials(
            session, actor, organization_id=organization_id, kinds=kind, sessions=sessions
        )
    return [_credential(row) for row in rows]


def _credential(row: Credential) -> models.CredentialInfo:
    described = credentials.kind_of(row)
    return models.CredentialInfo(
        id=row.id,
        kind=row.kind,
        label=described.label,
        dialect=described.dialect,
        identifier=row.identifier,
        name=row.name,
        organization_id=row.organization_id,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


@router.delete("/credentials/{credential_id}", status_code=204, tags=["token"])
async def revoke_credential(credential_id: crud.ObjectId, db: DB, actor: Actor) -> None:
    """Refuse a credential of any kind from the next request on, on every worker."""
    if not actor.holds({"admin"}):
        raise Forbidden("Revoking credentials needs the 'admin' permission.")
    async with db.write() as session:
        await credentials.revoke(session, actor, credential_id)


@router.get("/events", response_model=list[models.Event], tags=["event"])
async def list_events(
    db: DB,
    actor: Actor,
    after: Annotated[
        int, Query(ge=0, le=INT64_MAX, description="Return events with seq greater than this.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    organization_id: Annotated[int | None, Query(ge=1, le=INT64_MAX)] = None,
    competition_id: Annotated[int | None, Query(ge=1, le=INT64_MAX)] = None,
) -> object:
    """The change log in commit order; an organization's token sees its organization only."""
    actor.require("read", organization_id)
    if actor.organization_id is not None:
        organization_id = actor.organization_id
    async with db.read() as session:
        return await events.read_events(
            session,
            after=after,
            limit=limit,
            organization_id=organization_id,
            competition_id=competition_id,
        )
