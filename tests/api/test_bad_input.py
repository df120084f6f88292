"""Bad input on every route family: the right problem+json, and nothing stored."""

from __future__ import annotations

import httpx
import pytest

from podium.store.database import Database
from tests.conftest import make_token

PROBLEM = "application/problem+json"

# Item routes of every concept: GET, PATCH and DELETE on an unknown id must all be 404.
ITEMS = [
    "organizations",
    "people",
    "teams",
    "competitions",
    "challenges",
    "entries",
    "rounds",
    "heats",
    "slots",
    "results",
    "result-sets",
    "awards",
]


async def seed(api: httpx.AsyncClient) -> dict[str, int]:
    org = (await api.post("/organizations", json={"slug": "bad", "name": "Bad"})).json()["id"]
    comp = (await api.post("/competitions", json={"organization_id": org, "name": "R"})).json()[
        "id"
    ]
    person = (await api.post("/people", json={"name": "P"})).json()["id"]
    entry = (await api.post(f"/competitions/{comp}/entries", json={"person_id": person})).json()[
        "id"
    ]
    return {"org": org, "comp": comp, "person": person, "entry": entry}


async def count_results(api: httpx.AsyncClient, comp: int) -> int:
    page = (await api.get(f"/competitions/{comp}/results", params={"limit": 500})).json()
    return len(page["data"])


async def count_events(api: httpx.AsyncClient) -> int:
    return len((await api.get("/events", params={"limit": 1000})).json())


@pytest.mark.parametrize("path", ITEMS)
async def test_unknown_ids_are_404_on_every_item_route(api: httpx.AsyncClient, path: str) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        response = await api.request(
            method, f"/{path}/987654321", json={} if method == "PATCH" else None
        )
        assert response.status_code == 404, (method, path, response.text)
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["status"] == 404 and "987654321" in response.json()["detail"]


@pytest.mark.parametrize("bad_id", ["abc", "0", "-3", str(2**70)])
async def test_malformed_ids_are_422(api: httpx.AsyncClient, bad_id: str) -> None:
    response = await api.get(f"/people/{bad_id}")
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM


@pytest.mark.parametrize(
    "path",
    ["/organizations", "/people", "/teams", "/competitions", "/challenges", "/awards", "/tokens"],
)
async def test_malformed_json_is_400(api: httpx.AsyncClient, path: str) -> None:
    response = await api.post(
        path, content=b'{"name": "unterminated', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["title"] == "Malformed JSON"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/organizations", {"slug": "Not A Slug!", "name": "x"}, "slug"),
        ("/organizations", {"slug": "ok", "name": 12}, "name"),
        ("/people", {"name": "x", "email": "no-at-sign"}, "email"),
        ("/people", {"name": "x", "nickname": "unknown field"}, "nickname"),
        ("/competitions", {"organization_id": "one", "name": "x"}, "organization_id"),
        ("/competitions", {"organization_id": 1, "name": "x", "scoring": "fastest"}, "scoring"),
        ("/tokens", {"scopes": ["root"]}, "scopes"),
        ("/tokens", {"scopes": []}, "scopes"),
    ],
)
async def test_wrong_types_and_unknown_fields_are_422(
    api: httpx.AsyncClient, path: str, body: dict[str, object], field: str
) -> None:
    response = await api.post(path, json=body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert response.headers["content-type"] == PROBLEM
    assert any(field in [str(p) for p in error["loc"]] for error in problem["errors"]), problem


async def test_nested_creates_on_unknown_parents_are_404(api: httpx.AsyncClient) -> None:
    for path, body in [
        ("/competitions/999999/entries", {}),
        ("/competitions/999999/rounds", {}),
        ("/rounds/999999/heats", {}),
        ("/heats/999999/slots", {}),
        ("/competitions/999999/result-sets", {"name": "x"}),
        ("/competitions/999999/results", {"person_id": 1}),
        ("/competitions/999999/results/bulk", {"results": [{"person_id": 1}]}),
    ]:
        response = await api.post(path, json=body)
        assert response.status_code == 404, (path, response.text)


async def test_references_to_missing_objects_are_422(api: httpx.AsyncClient) -> None:
    ids = await seed(api)
    entry = await api.post(f"/competitions/{ids['comp']}/entries", json={"person_id": 424242})
    assert entry.status_code == 422 and "person_id 424242" in entry.json()["detail"]
    result = await api.post(f"/competitions/{ids['comp']}/results", json={"entry_id": 424242})
    assert result.status_code == 422 and result.json()["errors"][0]["field"] == "entry_id"


async def test_failed_bulk_upload_stores_nothing(api: httpx.AsyncClient) -> None:
    ids = await seed(api)
    rows = [{"entry_id": ids["entry"], "elapsed_ms": 1000 + i} for i in range(100)]
    rows[37] = {"entry_id": 999_999, "elapsed_ms": 5}
    events_before = await count_events(api)
    response = await api.post(f"/competitions/{ids['comp']}/results/bulk", json={"results": rows})
    assert response.status_code == 422
    assert [e["row"] for e in response.json()["errors"]] == [37]
    typed = [dict(r) for r in rows]
    typed[37] = {"entry_id": ids["entry"], "elapsed_ms": "fast"}
    response = await api.post(f"/competitions/{ids['comp']}/results/bulk", json={"results": typed})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][:2] == ["results", 37]
    assert await count_results(api, ids["comp"]) == 0
    assert await count_events(api) == events_before


async def test_oversize_payload_is_413_and_nothing_stored(api: httpx.AsyncClient) -> None:
    ids = await seed(api)
    row = {"entry_id": ids["entry"], "elapsed_ms": 1000, "attributes": {"pad": "x" * 200}}
    body = {"results": [row] * 12_000}  # about 3 MB, over the test limit of 2 MiB
    response = await api.post(f"/competitions/{ids['comp']}/results/bulk", json=body)
    assert response.status_code == 413 and response.headers["content-type"] == PROBLEM
    assert await count_results(api, ids["comp"]) == 0


async def test_too_many_bulk_rows_is_422(api: httpx.AsyncClient) -> None:
    ids = await seed(api)
    body = {"results": [{"entry_id": ids["entry"]}] * 20_001}
    response = await api.post(f"/competitions/{ids['comp']}/results/bulk", json=body)
    assert response.status_code == 422 and "at most 20000 rows" in response.json()["detail"]


async def test_authentication_and_scopes(
    api: httpx.AsyncClient, client: httpx.AsyncClient, database: Database
) -> None:
    ids = await seed(api)
    missing = await client.get("/api/v1/people")
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    for header in ["Bearer", "Bearer nope", "Basic dXNlcjpwYXNz", "Bearer pdm_0123456789abcdef_x"]:
        assert (
            await client.get("/api/v1/people", headers={"Authorization": header})
        ).status_code == 401
    read = {"Authorization": f"Bearer {await make_token(database, ['read'])}"}
    assert (await client.get("/api/v1/people", headers=read)).status_code == 200
    denied = await client.post("/api/v1/people", json={"name": "x"}, headers=read)
    assert denied.status_code == 403 and denied.json()["title"] == "Forbidden"
    other_org = (await api.post("/organizations", json={"slug": "other", "name": "O"})).json()["id"]
    scoped = {"Authorization": f"Bearer {await make_token(database, ['write'], other_org)}"}
    hidden = await client.get(f"/api/v1/competitions/{ids['comp']}", headers=scoped)
    assert hidden.status_code == 404
    listed = (await client.get("/api/v1/competitions", headers=scoped)).json()["data"]
    assert listed == []
    write_elsewhere = await client.post(
        "/api/v1/competitions", json={"organization_id": ids["org"], "name": "x"}, headers=scoped
    )
    assert write_elsewhere.status_code == 403
    writer = {"Authorization": f"Bearer {await make_token(database, ['write'])}"}
    assert (await client.post("/api/v1/tokens", json={}, headers=writer)).status_code == 403
    assert (
        await client.post("/api/v1/organizations", json={"slug": "w", "name": "W"}, headers=writer)
    ).status_code == 403


async def test_method_not_allowed_and_openapi(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    assert (await api.put("/people")).status_code == 405
    spec = (await client.get("/api/v1/openapi.json")).json()
    paths = set(spec["paths"])
    for expected in [
        "/organizations",
        "/organizations/{object_id}",
        "/people",
        "/teams/{team_id}/members",
        "/competitions/{parent_id}/results/bulk",
        "/competitions/{competition_id}/leaderboard",
        "/awards/{award_id}/holders/{person_id}",
        "/tokens",
        "/events",
    ]:
        assert expected in paths, expected
