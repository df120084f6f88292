"""Organizer accounts: an email and an argon2-hashed password, and a role per organization.

An account is a ``Credential`` of kind ``console_user`` (identifier: the email in
lower case). Its roles live in ``memberships``; acting in an organization, the
account is a ``Principal`` holding its role's permissions there, so the console asks
the core the same questions a token does. Every change records an event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import StringConstraints, TypeAdapter, ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import credentials, events, limits
from podium.core.errors import Conflict, Invalid, NotFound
from podium.core.principal import Principal
from podium.core.resources import Command
from podium.core.roles import ROLE_NAMES, ROLES
from podium.store.tables import Credential, Membership, Organization
from podium.store.types import utcnow

USER = "console_user"
credentials.describe(USER, "Organizer account", "console")

MIN_PASSWORD = 10
MAX_PASSWORD = 1000
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$"
    ),
]


_EMAIL = TypeAdapter(Email)


class UserCreate(Command):
    email: Email
    password: str
    name: Annotated[str, StringConstraints(max_length=200)] = ""


def check_password(password: str) -> str:
    """A password people can keep: 10 to 1000 characters the store can hold."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise Invalid(f"The password needs at least {MIN_PASSWORD} characters.", field="password")
    return limits.text(password, "password", MAX_PASSWORD)


def normal_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> str:
    """The address in lower case, or Invalid when it is not one."""
    try:
        return _EMAIL.validate_python(email)
    except ValidationError:
        raise Invalid(f"{str(email)[:80]!r} is not an email address.", field="email") from None


async def find_user(session: AsyncSession, email: str) -> Credential | None:
    wanted = normal_email(email)
    if not limits.storable(wanted) or len(wanted) > 320:
        return None
    found: Credential | None = await session.scalar(
        select(Credential).where(Credential.kind == USER, Credential.identifier == wanted)
    )
    return found


async def get_user(session: AsyncSession, user_id: int) -> Credential | None:
    row = await session.get(Credential, user_id)
    return row if row is not None and row.kind == USER else None


def _user_event(user: Credential) -> dict[str, object]:
    return {"id": user.id, "email": user.identifier, "name": user.name}


async def create_user(
    session: AsyncSession, principal: Principal, command: UserCreate
) -> Credential:
    """A new account (instance administrators only: owners invite instead)."""
    principal.require("admin", None)
    if await find_user(session, command.email) is not None:
        raise Conflict(f"An account for {command.email} exists already.", field="email")
    user = Credential(
        kind=USER,
        identifier=command.email,
        secret_hash=credentials.hash_secret(check_password(command.password)),
        name=command.name or command.email.split("@")[0],
    )
    session.add(user)
    await session.flush()
    events.record(session, principal, "account.created", "account", user.id, _user_event(user))
    return user


def set_password(
    session: AsyncSession, principal: Principal, user: Credential, password: str
) -> None:
    """A new password; every console session of the account ends with it."""
    user.secret_hash = credentials.hash_secret(check_password(password))
    user.attributes = {**user.attributes, "password_changed_at": utcnow().isoformat()}
    events.record(
        session, principal, "account.password_changed", "account", user.id, _user_event(user)
    )


async def verify_password(user: Credential, password: str) -> bool:
    return await credentials.verify_secret_async(user.secret_hash, password)


# ---- memberships ------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    membership_id: int
    user_id: int
    email: str
    name: str
    role: str
    active: bool


def check_role(name: str) -> str:
    """``name`` when it names a role, else Invalid naming the roles there are."""
    if name not in ROLES:
        raise Invalid(f"Unknown role {name!r}: use one of {', '.join(ROLE_NAMES)}.", field="role")
    return name


async def membership(
    session: AsyncSession, user_id: int, organization_id: int
) -> Membership | None:
    found: Membership | None = await session.scalar(
        select(Membership).where(
            Membership.user_id == user_id, Membership.organization_id == organization_id
        )
    )
    return found


async def memberships_of(
    session: AsyncSession, user_id: int
) -> list[tuple[Membership, Organization]]:
    rows = await session.execute(
        select(Membership, Organization)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(Membership.user_id == user_id)
        .order_by(Organization.name)
    )
    return [(m, o) for m, o in rows]


def principal_for(user: Credential, member: Membership) -> Principal:
    """The account acting in ``member``'s organization, with its role's permissions."""
    return Principal(
        kind="user",
        label=f"user:{user.identifier}",
        organization_id=member.organization_id,
        scopes=ROLES[member.role].permissions,
        person_id=user.person_id,
        credential_id=user.id,
    )


def _member_event(member: Membership, user: Credential) -> dict[str, object]:
    return {"id": member.id, "user_id": user.id, "email": user.identifier, "role": member.role}


async def add_member(
    session: AsyncSession, principal: Principal, user: Credential, organization_id: int, role: str
) -> Membership:
    """Give ``user`` ``role`` in the organization (or change the role it has there)."""
    principal.require("admin", organization_id)
    existing = await membership(session, user.id, organization_id)
    if existing is not None:
        return await set_role(session, principal, organization_id, existing.id, role)
    member = Membership(user_id=user.id, organization_id=organization_id, role=check_role(role))
    session.add(member)
    await session.flush()
    events.record(
        session,
        principal,
        "member.added",
        "member",
        member.id,
        _member_event(member, user),
        organization_id=organization_id,
    )
    return member


async def _owned(
    session: AsyncSession, principal: Principal, organization_id: int, membership_id: int
) -> tuple[Membership, Credential]:
    principal.require("admin", organization_id)
    member = await session.get(Membership, membership_id)
    user = await get_user(session, member.user_id) if member is not None else None
    if member is None or user is None or member.organization_id != organization_id:
        raise NotFound(f"No member {membership_id} in this organization.")
    return member, user


async def _other_owners(session: AsyncSession, member: Membership) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Membership)
            .join(Credential, Credential.id == Membership.user_id)
            .where(
                Membership.organization_id == member.organization_id,
                Membership.role == "owner",
                Membership.id != member.id,
                Credential.revoked_at.is_(None),
            )
        )
        or 0
    )


async def set_role(
    session: AsyncSession, principal: Principal, organization_id: int, membership_id: int, role: str
) -> Membership:
    member, user = await _owned(session, principal, organization_id, membership_id)
    wanted = check_role(role)
    if member.role == "owner" and wanted != "owner" and not await _other_owners(session, member):
        raise Conflict("The organization needs an owner: make someone else owner first.")
    if member.role != wanted:
        before = _member_event(member, user)
        member.role = wanted
        events.record(
            session,
            principal,
            "member.updated",
            "member",
            member.id,
            _member_event(member, user),
            organization_id=organization_id,
            before=before,
        )
    return member


async def remove_member(
    session: AsyncSession, principal: Principal, organization_id: int, membership_id: int
) -> None:
    member, user = await _owned(session, principal, organization_id, membership_id)
    if member.role == "owner" and not await _other_owners(session, member):
        raise Conflict("The organization needs an owner: make someone else owner first.")
    events.record(
        session,
        principal,
        "member.removed",
        "member",
        member.id,
        None,
        organization_id=organization_id,
        before=_member_event(member, user),
    )
    await session.delete(member)


async def list_members(
    session: AsyncSession, principal: Principal, organization_id: int
) -> list[Member]:
    principal.require("read", organization_id)
    rows = await session.execute(
        select(Membership, Credential)
        .join(Credential, Credential.id == Membership.user_id)
        .where(Membership.organization_id == organization_id)
        .order_by(Credential.identifier)
    )
    return [Member(m.id, u.id, u.identifier, u.name, m.role, u.revoked_at is None) for m, u in rows]
