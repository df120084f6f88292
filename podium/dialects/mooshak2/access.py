"""Who is calling the Mooshak API: logins, bearer tokens, roles and the contest domain.

Every failure is Mooshak's 403 (unauthenticated included, never 401) with its own
message. A token names the user's credential, which is read on each call, so a
revoked or deleted user is refused at once and a changed role applies at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from podium.core.credentials import verify_secret_async
from podium.core.principal import Principal
from podium.dialects.mooshak2 import storage, tokens
from podium.dialects.mooshak2.wire import Role
from podium.store.tables import Competition, Credential

NOT_ALLOWED = "You don't have enough permissions to perform this action."
NEEDS_LOGIN = "Authentication is required to perform this action."
# Roles that only make sense inside one contest.
CONTEST_ROLES = frozenset({Role.TEAM, Role.JUDGE, Role.CREATOR, Role.RUNNER})


class Failure(Exception):
    """An error answered in Mooshak's ``{status, title, message, path}`` shape."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def forbidden(message: str = NOT_ALLOWED) -> Failure:
    return Failure(403, message)


@dataclass(frozen=True)
class Caller:
    username: str
    role: Role
    contest: str | None  # the contest key the session is bound to
    credential_id: int
    person_id: int | None
    organization_id: int | None

    def principal(self) -> Principal:
        """How this caller acts on the core: an instance admin, or within its contest.

        A team submits (``results``) and reads; it is not a judge, so it sees a frozen
        scoreboard as the public does.
        """
        instance = self.role is Role.ADMIN and self.contest is None
        scopes = {"read", "write", "admin"} if self.role is Role.ADMIN else {"read", "write"}
        if self.role is Role.TEAM:
            scopes = {"read", "results"}
        return Principal(
            kind="mooshak",
            label=f"mooshak:{self.username}",
            organization_id=None if instance else self.organization_id,
            scopes=frozenset(scopes),
            person_id=self.person_id,
            credential_id=self.credential_id,
        )


async def login(session: AsyncSession, body: dict[str, Any]) -> tuple[Credential, str | None]:
    """The credential and contest key of a good login; Failure(403/422) otherwise."""
    username, password, contest = body.get("username"), body.get("password"), body.get("contest")
    if not isinstance(username, str) or not username:
        raise Failure(422, "Username is required.")
    if not isinstance(password, str) or not password:
        raise Failure(422, "Password is required.")
    if isinstance(contest, dict):
        contest = contest.get("id")
    if contest is not None and not isinstance(contest, str):
        raise Failure(422, "The contest must be a string.")
    contest = contest or None
    key: str | None = None
    credential = await storage.find_user(session, username, None)
    if contest is not None:
        row = await storage.find_contest(session, contest)
        if row is not None:
            key = await storage.contest_key(session, row)
            if credential is None:
                credential = await storage.find_user(session, username, key)
    ok = await verify_secret_async(credential.secret_hash if credential else None, password)
    if credential is None or credential.revoked_at is not None:
        raise Failure(403, "Authentication failed. Reason: Unknown user")
    if not ok:
        raise Failure(403, "Authentication failed. Reason: Invalid password")
    if contest is not None and key is None:
        raise Failure(403, "Authentication failed. Reason: Unknown contest")
    if key is None and _role(credential) in CONTEST_ROLES:
        raise Failure(403, "Authentication failed. Reason: No contest selected")
    return credential, key


def _role(credential: Credential) -> Role:
    try:
        return Role(str(credential.attributes.get("role", "TEAM")))
    except ValueError:
        return Role.TEAM


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer`` header; None when there is no header."""
    if header is None:
        return None
    if not header.startswith("Bearer "):
        raise forbidden("Invalid authorization header.")
    return header[len("Bearer ") :].strip()


async def caller(session: AsyncSession, token: str, key: bytes) -> Caller:
    try:
        claims = tokens.parse(token, key)
    except tokens.TokenError as exc:
        raise forbidden(str(exc)) from None
    credential = await session.get(Credential, claims.credential_id)
    if (
        credential is None
        or credential.kind != storage.USER_KIND
        or credential.revoked_at is not None
        or credential.attributes.get("username") != claims.subject
    ):
        raise forbidden("The token that you have provided is not valid.")
    return Caller(
        username=claims.subject,
        role=_role(credential),
        contest=claims.contest,
        credential_id=credential.id,
        person_id=credential.person_id,
        organization_id=credential.organization_id,
    )


def require(who: Caller | None, *roles: Role) -> Caller:
    """The caller, if signed in and (when roles are given) holding one of them."""
    if who is None:
        raise forbidden(NEEDS_LOGIN)
    if roles and who.role not in roles:
        raise forbidden()
    return who


async def in_domain(session: AsyncSession, who: Caller, contest: Competition) -> None:
    """A session bound to a contest reaches only that contest."""
    if who.contest is None:
        return
    bound = await storage.find_contest(session, who.contest)
    if bound is None or bound.id != contest.id:
        raise forbidden()
