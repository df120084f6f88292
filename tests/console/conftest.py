"""Console fixtures: an organization with an owner, and browsers that log in over HTTP."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from podium.core import accounts, organizations
from podium.core.principal import SYSTEM
from podium.store.database import Database

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, f"no form token on {page.request.url}: {page.text[:300]}"
    return found[1]


@dataclass
class Org:
    id: int
    slug: str


class Browser:
    """A cookie-keeping client that fills the console's forms as a person would."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.http = client

    async def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        form = await self.http.get("/console/login")
        return await self.http.post(
            "/console/login",
            data={"csrf": csrf_of(form), "email": email, "password": password, "next": ""},
        )

    async def submit(self, page_path: str, action: str, **fields: Any) -> httpx.Response:
        """Open ``page_path`` and post ``fields`` to ``action`` with that page's token."""
        shown = await self.http.get(page_path)
        assert shown.status_code == 200, (page_path, shown.status_code, shown.text[:300])
        return await self.http.post(action, data={"csrf": csrf_of(shown), **fields})


async def add_user(
    database: Database, org_id: int, email: str, role: str, password: str = PASSWORD
) -> int:
    async with database.write() as session:
        user = await accounts.create_user(
            session, SYSTEM, accounts.UserCreate(email=email, password=password)
        )
        await accounts.add_member(session, SYSTEM, user, org_id, role)
    return user.id


@pytest.fixture
async def org(database: Database) -> Org:
    async with database.write() as session:
        made = await organizations.create_organization(
            session, SYSTEM, organizations.OrganizationCreate(slug="harbor", name="Harbor Runners")
        )
    await add_user(database, made.id, "owner@example.org", "owner")
    return Org(made.id, made.slug)


@pytest.fixture
async def browsers(app: Any) -> AsyncIterator[Any]:
    """A factory of independent browsers on the in-process app."""
    opened: list[httpx.AsyncClient] = []

    def new() -> Browser:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://podium.test"
        )
        opened.append(client)
        return Browser(client)

    yield new
    for client in opened:
        await client.aclose()
