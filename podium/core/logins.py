"""Console logins: sessions, failed attempts, lock-out, and password resets.

A session is a ticket (``podium.core.tickets``) of kind ``console_session`` that names
its account and carries the CSRF token of its forms. Every request reads the session
and the account, so logging out, a revoked account, a changed password or a changed
role apply at once on every worker.

Failed logins are counted per account and per address over ``WINDOW``. Past the
limits the login is refused with a message saying when to try again, before any
password is checked; a successful login clears the account's count. Every login and
failure is logged (never the password).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import accounts, credentials, tickets
from podium.core.errors import NotFound
from podium.core.principal import SYSTEM, Principal
from podium.store.tables import Credential, LoginFailure
from podium.store.types import utcnow

log = logging.getLogger("podium.login")

SESSION = "console_session"
RESET = "console_reset"
credentials.describe(SESSION, "Console session", "console", session=True)
credentials.describe(RESET, "Password reset link", "console", session=True)

SESSION_LIFETIME = timedelta(hours=12)
RESET_LIFETIME = timedelta(hours=1)
WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 5  # failures per account in the window: then locked until they age out
ADDRESS_LIMIT = 20  # failures from one address in the window, whatever the account


@dataclass(frozen=True)
class Login:
    """A login's outcome: a session (and its ticket for the cookie), or a refusal."""

    user: Credential | None = None
    ticket: str = ""
    csrf: str = ""
    refusal: str = ""
    throttled: bool = False

    @property
    def ok(self) -> bool:
        return self.user is not None


async def _recent(session: AsyncSession, key: str) -> tuple[int, int]:
    """(failures of ``key`` in the window, seconds until the oldest of them ages out)."""
    since = utcnow() - WINDOW
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(
                LoginFailure.key == key, LoginFailure.at > since
            )
        )
    ).one()
    wait = 0 if oldest is None else int((oldest + WINDOW - utcnow()).total_seconds()) + 1
    return int(count or 0), max(wait, 1)


def _minutes(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@dataclass(frozen=True)
class Attempt:
    """A checked login, to be recorded: the account when the password was right."""

    email: str
    address: str
    user_id: int | None = None
    refusal: str = ""
    throttled: bool = False

    @property
    def keys(self) -> tuple[str, str]:
        return f"account:{self.email}", f"address:{self.address}"


async def check(session: AsyncSession, email: str, password: str, address: str) -> Attempt:
    """Throttle, then verify the password (argon2, off the event loop), reading only:
    no write lock is held while argon2 runs. ``record`` then writes the outcome."""
    attempt = Attempt(accounts.normal_email(email)[:320], address[:200])
    for key, limit, what in zip(
        attempt.keys, (ACCOUNT_LIMIT, ADDRESS_LIMIT), ("this account", "this address"), strict=True
    ):
        count, wait = await _recent(session, key)
        if count >= limit:
            log.warning("login throttled", extra={"email": attempt.email, "address": address})
            refusal = (
                f"Too many failed logins for {what}: try again in {_minutes(wait)}, "
                "or ask an owner for a password reset link."
            )
            return Attempt(attempt.email, attempt.address, refusal=refusal, throttled=True)
    user = await accounts.find_user(session, attempt.email)
    valid = await credentials.verify_secret_async(user.secret_hash if user else None, password)
    if user is None or not valid or user.revoked_at is not None:
        log.warning("login failed", extra={"email": attempt.email, "address": address})
        refusal = "The email or the password is not right."
        return Attempt(attempt.email, attempt.address, refusal=refusal)
    return Attempt(attempt.email, attempt.address, user_id=user.id)


async def record(
    session: AsyncSession, attempt: Attempt, lifetime: timedelta = SESSION_LIFETIME
) -> Login:
    """Write a checked login: the failure counted, or a session opened for ``lifetime``."""
    account_key, address_key = attempt.keys
    if attempt.throttled:
        return Login(refusal=attempt.refusal, throttled=True)
    user = await accounts.get_user(session, attempt.user_id) if attempt.user_id else None
    if user is None or user.revoked_at is not None:
        session.add_all([LoginFailure(key=account_key), LoginFailure(key=address_key)])
        return Login(refusal=attempt.refusal or "The email or the password is not right.")
    await session.execute(delete(LoginFailure).where(LoginFailure.key == account_key))
    csrf = secrets.token_urlsafe(32)
    row, ticket = await tickets.issue(
        session,
        SESSION,
        lifetime,
        person_id=user.person_id,
        name=user.identifier,
        attributes={"user_id": user.id, "csrf": csrf, "password": _password_mark(user)},
    )
    user.last_used_at = utcnow()
    log.info("login", extra={"email": attempt.email, "address": attempt.address, "session": row.id})
    return Login(user=user, ticket=ticket, csrf=csrf)


def _password_mark(user: Credential) -> str:
    """Changes with the password: a session opened before a new password ends."""
    return str(user.attributes.get("password_changed_at", ""))


@dataclass(frozen=True)
class Active:
    """A live console session and its account."""

    session_id: int
    user: Credential
    csrf: str


async def resolve(session: AsyncSession, ticket: object) -> Active | None:
    """The session a cookie names, if it and its account are still good."""
    row = await tickets.find(session, SESSION, ticket)
    if row is None:
        return None
    user_id = row.attributes.get("user_id")
    user = await accounts.get_user(session, user_id) if isinstance(user_id, int) else None
    if (
        user is None
        or user.revoked_at is not None
        or row.attributes.get("password") != _password_mark(user)
    ):
        return None
    return Active(row.id, user, str(row.attributes.get("csrf", "")))


async def logout(session: AsyncSession, session_id: int) -> None:
    row = await session.get(Credential, session_id)
    if row is not None and row.kind == SESSION and row.revoked_at is None:
        row.revoked_at = utcnow()
        log.info("logout", extra={"email": row.name, "session": row.id})


async def change_password(session: AsyncSession, user: Credential, current: str, new: str) -> bool:
    """A new password if ``current`` is right; every session of the account ends."""
    if not await accounts.verify_password(user, current):
        return False
    principal = Principal(kind="user", label=f"user:{user.identifier}", credential_id=user.id)
    accounts.set_password(session, principal, user, new)
    return True


async def begin_reset(
    session: AsyncSession, principal: Principal, email: str
) -> tuple[Credential, str]:
    """A one-hour password reset ticket for the account (instance admins: the CLI)."""
    principal.require("admin", None)
    user = await accounts.find_user(session, email)
    if user is None:
        raise NotFound(f"No account for {email}.")
    _row, ticket = await tickets.issue(
        session, RESET, RESET_LIFETIME, name=user.identifier, attributes={"user_id": user.id}
    )
    return user, ticket


async def reset_target(session: AsyncSession, ticket: object) -> Credential | None:
    row = await tickets.find(session, RESET, ticket)
    user_id = row.attributes.get("user_id") if row is not None else None
    return await accounts.get_user(session, user_id) if isinstance(user_id, int) else None


async def complete_reset(session: AsyncSession, ticket: str, password: str) -> Credential | None:
    """Set the password the reset ticket is for; None when the ticket is not valid."""
    row = await tickets.find(session, RESET, ticket)
    user = await reset_target(session, ticket)
    if row is None or user is None:
        return None
    accounts.set_password(session, SYSTEM, user, password)
    row.revoked_at = utcnow()  # used up
    return user
