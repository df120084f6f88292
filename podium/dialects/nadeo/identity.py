"""Nadeo accounts: a login and password (argon2) for a person with a ``nadeo`` id.

A service account acts as its person (``usg`` Client); a dedicated-server account
(``usg`` Server) has its own person and may name the account that owns it. People
belong to the whole instance; the clubs (organizations) they joined are listed in
the members team of each club.

Tokens name the account's credential and its generation (``jwt.session_id``): every
request reads that row (``live_account``), so revoking an account, or changing its
password (which bumps the generation), ends its tokens at once on every worker.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import credentials, events, external_ids, resources, teams
from podium.core.credentials import VERIFIED, hash_secret, verify_secret_async
from podium.core.errors import NotFound
from podium.core.people import PEOPLE, PersonCreate
from podium.core.principal import Principal
from podium.core.teams import TEAMS, MemberAdd, TeamCreate
from podium.dialects.nadeo.jwt import Identity, same_generation
from podium.store.tables import Credential, Person, Team, TeamMember
from podium.store.types import utcnow

KIND = "nadeo_account"
credentials.describe(KIND, "Nadeo account", "nadeo")
SCHEME = "nadeo"
WORLD = "301e1b69-7e13-11e8-8060-e284abfd2bc4"
GENERATION = "token_generation"


@dataclass(frozen=True)
class NewAccount:
    login: str
    password: str
    account_id: str
    server: bool


MEMBERS = "Club members"


async def club_team(session: AsyncSession, principal: Principal, club_id: int) -> Team:
    """The team listing a club's members, created on first use."""
    found = await session.scalar(
        select(Team).where(Team.organization_id == club_id, Team.name == MEMBERS)
    )
    if found is not None:
        return found
    return await resources.create(
        session, principal, TEAMS, TeamCreate(name=MEMBERS, organization_id=club_id)
    )


async def join_club(
    session: AsyncSession, principal: Principal, club_id: int, person_id: int
) -> None:
    team = await club_team(session, principal, club_id)
    if not await is_member(session, club_id, person_id):
        await teams.add_member(session, principal, team.id, MemberAdd(person_id=person_id))


async def is_member(session: AsyncSession, club_id: int, person_id: int) -> bool:
    found = await session.scalar(
        select(TeamMember.id)
        .join(Team, Team.id == TeamMember.team_id)
        .where(
            Team.organization_id == club_id, Team.name == MEMBERS, TeamMember.person_id == person_id
        )
    )
    return found is not None


async def create_account(
    session: AsyncSession,
    principal: Principal,
    club_id: int | None,
    *,
    name: str,
    login: str | None = None,
    password: str | None = None,
    server: bool = False,
    owner: str | None = None,
    zone_id: str = WORLD,
) -> NewAccount:
    account_id = str(uuid.uuid4())
    login = login or (f"srv_{secrets.token_hex(4)}" if server else f"svc_{secrets.token_hex(6)}")
    password = password or secrets.token_urlsafe(18)
    person = await resources.create(
        session,
        principal,
        PEOPLE,
        PersonCreate(
            name=name,
            # Players belong to the whole instance; clubs they joined are listed.
            organization_id=None,
            attributes={"zoneId": zone_id},
            external_ids={SCHEME: account_id},
        ),
    )
    session.add(
        Credential(
            kind=KIND,
            identifier=login,
            secret_hash=hash_secret(password),
            name=name,
            person_id=person.id,
            attributes={
                "account_id": account_id,
                "usage": "Server" if server else "Client",
                "owner": owner,
                "ubiservices_uid": str(uuid.uuid4()),
            },
        )
    )
    await session.flush()
    if club_id is not None:
        await join_club(session, principal, club_id, person.id)
    return NewAccount(login, password, account_id, server)


class LoginFailed(Exception):
    pass


async def verify(session: AsyncSession, login: str, password: str) -> Identity:
    row = await session.scalar(
        select(Credential).where(Credential.kind == KIND, Credential.identifier == login)
    )
    if row is None:
        await verify_secret_async(None, password)
        raise LoginFailed("Username could not be found.")
    cache_key = f"{KIND}:{row.secret_hash}"
    if not (
        VERIFIED.matches(cache_key, password, row.id)
        or await verify_secret_async(row.secret_hash, password)
    ):
        raise LoginFailed("Invalid credentials.")
    VERIFIED.remember(cache_key, password, row.id)
    if not _usable(row):
        raise LoginFailed("Invalid credentials.")
    return identity_of(row)


def _usable(row: Credential) -> bool:
    return row.revoked_at is None and (row.expires_at is None or row.expires_at > utcnow())


def generation(row: Credential) -> int:
    return int(row.attributes.get(GENERATION, 0))


def identity_of(row: Credential) -> Identity:
    return Identity(
        account_id=str(row.attributes["account_id"]),
        name=row.name,
        usage=str(row.attributes.get("usage", "Client")),
        ubiservices_uid=str(row.attributes.get("ubiservices_uid", "")),
        credential_id=row.id,
        generation=generation(row),
    )


async def live_account(
    session: AsyncSession, credential_id: int, token_generation: int, account_id: str
) -> Credential | None:
    """The account a token was issued for, if it still exists, is not revoked or
    expired, and its password has not changed since: one read by primary key."""
    row = await session.get(Credential, credential_id)
    if (
        row is None
        or row.kind != KIND
        or not _usable(row)
        or not same_generation(generation(row), token_generation)
        or row.attributes.get("account_id") != account_id
    ):
        return None
    return row


async def find_account(session: AsyncSession, login: str) -> Credential:
    row = await session.scalar(
        select(Credential).where(Credential.kind == KIND, Credential.identifier == login)
    )
    if row is None:
        raise NotFound(f"No Nadeo account with login {login}.")
    return row


def _event(row: Credential) -> dict[str, object]:
    return {"id": row.id, "kind": row.kind, "identifier": row.identifier}


async def revoke_account(session: AsyncSession, principal: Principal, login: str) -> Credential:
    """Refuse the account's logins and every token it holds, from the next request on."""
    principal.require("admin", None)
    row = await find_account(session, login)
    credentials.mark_revoked(session, principal, row)
    return row


async def reset_password(
    session: AsyncSession, principal: Principal, login: str, password: str | None = None
) -> str:
    """A new password (returned once); tokens issued before it stop working."""
    principal.require("admin", None)
    row = await find_account(session, login)
    password = password or secrets.token_urlsafe(18)
    row.secret_hash = hash_secret(password)
    row.attributes = {**row.attributes, GENERATION: generation(row) + 1}
    events.record(session, principal, "credential.reset", "credential", row.id, _event(row))
    return password


async def list_accounts(session: AsyncSession) -> list[Credential]:
    rows = await session.scalars(
        select(Credential).where(Credential.kind == KIND).order_by(Credential.id)
    )
    return list(rows.all())


async def person_of(session: AsyncSession, account_id: str) -> Person | None:
    person_id = await external_ids.find(session, "person", SCHEME, account_id)
    return await session.get(Person, person_id) if person_id is not None else None


async def account_ids(session: AsyncSession, person_ids: list[int]) -> dict[int, str]:
    found = await external_ids.for_objects(session, "person", person_ids)
    return {pid: ids.get(SCHEME, "") for pid, ids in found.items()}


async def server_accounts(session: AsyncSession, owner: str) -> list[Credential]:
    rows = await session.scalars(
        select(Credential).where(Credential.kind == KIND).order_by(Credential.id)
    )
    return [
        r
        for r in rows
        if r.attributes.get("usage") == "Server" and r.attributes.get("owner") == owner
    ]
