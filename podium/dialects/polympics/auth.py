"""Polympics credentials: apps (``A<id>``) and user sessions (``S<id>``) over HTTP Basic.

Both are core ``Credential`` rows with argon2-hashed tokens. An app's permission
bits live on the credential; a session acts with its account's bits, read afresh on
every request. Credentials that do not verify are not an error: the caller is
anonymous and fails the permission checks later, as on the real server.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import credentials
from podium.core.credentials import VERIFIED, hash_secret, verify_secret_async
from podium.core.principal import Principal
from podium.dialects.polympics import wire
from podium.dialects.polympics.problems import PolympicsError
from podium.store.tables import Credential, Person
from podium.store.types import utcnow

APP = "polympics_app"
SESSION = "polympics_session"
credentials.describe(APP, "Polympics app", "polympics")
credentials.describe(SESSION, "Polympics user session", "polympics", session=True)
PERMISSIONS_KEY = "polympics_permissions"

_AGE_PART = re.compile(r"^(\d+)([smhdwMy])$")
_UNIT_SECONDS = {
    "s": 1,
    "m": 60,
    "h": 3600,
    "d": 86400,
    "w": 7 * 86400,
    "M": 30 * 86400,
    "y": 365 * 86400,
}


def parse_age(text: str) -> timedelta:
    """A duration written as the real server's config does: ``30d``, ``1w 3d``, ``12h``."""
    total = 0
    parts = text.split()
    for part in parts:
        found = _AGE_PART.match(part)
        if found is None:
            raise ValueError(f"Bad duration part {part!r}: use <number><s|m|h|d|w|M|y>.")
        total += int(found[1]) * _UNIT_SECONDS[found[2]]
    if not parts or total <= 0:
        raise ValueError("A session age must be positive.")
    return timedelta(seconds=total)


def new_token() -> str:
    """32 random bytes in standard base64, the real server's token shape."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def account_permissions(person: Person) -> int:
    value = person.attributes.get(PERMISSIONS_KEY, 0)
    return value & wire.USER_PERMISSIONS if isinstance(value, int) else 0


@dataclass(frozen=True)
class Caller:
    """Who sent a request, in Polympics terms."""

    kind: str  # "app", "session" or "anonymous"
    permissions: int = 0
    credential_id: int | None = None
    person_id: int | None = None
    name: str = ""
    username: str = ""

    def has(self, bits: int) -> bool:
        return self.permissions & bits == bits

    def principal(self, organization_id: int) -> Principal:
        """The core principal for this caller's writes inside the Polympics organization.

        The dialect checks the Polympics permission bits before it writes (some writes,
        such as a Discord profile sync, need none), so the core sees an actor that may
        write, confined to the organization.
        """
        return Principal(
            kind=f"polympics_{self.kind}",
            label=f"polympics:{self.username or 'anonymous'}",
            organization_id=organization_id,
            scopes=frozenset({"read", "write"}),
            person_id=self.person_id,
            credential_id=self.credential_id,
        )


ANONYMOUS = Caller("anonymous")


def basic_credentials(header: str | None) -> tuple[str, str]:
    """Username and password of an ``Authorization: Basic`` header, else FastAPI's 401s."""
    challenge = {"WWW-Authenticate": "Basic"}
    scheme, _, value = (header or "").partition(" ")
    if not header or scheme.lower() != "basic":
        raise PolympicsError(401, "Not authenticated", challenge)
    try:
        # Not validating: as in FastAPI 0.63, characters outside base64 are skipped.
        decoded = base64.b64decode(value).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise PolympicsError(401, "Invalid authentication credentials", challenge) from None
    username, sep, password = decoded.partition(":")
    if not sep:
        raise PolympicsError(401, "Invalid authentication credentials", challenge)
    return username, password


def identifier(username: str) -> tuple[str, str] | None:
    """(credential kind, stored identifier) for ``A3``/``s12``, else None.

    The id after the prefix is read with ``int()``, as the real server did, so
    ``A 3`` and ``A03`` name app 3.
    """
    for prefix, kind in ((wire.APP_PREFIX, APP), (wire.SESSION_PREFIX, SESSION)):
        if username.upper().startswith(prefix):
            try:
                return kind, f"{prefix}{int(username[1:])}"
            except ValueError:
                return None
    return None


async def resolve(session: AsyncSession, username: str, password: str) -> tuple[Caller, bool]:
    """The caller these credentials name, and whether an expired session must be dropped."""
    found = identifier(username)
    if found is None:
        return ANONYMOUS, False
    kind, ident = found
    credential = await credentials.find(session, kind, ident)
    if credential is None:
        await verify_secret_async(None, password)
        return ANONYMOUS, False
    # The hash is part of the cache key, so a reset token stops matching at once.
    cache_key = f"{kind}:{credential.secret_hash}"
    if not (
        VERIFIED.matches(cache_key, password, credential.id)
        or await verify_secret_async(credential.secret_hash, password)
    ):
        return ANONYMOUS, False
    VERIFIED.remember(cache_key, password, credential.id)
    if credential.revoked_at is not None:
        return ANONYMOUS, False
    if kind == APP:
        bits = int(credential.attributes.get("permissions", 0)) & wire.APP_PERMISSIONS
        return Caller("app", bits, credential.id, None, credential.name, ident), False
    if credential.expires_at is not None and credential.expires_at <= utcnow():
        return ANONYMOUS, True
    person = await session.get(Person, credential.person_id) if credential.person_id else None
    if person is None:
        return ANONYMOUS, False
    return Caller(
        "session", account_permissions(person), credential.id, person.id, person.name, ident
    ), False


async def drop_expired(session: AsyncSession, username: str) -> None:
    found = identifier(username)
    if found is not None:
        await session.execute(
            delete(Credential).where(
                Credential.kind == found[0],
                Credential.identifier == found[1],
                Credential.expires_at <= utcnow(),
            )
        )


async def _store(session: AsyncSession, credential: Credential, prefix: str) -> None:
    """Insert, then name the row after its own id (``A7``): the id is the username."""
    credential.identifier = f"pending-{secrets.token_hex(8)}"
    session.add(credential)
    await session.flush()
    credential.identifier = f"{prefix}{credential.id}"
    await session.flush()


async def create_app(session: AsyncSession, name: str, permissions: int) -> tuple[Credential, str]:
    token = new_token()
    app = Credential(
        kind=APP,
        name=name,
        secret_hash=hash_secret(token),
        attributes={"permissions": permissions & wire.APP_PERMISSIONS},
    )
    await _store(session, app, wire.APP_PREFIX)
    return app, token


async def create_session(
    session: AsyncSession, person_id: int, organization_id: int, age: timedelta
) -> tuple[Credential, str]:
    token = new_token()
    row = Credential(
        kind=SESSION,
        name="",
        secret_hash=hash_secret(token),
        person_id=person_id,
        organization_id=organization_id,
        expires_at=utcnow() + age,
    )
    await _store(session, row, wire.SESSION_PREFIX)
    return row, token


def reset(credential: Credential, age: timedelta | None = None) -> str:
    """A new token for the credential (and, for a session, a new expiry)."""
    token = new_token()
    credential.secret_hash = hash_secret(token)
    if age is not None:
        credential.expires_at = utcnow() + age
    return token


def timestamp(when: datetime | None) -> float:
    return when.timestamp() if when is not None else 0.0
