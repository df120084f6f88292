"""The native API over real HTTP: input beyond the limits is a 422, and nothing is stored."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from podium.store.database import Database
from tests.conftest import LiveServer, make_token

HOSTILE_BODIES = [
    b'{"slug": "deep", "name": "D", "attributes": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    b'{"slug": "big", "name": "B", "attributes": {"n": 18446744073709551616}}',
    b'{"slug": "long", "name": "L", "attributes": {"n": ' + b"9" * 5000 + b"}}",
    b'{"slug": "nan", "name": "N", "attributes": {"n": NaN}}',
    b'{"slug": "nul", "name": "N\\u0000UL"}',
    b'{"slug": "nulkey", "name": "K", "attributes": {"a\\u0000": 1}}',
    b'{"slug": "blank", "name": "   "}',
    b'{"slug": "huge", "name": "' + b"x" * 300 + b'"}',
]


@pytest.fixture
async def api(live_server: LiveServer, admin_token: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=f"{live_server.url}/api/v1",
        headers={"Authorization": f"Bearer {admin_token}"},
        timeout=30,
    ) as client:
        yield client


async def newest_seq(api: httpx.AsyncClient) -> int:
    events = (await api.get("/events", params={"after": 0, "limit": 1000})).json()
    return max((e["seq"] for e in events), default=0)


async def test_hostile_bodies_are_422_and_store_nothing(api: httpx.AsyncClient) -> None:
    org = (await api.post("/organizations", json={"slug": "o", "name": "O"})).json()
    comp = (
        await api.post("/competitions", json={"organization_id": org["id"], "name": "C"})
    ).json()
    person = (await api.post("/people", json={"name": "P"})).json()
    before = await newest_seq(api)
    for raw in HOSTILE_BODIES:
        answer = await api.post(
            "/organizations", content=raw, headers={"content-type": "application/json"}
        )
        assert answer.status_code == 422, (raw[:80], answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
    for result in (
        {"person_id": person["id"], "attributes": {"n": 2**64}},
        {"person_id": person["id"], "elapsed_ms": 2**70},
        {"person_id": 2**64},
        {"person_id": person["id"], "splits": [{"name": "km\x001", "elapsed_ms": 1}]},
    ):
        one = await api.post(f"/competitions/{comp['id']}/results", json=result)
        assert one.status_code == 422, (result, one.text)
        bulk = await api.post(
            f"/competitions/{comp['id']}/results/bulk", json={"results": [result]}
        )
        assert bulk.status_code == 422, (result, bulk.text)
    assert await newest_seq(api) == before


@pytest.mark.parametrize(
    "path",
    [
        "/organizations?q=a%00b",
        "/people?external_id=discord:1%002",
        "/competitions?kind=race%00",
        "/event-feed?types=result%00",
        "/event-feed?since_token=1%00",
        "/people/18446744073709551616",
        "/people?organization_id=18446744073709551616",
        "/events?after=99999999999999999999999",
        "/organizations?limit=99999999999999999999999",
    ],
)
async def test_hostile_parameters_are_422_before_anything_is_sent(
    api: httpx.AsyncClient, path: str
) -> None:
    async with api.stream("GET", path) as answer:
        body = await answer.aread()
    assert answer.status_code == 422, (path, body[:200])
    assert answer.headers["content-type"] == "application/problem+json"


async def test_other_organizations_ids_read_as_unknown(
    api: httpx.AsyncClient, database: Database
) -> None:
    mine = (await api.post("/organizations", json={"slug": "mine", "name": "Mine"})).json()
    theirs = (await api.post("/organizations", json={"slug": "theirs", "name": "T"})).json()
    comp = (
        await api.post("/competitions", json={"organization_id": mine["id"], "name": "C"})
    ).json()
    hidden = (
        await api.post("/people", json={"name": "Hidden", "organization_id": theirs["id"]})
    ).json()
    token = await make_token(database, ["write"], organization_id=mine["id"])
    unknown = hidden["id"] + 1000

    async def told(person_id: int) -> list[str]:
        headers = {"Authorization": f"Bearer {token}"}
        said = []
        for path, body in [
            (f"/competitions/{comp['id']}/entries", {"person_id": person_id}),
            (f"/competitions/{comp['id']}/results", {"person_id": person_id}),
            (f"/competitions/{comp['id']}/results/bulk", {"results": [{"person_id": person_id}]}),
        ]:
            answer = await api.post(path, json=body, headers=headers)
            assert answer.status_code == 422, (path, answer.text)
            said.append(answer.text.replace(f" {person_id} ", " ID "))
        return said

    assert await told(hidden["id"]) == await told(unknown)
