"""Credentials: secrets hashed with argon2, native API tokens and their scopes.

Every dialect stores its keys here (``kind`` tells them apart) and turns a verified
credential into a ``Principal``. A verified secret is remembered by its SHA-256 (with
the stored hash, so a new secret on the same row stops the old one) so that argon2
runs once per secret and process. That memory only saves the argon2 work: the row is
read on every request, so revocation and expiry take effect at once on every worker,
whoever revoked it (an API call, another worker, the CLI).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import Field, StringConstraints
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import events, resources
from podium.core.errors import Invalid, NotFound, Unauthenticated
from podium.core.fields import CleanText, Id, UtcDateTime
from podium.core.organizations import ORGANIZATIONS
from podium.core.principal import PERMISSIONS, SCOPES, Principal
from podium.core.resources import Command
from podium.store.tables import Credential
from podium.store.types import utcnow

API_TOKEN = "api_token"  # noqa: S105 (a credential kind, not a secret)
TOKEN_PREFIX = "pdm_"  # noqa: S105 (a public prefix)
_ID_CHARS = 16

_hasher = PasswordHasher()
GRANTS = (*SCOPES, *(p for p in PERMISSIONS if p not in SCOPES))

# A token scope (read < write < admin) or single permissions: ["read", "results"] is a
# token that may do what a timer does, and no more.
Scope = Annotated[str, StringConstraints(pattern=r"^(read|write|admin|results|judge|setup)$")]
TokenName = Annotated[str, StringConstraints(max_length=200), CleanText]


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(secret_hash: str | None, secret: str) -> bool:
    """Constant-effort check: a missing hash still costs one argon2 verification."""
    try:
        return _hasher.verify(secret_hash or _dummy_hash(), secret) and secret_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_secret_async(secret_hash: str | None, secret: str) -> bool:
    """``verify_secret`` off the event loop: argon2 takes tens of milliseconds, and a
    flood of wrong credentials must not stall every other request."""
    return await asyncio.to_thread(verify_secret, secret_hash, secret)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(new_secret())


class _VerifiedSecrets:
    """Remembers digests of secrets that passed argon2, bounded in size."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._seen: OrderedDict[str, int] = OrderedDict()

    @staticmethod
    def _digest(kind: str, secret: str) -> str:
        return hashlib.sha256(f"{kind}\0{secret}".encode()).hexdigest()

    def matches(self, kind: str, secret: str, credential_id: int) -> bool:
        digest = self._digest(kind, secret)
        known = self._seen.get(digest)
        if known is None:
            return False
        self._seen.move_to_end(digest)
        return hmac.compare_digest(str(known), str(credential_id))

    def remember(self, kind: str, secret: str, credential_id: int) -> None:
        self._seen[self._digest(kind, secret)] = credential_id
        while len(self._seen) > self._size:
            self._seen.popitem(last=False)


VERIFIED = _VerifiedSecrets()

# Every authenticated request runs this: built once, it skips building the statement
# and its cache key each time.
_BY_IDENTIFIER = select(Credential).where(
    Credential.kind == bindparam("kind"), Credential.identifier == bindparam("identifier")
)


async def find(session: AsyncSession, kind: str, identifier: str) -> Credential | None:
    """The credential row of this kind and identifier, read afresh (never cached, so a
    revocation or expiry counts from the next request on)."""
    found: Credential | None = await session.scalar(
        _BY_IDENTIFIER, {"kind": kind, "identifier": identifier}
    )
    return found


async def check(session: AsyncSession, kind: str, identifier: str, secret: str) -> Credential:
    """The live credential whose identifier and secret match, else Unauthenticated."""
    credential = await find(session, kind, identifier)
    if credential is None:
        await verify_secret_async(None, secret)
        raise Unauthenticated("The credential is not valid.")
    cache_key = f"{kind}:{credential.secret_hash}"
    ok = VERIFIED.matches(cache_key, secret, credential.id) or await verify_secret_async(
        credential.secret_hash, secret
    )
    if not ok:
        raise Unauthenticated("The credential is not valid.")
    if credential.revoked_at is not None:
        raise Unauthenticated("The credential has been revoked.")
    if credential.expires_at is not None and credential.expires_at <= utcnow():
        raise Unauthenticated("The credential has expired.")
    VERIFIED.remember(cache_key, secret, credential.id)
    return credential


class TokenCreate(Command):
    organization_id: Id | None = None
    scopes: list[Scope] = Field(default_factory=lambda: ["read"], min_length=1)
    name: TokenName = ""
    expires_at: UtcDateTime | None = None


def actor(prefix: str, identifier: str, name: str | None = None) -> str:
    """How the audit trail names whoever used a credential: its public identifier and,
    when it was given one, its name ("timing tent"), shortened to fit the log's column."""
    named = f" {name[:60]!r}" if name else ""
    return f"{prefix}:{identifier[:100]}{named}"


def _principal(credential: Credential) -> Principal:
    return Principal(
        kind="token",
        label=actor("token", credential.identifier, credential.name),
        organization_id=credential.organization_id,
        scopes=frozenset(credential.scopes),
        person_id=credential.person_id,
        credential_id=credential.id,
    )


async def issue_token(
    session: AsyncSession, principal: Principal, command: TokenCreate
) -> tuple[Credential, str]:
    """A new API token; the plain text is returned once and never stored."""
    principal.require("admin", command.organization_id)
    if command.organization_id is not None:
        await resources.get(session, principal, ORGANIZATIONS, command.organization_id)
    if not principal.holds(set(command.scopes)):
        raise Invalid("A token cannot be given a scope its creator does not hold.", field="scopes")
    if command.expires_at is not None and command.expires_at <= utcnow():
        raise Invalid("expires_at is in the past.", field="expires_at")
    identifier = secrets.token_hex(_ID_CHARS // 2)
    secret = new_secret()
    credential = Credential(
        kind=API_TOKEN,
        identifier=identifier,
        secret_hash=hash_secret(secret),
        name=command.name,
        organization_id=command.organization_id,
        scopes=sorted(set(command.scopes), key=GRANTS.index),
        expires_at=command.expires_at,
    )
    session.add(credential)
    await session.flush()
    events.record(
        session,
        principal,
        "token.created",
        "token",
        credential.id,
        {"id": credential.id, "identifier": identifier, "scopes": credential.scopes},
        organization_id=command.organization_id,
    )
    return credential, f"{TOKEN_PREFIX}{identifier}_{secret}"


async def authenticate_token(session: AsyncSession, token: str) -> Principal:
    if not token.startswith(TOKEN_PREFIX) or len(token) < len(TOKEN_PREFIX) + _ID_CHARS + 2:
        raise Unauthenticated("The token is malformed.")
    body = token[len(TOKEN_PREFIX) :]
    identifier, sep, secret = body[:_ID_CHARS], body[_ID_CHARS], body[_ID_CHARS + 1 :]
    if sep != "_" or not secret:
        raise Unauthenticated("The token is malformed.")
    return _principal(await check(session, API_TOKEN, identifier, secret))


async def list_tokens(session: AsyncSession, principal: Principal) -> list[Credential]:
    query = select(Credential).where(Credential.kind == API_TOKEN).order_by(Credential.id)
    if principal.organization_id is not None:
        query = query.where(Credential.organization_id == principal.organization_id)
    return [
        c
        for c in (await session.scalars(query)).all()
        if principal.allows("admin", c.organization_id)
    ]


async def revoke_token(session: AsyncSession, principal: Principal, token_id: int) -> Credential:
    credential = await session.get(Credential, token_id)
    if (
        credential is None
        or credential.kind != API_TOKEN
        or not principal.allows("admin", credential.organization_id)
    ):
        raise NotFound(f"No token with id {token_id}.")
    if credential.revoked_at is None:
        credential.revoked_at = utcnow()
        events.record(
            session,
            principal,
            "token.revoked",
            "token",
            credential.id,
            {"id": credential.id, "identifier": credential.identifier},
            organization_id=credential.organization_id,
        )
    return credential


# ---- every kind of credential: listed and revoked the same way ---------------------


@dataclass(frozen=True)
class CredentialKind:
    """What a kind of credential is, for people who list and revoke them.

    Dialects describe their kinds when they load (``describe``); the core lists and
    revokes every kind the same way, since every request reads its credential's row.
    ``session`` kinds are logins made by the credential above them (a temporary key,
    a session id): listed only when asked for.
    """

    kind: str
    label: str
    dialect: str
    session: bool = False


KINDS: dict[str, CredentialKind] = {API_TOKEN: CredentialKind(API_TOKEN, "API token", "native")}


def describe(kind: str, label: str, dialect: str, *, session: bool = False) -> None:
    KINDS[kind] = CredentialKind(kind, label, dialect, session)


def kind_of(credential: Credential) -> CredentialKind:
    return KINDS.get(credential.kind) or CredentialKind(credential.kind, credential.kind, "")


async def list_credentials(
    session: AsyncSession,
    principal: Principal,
    *,
    organization_id: int | None = None,
    kinds: Sequence[str] | None = None,
    sessions: bool = False,
) -> list[Credential]:
    """Every credential the principal administers (never a secret: only hashes are
    stored), optionally of one organization or some kinds; logins of session kinds
    only with ``sessions``."""
    query = select(Credential).order_by(Credential.id)
    if organization_id is not None:
        query = query.where(Credential.organization_id == organization_id)
    if principal.organization_id is not None:
        query = query.where(Credential.organization_id == principal.organization_id)
    if kinds is not None:
        query = query.where(Credential.kind.in_(list(kinds)))
    return [
        c
        for c in (await session.scalars(query)).all()
        if principal.allows("admin", c.organization_id) and (sessions or not kind_of(c).session)
    ]


async def revoke(session: AsyncSession, principal: Principal, credential_id: int) -> Credential:
    """Refuse a credential of any kind from the next request on, on every worker.

    Revoking one twice is a no-op; a credential the principal may not administer
    answers as one that does not exist.
    """
    credential = await session.get(Credential, credential_id)
    if credential is None or not principal.allows("admin", credential.organization_id):
        raise NotFound(f"No credential with id {credential_id}.")
    mark_revoked(session, principal, credential)
    return credential


def mark_revoked(session: AsyncSession, principal: Principal, credential: Credential) -> None:
    """Revoke ``credential`` (once) and log it; the caller has checked the permission."""
    if credential.revoked_at is None:
        credential.revoked_at = utcnow()
        events.record(
            session,
            principal,
            "credential.revoked",
            "credential",
            credential.id,
            {"id": credential.id, "kind": credential.kind, "identifier": credential.identifier},
            organization_id=credential.organization_id,
        )


# ---- making credentials for an organization: what the console offers -----------------


@dataclass(frozen=True)
class Made:
    """A new credential's public half and its secrets, each shown once with a label."""

    identifier: str
    secrets: list[tuple[str, str]]


Make = Callable[[AsyncSession, Principal, int, int | None, str, str], Awaitable[Made]]
Targets = Callable[[AsyncSession, int], Awaitable[list[tuple[int, str]]]]


@dataclass(frozen=True)
class Maker:
    """How an organization's owner makes one kind of credential (the dialect says).

    ``make(session, principal, organization_id, target_id, choice, name)`` checks the
    principal itself; ``targets`` lists what the credential is for (a race, a contest)
    when it is for one thing; ``choices`` are what ``choice`` may be (token scopes,
    a role). ``base_path`` is where a client sends its requests.
    """

    kind: str
    label: str
    base_path: str
    usage: str
    make: Make
    target: str = ""
    targets: Targets | None = None
    choice: str = ""
    choices: tuple[str, ...] = ()


MAKERS: dict[str, Maker] = {}


def offer(maker: Maker) -> None:
    MAKERS[maker.kind] = maker


async def _make_token(
    session: AsyncSession,
    principal: Principal,
    organization_id: int,
    _target: int | None,
    choice: str,
    name: str,
) -> Made:
    command = TokenCreate(organization_id=organization_id, scopes=[choice or "read"], name=name)
    credential, token = await issue_token(session, principal, command)
    return Made(credential.identifier, [("Token", token)])


offer(
    Maker(
        API_TOKEN,
        "API token",
        "/api/v1",
        "Send it as Authorization: Bearer <token> to the native API and its Python client.",
        _make_token,
        choice="Scope",
        choices=SCOPES,
    )
)
