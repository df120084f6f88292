"""Webhook subscriptions, their deliveries, and replaying dead letters.

Native webhooks get every event that matches their filters, signed (see
``podium.feed.signing``); a new one starts with the events after its creation. The
deliveries of every kind (Polympics callbacks too) can be listed and replayed here.
An instance admin manages all; an organization's write token its organization's.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import AnyHttpUrl, BaseModel, Field, StringConstraints, field_validator
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.api import crud, models
from podium.api.bodies import LimitedRoute
from podium.api.deps import DB, Actor
from podium.core import resources
from podium.core.competitions import COMPETITIONS
from podium.core.credentials import new_secret
from podium.core.errors import Conflict, NotFound
from podium.core.limits import INT64_MAX
from podium.core.organizations import ORGANIZATIONS
from podium.core.principal import Principal
from podium.feed import deliveries
from podium.store.tables import Delivery, Webhook

router = APIRouter(route_class=LimitedRoute, tags=["webhook"])

EventType = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}(\.([a-z_]{1,40}|\*))?$")]
Secret = Annotated[str, StringConstraints(min_length=16, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=200)]
_SCHEMES = re.compile(r"^https?$")


class WebhookIn(BaseModel):
    url: AnyHttpUrl
    event_types: list[EventType] = Field(default_factory=list, max_length=50)
    organization_id: Annotated[int, Field(ge=1)] | None = None
    competition_id: Annotated[int, Field(ge=1)] | None = None
    secret: Secret | None = None
    description: Description = ""
    active: bool = True

    @field_validator("url")
    @classmethod
    def _short(cls, url: AnyHttpUrl) -> AnyHttpUrl:
        if len(str(url)) > 2083 or not _SCHEMES.match(url.scheme):
            raise ValueError("an http(s) URL of at most 2083 characters")
        return url


class WebhookPatch(BaseModel):
    url: AnyHttpUrl | None = None
    event_types: list[EventType] | None = Field(default=None, max_length=50)
    secret: Secret | None = None
    description: Description | None = None
    active: bool | None = None


def _out(hook: Webhook, counts: dict[str, int] | None = None) -> dict[str, Any]:
    return {
        "id": hook.id,
        "kind": hook.kind,
        "url": hook.url,
        "event_types": list(hook.event_types),
        "organization_id": hook.organization_id,
        "competition_id": hook.competition_id,
        "description": hook.description,
        "active": hook.active,
        "created_at": hook.created_at,
        **(counts or {}),
    }


def _delivery(row: Delivery) -> dict[str, Any]:
    return {
        "id": row.id,
        "webhook_id": row.webhook_id,
        "idempotency_id": str(row.body.get("id", row.id)),
        "event_type": row.event_type,
        "state": row.state,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at,
        "last_status": row.last_status,
        "last_error": row.last_error,
        "created_at": row.created_at,
        "delivered_at": row.delivered_at,
    }


async def _scope(
    session: AsyncSession, actor: Principal, organization_id: int | None, competition_id: int | None
) -> tuple[int | None, int | None]:
    """The organization a subscription belongs to, checked against the actor."""
    if competition_id is not None:
        competition = await resources.get(session, actor, COMPETITIONS, competition_id)
        if organization_id not in (None, competition.organization_id):
            raise Conflict("competition_id belongs to another organization.")
        organization_id = competition.organization_id
    if organization_id is None and actor.organization_id is not None:
        organization_id = actor.organization_id
    if organization_id is not None:
        await resources.get(session, actor, ORGANIZATIONS, organization_id)
        actor.require("setup", organization_id)
    else:
        actor.require("admin", None)
    return organization_id, competition_id


async def _hook(session: AsyncSession, actor: Principal, webhook_id: int) -> Webhook:
    hook = await session.get(Webhook, webhook_id)
    if hook is None or not actor.allows("setup", hook.organization_id):
        raise NotFound(f"No webhook {webhook_id}.")
    return hook


async def _counts(session: AsyncSession, ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {i: {"pending": 0, "dead": 0} for i in ids}
    if not ids:
        return out
    rows = await session.execute(
        select(Delivery.webhook_id, Delivery.state, func.count())
        .where(Delivery.webhook_id.in_(ids), Delivery.state.in_(("pending", "dead")))
        .group_by(Delivery.webhook_id, Delivery.state)
    )
    for webhook_id, state, count in rows:
        out[webhook_id][state] = count
    return out


@router.post("/webhooks", response_model=models.WebhookCreated, status_code=201)
async def create_webhook(body: WebhookIn, db: DB, actor: Actor) -> dict[str, Any]:
    """Subscribe a URL to events; the secret (generated unless given) is shown once."""
    secret = body.secret or new_secret()
    async with db.write() as session:
        organization_id, competition_id = await _scope(
            session, actor, body.organization_id, body.competition_id
        )
        hook = await deliveries.subscribe(
            session,
            url=str(body.url),
            secret=secret,
            event_types=list(body.event_types),
            organization_id=organization_id,
            competition_id=competition_id,
            description=body.description,
            active=body.active,
            credential_id=actor.credential_id,
        )
        return {**_out(hook), "secret": secret}


@router.get("/webhooks", response_model=list[models.Webhook])
async def list_webhooks(db: DB, actor: Actor) -> list[dict[str, Any]]:
    actor.require("setup", actor.organization_id)
    async with db.read() as session:
        query = select(Webhook).order_by(Webhook.id)
        if actor.organization_id is not None:
            query = query.where(Webhook.organization_id == actor.organization_id)
        hooks = list((await session.scalars(query)).all())
        counts = await _counts(session, [h.id for h in hooks])
    return [_out(h, counts[h.id]) for h in hooks]


@router.get("/webhooks/{webhook_id}", response_model=models.Webhook)
async def get_webhook(webhook_id: crud.ObjectId, db: DB, actor: Actor) -> dict[str, Any]:
    async with db.read() as session:
        hook = await _hook(session, actor, webhook_id)
        return _out(hook, (await _counts(session, [hook.id]))[hook.id])


@router.patch("/webhooks/{webhook_id}", response_model=models.Webhook)
async def update_webhook(
    webhook_id: crud.ObjectId, body: WebhookPatch, db: DB, actor: Actor
) -> dict[str, Any]:
    async with db.write() as session:
        hook = await _hook(session, actor, webhook_id)
        if body.url is not None:
            hook.url = str(body.url)
        if body.event_types is not None:
            hook.event_types = list(body.event_types)
        if body.secret is not None:
            hook.secret = body.secret
        if body.description is not None:
            hook.description = body.description
        if body.active is not None:
            hook.active = body.active
        await session.flush()
        return _out(hook, (await _counts(session, [hook.id]))[hook.id])


@router.delete("/webhooks/{webhook_id}", status_code=204)
async def delete_webhook(webhook_id: crud.ObjectId, db: DB, actor: Actor) -> Response:
    async with db.write() as session:
        await session.delete(await _hook(session, actor, webhook_id))
    return Response(status_code=204)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=list[models.WebhookDelivery])
async def list_deliveries(
    webhook_id: crud.ObjectId,
    db: DB,
    actor: Actor,
    state: Literal["pending", "delivered", "dead"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before_id: Annotated[
        int | None, Query(ge=1, le=INT64_MAX, description="Older than this delivery.")
    ] = None,
) -> list[dict[str, Any]]:
    """Newest first; ``state=dead`` is the dead-letter list."""
    async with db.read() as session:
        await _hook(session, actor, webhook_id)
        query = select(Delivery).where(Delivery.webhook_id == webhook_id)
        if state is not None:
            query = query.where(Delivery.state == state)
        if before_id is not None:
            query = query.where(Delivery.id < before_id)
        rows = await session.scalars(query.order_by(Delivery.id.desc()).limit(limit))
        return [_delivery(row) for row in rows]


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/replay", response_model=models.WebhookDelivery
)
async def replay_delivery(
    webhook_id: crud.ObjectId, delivery_id: crud.ObjectId, db: DB, actor: Actor
) -> dict[str, Any]:
    """Send a dead delivery again (same body and idempotency id, fresh tries)."""
    async with db.write() as session:
        await _hook(session, actor, webhook_id)
        row = await session.get(Delivery, delivery_id)
        if row is None or row.webhook_id != webhook_id:
            raise NotFound(f"No delivery {delivery_id} of webhook {webhook_id}.")
        if row.state != "dead":
            raise Conflict(f"Delivery {delivery_id} is {row.state}, not dead.")
        await deliveries.replay(session, row)
        return _delivery(row)
