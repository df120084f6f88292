"""Every RunSignup credential form is checked against its live row on each request:
a revoked key, a revoked user's tmp_keys, a revoked Bearer token fail at once (code 6),
whether the CLI or the native API revoked them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from podium.core import credentials
from podium.core.principal import SYSTEM
from podium.dialects.runsignup import wire
from podium.store.database import Database
from podium.store.tables import Credential
from tests.conftest import PATIENT, make_token
from tests.dialects.runsignup.conftest import Race, RunSignup
from tests.processes import ServeProcess


async def _participants(
    url: str,
    race: Race,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """The race's participants (a key of the race is needed): the body, in JSON."""
    async with httpx.AsyncClient(timeout=60) as http:
        response = await http.get(
            f"{url}/Rest/race/{race.race_id}/participants",
            params={"format": "json", "event_id": str(race.event_id), **(params or {})},
            headers=headers,
        )
    assert response.status_code == 200, response.text
    return response.json()


def _ok(body: Any) -> bool:
    return isinstance(body, list) and len(body) == 1 and "participants" in body[0]


def _code(body: Any) -> int | None:
    return body["error"]["error_code"] if isinstance(body, dict) and "error" in body else None


async def _login(url: str, email: str, password: str) -> Any:
    async with httpx.AsyncClient(timeout=60) as http:
        response = await http.post(
            f"{url}/Rest/login",
            params={"format": "json"},
            data={"email": email, "password": password},
        )
    return response.json()


def _cli(env: dict[str, str], *args: str) -> str:
    """``podium runsignup ARGS`` as an organizer runs it (blocking: the server is a
    separate process, so nothing waits on this test's event loop)."""
    done = subprocess.run(
        [sys.executable, "-m", "podium", "runsignup", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


async def test_revoked_by_the_cli_key_and_user_fail_at_once(
    tmp_path: Path, database_url: str, database: Database
) -> None:
    setup = RunSignup(None, database)
    race = await setup.race()
    other = await setup.race(name="Other")
    await setup.user("rd@example.com", "pw-123456", [race.race_id])
    v2 = ({"rsu_api_key": race.api_key}, {"X-RSU-API-SECRET": race.api_secret})
    with ServeProcess(tmp_path, {"PODIUM_DATABASE_URL": database_url}) as served:
        url = served.url
        login = await _login(url, "rd@example.com", "pw-123456")
        tmp = {"tmp_key": login["tmp_key"], "tmp_secret": login["tmp_secret"]}
        assert _ok(await _participants(url, race, race.key))
        assert _ok(await _participants(url, race, *v2))
        assert _ok(await _participants(url, race, tmp))
        _cli(served.env, "key", "revoke", race.api_key)
        assert _code(await _participants(url, race, race.key)) == wire.KEY_AUTH_FAILED
        assert _code(await _participants(url, race, *v2)) == wire.KEY_AUTH_FAILED
        assert _ok(await _participants(url, other, other.key))  # other keys live on
        assert _ok(await _participants(url, race, tmp))
        _cli(served.env, "user", "revoke", "RD@example.com")
        assert _code(await _participants(url, race, tmp)) == wire.KEY_AUTH_FAILED
        assert _code(await _login(url, "rd@example.com", "pw-123456")) == wire.BAD_LOGIN
        listed = _cli(served.env, "key", "list", "--race", str(race.race_id), "--json")
        assert f'"api_key": "{race.api_key}"' in listed
        assert '"revoked": true' in listed


async def test_revoked_through_the_native_api(runsignup: RunSignup, database: Database) -> None:
    race = await runsignup.race()
    await runsignup.user("rd@example.com", "pw-123456", [race.race_id])
    assert runsignup.server is not None
    url = runsignup.server.url
    login = await _login(url, "rd@example.com", "pw-123456")
    tmp = {"tmp_key": login["tmp_key"], "tmp_secret": login["tmp_secret"]}
    writer = await make_token(database, ["write"], runsignup.org_id)
    admin = await make_token(database, ["admin"], runsignup.org_id)
    async with httpx.AsyncClient(base_url=f"{url}/api/v1/runsignup", timeout=PATIENT) as api:
        as_writer = {"Authorization": f"Bearer {writer}"}
        as_admin = {"Authorization": f"Bearer {admin}"}
        refused = await api.delete(f"/keys/{race.api_key}", headers=as_writer)
        assert refused.status_code == 403
        assert _ok(await _participants(url, race, race.key))
        assert (await api.delete(f"/keys/{race.api_key}", headers=as_admin)).status_code == 204
        assert _code(await _participants(url, race, race.key)) == wire.KEY_AUTH_FAILED
        keys = (await api.get(f"/races/{race.race_id}/keys", headers=as_admin)).json()
        assert keys == [{"api_key": race.api_key, "name": "", "revoked": True}]
        assert (await api.delete("/keys/0123abcd", headers=as_admin)).status_code == 404
        assert _ok(await _participants(url, race, tmp))
        gone = await api.delete("/users/rd@example.com", headers=as_admin)
        assert gone.status_code == 204
        assert (await api.delete("/users/nobody@example.com", headers=as_admin)).status_code == 404
    assert _code(await _participants(url, race, tmp)) == wire.KEY_AUTH_FAILED


async def test_tmp_keys_follow_their_user_and_bearer_tokens_their_row(
    runsignup: RunSignup, database: Database
) -> None:
    race = await runsignup.race()
    other = await runsignup.race(name="Other")
    await runsignup.user("rd@example.com", "pw-123456", [race.race_id])
    assert runsignup.server is not None
    url = runsignup.server.url
    login = await _login(url, "rd@example.com", "pw-123456")
    tmp = {"tmp_key": login["tmp_key"], "tmp_secret": login["tmp_secret"]}
    # The user's races as they are now: a race taken away closes at once.
    assert _ok(await _participants(url, race, tmp))
    async with database.write() as session:
        user = await session.scalar(
            select(Credential).where(Credential.identifier == "rd@example.com")
        )
        assert user is not None
        user.attributes = {**user.attributes, "race_ids": [other.race_id]}
    assert _code(await _participants(url, race, tmp)) == wire.PERMISSION_DENIED
    assert _ok(await _participants(url, other, tmp))
    # A new password ends the tmp_keys issued before it.
    async with database.write() as session:
        user = await session.scalar(
            select(Credential).where(Credential.identifier == "rd@example.com")
        )
        assert user is not None
        user.secret_hash = credentials.hash_secret("a new password")
    assert _code(await _participants(url, other, tmp)) == wire.KEY_AUTH_FAILED
    # A native token revoked through the API fails at once as a Bearer.
    async with database.write() as session:
        row, token = await credentials.issue_token(
            session,
            SYSTEM,
            credentials.TokenCreate(scopes=["write"], organization_id=runsignup.org_id),
        )
    bearer = {"Authorization": f"Bearer {token}"}
    assert _ok(await _participants(url, race, headers=bearer))
    admin = await make_token(database, ["admin"])
    async with httpx.AsyncClient(base_url=f"{url}/api/v1", timeout=PATIENT) as api:
        revoked = await api.delete(
            f"/tokens/{row.id}", headers={"Authorization": f"Bearer {admin}"}
        )
        assert revoked.status_code == 204
    assert _code(await _participants(url, race, headers=bearer)) == wire.KEY_AUTH_FAILED
