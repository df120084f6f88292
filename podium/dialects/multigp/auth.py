"""Chapter API keys: one key opens one chapter (a core organization).

A key is a random UUID. Its first eight characters find the stored credential and
the whole key is checked against an argon2 hash (remembered once verified), so the
store never holds a usable key.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core.credentials import VERIFIED, hash_secret, verify_secret
from podium.store.tables import Credential

KIND = "multigp_chapter_key"
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
    if not isinstance(api_key, str) or len(api_key) < _PREFIX:
        verify_secret(None, "")
        return None
    row = await session.scalar(
        select(Credential).where(
            Credential.kind == KIND, Credential.identifier == api_key[:_PREFIX]
        )
    )
    if row is None:
        verify_secret(None, api_key)
        return None
    cache_key = f"{KIND}:{row.secret_hash}"
    if not (
        VERIFIED.matches(cache_key, api_key, row.id) or verify_secret(row.secret_hash, api_key)
    ):
        return None
    VERIFIED.remember(cache_key, api_key, row.id)
    if row.revoked_at is not None or row.organization_id is None:
        return None
    return row.organization_id
