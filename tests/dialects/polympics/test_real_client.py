"""The REAL published client, ``polympics==0.6.2`` from PyPI, against a live Podium.

Every flow of the client guide (the seed document) is run with the package itself
over real HTTP on loopback, against the dialect mounted at ``/polympics``. Each test
gets a fresh server and database (SQLite, and PostgreSQL when
PODIUM_TEST_POSTGRES_URL is set).

The package has bugs of its own (spec §9), and where one of them gets in the way of a
flow the test says so and asserts what the package really does:

* ``Permissions.from_int`` reads bits 0-5 only, so ``manage_awards`` (bit 6) is lost
  whenever an account is decoded. The server stores and returns it; our own client
  (``podium.dialects.polympics``, tested in ``test_client.py``) keeps every bit.
* ``Permissions.__eq__`` reads ``other.value`` (a typo), so comparing two
  ``Permissions`` raises; these tests compare ``to_int()`` instead.
* The guide writes ``EventType.account_team_update``; the package only has
  ``EventType.ACCOUNT_TEAM_UPDATE``.
* ``close()`` fails when the client never made a request (there is no aiohttp
  session yet), so clients are closed only after they have been used.

Two places where Podium deliberately differs from the real server so that the package
works: taking an award that is not held is a JSON 404 (the real server's empty body
made the package raise aiohttp's ``ContentTypeError``), and a user's ``reset_token``
returns a Session (the real server returned the Account, which the package cannot
parse).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import polympics
import pytest

from podium.dialects.polympics import wire
from tests.dialects.polympics.conftest import FakeDiscord, Polympics, Receiver

# The package (written for aiohttp 3.7) builds its auth with aiohttp.BasicAuth and
# passes it as ClientSession(auth=...), both deprecated by aiohttp 3.14. Both calls are
# inside polympics/clients.py, so these two warnings cannot be avoided from here.
pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:BasicAuth is deprecated:DeprecationWarning:polympics.clients"
    ),
    pytest.mark.filterwarnings(
        "ignore:The 'auth' parameter is deprecated:DeprecationWarning:polympics.clients"
    ),
]

C = TypeVar("C", bound=polympics.UnauthenticatedClient)

SCOPE = "Request outside of authorisation scope."
CDN = "https://cdn.example"  # polympics_discord_cdn_url in the test settings


@pytest.fixture
def server(polympics: Polympics) -> Polympics:
    """The live server, under a name that does not hide the ``polympics`` package."""
    return polympics


@asynccontextmanager
async def opened(client: C) -> AsyncIterator[C]:
    """Close the client afterwards, but only if it ever opened an aiohttp session.

    The package's ``close()`` dereferences ``self.client``, which stays None until the
    first request, so closing an unused client raises (its own bug).
    """
    try:
        yield client
    finally:
        if client.client is not None and not client.client.closed:
            await client.close()


async def app_client(
    server: Polympics, permissions: int = wire.APP_PERMISSIONS, name: str = "bot"
) -> polympics.AppClient:
    creds = await server.app(permissions=permissions, name=name)
    return polympics.AppClient(
        polympics.Credentials(creds.username, creds.password), base_url=server.url
    )


async def new_account(
    client: polympics.AppClient, discord_id: int, name: str, **kwargs: Any
) -> polympics.Account:
    account: polympics.Account = await client.create_account(
        id=discord_id, name=name, discriminator="0001", **kwargs
    )
    return account


# Creating a client ---------------------------------------------------------------------


async def test_three_kinds_of_client_with_base_url(server: Polympics) -> None:
    async with opened(polympics.UnauthenticatedClient(base_url=server.url)) as anon:
        assert await anon.check_signups() is True
    creds = await server.app(name="Scoreboard")
    credentials = polympics.Credentials(creds.username, creds.password)
    assert credentials.username.startswith("A")
    async with opened(polympics.AppClient(credentials, base_url=server.url)) as app:
        me = await app.get_self()
        assert isinstance(me, polympics.App)
        assert (me.username, me.name) == (creds.username, "Scoreboard")
        await new_account(app, 1318219824080, "Artemis")
        session = await app.create_session(await app.get_account(1318219824080))
    assert session.username.startswith("S")
    user_credentials = polympics.Credentials(session.username, session.password)
    async with opened(polympics.UserClient(user_credentials, base_url=server.url)) as user:
        account = await user.get_self()
    assert isinstance(account, polympics.Account)
    assert (account.id, account.name) == (1318219824080, "Artemis")


# Getting an account, a team, an award ---------------------------------------------------


async def test_get_account_team_and_award(server: Polympics) -> None:
    async with (
        opened(await app_client(server)) as app,
        opened(polympics.UnauthenticatedClient(base_url=server.url)) as anon,
    ):
        team = await app.create_team("Olympus")
        await app.create_account(
            id=12345678901234,
            name="Apollo",
            discriminator="0042",
            avatar_url="https://picsum.photos/200",
            team=team,
            permissions=polympics.Permissions(manage_teams=True),
        )
        holder = await anon.get_account(12345678901234)
        award = await app.create_award(
            title="Perfect 10 Gold",
            image_url="https://link.to/icon.png",
            team=team,
            accounts=[holder],
        )

        account = await anon.get_account(12345678901234)
        assert isinstance(account, polympics.Account)
        assert account.id == 12345678901234  # an int, from the wire's string id
        assert (account.name, account.discriminator) == ("Apollo", "0042")
        assert account.avatar_url == "https://picsum.photos/200"
        assert account.permissions.manage_teams is True
        assert account.permissions.to_int() == wire.MANAGE_TEAMS
        assert account.team is not None
        assert (account.team.id, account.team.name) == (team.id, "Olympus")
        assert [a.id for a in account.awards] == [award.id]
        assert isinstance(account.created_at, datetime)

        got_team = await anon.get_team(team.id)
        assert isinstance(got_team, polympics.Team)
        assert (got_team.id, got_team.name, got_team.member_count) == (team.id, "Olympus", 1)
        assert [(a.id, a.title) for a in got_team.awards] == [(award.id, "Perfect 10 Gold")]

        got_award = await anon.get_award(award.id)
        assert isinstance(got_award, polympics.Award)
        assert (got_award.title, got_award.image_url) == (
            "Perfect 10 Gold",
            "https://link.to/icon.png",
        )
        assert got_award.awardees is not None
        assert [(a.id, a.name) for a in got_award.awardees] == [(12345678901234, "Apollo")]
        assert got_award.team is not None and got_award.team.id == team.id


# Listing accounts and teams -----------------------------------------------------------


async def test_list_accounts_async_for_pages_search_and_team(server: Polympics) -> None:
    """25 accounts: more than one page, since the package never sends ``per_page``."""
    async with (
        opened(await app_client(server)) as app,
        opened(polympics.UnauthenticatedClient(base_url=server.url)) as anon,
    ):
        team = await app.create_team("Bobsleigh")
        for n in range(22):
            await new_account(app, 1000 + n, f"Athlete {n:02}")
        await new_account(app, 2001, "Bob Beamon", team=team)
        await new_account(app, 2002, "bobby", team=team)
        await new_account(app, 2003, "Bobbie Rosenfeld")  # a bob, not on the team
        # By name, case-folded: "bob beamon" < "bobbie rosenfeld" < "bobby".
        expected = [1000 + n for n in range(22)] + [2001, 2003, 2002]

        accounts = anon.list_accounts()
        first = await accounts.get_page(0)
        assert [a.id for a in first] == expected[:20]
        assert all(isinstance(a, polympics.Account) for a in first)
        assert accounts.meta is not None
        assert (accounts.meta.page, accounts.meta.per_page) == (0, 20)
        assert (accounts.meta.pages, accounts.meta.results) == (2, 25)
        second = await accounts.get_page(1)
        assert [a.id for a in second] == expected[20:]
        assert await accounts.get_page(2) == []  # past the end: 200 with no data

        # async for walks every page, stopping at the first empty one.
        assert [a.id async for a in anon.list_accounts()] == expected

        assert [a.name async for a in anon.list_accounts("bob")] == [
            "Bob Beamon",
            "Bobbie Rosenfeld",
            "bobby",
        ]
        assert [a.id async for a in anon.list_accounts(team=team)] == [2001, 2002]
        assert [a.name async for a in anon.list_accounts("bobb", team=team)] == ["bobby"]
        assert [a async for a in anon.list_accounts("nobody-at-all")] == []


async def test_list_teams_with_search(server: Polympics) -> None:
    async with (
        opened(await app_client(server)) as app,
        opened(polympics.UnauthenticatedClient(base_url=server.url)) as anon,
    ):
        for name in ("Foo Fighters", "Bar", "foobar", "Baz"):
            await app.create_team(name)
        assert [t.name async for t in anon.list_teams()] == [
            "Bar",
            "Baz",
            "Foo Fighters",
            "foobar",
        ]
        teams = anon.list_teams(search="foo")
        page = await teams.get_page(0)
        assert [team.name for team in page] == ["Foo Fighters", "foobar"]
        assert all(isinstance(t, polympics.Team) and t.member_count == 0 for t in page)
        assert teams.meta is not None and (teams.meta.results, teams.meta.pages) == (2, 1)


# Creating, editing and deleting accounts ----------------------------------------------


async def test_create_account_with_team_and_permissions(server: Polympics) -> None:
    async with opened(await app_client(server)) as app:
        team = await app.create_team("Team Five")
        account = await app.create_account(
            id=1234567,
            name="Artemis",
            discriminator="8472",
            avatar_url="https://picsum.photos/200",
            team=team,
        )
        assert account.name == "Artemis"
        assert account.team is not None and account.team.id == team.id
        assert account.permissions.to_int() == 0

        account = await app.create_account(
            id=7654321,
            name="Athena",
            discriminator="0001",
            team=team,
            permissions=polympics.Permissions(manage_teams=True, manage_account_details=True),
        )
        assert account.permissions.manage_teams is True
        assert account.permissions.manage_account_details is True
        assert account.permissions.manage_permissions is False
        assert account.permissions.to_int() == wire.MANAGE_TEAMS | wire.MANAGE_ACCOUNT_DETAILS
        assert account.avatar_url is None
        assert (await app.get_team(team.id)).member_count == 2

        # The duplicate signup is refused with the real server's 409.
        with pytest.raises(polympics.ClientError) as caught:
            await new_account(app, 7654321, "Again")
        assert caught.value.code == 409


async def test_package_bug_permissions_from_int_drops_manage_awards(server: Polympics) -> None:
    """The package cannot decode bit 6; the server keeps it (our own client is tested
    for the bug-free behaviour in test_client.py)."""
    assert polympics.Permissions(manage_awards=True).to_int() == wire.MANAGE_AWARDS
    assert polympics.Permissions.from_int(wire.MANAGE_AWARDS).manage_awards is False
    # Its __eq__ reads ``other.value`` (a typo), so comparing raises.
    with pytest.raises(AttributeError):
        _ = polympics.Permissions() == polympics.Permissions()

    async with opened(await app_client(server)) as app:
        account = await app.create_account(
            id=31,
            name="Nike",
            discriminator="0001",
            permissions=polympics.Permissions(manage_awards=True, manage_teams=True),
        )
        # Sent as 72, decoded by the package as 8: manage_awards is lost.
        assert account.permissions.manage_awards is False
        assert account.permissions.to_int() == wire.MANAGE_TEAMS
        # The raw JSON (the package's own request(), no decoding) shows the server kept it.
        raw = await app.request("GET", "/account/31")
        assert raw["permissions"] == wire.MANAGE_AWARDS | wire.MANAGE_TEAMS

        # Revoking it through the package works, since encoding is correct.
        account = await app.update_account(
            account, revoke_permissions=polympics.Permissions(manage_awards=True)
        )
        assert (await app.request("GET", "/account/31"))["permissions"] == wire.MANAGE_TEAMS


async def test_update_account_details_team_no_team_and_permissions(server: Polympics) -> None:
    async with opened(await app_client(server)) as app:
        team = await app.create_team("Gods of Olympus")
        await new_account(app, 41129492792313, "Old Name")
        account = await app.get_account(41129492792313)

        account = await app.update_account(account, name="Artemis", discriminator="1231")
        assert (account.name, account.discriminator) == ("Artemis", "1231")

        account = await app.update_account(account, team=team)
        assert account.team is not None and account.team.id == team.id
        assert (await app.get_team(team.id)).member_count == 1

        account = await app.update_account(account, team=polympics.NO_TEAM)
        assert account.team is None
        assert (await app.get_team(team.id)).member_count == 0

        account = await app.update_account(
            account, grant_permissions=polympics.Permissions(manage_teams=True)
        )
        assert account.permissions.to_int() == wire.MANAGE_TEAMS
        account = await app.update_account(
            account,
            grant_permissions=polympics.Permissions(manage_own_team=True),
            revoke_permissions=polympics.Permissions(manage_teams=True),
        )
        assert account.permissions.manage_own_team is True
        assert account.permissions.manage_teams is False
        assert account.permissions.to_int() == wire.MANAGE_OWN_TEAM

        stored = await app.get_account(41129492792313)
        assert (stored.name, stored.discriminator, stored.team) == ("Artemis", "1231", None)
        assert stored.permissions.to_int() == wire.MANAGE_OWN_TEAM


async def test_update_account_from_discord(server: Polympics, discord: FakeDiscord) -> None:
    discord.add_user("discord-user-token", 555, "Fresh", "0777", "abc123")
    async with opened(await app_client(server)) as app:
        account = await new_account(app, 555, "Stale")
        session = await app.create_session(account)
    # The front-end's "sync with Discord": the user's own session, no permissions held.
    async with opened(polympics.UserClient(session, base_url=server.url)) as user:
        synced = await user.update_account(account, discord_token="discord-user-token")
        assert (synced.name, synced.discriminator) == ("Fresh", "0777")
        assert synced.avatar_url == f"{CDN}/avatars/555/abc123.png"
        assert (await user.get_self()).name == "Fresh"


async def test_delete_account(server: Polympics) -> None:
    async with opened(await app_client(server)) as app:
        await new_account(app, 124214913289, "Gone")
        account = await app.get_account(124214913289)
        assert await app.delete_account(account) is None
        with pytest.raises(polympics.DataError) as caught:
            await app.get_account(124214913289)
        assert caught.value.issues[0]["loc"] == ["path", "account"]


# Teams ---------------------------------------------------------------------------------


async def test_create_update_delete_team(server: Polympics) -> None:
    async with opened(await app_client(server)) as app:
        team = await app.create_team("Gods of Olympus")
        assert isinstance(team, polympics.Team)
        assert (team.name, team.member_count, team.awards) == ("Gods of Olympus", 0, [])
        team = await app.update_team(await app.get_team(team.id), name="Cool Kidz")
        assert team.name == "Cool Kidz"
        assert (await app.get_team(team.id)).name == "Cool Kidz"

        member = await new_account(app, 77, "Member", team=team)
        assert await app.delete_team(team) is None
        with pytest.raises(polympics.DataError) as caught:
            await app.get_team(team.id)
        assert caught.value.issues[0]["loc"] == ["path", "team"]
        assert (await app.get_account(member.id)).team is None  # members are let go


# Awards --------------------------------------------------------------------------------


async def test_award_lifecycle_give_twice_and_take(server: Polympics) -> None:
    async with opened(await app_client(server)) as app:
        team = await app.create_team("Podium")
        other_team = await app.create_team("Other")
        first = await new_account(app, 508140149014901, "First")
        second = await new_account(app, 130914109419411, "Second")

        award = await app.create_award(
            title="Perfect 10 Gold",
            image_url="https://link.to/icon.png",
            team=team,
            accounts=[first],
        )
        assert isinstance(award, polympics.Award)
        assert (award.title, award.image_url) == ("Perfect 10 Gold", "https://link.to/icon.png")

        award = await app.update_award(await app.get_award(award.id), title="Gold - Perfect 10")
        assert (award.title, award.image_url) == ("Gold - Perfect 10", "https://link.to/icon.png")
        award = await app.update_award(award, team=other_team)
        got = await app.get_award(award.id)
        assert got.team is not None and got.team.id == other_team.id
        assert got.title == "Gold - Perfect 10"

        # give_award: 201 the first time, 208 (already held) the second; both are None.
        assert await app.give_award(award, second) is None
        assert await app.give_award(award, second) is None
        got = await app.get_award(award.id)
        assert got.awardees is not None
        assert [a.id for a in got.awardees] == [first.id, second.id]
        assert [a.id for a in (await app.get_account(second.id)).awards] == [award.id]

        assert await app.take_award(award, second) is None
        got = await app.get_award(award.id)
        assert got.awardees is not None and [a.id for a in got.awardees] == [first.id]

        # Not held any more: a JSON 404, so the package raises ClientError (the real
        # server's empty 404 body made it raise aiohttp's ContentTypeError instead).
        with pytest.raises(polympics.ClientError) as caught:
            await app.take_award(award, second)
        assert caught.value.code == 404
        assert isinstance(caught.value.detail, str) and caught.value.detail

        assert await app.delete_award(award) is None
        with pytest.raises(polympics.DataError) as gone:
            await app.get_award(award.id)
        assert gone.value.issues[0]["loc"] == ["path", "award"]
        assert (await app.get_account(first.id)).awards == []


# Callbacks -----------------------------------------------------------------------------


async def test_callbacks_registered_delivered_and_deleted(
    server: Polympics, receiver: Receiver
) -> None:
    # The guide's spelling does not exist in the package; the member is upper case.
    assert not hasattr(polympics.EventType, "account_team_update")
    event = polympics.EventType.ACCOUNT_TEAM_UPDATE
    secret = "obviously-dont-use-this"
    url = f"{receiver.url}/fake_callback"
    async with opened(await app_client(server)) as app:
        callback = await app.create_callback(event=event, url=url, secret=secret)
        assert isinstance(callback, polympics.Callback)
        assert (callback.event, callback.url) == (event, url)
        got = await app.get_callback(event)
        assert (got.id, got.event, got.url) == (callback.id, event, url)
        assert await app.get_callbacks() == {event: url}

        team = await app.create_team("Relay")
        account = await new_account(app, 42, "Runner")
        moved = await app.update_account(account, team=team)

        # Delivery happens after the response: poll the receiver for at most 5 s.
        deliveries = await asyncio.to_thread(receiver.wait_for, 1, 5.0)
        assert len(deliveries) == 1, "no callback was delivered"
        delivery = deliveries[0]
        assert delivery.headers["Authorization"] == f"Bearer {secret}"
        parsed = polympics.account_team_update(delivery.body)
        assert isinstance(parsed, polympics.AccountTeamUpdateEvent)
        assert (parsed.account.id, parsed.account.name) == (42, "Runner")
        assert parsed.account.team is not None and parsed.account.team.id == team.id
        assert parsed.team is not None and (parsed.team.id, parsed.team.name) == (team.id, "Relay")
        assert moved.team is not None and moved.team.id == parsed.team.id

        assert await app.delete_callback(event) is None
        assert await app.get_callbacks() == {}
        with pytest.raises(polympics.ClientError) as caught:
            await app.get_callback(event)
        assert caught.value.code == 404
        assert caught.value.detail == "No callback registered for this event."


# Sessions, Discord login, token resets, "who am I" --------------------------------------


async def test_create_session_then_user_client_get_self(server: Polympics) -> None:
    async with opened(await app_client(server)) as app:
        account = await new_account(app, 1318219824080, "Hermes")
        session = await app.create_session(await app.get_account(1318219824080))
    assert isinstance(session, polympics.Session)
    assert session.username.startswith("S") and session.password
    assert session.expires_at > datetime.now(UTC)
    async with opened(polympics.UserClient(session, base_url=server.url)) as user:
        me = await user.get_self()
    assert isinstance(me, polympics.Account)
    assert (me.id, me.name, me.discriminator) == (account.id, "Hermes", "0001")


async def test_discord_authenticate_gives_a_usable_session(
    server: Polympics, discord: FakeDiscord
) -> None:
    discord.add_user("oauth-implicit-token", 9876543210987, "Hermes", "0422", None)
    async with opened(polympics.UnauthenticatedClient(base_url=server.url)) as anon:
        session = await anon.discord_authenticate("oauth-implicit-token")
        assert isinstance(session, polympics.Session)
        assert session.expires_at > datetime.now(UTC)
        async with opened(polympics.UserClient(session, base_url=server.url)) as user:
            me = await user.get_self()
        assert (me.id, me.name, me.discriminator) == (9876543210987, "Hermes", "0422")
        assert me.avatar_url == f"{CDN}/embed/avatars/{422 % 5}.png"  # no avatar hash
        # The login signed them up: the account is public now.
        assert (await anon.get_account(9876543210987)).name == "Hermes"
        with pytest.raises(polympics.ClientError) as caught:
            await anon.discord_authenticate("not-a-discord-token")
        assert caught.value.code == 401


async def test_app_reset_token_swaps_credentials(server: Polympics) -> None:
    creds = await server.app(name="resetter")
    old = polympics.Credentials(creds.username, creds.password)
    async with opened(polympics.AppClient(old, base_url=server.url)) as app:
        new = await app.reset_token()
        assert isinstance(new, polympics.AppCredentials)
        assert (new.username, new.name) == (old.username, "resetter")
        assert new.password != old.password
        assert (await app.get_self()).username == old.username  # now on the new token
    async with opened(polympics.AppClient(new, base_url=server.url)) as fresh:
        assert (await fresh.get_self()).name == "resetter"
        assert (await fresh.create_team("Fresh")).name == "Fresh"
    # The old token no longer authenticates: the caller is anonymous, so a write is a 403.
    async with opened(polympics.AppClient(old, base_url=server.url)) as stale:
        with pytest.raises(polympics.ClientError) as caught:
            await stale.create_team("Stale")
    assert (caught.value.code, caught.value.detail) == (403, SCOPE)


async def test_user_reset_token_returns_a_session(server: Polympics) -> None:
    """The real server answered with the Account here, which the package cannot parse;
    Podium returns the Session the docs and the package expect."""
    async with opened(await app_client(server)) as app:
        account = await new_account(app, 71, "Resetting")
        old = await app.create_session(account)
    async with opened(polympics.UserClient(old, base_url=server.url)) as user:
        new = await user.reset_token()
        assert isinstance(new, polympics.Session)
        assert new.username == old.username and new.password != old.password
        assert new.expires_at >= old.expires_at
        assert (await user.get_self()).id == 71  # the client switched to the new token
    async with opened(polympics.UserClient(new, base_url=server.url)) as fresh:
        assert (await fresh.get_self()).name == "Resetting"
    async with opened(polympics.UserClient(old, base_url=server.url)) as stale:
        with pytest.raises(polympics.ClientError) as caught:
            await stale.get_self()
    assert caught.value.code == 401


# Errors --------------------------------------------------------------------------------


async def test_not_found_account_is_a_data_error(server: Polympics) -> None:
    async with opened(polympics.UnauthenticatedClient(base_url=server.url)) as anon:
        with pytest.raises(polympics.DataError) as caught:
            await anon.get_account(404404)
    error = caught.value
    assert isinstance(error, polympics.PolympicsError)
    assert error.code == 422
    assert error.issues == [
        {"loc": ["path", "account"], "msg": "Account not found.", "type": "value_error"}
    ]
    assert "path -> account: Account not found. (value_error)" in str(error)


async def test_missing_permission_is_a_client_error_403(server: Polympics) -> None:
    async with opened(await app_client(server, permissions=wire.MANAGE_TEAMS)) as app:
        assert (await app.create_team("Allowed")).name == "Allowed"
        with pytest.raises(polympics.ClientError) as caught:
            await new_account(app, 61, "Refused")
    assert (caught.value.code, caught.value.detail) == (403, SCOPE)
    assert str(caught.value) == f"403: {SCOPE}"


async def test_unauthenticated_write_is_a_client_error_401(server: Polympics) -> None:
    async with opened(await app_client(server)) as app:
        account = await new_account(app, 62, "Untouched")
    async with opened(polympics.UnauthenticatedClient(base_url=server.url)) as anon:
        with pytest.raises(polympics.ClientError) as caught:
            await anon.update_account(account, name="Vandal")
        assert caught.value.code == 401
        assert caught.value.detail == "Not authenticated"
        assert (await anon.get_account(62)).name == "Untouched"


async def test_package_bug_close_before_any_request_fails() -> None:
    """Why ``opened`` only closes used clients: no aiohttp session exists yet."""
    client = polympics.UnauthenticatedClient(base_url="http://127.0.0.1:9/polympics")
    with pytest.raises(AttributeError):
        await client.close()
