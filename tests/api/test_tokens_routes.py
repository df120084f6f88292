"""API tokens, scopes, organization confinement and the event log (api/routes/tokens.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from podium.store.database import Database
from tests.api.helpers import (
    acting_as,
    all_events,
    collect,
    ids_of,
    make_competition,
    make_entry,
    make_org,
    make_person,
    make_race,
    make_result,
    names_field,
    ok,
    problem,
    with_token,
)

# Tokens ------------------------------------------------------------------------------


async def test_create_use_and_list_tokens(api: httpx.AsyncClient, app: Any) -> None:
    made = ok(
        await api.post("/tokens", json={"name": "timing box", "scopes": ["write", "read", "read"]}),
        201,
    )
    secret = made["token"]
    assert secret.startswith("pdm_" + made["identifier"] + "_")
    assert made["scopes"] == ["read", "write"] and made["name"] == "timing box"
    assert made["organization_id"] is None and made["revoked_at"] is None

    async with acting_as(app, secret) as timing_box:
        person = ok(await timing_box.post("/people", json={"name": "Made by token"}), 201)
        problem(await timing_box.get("/tokens"), 403)
    log = await all_events(api)
    assert log[-1]["type"] == "person.created" and log[-1]["object_id"] == person["id"]
    assert log[-1]["actor"] == f"token:{made['identifier']} 'timing box'"

    listed = ok(await api.get("/tokens"))
    mine = [t for t in listed if t["id"] == made["id"]]
    assert len(mine) == 1 and len(listed) == 2  # the fixture's admin token and this one
    assert mine[0] == {k: v for k, v in made.items() if k != "token"}
    # The secret is shown once and never again: not listed, not logged.
    assert secret not in str(listed) and secret.split("_", 2)[2] not in str(log)
    created = [e for e in log if e["type"] == "token.created" and e["object_id"] == made["id"]]
    assert created[0]["payload"] == {
        "id": made["id"],
        "identifier": made["identifier"],
        "scopes": ["read", "write"],
    }


async def test_revoked_tokens_are_refused_at_once(api: httpx.AsyncClient, app: Any) -> None:
    made = ok(await api.post("/tokens", json={"scopes": ["read"]}), 201)
    async with acting_as(app, made["token"]) as holder:
        ok(await holder.get("/people"))  # used (and cached) before the revocation
        ok(await api.delete(f"/tokens/{made['id']}"), 204)
        doc = problem(await holder.get("/people"), 401, "Unauthenticated")
        assert "revoked" in doc["detail"]
        assert holder.headers["authorization"].endswith(made["token"])
    listed = {t["id"]: t for t in ok(await api.get("/tokens"))}
    assert listed[made["id"]]["revoked_at"] is not None

    # Revoking again changes nothing; an unknown token is 404.
    ok(await api.delete(f"/tokens/{made['id']}"), 204)
    revocations = [e for e in await all_events(api) if e["type"] == "token.revoked"]
    assert [e["object_id"] for e in revocations] == [made["id"]]
    problem(await api.delete("/tokens/909090"), 404)
    problem(await api.delete("/tokens/first"), 422)


async def test_token_expiry(api: httpx.AsyncClient, app: Any) -> None:
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    doc = problem(await api.post("/tokens", json={"expires_at": past}), 422)
    assert doc["field"] == "expires_at"
    future = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    made = ok(await api.post("/tokens", json={"expires_at": future.isoformat()}), 201)
    assert datetime.fromisoformat(made["expires_at"]) == future
    async with acting_as(app, made["token"]) as holder:
        ok(await holder.get("/people"))
    assert len(ok(await api.get("/tokens"))) == 2


async def test_invalid_token_requests_are_422(api: httpx.AsyncClient) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"scopes": ["root"]}, "0"),
        ({"scopes": []}, "scopes"),
        ({"scopes": "admin"}, "scopes"),
        ({"name": "n" * 201}, "name"),
        ({"organization_id": 0}, "organization_id"),
        ({"expires_at": "soon"}, "expires_at"),
        ({"secret": "mine"}, "secret"),
    ]
    for body, field in cases:
        doc = problem(await api.post("/tokens", json=body), 422)
        assert names_field(doc, field), (body, doc)
    problem(await api.post("/tokens", json={"organization_id": 8080}), 404)
    assert len(ok(await api.get("/tokens"))) == 1


# Scopes ------------------------------------------------------------------------------


async def test_read_token_cannot_change_anything(
    api: httpx.AsyncClient, app: Any, database: Database
) -> None:
    race = await make_race(api, entrants=1)
    person = race["people"][0]
    comp = race["competition"]["id"]
    async with with_token(app, database, ["read"]) as reader:
        events_before = await all_events(api)
        assert ok(await reader.get(f"/people/{person['id']}")) == person
        assert await ids_of(reader, f"/competitions/{comp}/entries") == [race["entries"][0]["id"]]
        for method, path, body in [
            ("POST", "/people", {"name": "x"}),
            ("PATCH", f"/people/{person['id']}", {"name": "x"}),
            ("DELETE", f"/people/{person['id']}", None),
            ("POST", f"/competitions/{comp}/results", {"person_id": person["id"]}),
            ("POST", f"/competitions/{comp}/results/bulk", {"results": []}),
            ("POST", f"/competitions/{comp}/rounds", {}),
            ("POST", "/tokens", {"scopes": ["read"]}),
            ("GET", "/tokens", None),
            ("DELETE", "/tokens/1", None),
        ]:
            doc = problem(await reader.request(method, path, json=body), 403, "Forbidden")
            assert "permission" in doc["detail"], (method, path, doc)
    assert ok(await api.get(f"/people/{person['id']}")) == person
    assert await all_events(api) == events_before


async def test_write_token_cannot_manage_tokens_or_organizations(
    api: httpx.AsyncClient, app: Any, database: Database
) -> None:
    org = await make_org(api, "club")
    async with with_token(app, database, ["write"]) as writer:
        ok(await writer.post("/people", json={"name": "Allowed"}), 201)
        ok(
            await writer.post("/competitions", json={"organization_id": org["id"], "name": "R"}),
            201,
        )
        problem(await writer.post("/tokens", json={"scopes": ["read"]}), 403)
        problem(await writer.get("/tokens"), 403)
        problem(await writer.delete("/tokens/1"), 403)
        problem(await writer.post("/organizations", json={"slug": "new", "name": "N"}), 403)
        problem(await writer.delete(f"/organizations/{org['id']}"), 403)
    assert [o["slug"] for o in await collect(api, "/organizations")] == ["club"]
    assert len(ok(await api.get("/tokens"))) == 2  # the fixture's and the writer's
    assert all(t["revoked_at"] is None for t in ok(await api.get("/tokens")))


async def test_tokens_cannot_reach_beyond_their_creator(
    api: httpx.AsyncClient, app: Any, database: Database
) -> None:
    """Only admins create tokens, so the bound is the creator's organization."""
    mine = await make_org(api, "mine")
    other = await make_org(api, "other")
    async with with_token(app, database, ["admin"], mine["id"]) as org_admin:
        made = ok(await org_admin.post("/tokens", json={"organization_id": mine["id"]}), 201)
        assert made["organization_id"] == mine["id"] and made["scopes"] == ["read"]
        full = ok(
            await org_admin.post(
                "/tokens", json={"organization_id": mine["id"], "scopes": ["admin"]}
            ),
            201,
        )
        assert full["scopes"] == ["admin"]
        problem(await org_admin.post("/tokens", json={"scopes": ["read"]}), 403)
        problem(await org_admin.post("/tokens", json={"organization_id": other["id"]}), 403)
        # It sees and revokes only its own organization's tokens.
        their = ok(await api.post("/tokens", json={"organization_id": other["id"]}), 201)
        listed = ok(await org_admin.get("/tokens"))
        assert {t["organization_id"] for t in listed} == {mine["id"]} and len(listed) == 3
        problem(await org_admin.delete(f"/tokens/{their['id']}"), 404)
        problem(await org_admin.delete("/tokens/1"), 404)  # the instance admin's
        ok(await org_admin.delete(f"/tokens/{made['id']}"), 204)
    by_id = {t["id"]: t for t in ok(await api.get("/tokens"))}
    assert by_id[their["id"]]["revoked_at"] is None and by_id[1]["revoked_at"] is None
    assert by_id[made["id"]]["revoked_at"] is not None
    assert len(by_id) == 5


async def test_organization_token_sees_only_its_organization(
    api: httpx.AsyncClient, app: Any, database: Database
) -> None:
    home = await make_race(api, "home", entrants=1)
    away = await make_race(api, "away", entrants=1)
    await make_result(api, away["competition"]["id"], entry_id=away["entries"][0]["id"])
    home_result = await make_result(
        api, home["competition"]["id"], entry_id=home["entries"][0]["id"]
    )
    away_comp = away["competition"]["id"]
    async with with_token(app, database, ["read"], home["org"]["id"]) as reader:
        for path in (
            f"/competitions/{away_comp}",
            f"/competitions/{away_comp}/entries",
            f"/competitions/{away_comp}/results",
            f"/competitions/{away_comp}/result-sets",
            f"/people/{away['people'][0]['id']}",
            f"/organizations/{away['org']['id']}",
        ):
            doc = problem(await reader.get(path), 404)
            assert "No " in doc["detail"], path
        assert await ids_of(reader, "/competitions") == [home["competition"]["id"]]
        assert await ids_of(reader, "/competitions", organization_id=away["org"]["id"]) == []
        assert await ids_of(reader, "/organizations") == [home["org"]["id"]]
        assert await ids_of(reader, "/people") == [home["people"][0]["id"]]
        assert await ids_of(reader, f"/competitions/{home['competition']['id']}/results") == [
            home_result["id"]
        ]
        problem(
            await reader.post(
                "/competitions", json={"organization_id": home["org"]["id"], "name": "x"}
            ),
            403,
        )
    async with with_token(app, database, ["write"], home["org"]["id"]) as writer:
        doc = problem(
            await writer.post(
                "/competitions", json={"organization_id": away["org"]["id"], "name": "x"}
            ),
            403,
        )
        assert f"organization {away['org']['id']}" in doc["detail"]
        problem(await writer.post(f"/competitions/{away_comp}/results", json={"person_id": 1}), 404)
        problem(await writer.delete(f"/competitions/{away_comp}"), 404)
    assert ok(await api.get(f"/competitions/{away_comp}"))["name"] == "away race"
    assert len(await ids_of(api, "/competitions")) == 2


# Authentication ----------------------------------------------------------------------


async def test_missing_and_malformed_credentials_are_401(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    made = ok(await api.post("/tokens", json={}), 201)
    identifier = made["identifier"]
    wrong_secret = f"pdm_{identifier}_{'A' * 43}"
    unknown_id = "pdm_" + "0" * 16 + "_" + made["token"].split("_", 2)[2]
    for header in [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Token " + made["token"],
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-podium-token",
        "Bearer pdm_",
        f"Bearer pdm_{identifier}",
        f"Bearer pdm_{identifier}-secret",
        f"Bearer {wrong_secret}",
        f"Bearer {unknown_id}",
        f"Bearer {made['token']}x",
    ]:
        headers = {} if header is None else {"Authorization": header}
        response = await client.get("/api/v1/people", headers=headers)
        doc = problem(response, 401, "Unauthenticated")
        assert response.headers["www-authenticate"] == 'Bearer realm="podium"', header
        assert "token" in doc["detail"].lower() or "credential" in doc["detail"], header
    # Every route needs a credential, even an unknown object's.
    for method, path in [("GET", "/api/v1/people/1"), ("DELETE", "/api/v1/tokens/1")]:
        problem(await client.request(method, path), 401)
    ok(await client.get("/api/v1/people", headers={"Authorization": f"bearer {made['token']}"}))


# Events ------------------------------------------------------------------------------


async def test_events_are_ordered_and_resumable(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=2)
    everything = await all_events(api)
    seqs = [e["seq"] for e in everything]
    assert seqs == list(range(1, len(seqs) + 1))  # gap-free, in commit order
    assert [e["type"] for e in everything] == [
        "token.created",
        "organization.created",
        "competition.created",
        "person.created",
        "entry.created",
        "person.created",
        "entry.created",
    ]
    assert everything[4]["object_id"] == race["entries"][0]["id"]

    after = ok(await api.get("/events", params={"after": 3}))
    assert after == everything[3:]
    assert ok(await api.get("/events", params={"after": 2, "limit": 2})) == everything[2:4]
    assert ok(await api.get("/events", params={"after": seqs[-1]})) == []
    # New writes continue the sequence.
    await make_person(api, "Late")
    (late,) = ok(await api.get("/events", params={"after": seqs[-1]}))
    assert late["seq"] == seqs[-1] + 1 and late["type"] == "person.created"
    for params in [{"after": -1}, {"limit": 0}, {"limit": 1001}, {"after": "start"}]:
        problem(await api.get("/events", params=params), 422)


async def test_events_filtered_by_competition_and_organization(
    api: httpx.AsyncClient, app: Any, database: Database
) -> None:
    home = await make_race(api, "home", entrants=1)
    away = await make_race(api, "away", entrants=1)
    home_comp = home["competition"]["id"]
    result = await make_result(api, home_comp, entry_id=home["entries"][0]["id"])
    second = await make_competition(api, home["org"]["id"], "Second")
    await make_entry(api, second["id"], person_id=home["people"][0]["id"])

    in_comp = ok(await api.get("/events", params={"competition_id": home_comp}))
    assert [(e["type"], e["object_id"]) for e in in_comp] == [
        ("competition.created", home_comp),
        ("entry.created", home["entries"][0]["id"]),
        ("result.created", result["id"]),
        ("competition.updated", home_comp),  # the first result started it
    ]
    assert all(e["competition_id"] == home_comp for e in in_comp)
    seqs = [e["seq"] for e in in_comp]
    assert seqs == sorted(seqs)
    resumed = ok(await api.get("/events", params={"competition_id": home_comp, "after": seqs[0]}))
    assert resumed == in_comp[1:]

    by_org = ok(await api.get("/events", params={"organization_id": away["org"]["id"]}))
    assert {e["organization_id"] for e in by_org} == {away["org"]["id"]}
    assert [e["type"] for e in by_org] == [
        "organization.created",
        "competition.created",
        "person.created",
        "entry.created",
    ]
    async with with_token(app, database, ["read"], home["org"]["id"]) as reader:
        mine = ok(await reader.get("/events", params={"limit": 1000}))
        assert mine and {e["organization_id"] for e in mine} == {home["org"]["id"]}
        assert ok(await reader.get("/events", params={"competition_id": home_comp})) == in_comp
        assert (
            ok(await reader.get("/events", params={"competition_id": away["competition"]["id"]}))
            == []
        )
        problem(await reader.get("/events", params={"organization_id": away["org"]["id"]}), 403)
