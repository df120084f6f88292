"""RunSignup credentials, in every documented form, as core ``Credential`` rows.

- ``api_key`` + ``api_secret`` (query), or the same pair as ``rsu_api_key`` + the
  ``X-RSU-API-SECRET`` header: a race key (``runsignup_key``) made by the CLI.
- ``tmp_key`` + ``tmp_secret``: from ``POST /login`` by a user (``runsignup_user``,
  email and argon2-hashed password); valid until one hour after its last use.
- ``Authorization: Bearer``: a native Podium API token (write access to write, read
  access to read what is not public).

A key opens the races it was made for; a user's temporary key opens the user's races.
Every form is checked against its live row on every request (argon2 runs once per
secret and process, the row is read each time): a revoked key, a revoked user's
temporary keys, and temporary keys issued before the user's password changed are
refused from the next request on, on every worker.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import credentials, limits
from podium.core.credentials import VERIFIED, hash_secret, verify_secret_async
from podium.core.errors import NotFound, Unauthenticated
from podium.core.principal import Principal
from podium.dialects.runsignup import wire
from podium.dialects.runsignup.params import Params
from podium.dialects.runsignup.problems import RsuError, invalid
from podium.dialects.runsignup.races import RACE as RACE_KIND
from podium.store.tables import Competition, Credential
from podium.store.types import utcnow

KEY = "runsignup_key"
USER = "runsignup_user"
TMP = "runsignup_tmp"
credentials.describe(KEY, "RunSignup API key", "runsignup")
credentials.describe(USER, "RunSignup user login", "runsignup")
credentials.describe(TMP, "RunSignup temporary key", "runsignup", session=True)
TMP_LIFETIME = timedelta(hours=1)
# A temporary key's expiry moves on use, but at most this often (it is a write).
TMP_BUMP = timedelta(minutes=5)


@dataclass(frozen=True)
class Caller:
    """What the request may touch: ``race_ids``, or with ``any_race`` every race of
    ``organization_id`` (None: of every organization); ``write`` False only reads."""

    kind: str
    race_ids: frozenset[int] = frozenset()
    organization_id: int | None = None
    any_race: bool = False
    label: str = "anonymous"
    write: bool = True

    def may_read(self, race_id: int, race_organization_id: int) -> bool:
        """Whether the caller sees the race's non-public parts; everyone else sees
        only what ``core.public_competition`` shows anonymous readers."""
        if self.kind == "anonymous":
            return False
        if self.any_race:
            return self.organization_id is None or self.organization_id == race_organization_id
        return race_id in self.race_ids

    def may_write(self, race_id: int, race_organization_id: int) -> bool:
        return self.write and self.may_read(race_id, race_organization_id)


ANONYMOUS = Caller("anonymous")


def _failed() -> RsuError:
    return RsuError(wire.KEY_AUTH_FAILED, "Key authentication failed.")


async def _verify(session: AsyncSession, kind: str, identifier: str, secret: str) -> Credential:
    if limits.text_offence(identifier) is not None or len(identifier) > 200:
        raise _failed()  # no stored key looks like this: answered as an unknown key
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


def _label(row: Credential) -> str:
    """Who wrote, in the audit trail: the key's public half and the name it was given."""
    return credentials.actor("runsignup", row.identifier, row.name)


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
        return Caller("key", _race_ids(row), row.organization_id, label=_label(row)), None
    if v2_key:
        if not header_secret:
            raise _failed()
        row = await _verify(session, KEY, v2_key, header_secret)
        return Caller("key", _race_ids(row), row.organization_id, label=_label(row)), None
    if tmp_key or tmp_secret:
        if not (tmp_key and tmp_secret):
            raise _failed()
        row = await _verify(session, TMP, tmp_key, tmp_secret)
        user = await _user_of(session, row)
        bump = (
            row
            if row.expires_at is None or row.expires_at - utcnow() < TMP_LIFETIME - TMP_BUMP
            else None
        )
        # The user's races as they are now, not as they were at login.
        return Caller(
            "tmp",
            _race_ids(user),
            user.organization_id,
            label=credentials.actor("runsignup", row.name),
        ), bump
    if bearer.lower().startswith("bearer "):
        token = bearer[7:].strip()
        try:
            principal = await credentials.authenticate_token(session, token)
        except Unauthenticated:
            raise _failed() from None
        return (
            Caller(
                "bearer",
                organization_id=principal.organization_id,
                any_race=True,
                label=principal.label,
                write=principal.allows("results", principal.organization_id),
            ),
            None,
        )
    return ANONYMOUS, None


def _fingerprint(user: Credential) -> str:
    """Names the user's password of the moment: a new password ends older tmp_keys."""
    return hashlib.sha256((user.secret_hash or "").encode()).hexdigest()[:32]


async def _user_of(session: AsyncSession, tmp: Credential) -> Credential:
    """The live user a temporary key was issued to (one read by primary key)."""
    user_id = tmp.attributes.get("user_id")
    user = await session.get(Credential, int(user_id)) if isinstance(user_id, int) else None
    if (
        user is None
        or user.kind != USER
        or user.revoked_at is not None
        or tmp.attributes.get("secret_version") != _fingerprint(user)
    ):
        raise _failed()
    return user


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
            attributes={
                "race_ids": user.attributes.get("race_ids", []),
                "user_id": user.id,
                "secret_version": _fingerprint(user),
            },
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


async def keys_of(session: AsyncSession, race_id: int) -> list[Credential]:
    """The race's api keys, revoked ones too (the secrets are never stored)."""
    rows = await session.scalars(
        select(Credential).where(Credential.kind == KEY).order_by(Credential.id)
    )
    return [r for r in rows if race_id in _race_ids(r)]


async def revoke_key(session: AsyncSession, principal: Principal, api_key: str) -> Credential:
    """Refuse an api key (either auth form) from the next request on."""
    row = await session.scalar(
        select(Credential).where(Credential.kind == KEY, Credential.identifier == api_key)
    )
    if row is None or not principal.allows("read", row.organization_id):
        raise NotFound(f"No RunSignup api key {api_key}.")
    principal.require("admin", row.organization_id)
    credentials.mark_revoked(session, principal, row)
    return row


async def revoke_user(session: AsyncSession, principal: Principal, email: str) -> Credential:
    """Refuse a user's logins and every temporary key it holds, at once."""
    row = await session.scalar(
        select(Credential).where(
            Credential.kind == USER, Credential.identifier == email.strip().lower()
        )
    )
    if row is None or not principal.allows("read", row.organization_id):
        raise NotFound(f"No RunSignup user {email}.")
    principal.require("admin", row.organization_id)
    credentials.mark_revoked(session, principal, row)
    # Checked on each use anyway; revoked too so that the rows say what happened.
    tmp_keys = await session.scalars(
        select(Credential).where(
            Credential.kind == TMP,
            Credential.name == row.identifier,
            Credential.revoked_at.is_(None),
        )
    )
    for tmp in tmp_keys:
        tmp.revoked_at = row.revoked_at
    return row


async def _races(session: AsyncSession, organization_id: int) -> list[tuple[int, str]]:
    found = await session.execute(
        select(Competition.id, Competition.name)
        .where(
            Competition.organization_id == organization_id,
            Competition.kind == RACE_KIND,
            Competition.parent_id.is_(None),
        )
        .order_by(Competition.id)
    )
    return [(race_id, name) for race_id, name in found]


async def _make(
    session: AsyncSession,
    principal: Principal,
    organization_id: int,
    race_id: int | None,
    _choice: str,
    name: str,
) -> credentials.Made:
    principal.require("admin", organization_id)
    race = await session.get(Competition, race_id) if race_id is not None else None
    if race is None or race.organization_id != organization_id or race.kind != RACE_KIND:
        raise NotFound("Choose one of this organization's RunSignup races.")
    api_key, api_secret = await create_key(session, race.id, organization_id, name)
    return credentials.Made(api_key, [("api_key", api_key), ("api_secret", api_secret)])


credentials.offer(
    credentials.Maker(
        KEY,
        "RunSignup API key",
        "/Rest",
        "Timing software sends api_key and api_secret with each call; the base URL "
        "replaces https://runsignup.com/Rest.",
        _make,
        target="Race",
        targets=_races,
    )
)
