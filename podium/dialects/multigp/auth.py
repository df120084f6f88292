"""Chapter API keys: one key opens one chapter (a core organization).

A key is a random UUID. Its first eight characters find the stored credential and
the whole key is checked against an argon2 hash (remembered once verified), so the
store never holds a usable key.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import credentials
from podium.core.credentials import VERIFIED, hash_secret, verify_secret_async
from podium.core.principal import Principal
from podium.store.tables import Credential

KIND = "multigp_chapter_key"
credentials.describe(KIND, "MultiGP chapter API key", "multigp")
_PREFIX = 8


async def create_key(session: AsyncSession, organization_id: int, name: str = "") -> str:
    while True:
        key = str(uuid.uuid4())
        taken = await session.scalar(
            select(Credential.id).where(
                Credential.kind == KIND, Credential.identifier == key[:_PREFIX]
            )
        )
        if taken is None:
            break
    session.add(
        Credential(
            kind=KIND,
            identifier=key[:_PREFIX],
            secret_hash=hash_secret(key),
            name=name,
            organization_id=organization_id,
        )
    )
    await session.flush()
    return key


async def chapter_of(session: AsyncSession, api_key: object) -> int | None:
    """The organization the key opens, or None for a missing, wrong or revoked key."""
    found = await key_of(session, api_key)
    return None if found is None else found[0]


async def key_of(session: AsyncSession, api_key: object) -> tuple[int, str] | None:
    """(organization, the key's name) for a live key, or None, as ``chapter_of``."""
    if not isinstance(api_key, str) or len(api_key) < _PREFIX:
        await verify_secret_async(None, "")
        return None
    row = await session.scalar(
        select(Credential).where(
            Credential.kind == KIND, Credential.identifier == api_key[:_PREFIX]
        )
    )
    if row is None:
        await verify_secret_async(None, api_key)
        return None
    cache_key = f"{KIND}:{row.secret_hash}"
    if not (
        VERIFIED.matches(cache_key, api_key, row.id)
        or await _verify_once(row.id, row.secret_hash, api_key)
    ):
        return None
    VERIFIED.remember(cache_key, api_key, row.id)
    if row.revoked_at is not None or row.organization_id is None:
        return None
    return row.organization_id, row.name or row.identifier


_checking: dict[tuple[int, int, str], asyncio.Future[bool]] = {}


async def _verify_once(credential_id: int, secret_hash: str | None, secret: str) -> bool:
    """One argon2 check per key at a time: concurrent requests with it share the result.

    A timer pushes ten results at once, often right after the server starts; ten
    argon2 checks of the same key side by side cost seconds on a small machine, and
    the Toolkit gives each push 5 s. Only a digest of the key names the check.
    """
    loop = asyncio.get_running_loop()
    digest = hashlib.sha256(secret.encode()).hexdigest()
    key = (id(loop), credential_id, digest)
    pending = _checking.get(key)
    if pending is None:
        pending = asyncio.ensure_future(verify_secret_async(secret_hash, secret))
        _checking[key] = pending
        pending.add_done_callback(lambda _done: _checking.pop(key, None))
    return await asyncio.shield(pending)


USER = "multigp_user"
SESSION = "multigp_session"
credentials.describe(USER, "MultiGP user login", "multigp")
credentials.describe(SESSION, "MultiGP session", "multigp", session=True)


async def create_user(
    session: AsyncSession,
    user_name: str,
    password: str,
    person_id: int,
    organization_id: int | None,
) -> Credential:
    """A RaceSync login (``user/login``) for the pilot ``person_id``."""
    row = Credential(
        kind=USER,
        identifier=user_name.strip().lower(),
        secret_hash=hash_secret(password),
        name=user_name.strip(),
        person_id=person_id,
        organization_id=organization_id,
    )
    session.add(row)
    await session.flush()
    return row


async def login(
    session: AsyncSession, user_name: str, password: str
) -> tuple[Credential, str] | None:
    """A new session id for the user, or None when the name or password is wrong."""
    user = await session.scalar(
        select(Credential).where(
            Credential.kind == USER, Credential.identifier == user_name.strip().lower()
        )
    )
    if user is None:
        await verify_secret_async(None, password)  # the same effort whether or not the name exists
        return None
    if user.revoked_at is not None or not await verify_secret_async(user.secret_hash, password):
        return None
    session_id = uuid.uuid4().hex + uuid.uuid4().hex
    session.add(
        Credential(
            kind=SESSION,
            identifier=session_id[: _PREFIX * 2],
            secret_hash=hash_secret(session_id),
            name=user.name,
            person_id=user.person_id,
            organization_id=user.organization_id,
        )
    )
    await session.flush()
    return user, session_id


async def session_pilot(session: AsyncSession, session_id: object) -> int | None:
    """The person a ``sessionId`` logs in, or None."""
    if not isinstance(session_id, str) or len(session_id) < _PREFIX * 2:
        return None
    row = await session.scalar(
        select(Credential).where(
            Credential.kind == SESSION, Credential.identifier == session_id[: _PREFIX * 2]
        )
    )
    if row is None or row.revoked_at is not None:
        return None
    cache_key = f"{SESSION}:{row.secret_hash}"
    if not (
        VERIFIED.matches(cache_key, session_id, row.id)
        or await verify_secret_async(row.secret_hash, session_id)
    ):
        return None
    VERIFIED.remember(cache_key, session_id, row.id)
    return row.person_id


async def logout(session: AsyncSession, session_id: object) -> None:
    if isinstance(session_id, str) and len(session_id) >= _PREFIX * 2:
        row = await session.scalar(
            select(Credential).where(
                Credential.kind == SESSION, Credential.identifier == session_id[: _PREFIX * 2]
            )
        )
        if row is not None and await verify_secret_async(row.secret_hash, session_id):
            await session.delete(row)


async def _make(
    session: AsyncSession,
    principal: Principal,
    organization_id: int,
    _target: int | None,
    _choice: str,
    name: str,
) -> credentials.Made:
    principal.require("admin", organization_id)
    key = await create_key(session, organization_id, name)
    return credentials.Made(key[:_PREFIX], [("Chapter API key", key)])


credentials.offer(
    credentials.Maker(
        KIND,
        "MultiGP chapter API key",
        "/mgp/multigpwebservice",
        "In RotorHazard's MultiGP Toolkit, paste the key as the chapter API key and the "
        "base URL as the MultiGP server address.",
        _make,
    )
)
