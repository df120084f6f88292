"""``podium webhook ...``: native webhook subscriptions and their dead letters."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy import select

from podium.clitools import (
    ID,
    DatabaseUrl,
    JsonFlag,
    Org,
    org_option,
    organization_id,
    run_on_store,
    say,
    settings_for,
    show,
)
from podium.core.credentials import new_secret
from podium.core.errors import Conflict, Invalid, NotFound
from podium.feed import deliveries
from podium.store.database import Database
from podium.store.tables import Competition, Delivery, Webhook

app = typer.Typer(help="Signed webhooks: subscribe URLs to events.", no_args_is_help=True)


def _hook(row: Webhook) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "url": row.url,
        "event_types": list(row.event_types),
        "organization_id": row.organization_id,
        "competition_id": row.competition_id,
        "active": row.active,
    }


@app.command("create")
def create(
    url: Annotated[str, typer.Argument(help="Where to POST deliveries (http or https).")],
    event: Annotated[
        list[str] | None,
        typer.Option("--event", help="An event type (result.created) or kind (result.*)."),
    ] = None,
    org: Org = None,
    organization_id_alias: Annotated[
        str | None, typer.Option("--organization-id", hidden=True)
    ] = None,
    competition_id: Annotated[int | None, typer.Option(**ID, help="Only this competition.")] = None,
    secret: Annotated[
        str | None, typer.Option(help="Signing secret (generated if omitted).")
    ] = None,
    description: Annotated[str, typer.Option(help="A note for people.")] = "",
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Subscribe URL; the signing secret is printed once."""
    if not url.startswith(("http://", "https://")):
        raise typer.BadParameter("the URL must be http(s)", param_hint="'URL'")
    key = secret or new_secret()
    if len(key) < 16:
        raise typer.BadParameter("at least 16 characters", param_hint="'--secret'")
    ref = org_option(org, organization_id_alias, "--organization-id")

    async def work(db: Database) -> dict[str, Any]:
        only = await organization_id(db, ref)
        async with db.write() as session:
            org_id = only
            if competition_id is not None:
                competition = await session.get(Competition, competition_id)
                if competition is None:
                    raise NotFound(f"No competition {competition_id}.")
                if org_id not in (None, competition.organization_id):
                    raise Conflict("The competition belongs to another organization.")
                org_id = competition.organization_id
            row = await deliveries.subscribe(
                session,
                url=url,
                secret=key,
                event_types=list(event or []),
                organization_id=org_id,
                competition_id=competition_id,
                description=description,
            )
            return {**_hook(row), "secret": key}

    out = run_on_store(settings_for(database_url), work)
    show(out, as_json, f"webhook {out['id']} → {url}\nsecret (shown once): {key}")


@app.command("list")
def list_(database_url: DatabaseUrl = None, as_json: JsonFlag = False) -> None:
    """Every webhook, native and dialect (Polympics callbacks)."""

    async def work(db: Database) -> list[dict[str, Any]]:
        async with db.read() as session:
            rows = await session.scalars(select(Webhook).order_by(Webhook.id))
            return [_hook(row) for row in rows]

    out = run_on_store(settings_for(database_url), work)
    text = "\n".join(f"{h['id']}\t{h['kind']}\t{h['url']}" for h in out) or "no webhooks"
    show(out, as_json, text)


WebhookId = Annotated[int, typer.Argument(**ID, help="The webhook's id.")]


@app.command("deliveries")
def list_deliveries(
    webhook_id: WebhookId,
    dead: Annotated[bool, typer.Option("--dead", help="Only the dead-letter list.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """A webhook's deliveries, newest first."""

    async def work(db: Database) -> list[dict[str, Any]]:
        async with db.read() as session:
            query = select(Delivery).where(Delivery.webhook_id == webhook_id)
            if dead:
                query = query.where(Delivery.state == "dead")
            rows = await session.scalars(query.order_by(Delivery.id.desc()).limit(limit))
            return [
                {
                    "id": r.id,
                    "event_type": r.event_type,
                    "state": r.state,
                    "attempts": r.attempts,
                    "last_status": r.last_status,
                    "last_error": r.last_error,
                }
                for r in rows
            ]

    out = run_on_store(settings_for(database_url), work)
    text = "\n".join(
        f"{d['id']}\t{d['state']}\t{d['event_type']}\t{d['attempts']} tries"
        f"\t{d['last_error'] or ''}"
        for d in out
    )
    show(out, as_json, text or "no deliveries")


@app.command("replay")
def replay(
    webhook_id: WebhookId,
    delivery_id: Annotated[int, typer.Argument(**ID, help="The delivery's id.")],
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Send a dead delivery again (a running server picks it up)."""

    async def work(db: Database) -> dict[str, Any]:
        async with db.write() as session:
            row = await session.get(Delivery, delivery_id)
            if row is None or row.webhook_id != webhook_id:
                raise NotFound(f"No delivery {delivery_id} of webhook {webhook_id}.")
            if row.state != "dead":
                raise Invalid(f"Delivery {delivery_id} is {row.state}, not dead.")
            await deliveries.replay(session, row)
            return {"id": row.id, "state": row.state}

    out = run_on_store(settings_for(database_url), work)
    show(out, as_json, f"delivery {delivery_id} queued again")


@app.command("delete")
def delete(webhook_id: WebhookId, database_url: DatabaseUrl = None) -> None:
    """Delete a webhook."""

    async def work(db: Database) -> None:
        async with db.write() as session:
            row = await session.get(Webhook, webhook_id)
            if row is None:
                raise NotFound(f"No webhook {webhook_id}.")
            await session.delete(row)

    run_on_store(settings_for(database_url), work)
    say(f"webhook {webhook_id} deleted")
