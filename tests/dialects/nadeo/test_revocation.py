"""A revoked Nadeo account, or one given a new password, loses its tokens at once:
access and refresh, on every worker, whether the CLI or the native API did it."""

from __future__ import annotations

import asyncio
import base64
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from podium.core.principal import SYSTEM
from podium.dialects.nadeo import content, identity, jwt
from podium.store.database import Database
from tests.conftest import PATIENT, make_token
from tests.dialects.nadeo.conftest import Account, Nadeo
from tests.processes import ServeProcess

READS = 60
LIVE_PATH = "/nadeo/live/api/token/campaign/month"
CORE_PATH = "/nadeo/core/zones/"


async def _account(database: Database, name: str = "Ada") -> Account:
    async with database.write() as session:
        org = await content.official(session, "nadeo")
        made = await identity.create_account(session, SYSTEM, org, name=name)
    return Account(made.login, made.password, made.account_id)


async def _login(url: str, account: Account, password: str | None = None) -> httpx.Response:
    basic = base64.b64encode(f"{account.login}:{password or account.password}".encode()).decode()
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        return await http.post(
            "/nadeo/core/v2/authentication/token/basic",
            headers={"Authorization": f"Basic {basic}"},
            json={"audience": "NadeoLiveServices"},
        )


async def _pair(url: str, account: Account) -> dict[str, str]:
    response = await _login(url, account)
    assert response.status_code == 200, response.text
    pair: dict[str, str] = response.json()
    return pair


async def _refresh(url: str, refresh_token: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        return await http.post(
            "/nadeo/core/v2/authentication/token/refresh",
            headers={"Authorization": f"nadeo_v1 t={refresh_token}"},
        )


async def _reads(url: str, token: str, count: int = READS) -> list[httpx.Response]:
    """``count`` Live reads at once, each on a fresh connection (so on any worker)."""
    async with httpx.AsyncClient(
        base_url=url,
        headers={"Authorization": f"nadeo_v1 t={token}"},
        limits=httpx.Limits(max_keepalive_connections=0),
        timeout=60,
    ) as http:
        return list(await asyncio.gather(*(http.get(LIVE_PATH) for _ in range(count))))


def _refused(response: httpx.Response) -> bool:
    """Nadeo's 401: ``{error, message, traceId}``."""
    return response.status_code == 401 and set(response.json()) == {
        "error",
        "message",
        "traceId",
    }


async def test_revoked_by_the_cli_access_refresh_and_login_end_at_once(
    tmp_path: Path, database_url: str, database: Database
) -> None:
    account = await _account(database)
    other = await _account(database, "Bea")
    with ServeProcess(tmp_path, {"PODIUM_DATABASE_URL": database_url}) as served:
        pair = await _pair(served.url, account)
        kept = await _pair(served.url, other)
        assert {r.status_code for r in await _reads(served.url, pair["accessToken"], 5)} == {200}
        assert (await _refresh(served.url, pair["refreshToken"])).status_code == 200
        subprocess.run(  # noqa: ASYNC221 (the CLI is the point of the test)
            [sys.executable, "-m", "podium", "nadeo", "account", "revoke", account.login],
            env=served.env,
            check=True,
            capture_output=True,
        )
        assert all(_refused(r) for r in await _reads(served.url, pair["accessToken"], 5))
        assert _refused(await _refresh(served.url, pair["refreshToken"]))
        assert _refused(await _login(served.url, account))
        # Nobody else is touched.
        assert {r.status_code for r in await _reads(served.url, kept["accessToken"], 3)} == {200}
        listed = subprocess.run(  # noqa: ASYNC221
            [sys.executable, "-m", "podium", "nadeo", "account", "list", "--json"],
            env=served.env,
            check=True,
            capture_output=True,
            text=True,
        )
        assert f'"login": "{account.login}"' in listed.stdout and '"revoked": true' in listed.stdout


async def test_revoked_through_the_native_api(nadeo: Nadeo, database: Database) -> None:
    account = await nadeo.account()
    pair = await nadeo.tokens(account)
    core_pair = await nadeo.tokens(account, None)
    admin = await make_token(database, ["admin"])
    url = nadeo.server.url
    async with httpx.AsyncClient(
        base_url=f"{url}/api/v1", headers={"Authorization": f"Bearer {admin}"}, timeout=PATIENT
    ) as api:
        assert (await api.delete(f"/nadeo/accounts/{account.login}")).status_code == 204
        assert (await api.delete(f"/nadeo/accounts/{account.login}")).status_code == 204
        missing = await api.delete("/nadeo/accounts/nobody-at-all")
        assert missing.status_code == 404
    assert _refused((await _reads(url, pair["accessToken"], 1))[0])
    async with httpx.AsyncClient(
        base_url=url,
        headers={"Authorization": f"nadeo_v1 t={core_pair['accessToken']}"},
        timeout=PATIENT,
    ) as http:
        assert _refused(await http.get(CORE_PATH))
    assert _refused(await _refresh(url, pair["refreshToken"]))


async def test_a_new_password_ends_older_tokens_only(nadeo: Nadeo, database: Database) -> None:
    account = await nadeo.account()
    before = await nadeo.tokens(account)
    reader = await make_token(database, ["read"])
    admin = await make_token(database, ["admin"])
    url = nadeo.server.url
    async with httpx.AsyncClient(base_url=f"{url}/api/v1", timeout=PATIENT) as api:
        path = f"/nadeo/accounts/{account.login}/password"
        refused = await api.post(path, json={}, headers={"Authorization": f"Bearer {reader}"})
        assert refused.status_code == 403
        assert (await _reads(url, before["accessToken"], 1))[0].status_code == 200
        made = await api.post(
            path, json={"password": "a new secret"}, headers={"Authorization": f"Bearer {admin}"}
        )
    assert made.status_code == 200 and made.json()["password"] == "a new secret"
    assert _refused((await _reads(url, before["accessToken"], 1))[0])
    assert _refused(await _refresh(url, before["refreshToken"]))
    assert _refused(await _login(url, account))
    after = (await _login(url, account, "a new secret")).json()
    assert (await _reads(url, after["accessToken"], 1))[0].status_code == 200
    refreshed = await _refresh(url, after["refreshToken"])
    assert refreshed.status_code == 200
    assert (await _reads(url, refreshed.json()["accessToken"], 1))[0].status_code == 200


async def test_a_token_without_a_session_of_ours_is_refused(nadeo: Nadeo) -> None:
    """A token signed with our key but naming no credential (as tokens issued before
    sessions named their account) is refused, not trusted for its ``sub``."""
    account = await nadeo.account()
    pair = await nadeo.tokens(account)
    claims = jwt.decode(pair["accessToken"], nadeo_key(nadeo))
    claims["sid"] = "7d5e1f1e-8a51-4f7c-9a4c-3d7f2f4c2b10"  # a version-4 UUID
    forged = jwt.encode(claims, nadeo_key(nadeo))
    assert _refused((await _reads(nadeo.server.url, forged, 1))[0])


def nadeo_key(nadeo: Nadeo) -> bytes:
    return jwt.signing_key(nadeo.settings.resolved_secret_key())


@pytest.mark.postgres
@pytest.mark.redis
async def test_revoked_on_four_workers_no_worker_accepts_it(
    tmp_path: Path,
    postgres_store: Database,
    postgres_url: str,
    redis_url: str,
    redis_prefix: str,
) -> None:
    env = {
        "PODIUM_DATABASE_URL": postgres_url,
        "PODIUM_REDIS_URL": redis_url,
        "PODIUM_REDIS_PREFIX": redis_prefix,
    }
    account = await _account(postgres_store)
    admin = await make_token(postgres_store, ["admin"])
    with ServeProcess(tmp_path, env, workers=4) as served:
        pair = await _pair(served.url, account)
        assert {r.status_code for r in await _reads(served.url, pair["accessToken"])} == {200}
        async with httpx.AsyncClient(
            base_url=served.url, headers={"Authorization": f"Bearer {admin}"}, timeout=PATIENT
        ) as http:
            revoked = await http.delete(f"/api/v1/nadeo/accounts/{account.login}")
            assert revoked.status_code == 204
        assert all(_refused(r) for r in await _reads(served.url, pair["accessToken"]))
        refreshes = await asyncio.gather(
            *(_refresh(served.url, pair["refreshToken"]) for _ in range(8))
        )
        assert all(_refused(r) for r in refreshes)
