"""A revoked Mooshak user loses every token at once (access and refresh alike, since
each names the credential read on every call), whether the CLI or the native API
revoked it; and the public contest list follows ``core.public_competition``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from podium.dialects.mooshak2 import storage
from podium.store.database import Database
from tests.conftest import PATIENT, make_token
from tests.dialects.mooshak2.conftest import CONTEST, Mooshak, seed
from tests.processes import ServeProcess


async def _login(api: str, username: str, password: str, contest: str | None) -> httpx.Response:
    body: dict[str, Any] = {"username": username, "password": password}
    if contest is not None:
        body["contest"] = contest
    async with httpx.AsyncClient(timeout=60) as http:
        return await http.post(f"{api}auth/login", json=body)


async def _token(api: str, username: str, password: str, contest: str | None = CONTEST) -> str:
    response = await _login(api, username, password, contest)
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


async def _call(api: str, method: str, path: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(timeout=60) as http:
        return await http.request(method, f"{api}{path}", headers=headers)


def _refused(response: httpx.Response) -> bool:
    """Mooshak's 403 in its ``{status, title, message, path}`` shape."""
    body = response.json()
    return (
        response.status_code == 403
        and body["status"] == 403
        and body["path"].startswith("/mooshak/api/")
        and set(body) >= {"title", "message"}
    )


async def test_revoked_by_the_cli_access_and_refresh_end_at_once(
    tmp_path: Path, database_url: str, database: Database
) -> None:
    await seed(database)
    with ServeProcess(tmp_path, {"PODIUM_DATABASE_URL": database_url}) as served:
        api = f"{served.url}/mooshak/api/"
        token = await _token(api, "team1", "pw1")
        assert (await _call(api, "GET", "data", token)).status_code == 200
        refreshed = await _call(api, "POST", "auth/refresh", token)
        assert refreshed.status_code == 200
        fresh = refreshed.json()["token"]
        assert (await _call(api, "GET", f"data/contests/{CONTEST}", fresh)).status_code == 200
        subprocess.run(  # noqa: ASYNC221 (the CLI is the point of the test)
            [
                sys.executable,
                "-m",
                "podium",
                "mooshak",
                "user",
                "revoke",
                "team1",
                "--contest",
                CONTEST,
            ],
            env=served.env,
            check=True,
            capture_output=True,
        )
        for bearer in (token, fresh):
            assert _refused(await _call(api, "GET", "data", bearer))
            assert _refused(await _call(api, "GET", f"data/contests/{CONTEST}/problems", bearer))
            assert _refused(await _call(api, "POST", "auth/refresh", bearer))
        assert _refused(await _login(api, "team1", "pw1", CONTEST))
        # The instance admin is untouched.
        admin = await _token(api, "admin", "adminpw", None)
        assert (await _call(api, "GET", "data", admin)).status_code == 200


async def test_revoked_through_the_native_api(mooshak: Mooshak, database: Database) -> None:
    api = mooshak.endpoint
    team = await _token(api, "team1", "pw1")
    admin_login = await _token(api, "admin", "adminpw", None)
    org_admin = await make_token(database, ["admin"], await _contest_org(database))
    instance_admin = await make_token(database, ["admin"])
    async with httpx.AsyncClient(
        base_url=f"{mooshak.server.url}/api/v1/mooshak", timeout=PATIENT
    ) as native:
        as_org = {"Authorization": f"Bearer {org_admin}"}
        as_instance = {"Authorization": f"Bearer {instance_admin}"}
        # A contest user is the contest organization's to revoke; an instance user is not.
        refused = await native.delete("/users/admin", headers=as_org)
        assert refused.status_code == 403
        assert (await _call(api, "GET", "data", admin_login)).status_code == 200
        gone = await native.delete("/users/team1", params={"contest": CONTEST}, headers=as_org)
        assert gone.status_code == 204
        missing = await native.delete("/users/nobody", params={"contest": CONTEST}, headers=as_org)
        assert missing.status_code == 404
        assert _refused(await _call(api, "GET", "data", team))
        assert _refused(await _call(api, "POST", "auth/refresh", team))
        assert (await native.delete("/users/admin", headers=as_instance)).status_code == 204
    assert _refused(await _call(api, "GET", "data", admin_login))


async def _contest_org(database: Database) -> int:
    async with database.read() as session:
        contest = await storage.find_contest(session, CONTEST)
        assert contest is not None
        return contest.organization_id


async def test_the_contest_list_shows_hidden_contests_to_their_own_only(
    mooshak: Mooshak, database: Database
) -> None:
    api = mooshak.endpoint
    await mooshak.contest("hidden_cup")
    await mooshak.contest("open_cup")
    await mooshak.team("insider", "pw-in", "hidden_cup")
    admin = await make_token(database, ["admin"])
    async with database.read() as session:
        hidden = await storage.find_contest(session, "hidden_cup")
        assert hidden is not None
    async with httpx.AsyncClient(
        base_url=f"{mooshak.server.url}/api/v1",
        headers={"Authorization": f"Bearer {admin}"},
        timeout=PATIENT,
    ) as native:
        made = await native.patch(f"/competitions/{hidden.id}", json={"public": False})
        assert made.status_code == 200, made.text

    async def ids(token: str | None) -> list[str]:
        response = await _call(api, "GET", "data/contests", token)
        assert response.status_code == 200, response.text
        return sorted(c["id"] for c in response.json())

    assert await ids(None) == sorted([CONTEST, "open_cup"])
    assert await ids("not-a-token") == sorted([CONTEST, "open_cup"])
    assert await ids(await _token(api, "team1", "pw1")) == sorted([CONTEST, "open_cup"])
    insider = await _token(api, "insider", "pw-in", "hidden_cup")
    assert await ids(insider) == sorted([CONTEST, "hidden_cup", "open_cup"])
    assert await ids(await _token(api, "admin", "adminpw", None)) == sorted(
        [CONTEST, "hidden_cup", "open_cup"]
    )
