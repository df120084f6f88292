"""Tokens: hashed at rest, verified in constant effort, revocable at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from podium.core import credentials
from podium.core.credentials import TokenCreate
from podium.core.errors import Forbidden, Invalid, Unauthenticated
from podium.core.principal import SYSTEM, Principal
from podium.store.database import Database
from podium.store.tables import Credential


async def _issue(db: Database, command: TokenCreate, actor: Principal = SYSTEM) -> str:
    async with db.write() as session:
        _credential, token = await credentials.issue_token(session, actor, command)
    return token


async def test_token_round_trip_and_hash_at_rest(database: Database) -> None:
    token = await _issue(database, TokenCreate(scopes=["write"], name="timer"))
    async with database.read() as session:
        principal = await credentials.authenticate_token(session, token)
        stored = (await session.scalars(select(Credential))).one()
    assert principal.scopes == {"write"} and principal.organization_id is None
    secret = token.rsplit("_", 1)[-1]
    assert stored.secret_hash is not None and stored.secret_hash.startswith("$argon2")
    assert secret not in stored.secret_hash and token not in stored.secret_hash


@pytest.mark.parametrize("bad", ["", "pdm_", "nope", "pdm_0123456789abcdef_wrong", "pdm_zz"])
async def test_bad_tokens_are_rejected(database: Database, bad: str) -> None:
    await _issue(database, TokenCreate(scopes=["read"]))
    async with database.read() as session:
        with pytest.raises(Unauthenticated):
            await credentials.authenticate_token(session, bad)


async def test_wrong_secret_for_a_real_identifier(database: Database) -> None:
    token = await _issue(database, TokenCreate(scopes=["read"]))
    forged = token[:-4] + ("aaaa" if not token.endswith("aaaa") else "bbbb")
    async with database.read() as session:
        await credentials.authenticate_token(session, token)  # warms the cache
        with pytest.raises(Unauthenticated):
            await credentials.authenticate_token(session, forged)


async def test_revocation_applies_even_after_a_cached_check(database: Database) -> None:
    token = await _issue(database, TokenCreate(scopes=["read"]))
    async with database.read() as session:
        principal = await credentials.authenticate_token(session, token)
    assert principal.credential_id is not None
    async with database.write() as session:
        await credentials.revoke_token(session, SYSTEM, principal.credential_id)
    async with database.read() as session:
        with pytest.raises(Unauthenticated, match="revoked"):
            await credentials.authenticate_token(session, token)


async def test_expired_token(database: Database) -> None:
    soon = datetime.now(UTC) + timedelta(milliseconds=300)
    token = await _issue(database, TokenCreate(scopes=["read"], expires_at=soon))
    async with database.write() as session:
        row = (await session.scalars(select(Credential))).one()
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    async with database.read() as session:
        with pytest.raises(Unauthenticated, match="expired"):
            await credentials.authenticate_token(session, token)


async def test_cannot_grant_more_than_held_or_outside_reach(database: Database) -> None:
    writer = Principal(kind="token", label="w", scopes=frozenset({"write"}))
    with pytest.raises(Forbidden):
        await _issue(database, TokenCreate(scopes=["read"]), actor=writer)
    org_admin = Principal(kind="token", label="a", organization_id=7, scopes=frozenset({"admin"}))
    with pytest.raises(Forbidden):
        await _issue(database, TokenCreate(scopes=["read"]), actor=org_admin)
    with pytest.raises(Invalid):
        await _issue(database, TokenCreate(scopes=["read"], expires_at=datetime(2000, 1, 1)))
