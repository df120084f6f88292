"""Invitations: an owner invites an email address to an organization with a role.

The invitation link carries a ticket (``podium.core.tickets``). Following it, a new
person sets a password and gets an account; someone who has an account already
confirms with their password. Either way the account gains the role, the ticket is
used up, and the event log says who invited whom.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import accounts, credentials, events, tickets
from podium.core.errors import NotFound, Unauthenticated
from podium.core.principal import SYSTEM, Principal
from podium.store.tables import Credential, Membership, Organization
from podium.store.types import utcnow

INVITATION = "console_invitation"
credentials.describe(INVITATION, "Invitation", "console", session=True)
LIFETIME = timedelta(days=7)


@dataclass(frozen=True)
class Invitation:
    id: int
    email: str
    role: str
    organization_id: int
    invited_by: str
    expires_at: str


def _view(row: Credential) -> Invitation:
    return Invitation(
        row.id,
        str(row.attributes.get("email", "")),
        str(row.attributes.get("role", "")),
        row.organization_id or 0,
        str(row.attributes.get("invited_by", "")),
        row.expires_at.isoformat() if row.expires_at else "",
    )


async def invite(
    session: AsyncSession, principal: Principal, organization_id: int, email: str, role: str
) -> tuple[Invitation, str]:
    """A new invitation and its ticket (for the link); owners (admin) only."""
    principal.require("admin", organization_id)
    email = accounts.check_email(email)
    role = accounts.check_role(role)
    row, ticket = await tickets.issue(
        session,
        INVITATION,
        LIFETIME,
        organization_id=organization_id,
        name=email,
        attributes={"email": email, "role": role, "invited_by": principal.label},
    )
    events.record(
        session,
        principal,
        "invitation.created",
        "invitation",
        row.id,
        {"id": row.id, "email": email, "role": role},
        organization_id=organization_id,
    )
    return _view(row), ticket


async def pending(
    session: AsyncSession, principal: Principal, organization_id: int
) -> list[Invitation]:
    principal.require("admin", organization_id)
    rows = await session.scalars(
        select(Credential)
        .where(
            Credential.kind == INVITATION,
            Credential.organization_id == organization_id,
            Credential.revoked_at.is_(None),
            Credential.expires_at > utcnow(),
        )
        .order_by(Credential.id)
    )
    return [_view(row) for row in rows]


async def cancel(
    session: AsyncSession, principal: Principal, organization_id: int, invitation_id: int
) -> None:
    row = await session.get(Credential, invitation_id)
    if row is None or row.kind != INVITATION or row.organization_id != organization_id:
        raise NotFound(f"No invitation {invitation_id}.")
    principal.require("admin", organization_id)
    credentials.mark_revoked(session, principal, row)


@dataclass(frozen=True)
class Opened:
    """What an invitation link shows before it is accepted."""

    email: str
    role: str
    organization: str
    has_account: bool


async def open_ticket(session: AsyncSession, ticket: str) -> Opened:
    row = await tickets.find(session, INVITATION, ticket)
    org = await session.get(Organization, row.organization_id) if row is not None else None
    if row is None or org is None:
        raise NotFound("This invitation link is not valid: it was used, cancelled or expired.")
    view = _view(row)
    user = await accounts.find_user(session, view.email)
    return Opened(view.email, view.role, org.name, user is not None)


async def accept(
    session: AsyncSession, ticket: str, password: str, name: str = ""
) -> tuple[Credential, Membership]:
    """Use the invitation: a new account with ``password``, or the existing account
    confirmed by its password; it gains the role and the ticket is used up."""
    row = await tickets.find(session, INVITATION, ticket)
    if row is None or row.organization_id is None:
        raise NotFound("This invitation link is not valid: it was used, cancelled or expired.")
    view = _view(row)
    inviter = Principal(
        kind="invitation",
        label=f"invitation:{view.invited_by}",
        organization_id=row.organization_id,
        scopes=frozenset({"admin"}),
    )
    user = await accounts.find_user(session, view.email)
    if user is None:
        user = await accounts.create_user(
            session, SYSTEM, accounts.UserCreate(email=view.email, password=password, name=name)
        )
    elif user.revoked_at is not None or not await accounts.verify_password(user, password):
        raise Unauthenticated("That is not the password of the account for this email.")
    member = await accounts.add_member(session, inviter, user, row.organization_id, view.role)
    row.revoked_at = utcnow()  # used up
    events.record(
        session,
        inviter,
        "invitation.accepted",
        "invitation",
        row.id,
        {"id": row.id, "email": view.email, "role": view.role},
        organization_id=row.organization_id,
    )
    return user, member
