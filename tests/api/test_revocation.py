"""A revoked native token is refused at once, by every worker, whoever revoked it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from podium.core import credentials
from podium.core.principal import SYSTEM
from podium.store.database import Database
from tests.conftest import PATIENT, make_token
from tests.processes import ServeProcess

READS = 60


async def _token(database: Database) -> tuple[int, str]:
    async with database.write() as session:
        credential, token = await credentials.issue_token(
            session, SYSTEM, credentials.TokenCreate(scopes=["read"])
        )
    return credential.id, token


async def _statuses(url: str, token: str, count: int = READS) -> list[int]:
    """``count`` reads at once, each on a fresh connection (so on any worker)."""
    async with httpx.AsyncClient(
        base_url=url,
        headers={"Authorization": f"Bearer {token}"},
        limits=httpx.Limits(max_keepalive_connections=0),
        timeout=60,
    ) as http:
        answers = await asyncio.gather(*(http.get("/api/v1/organizations") for _ in range(count)))
    return [answer.status_code for answer in answers]


@pytest.mark.postgres
@pytest.mark.redis
async def test_revoked_through_the_api_no_worker_accepts_it(
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
    token_id, token = await _token(postgres_store)
    admin = await make_token(postgres_store, ["admin"])
    with ServeProcess(tmp_path, env, workers=4) as served:
        assert set(await _statuses(served.url, token)) == {200}  # known to every worker
        async with httpx.AsyncClient(
            base_url=served.url, headers={"Authorization": f"Bearer {admin}"}, timeout=PATIENT
        ) as http:
            assert (await http.delete(f"/api/v1/tokens/{token_id}")).status_code == 204
        assert set(await _statuses(served.url, token)) == {401}


async def test_revoked_by_the_cli_the_server_refuses_it_at_once(
    tmp_path: Path, database_url: str, database: Database
) -> None:
    token_id, token = await _token(database)
    env = {"PODIUM_DATABASE_URL": database_url}
    with ServeProcess(tmp_path, env) as served:
        assert set(await _statuses(served.url, token, 10)) == {200}
        subprocess.run(  # noqa: ASYNC221 (the CLI is the point of the test)
            [sys.executable, "-m", "podium", "token", "revoke", str(token_id)],
            env=served.env,
            check=True,
            capture_output=True,
        )
        assert set(await _statuses(served.url, token, 10)) == {401}
