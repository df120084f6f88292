"""Talking to the Polympics routes in process, as apps and as users."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from podium.dialects.polympics import auth, wire
from podium.store.database import Database

BASE = "http://podium.test/polympics"


@asynccontextmanager
async def polympics_client(
    app: Any, username: str | None = None, password: str | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    auth_pair = (username, password) if username is not None and password is not None else None
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE, auth=auth_pair
    ) as client:
        yield client


async def new_app(database: Database, permissions: int = wire.APP_PERMISSIONS) -> tuple[str, str]:
    async with database.write() as session:
        row, token = await auth.create_app(session, "test-app", permissions)
    return row.identifier, token


class Polympics:
    """An all-permission app plus helpers to make accounts, teams and user sessions."""

    def __init__(self, app: Any, admin: httpx.AsyncClient) -> None:
        self.app = app
        self.admin = admin

    async def team(self, name: str) -> dict[str, Any]:
        response = await self.admin.post("/teams/new", json={"name": name})
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def account(
        self, discord_id: int, name: str, team: int | None = None, permissions: int = 0
    ) -> dict[str, Any]:
        response = await self.admin.post(
            "/accounts/new",
            json={
                "id": discord_id,
                "name": name,
                "discriminator": "0001",
                "team": team,
                "permissions": permissions,
            },
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def session_for(self, discord_id: int) -> tuple[str, str]:
        response = await self.admin.post("/auth/create_session", json={"account": discord_id})
        assert response.status_code == 201, response.text
        body = response.json()
        return body["username"], body["password"]

    @asynccontextmanager
    async def as_user(
        self, discord_id: int, name: str, team: int | None = None, permissions: int = 0
    ) -> AsyncIterator[httpx.AsyncClient]:
        await self.account(discord_id, name, team, permissions)
        username, password = await self.session_for(discord_id)
        async with polympics_client(self.app, username, password) as client:
            yield client
