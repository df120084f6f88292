"""Organizer accounts, memberships, invitations, logins and resets, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from podium.core import accounts, invitations, logins
from podium.core.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from podium.core.organizations import OrganizationCreate, create_organization
from podium.core.principal import SYSTEM, Principal
from podium.store.database import Database
from podium.store.tables import Credential, Event, LoginFailure
from podium.store.types import utcnow

PASSWORD = "correct horse battery"


async def _org(database: Database, slug: str = "club") -> int:
    async with database.write() as session:
        org = await create_organization(session, SYSTEM, OrganizationCreate(slug=slug, name=slug))
    return org.id


async def _owner(database: Database, org_id: int, email: str = "owner@example.org") -> int:
    async with database.write() as session:
        user = await accounts.create_user(
            session, SYSTEM, accounts.UserCreate(email=email, password=PASSWORD)
        )
        await accounts.add_member(session, SYSTEM, user, org_id, "owner")
    return user.id


async def _acting(database: Database, user_id: int, org_id: int) -> Principal:
    async with database.read() as session:
        user = await accounts.get_user(session, user_id)
        member = await accounts.membership(session, user_id, org_id)
    assert user is not None and member is not None
    return accounts.principal_for(user, member)


async def _login(database: Database, email: str, password: str, address: str = "10.0.0.1"):
    async with database.read() as session:
        attempt = await logins.check(session, email, password, address)
    async with database.write() as session:
        return await logins.record(session, attempt)


async def test_accounts_need_a_real_email_a_long_password_and_are_unique(
    database: Database,
) -> None:
    async with database.write() as session:
        user = await accounts.create_user(
            session, SYSTEM, accounts.UserCreate(email=" Ana@Example.ORG ", password=PASSWORD)
        )
    assert user.identifier == "ana@example.org" and user.secret_hash != PASSWORD
    for email, password, error in (
        ("ana@example.org", PASSWORD, Conflict),
        ("not-an-address", PASSWORD, Invalid),
        ("bo@example.org", "short", Invalid),
        ("bo@example.org", "x" * 1001, Invalid),
        ("bo@example.org", "ten chars\x00!", Invalid),
    ):
        with pytest.raises(error):
            async with database.write() as session:
                await accounts.create_user(
                    session, SYSTEM, accounts.UserCreate(email=email, password=password)
                )
    owner = Principal(kind="user", label="u", organization_id=1, scopes=frozenset({"admin"}))
    with pytest.raises(Forbidden):  # organization owners invite; they cannot mint accounts
        async with database.write() as session:
            await accounts.create_user(
                session, owner, accounts.UserCreate(email="cy@example.org", password=PASSWORD)
            )


async def test_roles_act_through_the_core_permissions(database: Database) -> None:
    org = await _org(database)
    owner_id = await _owner(database, org)
    owner = await _acting(database, owner_id, org)
    async with database.write() as session:
        timer = await accounts.create_user(
            session, SYSTEM, accounts.UserCreate(email="t@example.org", password=PASSWORD)
        )
        member = await accounts.add_member(session, owner, timer, org, "timer")
    acting = await _acting(database, timer.id, org)
    assert acting.allows("results", org) and not acting.allows("setup", org)
    assert not acting.allows("read", org + 1)
    # A timer cannot hand out roles; an owner changes the role and it applies at once.
    with pytest.raises(Forbidden):
        async with database.write() as session:
            await accounts.set_role(session, acting, org, member.id, "owner")
    async with database.write() as session:
        await accounts.set_role(session, owner, org, member.id, "director")
    assert (await _acting(database, timer.id, org)).allows("setup", org)
    with pytest.raises(Invalid, match="Unknown role"):
        async with database.write() as session:
            await accounts.set_role(session, owner, org, member.id, "root")
    async with database.read() as session:
        listed = await accounts.list_members(session, owner, org)
        types = [e.type for e in (await session.scalars(select(Event))).all()]
    assert [(m.email, m.role) for m in listed] == [
        ("owner@example.org", "owner"),
        ("t@example.org", "director"),
    ]
    assert types.count("member.added") == 2 and "member.updated" in types


async def test_the_last_owner_stays(database: Database) -> None:
    org = await _org(database)
    owner_id = await _owner(database, org)
    owner = await _acting(database, owner_id, org)
    async with database.read() as session:
        member = await accounts.membership(session, owner_id, org)
    assert member is not None
    for change in (
        lambda s: accounts.set_role(s, owner, org, member.id, "viewer"),
        lambda s: accounts.remove_member(s, owner, org, member.id),
    ):
        with pytest.raises(Conflict, match="needs an owner"):
            async with database.write() as session:
                await change(session)


async def test_an_invitation_makes_an_account_once(database: Database) -> None:
    org = await _org(database)
    owner = await _acting(database, await _owner(database, org), org)
    async with database.write() as session:
        invitation, ticket = await invitations.invite(
            session, owner, org, "New.Director@Example.org", "director"
        )
    assert invitation.email == "new.director@example.org"
    async with database.read() as session:
        opened = await invitations.open_ticket(session, ticket)
        assert [i.email for i in await invitations.pending(session, owner, org)] == [
            "new.director@example.org"
        ]
    assert opened.role == "director" and not opened.has_account
    with pytest.raises(Invalid):  # the password rule applies to invited people too
        async with database.write() as session:
            await invitations.accept(session, ticket, "short")
    async with database.write() as session:
        user, member = await invitations.accept(session, ticket, PASSWORD, "Dee")
    assert member.role == "director" and user.name == "Dee"
    with pytest.raises(NotFound):  # used up
        async with database.write() as session:
            await invitations.accept(session, ticket, PASSWORD)
    with pytest.raises(NotFound):
        async with database.read() as session:
            await invitations.open_ticket(session, ticket[:-1] + "x")
    assert (await _login(database, "new.director@example.org", PASSWORD)).ok


async def test_an_existing_account_confirms_with_its_password(database: Database) -> None:
    club, other = await _org(database), await _org(database, "other")
    await _owner(database, club, "ana@example.org")
    owner = await _acting(database, await _owner(database, other, "bo@example.org"), other)
    async with database.write() as session:
        _invitation, ticket = await invitations.invite(
            session, owner, other, "ana@example.org", "timer"
        )
    async with database.read() as session:
        assert (await invitations.open_ticket(session, ticket)).has_account
    with pytest.raises(Unauthenticated):
        async with database.write() as session:
            await invitations.accept(session, ticket, "not the password")
    async with database.write() as session:
        user, _member = await invitations.accept(session, ticket, PASSWORD)
    async with database.read() as session:
        roles = {o.slug: m.role for m, o in await accounts.memberships_of(session, user.id)}
    assert roles == {"club": "owner", "other": "timer"}


async def test_cancelled_and_expired_invitations_do_not_open(database: Database) -> None:
    org = await _org(database)
    owner = await _acting(database, await _owner(database, org), org)
    async with database.write() as session:
        first, cancelled = await invitations.invite(session, owner, org, "a@example.org", "viewer")
        _second, expired = await invitations.invite(session, owner, org, "b@example.org", "viewer")
        await invitations.cancel(session, owner, org, first.id)
    async with database.write() as session:
        await session.execute(
            update(Credential)
            .where(Credential.kind == invitations.INVITATION, Credential.name == "b@example.org")
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    for ticket in (cancelled, expired):
        with pytest.raises(NotFound):
            async with database.read() as session:
                await invitations.open_ticket(session, ticket)


async def test_logins_open_sessions_that_end_with_logout_and_new_passwords(
    database: Database,
) -> None:
    org = await _org(database)
    await _owner(database, org)
    first = await _login(database, "OWNER@example.org", PASSWORD)
    second = await _login(database, "owner@example.org", PASSWORD)
    assert first.ok and second.ok and first.csrf and first.ticket != second.ticket
    async with database.read() as session:
        active = await logins.resolve(session, first.ticket)
        assert active is not None and active.csrf == first.csrf
        assert await logins.resolve(session, first.ticket + "x") is None
        assert await logins.resolve(session, "garbage") is None
    async with database.write() as session:
        await logins.logout(session, active.session_id)
    async with database.read() as session:
        assert await logins.resolve(session, first.ticket) is None
        still = await logins.resolve(session, second.ticket)
    assert still is not None
    async with database.write() as session:
        user = await accounts.get_user(session, still.user.id)
        assert user is not None
        assert not await logins.change_password(session, user, "wrong password", "x" * 12)
        assert await logins.change_password(session, user, PASSWORD, "a brand new password")
    async with database.read() as session:
        assert await logins.resolve(session, second.ticket) is None  # every session ended
    assert not (await _login(database, "owner@example.org", PASSWORD)).ok
    assert (await _login(database, "owner@example.org", "a brand new password")).ok


async def test_failed_logins_lock_the_account_then_the_address(database: Database) -> None:
    org = await _org(database)
    await _owner(database, org)
    for _ in range(logins.ACCOUNT_LIMIT):
        failed = await _login(database, "owner@example.org", "wrong password")
        assert not failed.ok and not failed.throttled
    locked = await _login(database, "owner@example.org", PASSWORD)
    assert not locked.ok and locked.throttled and "try again in 15 minutes" in locked.refusal
    # The lock ages out: failures older than the window no longer count.
    async with database.write() as session:
        await session.execute(
            update(LoginFailure).values(at=utcnow() - logins.WINDOW - timedelta(seconds=1))
        )
    assert (await _login(database, "owner@example.org", PASSWORD)).ok
    # One address guessing many accounts is slowed down too.
    for n in range(logins.ADDRESS_LIMIT):
        assert not (await _login(database, f"nobody{n}@example.org", "x", "10.9.9.9")).ok
    from_there = await _login(database, "owner@example.org", PASSWORD, "10.9.9.9")
    assert from_there.throttled and "this address" in from_there.refusal
    assert (await _login(database, "owner@example.org", PASSWORD, "10.0.0.2")).ok


async def test_a_reset_link_sets_a_new_password_once(database: Database) -> None:
    org = await _org(database)
    await _owner(database, org)
    session_before = await _login(database, "owner@example.org", PASSWORD)
    async with database.write() as session:
        _user, ticket = await logins.begin_reset(session, SYSTEM, "owner@example.org")
    async with database.write() as session:
        assert await logins.complete_reset(session, ticket, "reset password 123") is not None
    async with database.write() as session:
        assert await logins.complete_reset(session, ticket, "again password 123") is None
    async with database.read() as session:
        assert await logins.resolve(session, session_before.ticket) is None
    assert (await _login(database, "owner@example.org", "reset password 123")).ok
    with pytest.raises(NotFound):
        async with database.write() as session:
            await logins.begin_reset(session, SYSTEM, "nobody@example.org")
