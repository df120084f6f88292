"""Fixtures for the Nadeo dialect: a live server with content, accounts and tokens.

``NADEO_ACCESS_SECONDS`` and friends can be shortened per test with the
``nadeo_lifetimes`` marker's values passed through the ``settings`` fixture, e.g.
``@pytest.mark.nadeo_lifetimes(access=3, refresh_after=1, refresh=20)``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from podium.config import Settings
from podium.core import organizations
from podium.core.organizations import OrganizationCreate
from podium.core.principal import SYSTEM
from podium.dialects.nadeo import admin, content, identity
from podium.store.database import Database
from tests.conftest import PATIENT, LiveServer


@pytest.fixture
def settings(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    marker = request.node.get_closest_marker("nadeo_lifetimes")
    life = marker.kwargs if marker else {}
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        redis_url=None,
        log_json=False,
        nadeo_access_seconds=life.get("access", 3600),
        nadeo_refresh_after_seconds=life.get("refresh_after", 1800),
        nadeo_refresh_seconds=life.get("refresh", 86400),
    )


@dataclass
class Account:
    login: str
    password: str
    account_id: str


@dataclass
class Nadeo:
    server: LiveServer
    database: Database
    settings: Settings

    @property
    def core(self) -> str:
        return f"{self.server.url}/nadeo/core"

    @property
    def live(self) -> str:
        return f"{self.server.url}/nadeo/live"

    async def _official(self) -> int:
        async with self.database.write() as session:
            return await content.official(session, self.settings.nadeo_organization)

    async def account(
        self,
        name: str = "Player",
        *,
        server: bool = False,
        owner: str | None = None,
        club: int | None = None,
    ) -> Account:
        org = club if club is not None else await self._official()
        async with self.database.write() as session:
            made = await identity.create_account(
                session, SYSTEM, org, name=name, server=server, owner=owner
            )
        return Account(made.login, made.password, made.account_id)

    async def map(self, name: str, author: Account, author_time: int = 45_000, **extra: Any) -> str:
        org = extra.pop("club", None) or await self._official()
        async with self.database.write() as session:
            made = await admin.add_map(
                session, SYSTEM, org, name, author.account_id, author_time, **extra
            )
        return str(made["map_uid"])

    async def campaign(
        self,
        name: str,
        use_case: str,
        maps: list[str],
        *,
        starts: datetime | None = None,
        ends: datetime | None = None,
        club: int | None = None,
        public: bool = True,
    ) -> dict[str, Any]:
        org = club if club is not None else await self._official()
        start = starts or datetime.now(UTC) - timedelta(days=1)
        async with self.database.write() as session:
            return await admin.add_campaign(
                session, SYSTEM, org, name, use_case, maps, start, ends, public=public
            )

    async def totd(self, day: datetime, map_uid: str, royal: bool = False) -> dict[str, Any]:
        org = await self._official()
        async with self.database.write() as session:
            return await admin.add_totd(session, SYSTEM, org, day, map_uid, royal=royal)

    async def record(
        self, account: Account, map_uid: str, score: int, when: datetime | None = None
    ) -> dict[str, Any]:
        async with self.database.write() as session:
            return await admin.submit_record(
                session, SYSTEM, account.account_id, map_uid, score, when
            )

    async def club(self, name: str = "Club") -> int:
        async with self.database.write() as session:
            org = await organizations.create_organization(
                session, SYSTEM, OrganizationCreate(slug=name.lower().replace(" ", "-"), name=name)
            )
        return org.id

    async def tokens(
        self, account: Account, audience: str | None = "NadeoLiveServices"
    ) -> dict[str, str]:
        basic = base64.b64encode(f"{account.login}:{account.password}".encode()).decode()
        async with httpx.AsyncClient(timeout=PATIENT) as http:
            response = await http.post(
                f"{self.core}/v2/authentication/token/basic",
                headers={"Authorization": f"Basic {basic}", "User-Agent": "podium-tests"},
                json={"audience": audience} if audience else None,
            )
        assert response.status_code == 200, response.text
        tokens: dict[str, str] = response.json()
        return tokens

    async def get(self, token: str, path: str, **params: Any) -> httpx.Response:
        async with httpx.AsyncClient(timeout=PATIENT) as http:
            return await http.get(
                f"{self.live}{path}",
                params=params,
                headers={"Authorization": f"nadeo_v1 t={token}"},
            )


@pytest.fixture
def nadeo(live_server: LiveServer, database: Database, settings: Settings) -> Nadeo:
    return Nadeo(live_server, database, settings)
