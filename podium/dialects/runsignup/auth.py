"""RunSignup credentials, in every documented form, as core ``Credential`` rows.

- ``api_key`` + ``api_secret`` (query), or the same pair as ``rsu_api_key`` + the
  ``X-RSU-API-SECRET`` header: a race key (``runsignup_key``) made by the CLI.
- ``tmp_key`` + ``tmp_secret``: from ``POST /login`` by a user (``runsignup_user``,
  email and argon2-hashed password); valid until one hour after its last use.
- ``Authorization: Bearer``: a native Podium API token with write access.

A key opens the races it was made for; a user's temporary key opens the user's races.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import credentials
from podium.core.credentials import VERIFIED, hash_secret, verify_secret_async
from podium.core.errors import Unauthenticated
from podium.dialects.runsignup import wire
from podium.dialects.runsignup.params import Params
from podium.dialects.runsignup.problems import RsuError, invalid
from podium.store.tables import Credential
from podium.store.types import utcnow

KEY = "runsignup_key"
USER = "runsignup_user"
TMP = "runsignup_tmp"
TMP_LIFETIME = timedelta(hours=1)
# A temporary key's expiry moves on use, but at most this often (it is a write).
TMP_BUMP = timedelta(minutes=5)


@dataclass(frozen=True)
class Caller:
    """What the request may touch: ``race_ids`` (None: every race of ``organization_id``)."""

    kind: str
    race_ids: frozenset[int] = frozenset()
    organization_id: int | None = None
    any_race: bool = False
    label: str = "anonymous"

    def may_write(self, race_id: int, race_organization_id: int) -> bool:
        if self.kind == "anonymous":
            return False
        if self.any_race:
            return self.organization_id is None or self.organization_id == race_organization_id
        return race_id in self.race_ids


ANONYMOUS = Caller("anonymous")


def _failed() -> RsuError:
    return RsuError(wire.KEY_AUTH_FAILED, "Key authentication failed.")


async def _verify(session: AsyncSession, kind: str, identifier: str, secret: str) -> Credential:
    row = await session.scalar(
        select(Credential).where(Credential.kind == kind, Credential.identifier == identifier)
    )
    if row is None:
        await verify_secret_async(None, secret)
        raise _failed()
    cache_key = f"{kind}:{row.secret_hash}"
    if not (
        VERIFIED.matches(cache_key, secret, row.id)
        or await verify_secret_async(row.secret_hash, secret)
    ):
        raise _failed()
    VERIFIED.remember(cache_key, secret, row.id)
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= utcnow()):
        raise _failed()
    return row


def _race_ids(row: Credential) -> frozenset[int]:
    return frozenset(int(r) for r in row.attributes.get("race_ids", []))


async def authenticate(session: AsyncSession, params: Params) -> tuple[Caller, Credential | None]:
    """The caller, and a temporary credential whose expiry should move (else None)."""
    api_key, api_secret = params.get("api_key"), params.get("api_secret")
    tmp_key, tmp_secret = params.get("tmp_key"), params.get("tmp_secret")
    v2_key = params.get("rsu_api_key") or params.get("sp_api_key")
    header_secret = params.headers.get("x-rsu-api-secret")
    bearer = params.headers.get("authorization", "")
    if (api_key or api_secret) and (tmp_key or tmp_secret):
        raise invalid("tmp_key/tmp_secret must not be combined with api_key/api_secret.")
    if api_key or api_secret:
        if not (api_key and api_secret):
            raise _failed()
        row = await _verify(session, KEY, api_key, api_secret)
        return Caller(
            "key", _race_ids(row), row.organization_id, label=f"runsignup:{api_key}"
        ), None
    if v2_key:
        if not header_secret:
            raise _failed()
        row = await _verify(session, KEY, v2_key, header_secret)
        return Caller("key", _race_ids(row), row.organization_id, label=f"runsignup:{v2_key}"), None
    if tmp_key or tmp_secret:
        if not (tmp_key and tmp_secret):
            raise _failed()
        row = await _verify(session, TMP, tmp_key, tmp_secret)
        bump = (
            row
            if row.expires_at is None or row.expires_at - utcnow() < TMP_LIFETIME - TMP_BUMP
            else None
        )
        return Caller(
            "tmp", _race_ids(row), row.organization_id, label=f"runsignup:{row.name}"
        ), bump
    if bearer.lower().startswith("bearer "):
        token = bearer[7:].strip()
        try:
            principal = await credentials.authenticate_token(session, token)
        except Unauthenticated:
            raise _failed() from None
        if not principal.allows("write", principal.organization_id):
            return ANONYMOUS, None
        return (
            Caller(
                "bearer",
                organization_id=principal.organization_id,
                any_race=True,
                label=principal.label,
            ),
            None,
        )
    return ANONYMOUS, None


def new_key() -> tuple[str, str]:
    return secrets.token_hex(16), secrets.token_urlsafe(24)


async def create_key(
    session: AsyncSession, race_id: int, organization_id: int, name: str = ""
) -> tuple[str, str]:
    api_key, api_secret = new_key()
    session.add(
        Credential(
            kind=KEY,
            identifier=api_key,
            secret_hash=hash_secret(api_secret),
            name=name,
            organization_id=organization_id,
            attributes={"race_ids": [race_id]},
        )
    )
    await session.flush()
    return api_key, api_secret


async def create_user(
    session: AsyncSession,
    email: str,
    password: str,
    race_ids: list[int],
    organization_id: int | None,
    first_name: str = "",
    last_name: str = "",
) -> Credential:
    row = Credential(
        kind=USER,
        identifier=email.strip().lower(),
        secret_hash=hash_secret(password),
        name=f"{first_name} {last_name}".strip(),
        organization_id=organization_id,
        attributes={"race_ids": race_ids, "first_name": first_name, "last_name": last_name},
    )
    session.add(row)
    await session.flush()
    return row


async def login(session: AsyncSession, email: str, password: str) -> tuple[Credential, str, str]:
    """A temporary key pair for the user, else code 101/102."""
    user = await session.scalar(
        select(Credential).where(
            Credential.kind == USER, Credential.identifier == email.strip().lower()
        )
    )
    if user is None:
        await verify_secret_async(None, password)
        raise RsuError(wire.USER_NOT_FOUND, "User not found.")
    if user.revoked_at is not None or not await verify_secret_async(user.secret_hash, password):
        raise RsuError(wire.BAD_LOGIN, "Email or password is invalid.")
    tmp_key, tmp_secret = new_key()
    session.add(
        Credential(
            kind=TMP,
            identifier=tmp_key,
            secret_hash=hash_secret(tmp_secret),
            name=user.identifier,
            organization_id=user.organization_id,
            person_id=user.person_id,
            attributes={"race_ids": user.attributes.get("race_ids", []), "user_id": user.id},
            expires_at=utcnow() + TMP_LIFETIME,
        )
    )
    await session.flush()
    return user, tmp_key, tmp_secret


async def touch(session: AsyncSession, credential_id: int) -> None:
    """Move a temporary key's expiry to one hour after now (its last use)."""
    row = await session.get(Credential, credential_id)
    if row is not None:
        row.expires_at = utcnow() + TMP_LIFETIME


async def logout(session: AsyncSession, tmp_key: str, tmp_secret: str) -> None:
    row = await _verify(session, TMP, tmp_key, tmp_secret)
    row.revoked_at = utcnow()
