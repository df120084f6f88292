"""Fixtures for the MultiGP dialect: a live server, chapters with keys, and races."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from podium.core import organizations
from podium.core.organizations import OrganizationCreate
from podium.core.principal import SYSTEM
from podium.dialects.multigp import auth, races, wire
from podium.store.database import Database
from tests.conftest import PATIENT, LiveServer, make_token


@dataclass
class Chapter:
    chapter_id: int
    api_key: str
    name: str


@dataclass
class MultiGP:
    server: LiveServer
    database: Database

    @property
    def url(self) -> str:
        """The web service base, as a client's base URL."""
        return f"{self.server.url}{wire.BASE_PATH}"

    async def chapter(self, name: str = "Skyline FPV") -> Chapter:
        async with self.database.write() as session:
            org = await organizations.create_organization(
                session,
                SYSTEM,
                OrganizationCreate(slug=name.lower().replace(" ", "-"), name=name),
            )
            key = await auth.create_key(session, org.id, name)
        return Chapter(org.id, key, name)

    async def race(
        self,
        chapter: Chapter,
        *,
        pilots: int = 10,
        first_pilot: int = 1001,
        zippyq: bool = False,
        scoring: str = "0",
        cycles: int = 2,
        slots: int = 4,
        name: str = "Club Race",
        parent_id: int | None = None,
    ) -> int:
        """A race with ``pilots`` pilots (ids from ``first_pilot``); returns its id."""
        specs = [
            races.PilotSpec(str(first_pilot + n), f"First{n}", f"Last{n}", f"pilot{n}")
            for n in range(pilots)
        ]
        spec = races.RaceSpec(name, scoring, zippyq, cycles, slots, "raceband", 3 if zippyq else 0)
        async with self.database.write() as session:
            race = await races.create_race(
                session, SYSTEM, chapter.chapter_id, spec, specs, parent_id=parent_id
            )
        return race.id

    async def admin_token(self) -> str:
        return await make_token(self.database, ["admin"])

    async def native(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One call to the native API (``/api/v1``) as an instance admin."""
        token = await self.admin_token()
        async with httpx.AsyncClient(
            headers={"Authorization": f"Bearer {token}"}, timeout=PATIENT
        ) as http:
            return await http.request(method, f"{self.server.url}/api/v1{path}", **kwargs)

    async def call(
        self, method: str, path: str, chapter: Chapter | str | None, data: Any = None, **extra: Any
    ) -> dict[str, Any]:
        """One raw call; ``chapter`` gives the apiKey (a Chapter or a key string)."""
        body: dict[str, Any] = dict(extra)
        if chapter is not None:
            body["apiKey"] = chapter if isinstance(chapter, str) else chapter.api_key
        if data is not None:
            body["data"] = data
        async with httpx.AsyncClient(timeout=PATIENT) as http:
            response = await http.request(method, f"{self.url}{path}", json=body)
        result: dict[str, Any] = response.json()
        assert "status" in result
        return result


@pytest.fixture
def multigp(live_server: LiveServer, database: Database) -> MultiGP:
    return MultiGP(live_server, database)
