"""One store: what /polympics writes the native API reads, and the other way round."""

from __future__ import annotations

from typing import Any

import httpx

from podium.store.database import Database
from tests.dialects.polympics.helpers import new_app, polympics_client


async def test_polympics_writes_are_native_objects(
    app: Any, database: Database, api: httpx.AsyncClient
) -> None:
    username, password = await new_app(database)
    async with polympics_client(app, username, password) as pm:
        team = (await pm.post("/teams/new", json={"name": "Olympus"})).json()
        await pm.post(
            "/accounts/new",
            json={"id": 4242, "name": "Athena", "discriminator": "0007", "team": team["id"]},
        )
        award = (
            await pm.post(
                "/awards/new",
                json={
                    "title": "Gold",
                    "image_url": "https://i/g.png",
                    "team": team["id"],
                    "accounts": [4242],
                },
            )
        ).json()
    people = (await api.get("/people", params={"external_id": "discord:4242"})).json()
    assert [p["name"] for p in people["data"]] == ["Athena"]
    person = people["data"][0]
    assert person["attributes"]["discriminator"] == "0007"
    members = (await api.get(f"/teams/{team['id']}/members")).json()
    assert [m["person_id"] for m in members] == [person["id"]]
    native_award = (await api.get(f"/awards/{award['id']}")).json()
    assert native_award["title"] == "Gold" and native_award["person_ids"] == [person["id"]]
    events = (await api.get("/events")).json()
    assert {"person.created", "team.created", "team.member_added", "award.given"} <= {
        e["type"] for e in events
    }
    assert any(e["actor"] == f"polympics:{username}" for e in events)


async def test_native_writes_show_through_polympics(app: Any, api: httpx.AsyncClient) -> None:
    async with polympics_client(app) as anon:
        await anon.get("/accounts/search")  # the served organization exists from here on
        orgs = (await api.get("/organizations")).json()["data"]
        org = next(o for o in orgs if o["slug"] == "polympics")
        team = (
            await api.post("/teams", json={"name": "Natives", "organization_id": org["id"]})
        ).json()
        person = (
            await api.post(
                "/people",
                json={
                    "name": "Hermes",
                    "organization_id": org["id"],
                    "attributes": {"discriminator": "0042"},
                    "external_ids": {"discord": "777"},
                },
            )
        ).json()
        await api.post(f"/teams/{team['id']}/members", json={"person_id": person["id"]})
        account = (await anon.get("/account/777")).json()
        assert account["name"] == "Hermes" and account["discriminator"] == "0042"
        assert account["team"]["name"] == "Natives" and account["permissions"] == 0
        found = (await anon.get("/teams/search", params={"q": "nat"})).json()
        assert [t["name"] for t in found["data"]] == ["Natives"]
