"""Shared setup for the native API route tests: object factories, paging and assertions.

Every factory posts through the API (so it exercises the create route too) and fails
the test at once, with the server's answer, if the object is not created.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import httpx

from podium.store.database import Database
from tests.conftest import make_token

V1 = "/api/v1"
PROBLEM = "application/problem+json"
PROBLEM_TYPE = "https://podium.invalid/problems/"


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The JSON body of a response that must have ``status``; None for an empty body."""
    request = response.request
    assert response.status_code == status, (
        f"{request.method} {request.url.path}: expected {status}, "
        f"got {response.status_code} {response.text}"
    )
    return response.json() if response.content else None


def problem(response: httpx.Response, status: int, title: str | None = None) -> dict[str, Any]:
    """An RFC 9457 problem document with ``status`` (and ``title``), checked for shape."""
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url.path}: expected {status}, "
        f"got {response.status_code} {response.text}"
    )
    assert response.headers["content-type"] == PROBLEM
    doc: dict[str, Any] = response.json()
    assert doc["status"] == status
    assert doc["type"] == PROBLEM_TYPE + doc["title"].lower().replace(" ", "-")
    assert isinstance(doc["detail"], str) and doc["detail"]
    assert doc["instance"] == response.request.url.path
    if title is not None:
        assert doc["title"] == title, doc
    return doc


def when(text: str) -> datetime:
    """A timestamp from a response, for comparing (the text may omit zero microseconds)."""
    return datetime.fromisoformat(text)


def error_locs(doc: dict[str, Any]) -> list[list[Any]]:
    """The ``loc`` of every entry in a validation problem's ``errors``."""
    errors = doc["errors"]
    assert isinstance(errors, list) and errors, doc
    for error in errors:
        assert set(error) >= {"loc", "message", "type"}, error
        assert error["message"], error
    return [error["loc"] for error in errors]


def names_field(doc: dict[str, Any], field: str) -> bool:
    """True when some validation error's loc ends at ``field``."""
    return any(loc and str(loc[-1]) == field for loc in error_locs(doc))


# Factories ---------------------------------------------------------------------------


async def make_org(api: httpx.AsyncClient, slug: str, **fields: Any) -> dict[str, Any]:
    body = {"slug": slug, "name": slug.replace("-", " ").title(), **fields}
    created: dict[str, Any] = ok(await api.post("/organizations", json=body), 201)
    return created


async def make_person(api: httpx.AsyncClient, name: str, **fields: Any) -> dict[str, Any]:
    created: dict[str, Any] = ok(await api.post("/people", json={"name": name, **fields}), 201)
    return created


async def make_team(api: httpx.AsyncClient, name: str, **fields: Any) -> dict[str, Any]:
    created: dict[str, Any] = ok(await api.post("/teams", json={"name": name, **fields}), 201)
    return created


async def make_competition(
    api: httpx.AsyncClient, organization_id: int, name: str = "Race", **fields: Any
) -> dict[str, Any]:
    body = {"organization_id": organization_id, "name": name, **fields}
    created: dict[str, Any] = ok(await api.post("/competitions", json=body), 201)
    return created


async def make_challenge(
    api: httpx.AsyncClient, organization_id: int, name: str, **fields: Any
) -> dict[str, Any]:
    body = {"organization_id": organization_id, "name": name, **fields}
    created: dict[str, Any] = ok(await api.post("/challenges", json=body), 201)
    return created


async def make_entry(api: httpx.AsyncClient, competition_id: int, **fields: Any) -> dict[str, Any]:
    response = await api.post(f"/competitions/{competition_id}/entries", json=fields)
    created: dict[str, Any] = ok(response, 201)
    return created


async def make_result(api: httpx.AsyncClient, competition_id: int, **fields: Any) -> dict[str, Any]:
    response = await api.post(f"/competitions/{competition_id}/results", json=fields)
    created: dict[str, Any] = ok(response, 201)
    return created


async def make_award(api: httpx.AsyncClient, title: str, **fields: Any) -> dict[str, Any]:
    created: dict[str, Any] = ok(await api.post("/awards", json={"title": title, **fields}), 201)
    return created


async def make_race(
    api: httpx.AsyncClient, slug: str = "club", entrants: int = 3, **competition: Any
) -> dict[str, Any]:
    """An organization, one competition in it, and ``entrants`` people each with an entry."""
    org = await make_org(api, slug)
    comp = await make_competition(api, org["id"], f"{slug} race", **competition)
    people, entries = [], []
    for number in range(1, entrants + 1):
        person = await make_person(api, f"{slug} runner {number}", organization_id=org["id"])
        people.append(person)
        entries.append(await make_entry(api, comp["id"], person_id=person["id"], bib=str(number)))
    return {"org": org, "competition": comp, "people": people, "entries": entries}


# Reading -----------------------------------------------------------------------------


async def collect(
    api: httpx.AsyncClient, path: str, *, limit: int = 500, **params: Any
) -> list[dict[str, Any]]:
    """Every object of a paged list, following ``next_cursor`` to the end."""
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(10_000):
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        page = ok(await api.get(path, params=query))
        assert set(page) == {"data", "next_cursor"}, page
        found.extend(page["data"])
        cursor = page["next_cursor"]
        if cursor is None:
            return found
    raise AssertionError(f"{path} never reached its last page")


async def ids_of(api: httpx.AsyncClient, path: str, **params: Any) -> list[int]:
    return [obj["id"] for obj in await collect(api, path, **params)]


async def all_events(api: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    """The whole event log visible to ``api`` (the route returns at most 1000 at a time)."""
    found: list[dict[str, Any]] = []
    after = 0
    while True:
        batch = ok(await api.get("/events", params={**params, "after": after, "limit": 1000}))
        found.extend(batch)
        if len(batch) < 1000:
            return found
        after = batch[-1]["seq"]


async def event_types(api: httpx.AsyncClient, **params: Any) -> list[str]:
    return [event["type"] for event in await all_events(api, **params)]


# Other credentials -------------------------------------------------------------------


@asynccontextmanager
async def acting_as(app: Any, token: str | None) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the same app rooted at /api/v1, sending ``token`` (or no credential)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url=f"http://podium.test{V1}", headers=headers
    ) as c:
        yield c


@asynccontextmanager
async def with_token(
    app: Any, database: Database, scopes: list[str], organization_id: int | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """A client acting with a fresh token of ``scopes`` (confined to ``organization_id``)."""
    async with acting_as(app, await make_token(database, scopes, organization_id)) as c:
        yield c
