"""Webhook routes: subscriptions, their deliveries and dead letters, permissions, and
Polympics callbacks managed through the same dead-letter list and replay."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from podium.config import Settings
from podium.feed import deliveries
from podium.feed.deliveries import Deliveries
from podium.store.database import Database
from podium.store.tables import Webhook
from tests.api.helpers import (
    make_competition,
    make_org,
    make_person,
    make_result,
    ok,
    problem,
    with_token,
)
from tests.dialects.polympics.conftest import Receiver

SECRET = "route-test-secret-123"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


def _worker(database: Database, attempts: int = 2) -> Deliveries:
    settings = Settings(
        database_url=database.url,
        webhook_max_attempts=attempts,
        webhook_retry_base_seconds=0.01,
        webhook_retry_max_seconds=0.02,
        webhook_timeout_seconds=5,
    )
    return Deliveries(database, settings)


async def _drain(worker: Deliveries, rounds: int = 4) -> None:
    async with httpx.AsyncClient(timeout=5) as http:
        for _ in range(rounds):
            await worker.run_once(http)
            await asyncio.sleep(0.03)  # past the retry delay


async def _race(api: httpx.AsyncClient, slug: str) -> tuple[int, int, int]:
    org = await make_org(api, slug)
    # Running already, so the first result adds no status event to what is counted.
    comp = await make_competition(api, org["id"], f"{slug} race", status="running")
    person = await make_person(api, f"{slug} rider", organization_id=org["id"])
    return org["id"], comp["id"], person["id"]


async def test_a_webhook_is_owed_only_the_matching_events_after_it_was_made(
    api: httpx.AsyncClient, database: Database, receiver: Receiver
) -> None:
    org, comp, person = await _race(api, "owed")
    await make_result(api, comp, person_id=person, elapsed_ms=1)  # before: not owed
    hook = ok(
        await api.post(
            "/webhooks",
            json={"url": receiver.url, "event_types": ["result.*"], "organization_id": org},
        ),
        201,
    )
    assert hook["organization_id"] == org and len(hook["secret"]) >= 32
    await make_person(api, "not a result", organization_id=org)
    made = await make_result(api, comp, person_id=person, elapsed_ms=2)
    ok(await api.delete(f"/results/{made['id']}"), 204)
    assert await _worker(database).fan_out() == 2
    assert await _worker(database).fan_out() == 0  # the cursor moved with them
    rows = ok(await api.get(f"/webhooks/{hook['id']}/deliveries"))
    assert [r["event_type"] for r in rows] == ["result.deleted", "result.created"]
    assert {r["state"] for r in rows} == {"pending"}
    assert ok(await api.get(f"/webhooks/{hook['id']}"))["pending"] == 2
    # Paging: newest first, then older than the last one seen.
    first = ok(await api.get(f"/webhooks/{hook['id']}/deliveries", params={"limit": 1}))
    rest = ok(
        await api.get(f"/webhooks/{hook['id']}/deliveries", params={"before_id": first[0]["id"]})
    )
    assert [*first, *rest] == rows


async def test_patch_pauses_and_changes_a_webhook_but_never_shows_the_secret(
    api: httpx.AsyncClient, database: Database, receiver: Receiver
) -> None:
    _org, comp, person = await _race(api, "patch")
    hook = ok(
        await api.post(
            "/webhooks", json={"url": receiver.url, "competition_id": comp, "secret": SECRET}
        ),
        201,
    )
    assert hook["secret"] == SECRET
    patched = ok(
        await api.patch(
            f"/webhooks/{hook['id']}",
            json={
                "active": False,
                "event_types": ["result.created"],
                "description": "timing",
                "url": receiver.url + "/v2",
                "secret": "a-rotated-secret-value",
            },
        )
    )
    assert patched["active"] is False and patched["description"] == "timing"
    assert patched["event_types"] == ["result.created"] and patched["url"].endswith("/v2")
    for shown in (
        patched,
        ok(await api.get(f"/webhooks/{hook['id']}")),
        *ok(await api.get("/webhooks")),
    ):
        assert "secret" not in shown
    async with database.read() as session:
        row = await session.get(Webhook, hook["id"])
        assert row is not None and row.secret == "a-rotated-secret-value"
    # A paused webhook is owed nothing while paused.
    await make_result(api, comp, person_id=person, elapsed_ms=1)
    assert await _worker(database).fan_out() == 0
    problem(await api.patch(f"/webhooks/{hook['id']}", json={"url": "ftp://x.test/"}), 422)


async def test_dead_letters_are_listed_and_replayed_once(
    api: httpx.AsyncClient, database: Database, receiver: Receiver
) -> None:
    _org, comp, person = await _race(api, "dead")
    hook = ok(
        await api.post(
            "/webhooks", json={"url": receiver.url, "competition_id": comp, "secret": SECRET}
        ),
        201,
    )
    other = ok(await api.post("/webhooks", json={"url": receiver.url}), 201)
    await make_result(api, comp, person_id=person, elapsed_ms=1)
    receiver.fail_next = 100
    worker = _worker(database)
    await _drain(worker)
    (dead,) = ok(await api.get(f"/webhooks/{hook['id']}/deliveries", params={"state": "dead"}))
    assert dead["attempts"] == 2 and dead["last_status"] == 503
    assert dead["idempotency_id"].startswith(f"wh{hook['id']}-e")
    path = f"/webhooks/{hook['id']}/deliveries/{dead['id']}/replay"
    problem(await api.post(f"/webhooks/{other['id']}/deliveries/{dead['id']}/replay"), 404)
    problem(await api.post(f"/webhooks/{hook['id']}/deliveries/999999/replay"), 404)
    receiver.fail_next = 0
    replayed = ok(await api.post(path))
    assert replayed["state"] == "pending" and replayed["attempts"] == 0
    problem(await api.post(path), 409)  # pending is not dead
    await _drain(worker)
    (done,) = ok(await api.get(f"/webhooks/{hook['id']}/deliveries"))
    assert done["state"] == "delivered" and done["attempts"] == 1
    problem(await api.post(path), 409)  # nor is delivered
    (accepted,) = receiver.received
    assert accepted.headers["Podium-Delivery"] == dead["idempotency_id"]


async def test_polympics_callbacks_share_the_dead_letter_list_and_replay(
    api: httpx.AsyncClient, database: Database, receiver: Receiver
) -> None:
    async with database.write() as session:
        hook = Webhook(kind="polympics", url=receiver.url, secret="bearer-secret", event_types=[])
        session.add(hook)
        await session.flush()
        deliveries.enqueue(session, hook, "team_update", {"team": {"id": 1}})
        hook_id = hook.id
    receiver.fail_next = 100
    worker = _worker(database)
    await _drain(worker)
    listed = ok(await api.get("/webhooks"))
    assert [(h["id"], h["kind"], h["dead"]) for h in listed] == [(hook_id, "polympics", 1)]
    (dead,) = ok(await api.get(f"/webhooks/{hook_id}/deliveries", params={"state": "dead"}))
    receiver.fail_next = 0
    ok(await api.post(f"/webhooks/{hook_id}/deliveries/{dead['id']}/replay"))
    await _drain(worker)
    (accepted,) = receiver.received
    # Their wire format stays theirs: the secret as a bearer token, nothing signed.
    assert accepted.headers["Authorization"] == "Bearer bearer-secret"
    assert "Podium-Signature" not in accepted.headers
    assert accepted.body == {"team": {"id": 1}}


async def test_organization_tokens_manage_their_own_organizations_webhooks(
    api: httpx.AsyncClient, app: Any, database: Database, receiver: Receiver
) -> None:
    mine, my_comp, _ = await _race(api, "mine")
    theirs, their_comp, _ = await _race(api, "theirs")
    hook = ok(
        await api.post("/webhooks", json={"url": receiver.url, "organization_id": theirs}), 201
    )
    async with with_token(app, database, ["write"], organization_id=mine) as writer:
        created = ok(
            await writer.post("/webhooks", json={"url": receiver.url, "competition_id": my_comp}),
            201,
        )
        assert created["organization_id"] == mine
        assert [h["id"] for h in ok(await writer.get("/webhooks"))] == [created["id"]]
        for attempt in (
            writer.post("/webhooks", json={"url": receiver.url, "organization_id": theirs}),
            writer.post("/webhooks", json={"url": receiver.url, "competition_id": their_comp}),
        ):
            assert (await attempt).status_code in (403, 404)
        problem(await writer.get(f"/webhooks/{hook['id']}"), 404)
        problem(await writer.get(f"/webhooks/{hook['id']}/deliveries"), 404)
        problem(await writer.patch(f"/webhooks/{hook['id']}", json={"active": False}), 404)
        problem(await writer.delete(f"/webhooks/{hook['id']}"), 404)
        ok(await writer.delete(f"/webhooks/{created['id']}"), 204)
    # The competition decides the organization; naming another one is a conflict.
    problem(
        await api.post(
            "/webhooks",
            json={"url": receiver.url, "organization_id": mine, "competition_id": their_comp},
        ),
        409,
    )
    async with with_token(app, database, ["read"], organization_id=mine) as reader:
        problem(await reader.post("/webhooks", json={"url": receiver.url}), 403)
        problem(await reader.get("/webhooks"), 403)
    async with with_token(app, database, ["write"]) as instance_writer:
        # Instance-wide subscriptions take an admin.
        problem(await instance_writer.post("/webhooks", json={"url": receiver.url}), 403)
    async with database.read() as session:
        left = list(await session.scalars(select(Webhook.id).order_by(Webhook.id)))
    assert left == [hook["id"]]
