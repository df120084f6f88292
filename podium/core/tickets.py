"""Random secrets handed to a person once: console sessions, invitations, password resets.

A ticket is ``<id>.<secret>``: the id finds a ``Credential`` row, the secret is kept
only as its SHA-256 and compared in constant time. The secret is 256 random bits, so
a fast hash is enough (argon2 protects passwords people choose, not these); every
use reads the row, so a revoked or expired ticket fails at once on every worker.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.store.tables import Credential
from podium.store.types import utcnow

_ID_BYTES = 8
_SECRET_BYTES = 32
_HEX = "0123456789abcdef"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def issue(
    session: AsyncSession,
    kind: str,
    lifetime: timedelta,
    *,
    organization_id: int | None = None,
    person_id: int | None = None,
    name: str = "",
    attributes: dict[str, Any] | None = None,
) -> tuple[Credential, str]:
    """A new ticket row and its text (shown or sent once, never stored)."""
    identifier = secrets.token_hex(_ID_BYTES)
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    row = Credential(
        kind=kind,
        identifier=identifier,
        secret_hash=_digest(secret),
        name=name,
        organization_id=organization_id,
        person_id=person_id,
        attributes=attributes or {},
        expires_at=utcnow() + lifetime,
    )
    session.add(row)
    await session.flush()
    return row, f"{identifier}.{secret}"


async def find(session: AsyncSession, kind: str, ticket: object) -> Credential | None:
    """The live row the ticket names (not revoked, not expired), else None."""
    if not isinstance(ticket, str) or len(ticket) > 200:
        return None
    identifier, _, secret = ticket.partition(".")
    if len(identifier) != 2 * _ID_BYTES or not secret or identifier.strip(_HEX):
        return None
    row = await session.scalar(
        select(Credential).where(Credential.kind == kind, Credential.identifier == identifier)
    )
    if row is None or not hmac.compare_digest(row.secret_hash or "", _digest(secret)):
        return None
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= utcnow()):
        return None
    return row
