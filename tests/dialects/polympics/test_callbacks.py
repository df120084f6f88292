"""Callback delivery over real HTTP: after commit, retried, and never for a rollback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from podium.dialects.polympics import wire
from podium.dialects.polympics.handlers import account_team_update, verify_callback
from tests.conftest import PATIENT
from tests.dialects.polympics.conftest import Polympics, Receiver

EVENT = "/callback/account_team_update"


@asynccontextmanager
async def _setup(polympics: Polympics, receiver: Receiver) -> AsyncIterator[httpx.AsyncClient]:
    """An all-permission app whose callback points at the receiver."""
    creds = await polympics.app()
    async with httpx.AsyncClient(
        base_url=polympics.url, auth=(creds.username, creds.password), timeout=PATIENT
    ) as client:
        registered = await client.put(
            EVENT, json={"url": f"{receiver.url}/hook", "secret": "s3cret"}
        )
        assert registered.status_code == 200
        yield client


async def test_delivered_after_commit_with_the_bearer_secret(
    polympics: Polympics, receiver: Receiver
) -> None:
    async with _setup(polympics, receiver) as client:
        team = (await client.post("/teams/new", json={"name": "Olympus"})).json()
        await client.post("/accounts/new", json={"id": 7, "name": "Ares", "discriminator": "1"})
        # The receiver reads the account back while the delivery is in flight.
        receiver.probe_url = f"{polympics.url}/account/7"
        patched = await client.patch("/account/7", json={"team": team["id"]})
        assert patched.status_code == 200
        got = receiver.wait_for(1)
        assert len(got) == 1
        delivery = got[0]
        assert delivery.headers["Authorization"] == "Bearer s3cret"
        assert verify_callback(delivery.headers["Authorization"], "s3cret")
        assert delivery.headers["Content-Type"] == "application/json"
        assert delivery.body == {"account": patched.json(), "team": patched.json()["team"]}
        assert delivery.probe["team"]["id"] == team["id"]  # committed before it was sent
        event = account_team_update(delivery.body)
        assert event.account.id == 7 and event.team is not None and event.team.name == "Olympus"

        # Leaving a team is a team update too, with a null team.
        await client.patch("/account/7", json={"team": 0})
        left = receiver.wait_for(2)
        assert left[1].body["team"] is None and left[1].body["account"]["team"] is None


async def test_a_failing_receiver_gets_it_again(polympics: Polympics, receiver: Receiver) -> None:
    receiver.fail_next = 2
    async with _setup(polympics, receiver) as client:
        await client.post("/accounts/new", json={"id": 8, "name": "Hera", "discriminator": "1"})
        team = (await client.post("/teams/new", json={"name": "T"})).json()
        await client.patch("/account/8", json={"team": team["id"]})
        got = receiver.wait_for(1)
        assert len(got) == 1 and got[0].body["account"]["id"] == "8"
        assert receiver.attempts == 3
        await asyncio.sleep(0.3)
        assert len(receiver.received) == 1  # accepted once, not repeated


async def test_no_delivery_for_a_rolled_back_change(
    polympics: Polympics, receiver: Receiver
) -> None:
    async with _setup(polympics, receiver) as client:
        team = (await client.post("/teams/new", json={"name": "T"})).json()
        await client.post("/accounts/new", json={"id": 9, "name": "Zeus", "discriminator": "1"})
        other = await polympics.app(permissions=wire.MANAGE_ACCOUNT_TEAMS, name="mover")
        async with httpx.AsyncClient(
            base_url=polympics.url, auth=(other.username, other.password), timeout=PATIENT
        ) as mover:
            # The team step is allowed, the grant is not: the whole PATCH rolls back.
            refused = await mover.patch(
                "/account/9", json={"team": team["id"], "grant_permissions": wire.MANAGE_TEAMS}
            )
            assert refused.status_code == 403
        assert (await client.get("/account/9")).json()["team"] is None
        # A later, committed change is delivered, and it is the only one.
        await client.patch("/account/9", json={"team": team["id"]})
        got = receiver.wait_for(1)
        await asyncio.sleep(0.3)
        assert [r.body["team"]["id"] for r in receiver.received] == [team["id"]]
        assert len(got) == 1


async def test_only_team_changes_are_delivered(polympics: Polympics, receiver: Receiver) -> None:
    async with _setup(polympics, receiver) as client:
        team = (await client.post("/teams/new", json={"name": "T"})).json()
        await client.post(
            "/accounts/new", json={"id": 10, "name": "A", "discriminator": "1", "team": team["id"]}
        )
        await client.patch("/account/10", json={"name": "B"})
        await client.delete(f"/team/{team['id']}")
        await asyncio.sleep(0.5)
        assert receiver.attempts == 0
