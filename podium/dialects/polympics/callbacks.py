"""Polympics callbacks: one URL and secret per app and event, delivered by the outbox.

A callback is a core ``Webhook`` of kind ``polympics`` owned by the app's
credential. Registering again replaces it (with a new id, as the real server does).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.feed import deliveries
from podium.store.tables import Webhook

KIND = "polympics"
MAX_URL = 2083  # pydantic 1's HttpUrl limit, and the store's column
MAX_SECRET = 500  # the store's column


def callback_json(hook: Webhook) -> dict[str, Any]:
    return {"id": hook.id, "event": hook.event_types[0], "url": hook.url}


async def for_app(session: AsyncSession, app_id: int) -> list[Webhook]:
    rows = await session.scalars(
        select(Webhook)
        .where(Webhook.kind == KIND, Webhook.credential_id == app_id)
        .order_by(Webhook.id)
    )
    return list(rows.all())


async def find(session: AsyncSession, app_id: int, event: str) -> Webhook | None:
    return next(
        (hook for hook in await for_app(session, app_id) if event in hook.event_types), None
    )


async def register(
    session: AsyncSession, app_id: int, org_id: int, event: str, url: str, secret: str
) -> Webhook:
    old = await find(session, app_id, event)
    hook = Webhook(
        kind=KIND,
        credential_id=app_id,
        organization_id=org_id,
        event_types=[event],
        url=url,
        secret=secret,
    )
    session.add(hook)
    await session.flush()  # before the old row goes, so the id is new even on SQLite
    if old is not None:
        await session.execute(delete(Webhook).where(Webhook.id == old.id))
    return hook


async def remove(session: AsyncSession, app_id: int, event: str) -> bool:
    hook = await find(session, app_id, event)
    if hook is None:
        return False
    await session.execute(delete(Webhook).where(Webhook.id == hook.id))
    return True


async def notify(session: AsyncSession, org_id: int, event: str, body: dict[str, Any]) -> int:
    """Owe ``body`` to every app listening for ``event``; sent once the transaction commits."""
    hooks = await session.scalars(
        select(Webhook).where(Webhook.kind == KIND, Webhook.organization_id == org_id)
    )
    count = 0
    for hook in hooks:
        if event in hook.event_types:
            deliveries.enqueue(session, hook, event, body)
            count += 1
    return count
