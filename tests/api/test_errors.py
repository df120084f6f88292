"""Cross-cutting error behaviour of the native API: every route, every failure mode.

Every error is an ``application/problem+json`` document, and the tests that send
refused writes also check that nothing was stored and no event was logged.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from podium import __version__
from podium.api.routes import (
    awards,
    competitions,
    feed,
    leaderboards,
    organizations,
    results,
    scoreboard,
    tokens,
    webhooks,
)
from podium.core import resources
from podium.dialects.mooshak2 import native as mooshak_native
from podium.dialects.multigp import native as multigp_native
from podium.dialects.nadeo import native as nadeo_native
from podium.dialects.runsignup import native as runsignup_native
from tests.api.helpers import (
    PROBLEM,
    V1,
    all_events,
    error_locs,
    make_award,
    make_challenge,
    make_race,
    make_result,
    make_team,
    names_field,
    ok,
    problem,
)


async def make_world(api: httpx.AsyncClient, slug: str = "world") -> dict[str, int]:
    """One object of every kind, by the path segment its item routes use."""
    race = await make_race(api, slug, entrants=1)
    comp = race["competition"]["id"]
    round_ = ok(await api.post(f"/competitions/{comp}/rounds", json={}), 201)
    heat = ok(await api.post(f"/rounds/{round_['id']}/heats", json={}), 201)
    slot = ok(await api.post(f"/heats/{heat['id']}/slots", json={}), 201)
    result_set = ok(await api.post(f"/competitions/{comp}/result-sets", json={"name": "S"}), 201)
    result = await make_result(api, comp, person_id=race["people"][0]["id"])
    return {
        "organizations": race["org"]["id"],
        "people": race["people"][0]["id"],
        "teams": (await make_team(api, "Crew"))["id"],
        "competitions": comp,
        "challenges": (await make_challenge(api, race["org"]["id"], "Course"))["id"],
        "entries": race["entries"][0]["id"],
        "rounds": round_["id"],
        "heats": heat["id"],
        "slots": slot["id"],
        "results": result["id"],
        "result-sets": result_set["id"],
        "awards": (await make_award(api, "Medal"))["id"],
    }


def body_routes(world: dict[str, int]) -> list[tuple[str, str]]:
    """Every (method, path) of the API that reads a JSON body."""
    comp = world["competitions"]
    creates = [
        ("POST", "/organizations"),
        ("POST", "/people"),
        ("POST", "/teams"),
        ("POST", "/competitions"),
        ("POST", "/challenges"),
        ("POST", "/awards"),
        ("POST", "/tokens"),
        ("POST", f"/competitions/{comp}/entries"),
        ("POST", f"/competitions/{comp}/rounds"),
        ("POST", f"/rounds/{world['rounds']}/heats"),
        ("POST", f"/heats/{world['heats']}/slots"),
        ("POST", f"/competitions/{comp}/results"),
        ("POST", f"/competitions/{comp}/results/bulk"),
        ("POST", f"/competitions/{comp}/result-sets"),
        ("POST", f"/teams/{world['teams']}/members"),
    ]
    return creates + [("PATCH", f"/{kind}/{object_id}") for kind, object_id in world.items()]


async def snapshot(api: httpx.AsyncClient, world: dict[str, int]) -> list[Any]:
    """Every object of the world as stored, and the event log."""
    objects = [ok(await api.get(f"/{kind}/{object_id}")) for kind, object_id in world.items()]
    return [objects, await all_events(api)]


MALFORMED = [
    b'{"name": "unterminated',
    b'{"name": "x",}',
    b"{'name': 'single quotes'}",
    b'{"name": "x"} trailing',
    b"\xff\xfe not utf-8",
]


async def test_malformed_json_is_400_on_every_body_route(api: httpx.AsyncClient) -> None:
    world = await make_world(api)
    before = await snapshot(api, world)
    for method, path in body_routes(world):
        for raw in MALFORMED:
            response = await api.request(
                method, path, content=raw, headers={"content-type": "application/json"}
            )
            doc = problem(response, 400, "Malformed JSON")
            assert doc["detail"].startswith("The request body is not valid JSON"), (path, raw)
            assert "errors" not in doc
    assert await snapshot(api, world) == before


async def test_a_json_body_that_is_not_an_object_is_422(api: httpx.AsyncClient) -> None:
    world = await make_world(api)
    before = await snapshot(api, world)
    for method, path in body_routes(world):
        for raw in (b"[]", b'"text"', b"42", b"null"):
            response = await api.request(
                method, path, content=raw, headers={"content-type": "application/json"}
            )
            doc = problem(response, 422, "Invalid input")
            assert error_locs(doc), (method, path, raw)
    assert await snapshot(api, world) == before


async def test_wrong_types_are_422_with_an_errors_list(api: httpx.AsyncClient) -> None:
    world = await make_world(api)
    comp = world["competitions"]
    before = await snapshot(api, world)
    cases: list[tuple[str, str, dict[str, Any], list[Any]]] = [
        ("POST", "/organizations", {"slug": ["a"], "name": "A"}, ["slug"]),
        ("POST", "/people", {"name": "P", "organization_id": "one"}, ["organization_id"]),
        ("POST", "/teams", {"name": {"first": "x"}}, ["name"]),
        ("POST", "/competitions", {"organization_id": 1, "name": "C", "public": []}, ["public"]),
        (
            "POST",
            "/challenges",
            {"organization_id": 1, "name": "C", "position": "1st"},
            ["position"],
        ),
        ("POST", "/awards", {"title": "A", "person_ids": ["x"]}, ["person_ids", 0]),
        ("POST", "/tokens", {"scopes": [1]}, ["scopes", 0]),
        ("POST", f"/competitions/{comp}/entries", {"frequency_mhz": "high"}, ["frequency_mhz"]),
        ("POST", f"/competitions/{comp}/rounds", {"number": [1]}, ["number"]),
        ("POST", f"/rounds/{world['rounds']}/heats", {"status": 3}, ["status"]),
        ("POST", f"/heats/{world['heats']}/slots", {"entry_id": "me"}, ["entry_id"]),
        ("POST", f"/competitions/{comp}/results", {"person_id": 1, "laps": [2]}, ["laps"]),
        ("POST", f"/competitions/{comp}/result-sets", {"name": 5}, ["name"]),
        ("POST", f"/teams/{world['teams']}/members", {"person_id": {"id": 1}}, ["person_id"]),
        ("PATCH", f"/people/{world['people']}", {"country": 44}, ["country"]),
        ("PATCH", f"/results/{world['results']}", {"elapsed_ms": "1:02"}, ["elapsed_ms"]),
        ("PATCH", f"/competitions/{comp}", {"starts_at": "31/12/2026"}, ["starts_at"]),
    ]
    for method, path, body, loc in cases:
        doc = problem(await api.request(method, path, json=body), 422, "Invalid input")
        assert loc in error_locs(doc), (path, doc)
        first = doc["errors"][0]
        assert doc["detail"] == ".".join(str(p) for p in first["loc"]) + ": " + first["message"]
    assert await snapshot(api, world) == before


async def test_unknown_fields_are_rejected_everywhere(api: httpx.AsyncClient) -> None:
    world = await make_world(api)
    before = await snapshot(api, world)
    for method, path in body_routes(world):
        body: dict[str, Any] = {"surprise": 1}
        if path.endswith("/bulk"):
            body = {"results": [{"person_id": world["people"], "surprise": 1}]}
        doc = problem(await api.request(method, path, json=body), 422)
        assert names_field(doc, "surprise"), (method, path, doc)
        extra = [e for e in doc["errors"] if e["loc"][-1] == "surprise"]
        assert extra[0]["type"] == "extra_forbidden"
    assert await snapshot(api, world) == before


SINGULAR = {"people": "person", "entries": "entry", "result-sets": "result_set"}


async def test_unknown_ids_are_404_everywhere(api: httpx.AsyncClient) -> None:
    world = await make_world(api)
    # Ids that existed once: a second world, deleted. Its organization takes the
    # competition and all inside it along; people, teams and awards go one by one.
    gone = await make_world(api, "gone")
    for kind in ("organizations", "people", "teams", "awards"):
        ok(await api.delete(f"/{kind}/{gone[kind]}"), 204)
    before = await snapshot(api, world)
    for kind, object_id in gone.items():
        singular = SINGULAR.get(kind, kind.removesuffix("s"))
        for method in ("GET", "PATCH", "DELETE"):
            response = await api.request(
                method, f"/{kind}/{object_id}", json={} if method == "PATCH" else None
            )
            doc = problem(response, 404, "Not found")
            assert doc["detail"] == f"No {singular} with id {object_id}.", doc
            assert (doc["kind"], doc["id"]) == (singular, object_id)
    person, award, team = world["people"], world["awards"], world["teams"]
    comp = world["competitions"]
    for method, path in [
        ("GET", f"/teams/{gone['teams']}/members"),
        ("DELETE", f"/teams/{team}/members/{person}"),
        ("PUT", f"/awards/{gone['awards']}/holders/{person}"),
        ("PUT", f"/awards/{award}/holders/{gone['people']}"),
        ("DELETE", f"/awards/{award}/holders/{person}"),
        ("DELETE", "/tokens/55555"),
        ("GET", f"/competitions/{gone['competitions']}/entries"),
        ("GET", f"/competitions/{gone['competitions']}/rounds"),
        ("GET", f"/rounds/{gone['rounds']}/heats"),
        ("GET", f"/heats/{gone['heats']}/slots"),
        ("GET", f"/competitions/{gone['competitions']}/results"),
        ("GET", f"/competitions/{gone['competitions']}/result-sets"),
        ("GET", f"/competitions/{gone['competitions']}/leaderboard"),
        ("GET", f"/competitions/{comp}/nothing-here"),
        ("GET", "/nothing-here"),
    ]:
        problem(await api.request(method, path), 404, "Not found")
    assert await snapshot(api, world) == before


PATH_PARAMS = [
    ("GET", "/people/{}", "object_id"),
    ("PATCH", "/results/{}", "object_id"),
    ("DELETE", "/result-sets/{}", "object_id"),
    ("GET", "/competitions/{}/entries", "parent_id"),
    ("POST", "/rounds/{}/heats", "parent_id"),
    ("GET", "/teams/{}/members", "team_id"),
    ("DELETE", "/teams/1/members/{}", "person_id"),
    ("PUT", "/awards/{}/holders/1", "award_id"),
    ("DELETE", "/awards/1/holders/{}", "person_id"),
    ("DELETE", "/tokens/{}", "token_id"),
    ("GET", "/competitions/{}/leaderboard", "competition_id"),
]


async def test_malformed_path_ids_are_422(api: httpx.AsyncClient) -> None:
    for bad in ("abc", "1.5", "0", "-4", str(2**63)):
        for method, template, name in PATH_PARAMS:
            response = await api.request(
                method, template.format(bad), json={} if method in ("PATCH", "POST") else None
            )
            doc = problem(response, 422, "Invalid input")
            assert ["path", name] in error_locs(doc), (method, template, bad, doc)
    assert [e["type"] for e in await all_events(api)] == ["token.created"]  # the fixture's


async def test_wrong_query_parameters_are_422(api: httpx.AsyncClient) -> None:
    for path, params, name in [
        ("/people", {"limit": "lots"}, "limit"),
        ("/people", {"limit": 0}, "limit"),
        ("/people", {"organization_id": "x"}, "organization_id"),
        ("/competitions", {"top_level": "sometimes"}, "top_level"),
        ("/awards", {"person_id": -1}, "person_id"),
        ("/events", {"after": "x"}, "after"),
    ]:
        doc = problem(await api.get(path, params=params), 422)
        assert ["query", name] in error_locs(doc), (path, doc)


async def test_method_not_allowed_is_405_with_allow(api: httpx.AsyncClient) -> None:
    world = await make_world(api)
    before = await snapshot(api, world)
    person, award, comp = world["people"], world["awards"], world["competitions"]
    for method, path, allowed in [
        ("PUT", "/people", {"GET", "HEAD", "POST"}),
        ("DELETE", "/people", {"GET", "HEAD", "POST"}),
        ("POST", f"/people/{person}", {"GET", "HEAD", "PATCH", "DELETE"}),
        ("PUT", f"/people/{person}", {"GET", "HEAD", "PATCH", "DELETE"}),
        ("GET", f"/awards/{award}/holders/{person}", {"PUT", "DELETE"}),
        ("PATCH", "/tokens", {"GET", "HEAD", "POST"}),
        ("GET", f"/competitions/{comp}/results/bulk", {"POST"}),
        ("POST", "/events", {"GET", "HEAD"}),
        ("DELETE", f"/competitions/{comp}/entries", {"GET", "HEAD", "POST"}),
    ]:
        response = await api.request(method, path)
        doc = problem(response, 405, "Method not allowed")
        assert doc["instance"] == V1 + path
        assert set(response.headers["allow"].split(", ")) == allowed, (method, path)
    assert await snapshot(api, world) == before


async def test_successes_are_json_and_errors_problem_json(api: httpx.AsyncClient) -> None:
    world = await make_world(api)
    for kind, object_id in world.items():
        good = await api.get(f"/{kind}/{object_id}")
        assert good.status_code == 200 and good.headers["content-type"] == "application/json"
        bad = await api.get(f"/{kind}/{object_id + 10_000}")
        assert bad.headers["content-type"] == PROBLEM
        assert set(bad.json()) >= {"type", "title", "status", "detail", "instance"}


async def test_unexpected_failures_are_500_problem_json(
    app: Any, admin_token: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(resources, "page", broken)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport,
        base_url=f"http://podium.test{V1}",
        headers={"Authorization": f"Bearer {admin_token}"},
    ) as api:
        doc = problem(await api.get("/people"), 500, "Internal error")
    # The details go to the log, not to the caller.
    assert "disk on fire" not in str(doc)
    assert any(r.message == "unhandled error" and r.exc_info for r in caplog.records)


async def test_health_needs_no_credential(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "version": __version__,
        "database": "ok",
        "redis": None,
    }
    unauthenticated = await client.get(f"{V1}/people")
    problem(unauthenticated, 401)


# Every route of the native API, as OpenAPI paths and methods.
ROUTES = {
    "/organizations": {"get", "post"},
    "/organizations/{object_id}": {"get", "patch", "delete"},
    "/people": {"get", "post"},
    "/people/{object_id}": {"get", "patch", "delete"},
    "/teams": {"get", "post"},
    "/teams/{object_id}": {"get", "patch", "delete"},
    "/teams/{team_id}/members": {"get", "post"},
    "/teams/{team_id}/members/{person_id}": {"delete"},
    "/competitions": {"get", "post"},
    "/competitions/{object_id}": {"get", "patch", "delete"},
    "/challenges": {"get", "post"},
    "/challenges/{object_id}": {"get", "patch", "delete"},
    "/competitions/{parent_id}/entries": {"get", "post"},
    "/entries/{object_id}": {"get", "patch", "delete"},
    "/competitions/{parent_id}/rounds": {"get", "post"},
    "/rounds/{object_id}": {"get", "patch", "delete"},
    "/rounds/{parent_id}/heats": {"get", "post"},
    "/heats/{object_id}": {"get", "patch", "delete"},
    "/heats/{parent_id}/slots": {"get", "post"},
    "/slots/{object_id}": {"get", "patch", "delete"},
    "/competitions/{parent_id}/results": {"get", "post"},
    "/competitions/{parent_id}/results/bulk": {"post"},
    "/results/{object_id}": {"get", "patch", "delete"},
    "/results/{object_id}/history": {"get"},
    "/competitions/{parent_id}/audit": {"get"},
    "/competitions/{parent_id}/audit.csv": {"get"},
    "/events/{seq}/undo": {"post"},
    "/competitions/{parent_id}/result-sets": {"get", "post"},
    "/result-sets/{object_id}": {"get", "patch", "delete"},
    "/awards": {"get", "post"},
    "/awards/{object_id}": {"get", "patch", "delete"},
    "/awards/{award_id}/holders/{person_id}": {"put", "delete"},
    "/tokens": {"get", "post"},
    "/tokens/{token_id}": {"delete"},
    "/credentials": {"get"},
    "/credentials/{credential_id}": {"delete"},
    "/events": {"get"},
}


async def test_openapi_lists_every_route(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{V1}/openapi.json")  # public, like the docs
    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["title"] == "Podium native API"
    paths = {path: set(ops) for path, ops in spec["paths"].items()}
    for path, methods in ROUTES.items():
        assert paths.get(path) == methods, path
    # Nothing a route module declares is left out, and nothing else is listed.
    declared: dict[str, set[str]] = {}
    dialects = (multigp_native, nadeo_native, runsignup_native, mooshak_native)
    live = (feed, webhooks, scoreboard)
    modules = (awards, competitions, leaderboards, organizations, results, tokens)
    for module in (*modules, *live, *dialects):
        for route in module.router.routes:
            assert isinstance(route, APIRoute), route
            declared.setdefault(route.path, set()).update(m.lower() for m in route.methods)
    assert paths == declared
    assert set(declared) - set(ROUTES) == {
        p
        for p in declared
        if p.startswith(
            (
                "/competitions/{competition_id}/",
                "/multigp/",
                "/nadeo/",
                "/runsignup/",
                "/mooshak/",
                "/event-feed",
                "/webhooks",
            )
        )
    }
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation.get("tags"), (method, path)
            if "{" in path:
                assert any(p["in"] == "path" for p in operation["parameters"]), (method, path)
