"""Our Polympics client against a live Podium server over real HTTP.

The tests follow the client guide section by section, in its order: clients, reading,
listing, signups, accounts, teams, awards, callbacks, sessions, Discord, token
resets, "who am I", closing, and the errors. Each runs on a fresh server and database
(SQLite, and PostgreSQL when PODIUM_TEST_POSTGRES_URL is set).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from podium.config import Settings
from podium.dialects.polympics import (
    NO_TEAM,
    Account,
    App,
    AppClient,
    AppCredentials,
    ClientError,
    Credentials,
    DataError,
    EventType,
    Paginator,
    Permissions,
    PolympicsError,
    Session,
    Team,
    UnauthenticatedClient,
    UserClient,
    account_team_update,
    verify_callback,
)
from podium.dialects.polympics.wire import ALL_PERMISSIONS, APP_PERMISSIONS
from tests.conftest import LiveServer
from tests.dialects.polympics.conftest import FakeDiscord, Polympics, Receiver


@pytest.fixture
async def app_client(polympics: Polympics) -> AsyncIterator[AppClient]:
    """An app holding every permission an app can hold."""
    async with AppClient(await polympics.app(APP_PERMISSIONS), polympics.url) as client:
        yield client


@pytest.fixture
async def anon(polympics: Polympics) -> AsyncIterator[UnauthenticatedClient]:
    async with UnauthenticatedClient(base_url=polympics.url) as client:
        yield client


async def user_client(
    app_client: AppClient, account: Account | int, url: str
) -> tuple[UserClient, Session]:
    session = await app_client.create_session(account)
    return UserClient(session, url), session


# Creating a client ----------------------------------------------------------------------


async def test_three_kinds_of_client(
    polympics: Polympics, app_client: AppClient, anon: UnauthenticatedClient
) -> None:
    assert await anon.check_signups() is True
    assert isinstance(await app_client.get_self(), App)
    await app_client.create_account(id=11, name="Hera", discriminator="0001")
    session = await app_client.create_session(11)
    async with UserClient(Credentials(session.username, session.password), polympics.url) as me:
        assert (await me.get_self()).id == 11


# Getting an account, a team, an award ---------------------------------------------------


async def test_get_account_team_and_award(
    app_client: AppClient, anon: UnauthenticatedClient
) -> None:
    team = await app_client.create_team("Gods of Olympus")
    made = await app_client.create_account(
        id=12345678901234,
        name="Artemis",
        discriminator="8472",
        avatar_url="https://picsum.photos/200",
        team=team,
        permissions=Permissions(manage_teams=True),
    )
    award = await app_client.create_award(
        title="Perfect 10 Gold", image_url="https://link.to/icon.png", team=team, accounts=[made]
    )

    account = await anon.get_account(12345678901234)
    assert account.id == 12345678901234
    assert account.name == "Artemis" and account.discriminator == "8472"
    assert account.avatar_url == "https://picsum.photos/200"
    assert account.permissions == Permissions(manage_teams=True)
    assert account.team is not None and account.team.name == "Gods of Olympus"
    assert account.created_at.tzinfo is UTC
    assert abs(account.created_at - datetime.now(UTC)).total_seconds() < 120
    assert [a.id for a in account.awards] == [award.id]

    got_team = await anon.get_team(team.id)
    assert got_team.name == "Gods of Olympus" and got_team.member_count == 1
    assert [a.title for a in got_team.awards] == ["Perfect 10 Gold"]

    got_award = await anon.get_award(award.id)
    assert (got_award.title, got_award.image_url) == (
        "Perfect 10 Gold",
        "https://link.to/icon.png",
    )
    assert got_award.awardees is not None
    assert [awardee.name for awardee in got_award.awardees] == ["Artemis"]
    assert got_award.team is not None and got_award.team.id == team.id


# Listing accounts and teams -------------------------------------------------------------


async def test_list_accounts_pages_search_and_team(
    app_client: AppClient, anon: UnauthenticatedClient
) -> None:
    red = await app_client.create_team("Red")
    for n in range(25):
        await app_client.create_account(
            id=1000 + n,
            name=f"{'bob' if n % 2 else 'alice'} {n:02d}",
            discriminator=f"{n:04d}",
            team=red if n < 6 else None,
        )

    names = [account.name async for account in anon.list_accounts()]
    assert len(names) == 25 and names == sorted(names)

    accounts = anon.list_accounts()
    assert isinstance(accounts, Paginator)
    first = await accounts.get_page(0)
    assert len(first) == 20 and all(isinstance(a, Account) for a in first)
    assert accounts.meta is not None
    assert (accounts.meta.page, accounts.meta.per_page) == (0, 20)
    assert (accounts.meta.pages, accounts.meta.results) == (2, 25)
    assert len(await accounts.get_page(1)) == 5
    assert await accounts.get_page(7) == []  # past the end is empty, not an error

    small = [a.id async for a in anon.list_accounts(per_page=4)]
    assert sorted(small) == list(range(1000, 1025))

    bobs_in_red = [a.name async for a in anon.list_accounts("bob", team=red)]
    assert bobs_in_red == ["bob 01", "bob 03", "bob 05"]
    by_id = [a.name async for a in anon.list_accounts(search="BOB", team=red.id)]
    assert by_id == bobs_in_red
    assert [a async for a in anon.list_accounts("nobody")] == []


async def test_list_teams_pages_and_search(
    app_client: AppClient, anon: UnauthenticatedClient
) -> None:
    for name in ("foo one", "bar", "Foo two", "baz", "food"):
        await app_client.create_team(name)
    # Sorted by name; how case sorts is the database's collation, so compare as sets.
    listed = [team.name async for team in anon.list_teams()]
    assert sorted(listed) == sorted(["foo one", "bar", "Foo two", "baz", "food"])
    teams = anon.list_teams(search="foo")
    assert sorted(team.name for team in await teams.get_page(0)) == ["Foo two", "foo one", "food"]
    assert teams.meta is not None and teams.meta.results == 3
    paged = anon.list_teams(per_page=2)
    assert len([t async for t in paged]) == 5
    assert paged.meta is not None and paged.meta.pages == 3


# Signups --------------------------------------------------------------------------------


async def test_signups_open_by_default(anon: UnauthenticatedClient) -> None:
    assert await anon.check_signups() is True


async def test_closed_signups(
    polympics: Polympics, settings: Settings, discord: FakeDiscord
) -> None:
    closed = settings.model_copy(update={"polympics_signups_open": False})
    app_creds = await polympics.app()
    discord.add_user("tok-new", 777, "newbie", "0042", None)
    with LiveServer(closed) as server:
        url = f"{server.url}/polympics"
        async with UnauthenticatedClient(base_url=url) as anon, AppClient(app_creds, url) as app:
            assert await anon.check_signups() is False
            with pytest.raises(ClientError) as caught:
                await app.create_account(id=5, name="Late", discriminator="0001")
            assert caught.value.code == 403 and caught.value.detail == "Signups are closed."
            with pytest.raises(ClientError) as caught:
                await anon.discord_authenticate("tok-new")
            assert caught.value.code == 403


# Creating, editing and deleting accounts -------------------------------------------------


async def test_create_account(app_client: AppClient) -> None:
    team = await app_client.create_team("Hunters")
    account = await app_client.create_account(
        id=1234567,
        name="Artemis",
        discriminator="8472",
        avatar_url="https://picsum.photos/200",
        team=team,
    )
    assert account.name == "Artemis"
    assert account.team is not None and account.team.id == team.id
    assert account.permissions == Permissions()

    other = await app_client.create_account(
        id=7654321,
        name="Apollo",
        discriminator="0001",
        team=team.id,
        permissions=Permissions(manage_teams=True, manage_account_details=True),
    )
    assert other.avatar_url is None
    assert other.permissions == Permissions(manage_teams=True, manage_account_details=True)

    with pytest.raises(ClientError) as caught:
        await app_client.create_account(id=1234567, name="Again", discriminator="0002")
    assert caught.value.code == 409


async def test_create_account_permission_rules(polympics: Polympics, app_client: AppClient) -> None:
    # authenticate_users can never be given to a user, even by an app holding it.
    with pytest.raises(ClientError) as caught:
        await app_client.create_account(
            id=3, name="X", discriminator="1", permissions=Permissions(authenticate_users=True)
        )
    assert caught.value.code == 403
    # Without manage_permissions, no permissions can be granted at all.
    weak = await polympics.app(permissions=Permissions(manage_account_details=True).to_int())
    async with AppClient(weak, polympics.url) as client:
        with pytest.raises(ClientError) as caught:
            await client.create_account(
                id=4, name="Y", discriminator="1", permissions=Permissions(manage_teams=True)
            )
        assert caught.value.code == 403
        made = await client.create_account(id=4, name="Y", discriminator="1")
        assert made.permissions == Permissions()


async def test_update_account_details_team_and_permissions(app_client: AppClient) -> None:
    team = await app_client.create_team("Moon")
    account = await app_client.create_account(id=41129492792313, name="Old", discriminator="1")

    account = await app_client.get_account(41129492792313)
    account = await app_client.update_account(account, name="Artemis", discriminator="1231")
    assert (account.name, account.discriminator) == ("Artemis", "1231")
    account = await app_client.update_account(account, avatar_url="https://a.example/x.png")
    assert account.avatar_url == "https://a.example/x.png"
    assert account.name == "Artemis"  # fields not given are left alone

    account = await app_client.update_account(account, team=team)
    assert account.team is not None and account.team.id == team.id
    account = await app_client.update_account(account, team=NO_TEAM)
    assert account.team is None
    account = await app_client.update_account(account.id, team=team.id)
    assert account.team is not None and account.team.id == team.id

    account = await app_client.update_account(
        account, grant_permissions=Permissions(manage_teams=True, manage_own_team=True)
    )
    assert account.permissions == Permissions(manage_teams=True, manage_own_team=True)
    account = await app_client.update_account(
        account,
        grant_permissions=Permissions(manage_awards=True),
        revoke_permissions=Permissions(manage_teams=True),
    )
    assert account.permissions == Permissions(manage_own_team=True, manage_awards=True)
    assert (await app_client.get_account(account)).permissions == account.permissions


async def test_update_account_from_discord(
    polympics: Polympics, app_client: AppClient, discord: FakeDiscord
) -> None:
    await app_client.create_account(id=555, name="Stale", discriminator="0001")
    discord.add_user("tok-555", 555, "Fresh", "0777", "abc123")
    discord.add_user("tok-666", 666, "Someone", "0001", None)
    # The front-end's "sync with Discord": the user's own session, no permissions held.
    user, _ = await user_client(app_client, 555, polympics.url)
    async with user:
        account = await user.update_account(555, discord_token="tok-555")
    assert (account.name, account.discriminator) == ("Fresh", "0777")
    assert account.avatar_url is not None and account.avatar_url.endswith("/555/abc123.png")
    with pytest.raises(ClientError) as caught:
        await app_client.update_account(555, discord_token="tok-666")
    assert caught.value.code == 403
    assert caught.value.detail == "Discord token is for a different account."
    with pytest.raises(DataError) as bad:
        await app_client.update_account(555, discord_token="not-a-token")
    assert bad.value.issues == "Bad Discord user token."
    assert "Bad Discord user token." in str(bad.value)


# Spec §4: a Discord sync needs no permission, only a Basic header; credentials that
# do not verify make the caller anonymous rather than failing the request.
async def test_discord_sync_needs_no_permission(
    polympics: Polympics, app_client: AppClient, discord: FakeDiscord
) -> None:
    await app_client.create_account(id=555, name="Stale", discriminator="0001")
    discord.add_user("tok-555", 555, "Fresh", "0777", None)
    async with UnauthenticatedClient(Credentials("A0", "anything"), polympics.url) as bare:
        account = await bare.update_account(555, discord_token="tok-555")
    assert account.name == "Fresh"


async def test_delete_account(app_client: AppClient, anon: UnauthenticatedClient) -> None:
    await app_client.create_account(id=124214913289, name="Gone", discriminator="0001")
    account = await app_client.get_account(124214913289)
    await app_client.delete_account(account)
    with pytest.raises(DataError):
        await anon.get_account(124214913289)


async def test_user_manages_their_own_account_and_team(
    polympics: Polympics, app_client: AppClient
) -> None:
    team = await app_client.create_team("Mine")
    other = await app_client.create_team("Theirs")
    await app_client.create_account(
        id=21, name="Captain", discriminator="1", team=team, permissions=Permissions()
    )
    await app_client.update_account(21, grant_permissions=Permissions(manage_own_team=True))
    await app_client.create_account(id=22, name="Member", discriminator="2", team=team)
    user, _session = await user_client(app_client, 21, polympics.url)
    async with user:
        # Joining a team: a user may set their own.
        assert (await user.update_account(21, team=other)).team is not None
        await user.update_account(21, team=team)
        # Kicking: manage_own_team may remove a teammate, but not rename them.
        assert (await user.update_account(22, team=NO_TEAM)).team is None
        with pytest.raises(ClientError) as caught:
            await user.update_account(22, name="Renamed")
        assert caught.value.code == 403
        assert (await user.update_team(team, name="Ours")).name == "Ours"
        with pytest.raises(ClientError):
            await user.update_team(other, name="Not mine")
        with pytest.raises(ClientError):
            await user.delete_team(other)
        await user.delete_team(team)
        await user.delete_account(21)
    with pytest.raises(DataError):
        await app_client.get_account(21)


# Teams ----------------------------------------------------------------------------------


async def test_create_update_delete_team(
    app_client: AppClient, anon: UnauthenticatedClient
) -> None:
    team = await app_client.create_team("Gods of Olympus")
    assert isinstance(team, Team) and team.name == "Gods of Olympus"
    assert team.member_count == 0 and team.awards == []
    team = await app_client.get_team(team.id)
    team = await app_client.update_team(team, name="Cool Kidz")
    assert team.name == "Cool Kidz"
    await app_client.create_account(id=31, name="Kid", discriminator="1", team=team)
    await app_client.delete_team(team)
    with pytest.raises(DataError):
        await anon.get_team(team.id)
    assert (await anon.get_account(31)).team is None


# Awards ---------------------------------------------------------------------------------


async def test_award_lifecycle(app_client: AppClient, anon: UnauthenticatedClient) -> None:
    team = await app_client.create_team("Winners")
    other_team = await app_client.create_team("Others")
    account_1 = await app_client.create_account(id=508140149014901, name="One", discriminator="1")
    account_2 = await app_client.create_account(id=130914109419411, name="Two", discriminator="2")

    award = await app_client.create_award(
        title="Perfect 10 Gold",
        image_url="https://link.to/icon.png",
        team=team,
        accounts=[account_1],
    )
    assert award.id > 0 and award.title == "Perfect 10 Gold"
    assert award.awardees is None  # only get_award fills these in

    award = await app_client.get_award(award.id)
    award = await app_client.update_award(award, title="Gold - Perfect 10")
    assert award.title == "Gold - Perfect 10" and award.image_url == "https://link.to/icon.png"
    award = await app_client.update_award(award.id, image_url="https://i.example/2.png")
    assert award.title == "Gold - Perfect 10"
    await app_client.update_award(award, team=other_team)
    got = await anon.get_award(award.id)
    assert got.team is not None and got.team.id == other_team.id

    await app_client.give_award(award, account_2)
    await app_client.give_award(award, account_2)  # already held: still fine
    got = await anon.get_award(award.id)
    assert got.awardees is not None
    assert sorted(a.id for a in got.awardees) == [130914109419411, 508140149014901]
    assert [a.id for a in (await anon.get_account(account_2)).awards] == [award.id]

    await app_client.take_award(award, account_1)
    got = await anon.get_award(award)
    assert got.awardees is not None and [a.id for a in got.awardees] == [130914109419411]
    with pytest.raises(ClientError) as caught:
        await app_client.take_award(award, account_1)
    assert caught.value.code == 404 and caught.value.detail

    await app_client.delete_award(award)
    with pytest.raises(DataError):
        await anon.get_award(award.id)
    assert (await anon.get_account(account_2)).awards == []


# Callbacks ------------------------------------------------------------------------------


async def test_callback_crud(app_client: AppClient) -> None:
    assert await app_client.get_callbacks() == {}
    created = await app_client.create_callback(
        event=EventType.account_team_update,
        url="https://example.com/fake_callback",
        secret="obviously-dont-use-this",
    )
    assert created.event is EventType.ACCOUNT_TEAM_UPDATE
    assert created.url == "https://example.com/fake_callback"

    callbacks = await app_client.get_callbacks()
    assert callbacks == {EventType.ACCOUNT_TEAM_UPDATE: "https://example.com/fake_callback"}
    for event, cb_url in callbacks.items():
        assert event.value == "account_team_update" and cb_url.startswith("https://")

    callback = await app_client.get_callback(EventType.account_team_update)
    assert callback.id == created.id and callback.event.value == "account_team_update"

    replaced = await app_client.create_callback("account_team_update", "https://b.example/x", "s")
    assert (await app_client.get_callback("account_team_update")).url == "https://b.example/x"
    assert replaced.url == "https://b.example/x"

    await app_client.delete_callback(EventType.account_team_update)
    assert await app_client.get_callbacks() == {}
    with pytest.raises(ClientError) as caught:
        await app_client.get_callback(EventType.account_team_update)
    assert caught.value.code == 404


async def test_callbacks_are_for_apps_only(polympics: Polympics, app_client: AppClient) -> None:
    await app_client.create_account(id=41, name="U", discriminator="1")
    user, _ = await user_client(app_client, 41, polympics.url)
    async with user:
        # A UserClient has no callback methods, so send the request by hand.
        with pytest.raises(ClientError) as caught:
            await user._request("GET", "/callbacks", lambda body: body)
    assert caught.value.code == 401


async def test_handling_a_callback_event(app_client: AppClient, receiver: Receiver) -> None:
    secret = "s3cret-for-the-receiver"
    await app_client.create_callback(EventType.ACCOUNT_TEAM_UPDATE, f"{receiver.url}/hook", secret)
    team = await app_client.create_team("Signal")
    await app_client.create_account(id=51, name="Mover", discriminator="1")
    await app_client.update_account(51, team=team)

    for _ in range(300):  # up to 15 s: delivery happens after the response
        if receiver.received:
            break
        await asyncio.sleep(0.05)
    assert receiver.received, "no callback arrived"
    got = receiver.received[0]
    assert verify_callback(got.headers.get("Authorization"), secret)
    assert not verify_callback(got.headers.get("Authorization"), "wrong")
    event = account_team_update(got.body)
    assert event.account.id == 51
    assert event.team is not None and event.team.id == team.id
    assert event.account.team is not None and event.account.team.id == team.id


# Sessions, Discord, token resets, get_self ----------------------------------------------


async def test_create_session_and_user_client(polympics: Polympics, app_client: AppClient) -> None:
    await app_client.create_account(id=1318219824080, name="Ares", discriminator="0001")
    account = await app_client.get_account(1318219824080)
    session = await app_client.create_session(account)
    assert isinstance(session, Session) and session.username.startswith("S")
    assert session.expires_at > datetime.now(UTC)
    async with UserClient(session, polympics.url) as user:
        me = await user.get_self()
    assert isinstance(me, Account) and me.id == 1318219824080 and me.name == "Ares"


async def test_create_session_needs_authenticate_users(polympics: Polympics) -> None:
    creds = await polympics.app(APP_PERMISSIONS & ~Permissions(authenticate_users=True).to_int())
    async with AppClient(creds, polympics.url) as client:
        await client.create_account(id=61, name="N", discriminator="1")
        with pytest.raises(ClientError) as caught:
            await client.create_session(61)
    assert caught.value.code == 403


async def test_discord_authenticate(
    polympics: Polympics, anon: UnauthenticatedClient, discord: FakeDiscord
) -> None:
    discord.add_user("oauth-token", 9876543210987, "Hermes", "0420", None)
    session = await anon.discord_authenticate("oauth-token")
    assert isinstance(session, Session)
    async with UserClient(session, polympics.url) as user:
        me = await user.get_self()
    assert (me.id, me.name, me.discriminator) == (9876543210987, "Hermes", "0420")
    # A second login finds the same account rather than making another.
    again = await anon.discord_authenticate("oauth-token")
    assert again.username != session.username
    assert [a.id async for a in anon.list_accounts("Hermes")] == [9876543210987]
    with pytest.raises(ClientError) as caught:
        await anon.discord_authenticate("forged")
    assert caught.value.code == 401


async def test_app_reset_token_swaps_credentials(polympics: Polympics) -> None:
    old = await polympics.app(name="resetter")
    async with AppClient(old, polympics.url) as client:
        new = await client.reset_token()
        assert isinstance(new, AppCredentials)
        assert new.username == old.username and new.password != old.password
        assert new.name == "resetter"
        assert client.credentials is new
        assert (await client.get_self()).name == "resetter"  # the client uses the new token
    async with AppClient(old, polympics.url) as stale:
        with pytest.raises(ClientError) as caught:
            await stale.get_self()
    assert caught.value.code == 401
    async with AppClient(Credentials(new.username, new.password), polympics.url) as fresh:
        assert (await fresh.get_self()).username == new.username


async def test_user_reset_token_swaps_credentials(
    polympics: Polympics, app_client: AppClient
) -> None:
    await app_client.create_account(id=71, name="Resetting", discriminator="1")
    user, old = await user_client(app_client, 71, polympics.url)
    async with user:
        new = await user.reset_token()
        assert isinstance(new, Session)
        assert new.username == old.username and new.password != old.password
        assert new.expires_at >= old.expires_at
        assert user.credentials is new
        assert (await user.get_self()).id == 71
    async with UserClient(old, polympics.url) as stale:
        with pytest.raises(ClientError) as caught:
            await stale.get_self()
    assert caught.value.code == 401


async def test_get_self_for_an_app(polympics: Polympics) -> None:
    creds = await polympics.app(name="selfie")
    async with AppClient(creds, polympics.url) as client:
        app = await client.get_self()
    assert isinstance(app, App)
    assert (app.name, app.username) == ("selfie", creds.username)
    assert app.permissions.to_int() == APP_PERMISSIONS
    assert not hasattr(app, "password")


async def test_get_self_needs_credentials(anon: UnauthenticatedClient) -> None:
    # The unauthenticated client has no get_self; the route itself refuses anonymity.
    with pytest.raises(ClientError) as caught:
        await anon._request("GET", "/auth/me", lambda body: body)
    assert caught.value.code == 401


# Closing --------------------------------------------------------------------------------


async def test_close(polympics: Polympics) -> None:
    client = UnauthenticatedClient(base_url=polympics.url)
    await client.close()  # never used: nothing to close
    assert await client.check_signups()
    await client.close()
    await client.close()


# Errors ---------------------------------------------------------------------------------


async def test_not_found_is_a_data_error(anon: UnauthenticatedClient) -> None:
    with pytest.raises(DataError) as caught:
        await anon.get_account(424242)
    error = caught.value
    assert isinstance(error, PolympicsError) and error.code == 422
    assert isinstance(error.issues, list)
    assert error.issues[0]["loc"] == ["path", "account"]
    assert "path -> account" in str(error) and "not found" in str(error).lower()


async def test_data_error_with_int_locations(app_client: AppClient) -> None:
    team = await app_client.create_team("T")
    with pytest.raises(DataError) as caught:
        await app_client.create_award("A", "https://i", team, accounts=[999001, 999002])
    assert any(1 in issue["loc"] for issue in caught.value.issues if isinstance(issue, dict))
    assert "body -> accounts -> 1" in str(caught.value)


async def test_forbidden_is_a_client_error(polympics: Polympics) -> None:
    creds = await polympics.app(permissions=0, name="powerless")
    async with AppClient(creds, polympics.url) as client:
        with pytest.raises(ClientError) as caught:
            await client.create_team("Nope")
    assert caught.value.code == 403
    assert caught.value.detail == "Request outside of authorisation scope."


async def test_mutations_need_credentials(anon: UnauthenticatedClient) -> None:
    with pytest.raises(ClientError) as caught:
        await anon.update_account(1, name="x")
    assert caught.value.code == 401


async def test_user_cannot_grant_what_they_lack(
    polympics: Polympics, app_client: AppClient
) -> None:
    await app_client.create_account(
        id=81,
        name="Admin",
        discriminator="1",
        permissions=Permissions(manage_permissions=True, manage_account_details=True),
    )
    await app_client.create_account(id=82, name="Pleb", discriminator="1")
    user, _ = await user_client(app_client, 81, polympics.url)
    async with user:
        with pytest.raises(ClientError) as caught:
            await user.update_account(82, grant_permissions=Permissions(manage_teams=True))
        assert caught.value.code == 403
        granted = await user.update_account(82, grant_permissions=Permissions(manage_own_team=True))
        assert granted.permissions == Permissions(manage_own_team=True)
        with pytest.raises(ClientError):
            await user.update_account(82, grant_permissions=ALL_PERMISSIONS)
