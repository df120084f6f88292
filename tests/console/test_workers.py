"""Console sessions live in the store: a logout or a lost role on one worker applies on
every worker at once. Real ``podium serve --workers 2`` processes on PostgreSQL."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest

from podium.core import accounts, organizations
from podium.core.principal import SYSTEM
from podium.store.database import Database
from tests.conftest import PATIENT
from tests.console.conftest import PASSWORD, add_user
from tests.processes import ServeProcess

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
TRIES = 20


async def _statuses(url: str, cookie: str, path: str) -> set[int]:
    """``TRIES`` requests at once, each on a fresh connection (so on either worker)."""
    async with httpx.AsyncClient(
        base_url=url,
        limits=httpx.Limits(max_keepalive_connections=0),
        timeout=60,
        headers={"Cookie": f"podium_console={cookie}"},
    ) as http:
        answers = await asyncio.gather(*(http.get(path) for _ in range(TRIES)))
    return {answer.status_code for answer in answers}


@pytest.mark.postgres
async def test_logout_and_role_changes_reach_every_worker(
    tmp_path: Path, postgres_store: Database, postgres_url: str
) -> None:
    async with postgres_store.write() as session:
        org = await organizations.create_organization(
            session, SYSTEM, organizations.OrganizationCreate(slug="harbor", name="Harbor")
        )
    await add_user(postgres_store, org.id, "owner@example.org", "owner")
    await add_user(postgres_store, org.id, "dana@example.org", "director")
    env = {"PODIUM_DATABASE_URL": postgres_url}
    with ServeProcess(tmp_path, env, workers=2) as served:
        async with httpx.AsyncClient(base_url=served.url, timeout=PATIENT) as http:
            form = await http.get("/console/login")
            token = CSRF.search(form.text)
            assert token
            done = await http.post(
                "/console/login",
                data={"csrf": token[1], "email": "dana@example.org", "password": PASSWORD},
            )
            assert done.status_code == 303
            cookie = http.cookies.get("podium_console", path="/console")
            assert cookie
            new_page = "/console/orgs/harbor/competitions/new"
            assert await _statuses(served.url, cookie, new_page) == {200}

            # The owner makes Dana a viewer: refused on both workers at once.
            async with postgres_store.write() as session:
                dana = await accounts.find_user(session, "dana@example.org")
                assert dana is not None
                member = await accounts.membership(session, dana.id, org.id)
                assert member is not None
                await accounts.set_role(session, SYSTEM, org.id, member.id, "viewer")
            assert await _statuses(served.url, cookie, new_page) == {403}

            # Dana logs out through one worker; the cookie opens nothing anywhere.
            home = await http.get("/console/")
            token = CSRF.search(home.text)
            assert token
            out = await http.post("/console/logout", data={"csrf": token[1]})
            assert out.status_code == 303
        assert await _statuses(served.url, cookie, "/console/") == {303}
        lines = [line for line in served.log_lines() if line.get("logger") == "podium.login"]
        assert {line["msg"] for line in lines} >= {"login", "logout"}
        assert all(PASSWORD not in str(line) for line in served.log_lines())
