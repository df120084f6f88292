"""One permission model: each role, in the console and through the native API with a
token holding the same permissions, gets the same answer for the same action."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from podium.core import credentials, resources
from podium.core.competitions import COMPETITIONS, CompetitionCreate
from podium.core.principal import SYSTEM
from podium.core.roles import ROLES
from podium.store.database import Database
from tests.console.conftest import Browser, Org, add_user, csrf_of

Attempt = Callable[["Actors", int], Awaitable[bool]]


@dataclass
class Actors:
    browser: Browser
    api: httpx.AsyncClient
    org: Org
    competition_id: int


async def _console_new_competition(actors: Actors, n: int) -> bool:
    page = await actors.browser.http.get(f"/console/orgs/{actors.org.slug}/competitions/new")
    if page.status_code == 403:
        return False
    done = await actors.browser.submit(
        f"/console/orgs/{actors.org.slug}/competitions/new",
        f"/console/orgs/{actors.org.slug}/competitions/new",
        name=f"Console race {n}",
        scoring="lowest_time",
        tie_rule="shared",
        status="scheduled",
        timezone="UTC",
    )
    assert done.status_code in (303, 403), done.text[:300]
    return done.status_code == 303


async def _api_new_competition(actors: Actors, n: int) -> bool:
    made = await actors.api.post(
        "/competitions", json={"organization_id": actors.org.id, "name": f"API race {n}"}
    )
    assert made.status_code in (201, 403), made.text
    return made.status_code == 201


async def _console_edit_competition(actors: Actors, n: int) -> bool:
    path = f"/console/competitions/{actors.competition_id}"
    shown = await actors.browser.http.get(path)
    assert shown.status_code == 200  # every role reads it
    if 'action="' + path + '"' not in shown.text:
        forged = await actors.browser.http.post(
            path, data={"csrf": csrf_of(shown), "name": f"Renamed {n}", "timezone": "UTC"}
        )
        assert forged.status_code == 403
        return False
    done = await actors.browser.submit(
        path, path, name=f"Renamed {n}", timezone="UTC", scoring="lowest_time", public="on"
    )
    assert done.status_code == 303, done.text[:300]
    return True


async def _api_edit_competition(actors: Actors, n: int) -> bool:
    changed = await actors.api.patch(
        f"/competitions/{actors.competition_id}", json={"name": f"API renamed {n}"}
    )
    assert changed.status_code in (200, 403), changed.text
    return changed.status_code == 200


async def _console_make_token(actors: Actors, n: int) -> bool:
    path = f"/console/orgs/{actors.org.slug}/credentials"
    shown = await actors.browser.http.get(path)
    if shown.status_code == 403:
        forged = await actors.browser.http.post(
            f"{path}/new", data={"csrf": await _session_token(actors), "kind": "api_token"}
        )
        assert forged.status_code == 403
        return False
    done = await actors.browser.submit(path, f"{path}/new", kind="api_token", choice="read")
    assert done.status_code == 200 and "pdm_" in done.text
    return True


async def _api_make_token(actors: Actors, n: int) -> bool:
    made = await actors.api.post(
        "/tokens", json={"organization_id": actors.org.id, "scopes": ["read"]}
    )
    assert made.status_code in (201, 403, 422), made.text
    return made.status_code == 201


async def _console_add_participant(actors: Actors, n: int) -> bool:
    path = f"/console/competitions/{actors.competition_id}/participants"
    fields = {"first_name": "Walk", "last_name": f"Up {n}", "gender": "F"}
    shown = await actors.browser.http.get(path)
    assert shown.status_code == 200  # every role reads the list
    done = await actors.browser.http.post(f"{path}/add", data={"csrf": csrf_of(shown), **fields})
    assert done.status_code in (303, 403), done.text[:300]
    return done.status_code == 303


async def _api_add_participant(actors: Actors, n: int) -> bool:
    made = await actors.api.post(
        f"/competitions/{actors.competition_id}/entries", json={"bib": f"api-{n}"}
    )
    assert made.status_code in (201, 403), made.text
    return made.status_code == 201


async def _session_token(actors: Actors) -> str:
    """A valid form token of the visitor's session: a refusal is then about the role."""
    return csrf_of(await actors.browser.http.get("/console/"))


ACTIONS: dict[str, tuple[str, Attempt, Attempt]] = {
    "create a competition": ("setup", _console_new_competition, _api_new_competition),
    "change a competition": ("setup", _console_edit_competition, _api_edit_competition),
    "make a credential": ("admin", _console_make_token, _api_make_token),
    "add a participant": ("setup", _console_add_participant, _api_add_participant),
}


@pytest.mark.parametrize("role", list(ROLES))
async def test_each_role_gets_the_same_answer_in_the_console_and_the_api(
    role: str, browsers: Any, org: Org, database: Database, app: Any
) -> None:
    async with database.write() as session:
        competition = await resources.create(
            session, SYSTEM, COMPETITIONS, CompetitionCreate(organization_id=org.id, name="Race")
        )
        _row, token = await credentials.issue_token(
            session,
            SYSTEM,
            credentials.TokenCreate(organization_id=org.id, scopes=sorted(ROLES[role].permissions)),
        )
    email = f"{role}.role@example.org"
    await add_user(database, org.id, email, role)
    browser = browsers()
    assert (await browser.login(email)).status_code == 303
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://podium.test/api/v1",
        headers={"Authorization": f"Bearer {token}"},
    ) as api:
        actors = Actors(browser, api, org, competition.id)
        for n, (action, (permission, console, native)) in enumerate(ACTIONS.items()):
            expected = permission in ROLES[role].permissions
            assert await console(actors, n) is expected, (role, action, "console")
            assert await native(actors, n) is expected, (role, action, "api")
