"""The Polympics routes' status codes, shapes and order of checks (spec §3, §5, §7)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from podium.app import create_app
from podium.config import Settings
from podium.dialects.polympics import auth, wire
from podium.store.database import Database
from podium.store.tables import Credential
from podium.store.types import utcnow
from tests.dialects.polympics.conftest import FakeDiscord
from tests.dialects.polympics.helpers import Polympics, new_app, polympics_client

OUTSIDE = {"detail": "Request outside of authorisation scope."}


@pytest.fixture
async def admin(app: Any, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    username, password = await new_app(database)
    async with polympics_client(app, username, password) as client:
        yield client


@pytest.fixture
async def anon(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with polympics_client(app) as client:
        yield client


@pytest.fixture
def pm(app: Any, admin: httpx.AsyncClient) -> Polympics:
    return Polympics(app, admin)


async def test_account_shape_and_not_found(pm: Polympics, anon: httpx.AsyncClient) -> None:
    team = await pm.team("Gods of Olympus")
    created = await pm.account(12345678901234567, "Artemis", team["id"], wire.MANAGE_TEAMS)
    assert created["id"] == "12345678901234567"
    assert created["team"]["member_count"] == 1
    assert created["permissions"] == wire.MANAGE_TEAMS
    assert isinstance(created["created_at"], float)
    assert created["awards"] == [] and created["avatar_url"] is None

    got = await anon.get("/account/12345678901234567")
    assert got.status_code == 200 and got.json() == created

    missing = await anon.get("/account/42")
    assert missing.status_code == 422
    assert missing.json() == {
        "detail": [{"loc": ["path", "account"], "msg": "Account not found.", "type": "value_error"}]
    }
    bad = await anon.get("/account/abc")
    assert bad.json()["detail"][0]["msg"] == "Invalid Account ID: must be int."


async def test_writes_need_a_basic_header(anon: httpx.AsyncClient, app: Any) -> None:
    response = await anon.post("/teams/new", json={})
    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated"}
    assert response.headers["www-authenticate"] == "Basic"
    garbled = await anon.post(
        "/teams/new", json={"name": "x"}, headers={"Authorization": "Basic !!!"}
    )
    assert garbled.status_code == 401
    assert garbled.json() == {"detail": "Invalid authentication credentials"}
    # Credentials that do not verify make an anonymous caller: 403, not 401.
    async with polympics_client(app, "A999", "nope") as stranger:
        refused = await stranger.post("/teams/new", json={"name": "x"})
    assert refused.status_code == 403 and refused.json() == OUTSIDE
    async with polympics_client(app, "Zed", "nope") as odd:
        assert (await odd.post("/teams/new", json={"name": "x"})).status_code == 403


async def test_validation_comes_before_permission(app: Any, database: Database) -> None:
    username, password = await new_app(database, permissions=0)
    async with polympics_client(app, username, password) as weak:
        invalid = await weak.post("/teams/new", json={})
        assert invalid.status_code == 422
        assert invalid.json()["detail"] == [
            {"loc": ["body", "name"], "msg": "field required", "type": "value_error.missing"}
        ]
        assert (await weak.post("/teams/new", json={"name": "T"})).json() == OUTSIDE


async def test_malformed_json_and_missing_content_type(admin: httpx.AsyncClient) -> None:
    broken = await admin.post(
        "/teams/new", content=b'{"name": ', headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 422
    assert broken.json()["detail"][0]["type"] == "value_error.jsondecode"
    assert broken.json()["detail"][0]["loc"][0] == "body"
    # A JSON body without a Content-Type header is still read.
    plain = await admin.post("/teams/new", content=b'{"name": "Plain"}')
    assert plain.status_code == 201 and plain.json()["name"] == "Plain"


async def test_create_account_rules(
    pm: Polympics, admin: httpx.AsyncClient, app: Any, database: Database
) -> None:
    await pm.account(1, "Ares")
    duplicate = await admin.post(
        "/accounts/new", json={"id": 1, "name": "Ares", "discriminator": 1}
    )
    assert duplicate.status_code == 409
    assert duplicate.json() == {"detail": "That Discord ID is already registered."}
    bad_team = await admin.post(
        "/accounts/new", json={"id": 2, "name": "B", "discriminator": "1", "team": 999}
    )
    assert bad_team.status_code == 422
    assert bad_team.json()["detail"][0]["loc"] == ["body", "team"]
    # A numeric string id and a numeric discriminator are coerced as pydantic 1 did.
    coerced = await admin.post("/accounts/new", json={"id": "3", "name": "C", "discriminator": 7})
    assert coerced.status_code == 201 and coerced.json()["discriminator"] == "7"
    username, password = await new_app(
        database, wire.APP_PERMISSIONS & ~wire.MANAGE_ACCOUNT_DETAILS
    )
    async with polympics_client(app, username, password) as no_details:
        lacking = await no_details.post(
            "/accounts/new", json={"id": 6, "name": "F", "discriminator": "1"}
        )
        assert lacking.status_code == 403 and lacking.json() == OUTSIDE
    # Granting on creation follows the grant rules: this app lacks manage_permissions.
    username, password = await new_app(database, wire.MANAGE_ACCOUNT_DETAILS | wire.MANAGE_TEAMS)
    async with polympics_client(app, username, password) as no_grant:
        ungranted = await no_grant.post(
            "/accounts/new",
            json={"id": 7, "name": "G", "discriminator": "1", "permissions": wire.MANAGE_TEAMS},
        )
        assert ungranted.status_code == 403
        plain = await no_grant.post(
            "/accounts/new", json={"id": 8, "name": "H", "discriminator": "1"}
        )
        assert plain.status_code == 201
    # authenticate_users can never be given to a user.
    refused = await admin.post(
        "/accounts/new",
        json={"id": 4, "name": "D", "discriminator": "1", "permissions": wire.AUTHENTICATE_USERS},
    )
    assert refused.status_code == 403


async def test_account_details_need_manage_account_details(pm: Polympics) -> None:
    await pm.account(10, "Target")
    async with pm.as_user(11, "Plain") as plain:
        assert (await plain.patch("/account/10", json={"name": "X"})).json() == OUTSIDE
        # Falsy values mean "unchanged", so they need nothing.
        unchanged = await plain.patch("/account/10", json={"name": "", "avatar_url": None})
        assert unchanged.status_code == 200 and unchanged.json()["name"] == "Target"
    async with pm.as_user(12, "Editor", permissions=wire.MANAGE_ACCOUNT_DETAILS) as editor:
        renamed = await editor.patch(
            "/account/10",
            json={"name": "New", "discriminator": "0420", "avatar_url": "https://a/b"},
        )
        assert renamed.status_code == 200
        assert renamed.json()["name"] == "New" and renamed.json()["discriminator"] == "0420"


async def test_team_changes(pm: Polympics) -> None:
    red = await pm.team("Red")
    blue = await pm.team("Blue")
    await pm.account(20, "Member", red["id"])
    async with pm.as_user(21, "Joiner") as joiner:
        # Anyone may join any team on their own behalf, and leave it.
        joined = await joiner.patch("/account/21", json={"team": blue["id"]})
        assert joined.json()["team"]["id"] == blue["id"]
        left = await joiner.patch("/account/21", json={"team": 0})
        assert left.json()["team"] is None
        # ... but not move someone else.
        assert (await joiner.patch("/account/20", json={"team": blue["id"]})).json() == OUTSIDE
    async with pm.as_user(22, "Captain", red["id"], wire.MANAGE_OWN_TEAM) as captain:
        # A captain may kick a member of their team, not move them elsewhere.
        assert (await captain.patch("/account/20", json={"team": blue["id"]})).status_code == 403
        kicked = await captain.patch("/account/20", json={"team": 0})
        assert kicked.status_code == 200 and kicked.json()["team"] is None
    bad = await pm.admin.patch("/account/20", json={"team": 999})
    assert bad.status_code == 422
    assert [i["msg"] for i in bad.json()["detail"]] == [
        "Team not found.",
        "Should fall through to next type.",
    ]
    moved = await pm.admin.patch("/account/20", json={"team": blue["id"]})
    assert moved.json()["team"]["id"] == blue["id"]


async def test_granting_and_revoking(pm: Polympics) -> None:
    team = await pm.team("Olympus")
    await pm.account(30, "Mate", team["id"])
    await pm.account(31, "Outsider")
    async with pm.as_user(32, "Captain", team["id"], wire.MANAGE_OWN_TEAM) as captain:
        # As the documentation intends: a captain may make a teammate a captain ...
        granted = await captain.patch(
            "/account/30", json={"grant_permissions": wire.MANAGE_OWN_TEAM}
        )
        assert granted.status_code == 200 and granted.json()["permissions"] == wire.MANAGE_OWN_TEAM
        # ... but not someone outside the team, not revoke it, and nothing else.
        assert (
            await captain.patch("/account/31", json={"grant_permissions": wire.MANAGE_OWN_TEAM})
        ).status_code == 403
        assert (
            await captain.patch("/account/30", json={"revoke_permissions": wire.MANAGE_OWN_TEAM})
        ).status_code == 403
        assert (
            await captain.patch("/account/30", json={"grant_permissions": wire.MANAGE_TEAMS})
        ).status_code == 403
    bits = wire.MANAGE_PERMISSIONS | wire.MANAGE_TEAMS
    async with pm.as_user(33, "Admin", permissions=bits) as boss:
        both = await boss.patch(
            "/account/31",
            json={"grant_permissions": wire.MANAGE_TEAMS | wire.MANAGE_OWN_TEAM},
        )
        assert both.json()["permissions"] == wire.MANAGE_TEAMS | wire.MANAGE_OWN_TEAM
        assert (
            await boss.patch("/account/31", json={"grant_permissions": wire.MANAGE_AWARDS})
        ).status_code == 403
        revoked = await boss.patch("/account/31", json={"revoke_permissions": wire.MANAGE_TEAMS})
        assert revoked.json()["permissions"] == wire.MANAGE_OWN_TEAM
        assert (await boss.patch("/account/31", json={"grant_permissions": 128})).status_code == 403
    # A refused step undoes the earlier ones of the same request.
    async with pm.as_user(34, "Half", permissions=wire.MANAGE_ACCOUNT_DETAILS) as half:
        refused = await half.patch(
            "/account/31", json={"name": "Renamed", "grant_permissions": wire.MANAGE_TEAMS}
        )
        assert refused.status_code == 403
    assert (await pm.admin.get("/account/31")).json()["name"] == "Outsider"


async def test_deleting_accounts(pm: Polympics) -> None:
    await pm.account(40, "Victim")
    async with pm.as_user(41, "Self") as self_client:
        assert (await self_client.delete("/account/40")).status_code == 403
        assert (await self_client.delete("/account/41")).status_code == 204
    assert (await pm.admin.get("/account/41")).status_code == 422
    assert (await pm.admin.delete("/account/40")).status_code == 204


async def test_team_routes(pm: Polympics, anon: httpx.AsyncClient) -> None:
    mine = await pm.team("Mine")
    other = await pm.team("Other")
    async with pm.as_user(50, "Captain", mine["id"], wire.MANAGE_OWN_TEAM) as captain:
        assert (await captain.post("/teams/new", json={"name": "Nope"})).status_code == 403
        renamed = await captain.patch(f"/team/{mine['id']}", json={"name": "Ours"})
        assert renamed.status_code == 200 and renamed.json()["name"] == "Ours"
        assert (await captain.patch(f"/team/{other['id']}", json={"name": "X"})).status_code == 403
        assert (await captain.delete(f"/team/{other['id']}")).status_code == 403
    # PATCH needs a name.
    assert (await pm.admin.patch(f"/team/{other['id']}", json={})).status_code == 422
    got = await anon.get(f"/team/{mine['id']}")
    assert got.json()["name"] == "Ours" and got.json()["member_count"] == 1
    missing = await anon.get("/team/99999")
    assert missing.json()["detail"][0] == {
        "loc": ["path", "team"],
        "msg": "Team not found.",
        "type": "value_error",
    }


async def test_deleting_a_team_with_awards_and_members(pm: Polympics) -> None:
    team = await pm.team("Doomed")
    await pm.account(60, "Member", team["id"])
    award = (
        await pm.admin.post(
            "/awards/new",
            json={
                "title": "Gold",
                "image_url": "https://i/g.png",
                "team": team["id"],
                "accounts": [60],
            },
        )
    ).json()
    assert (await pm.admin.delete(f"/team/{team['id']}")).status_code == 204
    assert (await pm.admin.get("/account/60")).json()["team"] is None
    extended = (await pm.admin.get(f"/award/{award['id']}")).json()
    assert extended["team"] is None and [a["id"] for a in extended["awardees"]] == ["60"]


async def test_award_routes(pm: Polympics, anon: httpx.AsyncClient) -> None:
    team = await pm.team("Winners")
    await pm.account(70, "Champion", team["id"])
    await pm.account(71, "Runner")
    created = await pm.admin.post(
        "/awards/new",
        json={
            "title": "Perfect 10",
            "image_url": "https://i/p.png",
            "team": team["id"],
            "accounts": [70, 70],
        },
    )
    assert created.status_code == 201
    award = created.json()
    assert set(award) == {"id", "title", "image_url"}
    extended = (await anon.get(f"/award/{award['id']}")).json()
    assert extended["award"] == award and extended["team"]["id"] == team["id"]
    assert [a["id"] for a in extended["awardees"]] == ["70"]
    assert (await anon.get("/account/70")).json()["awards"] == [award]
    assert (await anon.get(f"/team/{team['id']}")).json()["awards"] == [award]

    unknown = await pm.admin.post(
        "/awards/new",
        json={"title": "X", "image_url": "u", "team": team["id"], "accounts": [70, 12345]},
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "accounts", 1]
    too_long = await pm.admin.post(
        "/awards/new", json={"title": "x" * 33, "image_url": "u", "team": team["id"]}
    )
    assert too_long.status_code == 422
    assert too_long.json()["detail"][0]["type"] == "value_error.any_str.max_length"

    patched = await pm.admin.patch(
        f"/award/{award['id']}", json={"title": "Gold", "image_url": None, "team": None}
    )
    assert patched.json() == {**award, "title": "Gold"}

    path = f"/account/71/award/{award['id']}"
    given = await pm.admin.put(path)
    assert given.status_code == 201 and given.content == b""
    again = await pm.admin.put(path)
    assert again.status_code == 208 and again.content == b""
    assert (await pm.admin.delete(path)).status_code == 204
    not_held = await pm.admin.delete(path)
    assert not_held.status_code == 404
    assert not_held.json() == {"detail": "The account does not hold this award."}

    async with pm.as_user(72, "NoAwards", permissions=wire.MANAGE_TEAMS) as weak:
        assert (await weak.put(path)).status_code == 403
        assert (await weak.delete(f"/award/{award['id']}")).status_code == 403
        assert (
            await weak.post(
                "/awards/new",
                json={"title": "t", "image_url": "u", "team": team["id"], "accounts": []},
            )
        ).status_code == 403
    assert (await pm.admin.delete(f"/award/{award['id']}")).status_code == 204
    assert (await anon.get(f"/award/{award['id']}")).status_code == 422


async def test_pagination(pm: Polympics, anon: httpx.AsyncClient) -> None:
    team = await pm.team("Many")
    for n in range(25):
        await pm.account(1000 + n, f"Player {n:02d}", team["id"] if n % 2 == 0 else None)
    first = (await anon.get("/accounts/search")).json()
    assert (first["page"], first["per_page"], first["pages"], first["results"]) == (0, 20, 2, 25)
    assert [a["name"] for a in first["data"]] == [f"Player {n:02d}" for n in range(20)]
    second = (await anon.get("/accounts/search", params={"page": 1})).json()
    assert len(second["data"]) == 5
    beyond = await anon.get("/accounts/search", params={"page": 9})
    assert beyond.status_code == 200 and beyond.json()["data"] == []
    assert beyond.json()["results"] == 25
    exact = (await anon.get("/accounts/search", params={"per_page": 5})).json()
    assert exact["pages"] == 5 and len(exact["data"]) == 5
    cap = await anon.get("/accounts/search", params={"per_page": 100})
    assert cap.status_code == 200 and len(cap.json()["data"]) == 25
    for params, kind in (
        ({"per_page": 0}, "value_error.number.not_ge"),
        ({"per_page": -3}, "value_error.number.not_ge"),
        ({"per_page": 101}, "value_error.number.not_le"),
        ({"page": -1}, "value_error.number.not_ge"),
        ({"page": "x"}, "type_error.integer"),
    ):
        refused = await anon.get("/accounts/search", params=params)
        assert refused.status_code == 422, params
        assert refused.json()["detail"][0]["type"] == kind
        assert refused.json()["detail"][0]["loc"] == ["query", next(iter(params))]
    members = (await anon.get("/accounts/search", params={"team": team["id"]})).json()
    assert members["results"] == 13
    missing_team = await anon.get("/accounts/search", params={"team": 424242})
    assert missing_team.json()["detail"][0]["loc"] == ["query", "team"]


async def test_search_is_a_case_insensitive_literal_substring(
    pm: Polympics, anon: httpx.AsyncClient
) -> None:
    for n, name in enumerate(["Bob", "bobby", "Rob", "100% Bob", "A_b"]):
        await pm.account(2000 + n, name)
    names = [
        a["name"] for a in (await anon.get("/accounts/search", params={"q": "BOB"})).json()["data"]
    ]
    assert names == ["100% Bob", "Bob", "bobby"]
    everyone = (await anon.get("/accounts/search")).json()["data"]
    assert [a["name"] for a in everyone] == ["100% Bob", "A_b", "Bob", "bobby", "Rob"]
    percent = (await anon.get("/accounts/search", params={"q": "%"})).json()["data"]
    assert [a["name"] for a in percent] == ["100% Bob"]
    underscore = (await anon.get("/accounts/search", params={"q": "_"})).json()["data"]
    assert [a["name"] for a in underscore] == ["A_b"]
    await pm.team("Zeta")
    await pm.team("alpha")
    await pm.team("Alphabet")
    teams = (await anon.get("/teams/search", params={"q": "alpha"})).json()
    assert [t["name"] for t in teams["data"]] == ["alpha", "Alphabet"]
    assert teams["results"] == 2


async def test_signups_closed(settings: Settings, database: Database, discord: FakeDiscord) -> None:
    closed = create_app(
        settings.model_copy(update={"polympics_signups_open": False}),
        database=database,
        run_migrations=False,
    )
    username, password = await new_app(database)
    async with polympics_client(closed, username, password) as client:
        assert (await client.get("/accounts/signups")).json() == {"signups_open": False}
        refused = await client.post(
            "/accounts/new", json={"id": 5, "name": "E", "discriminator": "1"}
        )
        assert refused.status_code == 403 and refused.json() == {"detail": "Signups are closed."}
        weak_user, weak_password = await new_app(database, permissions=0)
        async with polympics_client(closed, weak_user, weak_password) as weak:
            # Closed signups are reported before the missing permission.
            first = await weak.post(
                "/accounts/new", json={"id": 5, "name": "E", "discriminator": "1"}
            )
            assert first.json() == {"detail": "Signups are closed."}
        discord.add_user("tok", 77, "Newbie", "0001", None)
        login = await client.post("/auth/discord", json={"token": "tok"})
        assert login.status_code == 403 and login.json() == {"detail": "Signups are closed."}


async def test_discord_login_and_sync(
    pm: Polympics, anon: httpx.AsyncClient, app: Any, discord: FakeDiscord
) -> None:
    discord.add_user("good", 555, "Zeus", "0005", "abc123")
    login = await anon.post("/auth/discord", json={"token": "good"})
    assert login.status_code == 200
    session = login.json()
    assert session["username"].startswith("S") and session["expires_at"] > utcnow().timestamp()
    account = (await anon.get("/account/555")).json()
    assert account["name"] == "Zeus"
    assert account["avatar_url"] == "https://cdn.example/avatars/555/abc123.png"
    assert (await anon.post("/auth/discord", json={"token": "bad"})).json() == {
        "detail": "Bad Discord user token."
    }
    # Logging in again returns a new session for the same account (not refreshed).
    again = (await anon.post("/auth/discord", json={"token": "good"})).json()
    assert again["username"] != session["username"]

    discord.add_user("renamed", 555, "Zeus II", "0010", None)
    discord.add_user("someone", 556, "Other", "0001", None)
    async with polympics_client(app, session["username"], session["password"]) as zeus:
        synced = await zeus.patch("/account/555", json={"discord_token": "renamed"})
        assert synced.status_code == 200
        assert synced.json()["name"] == "Zeus II"
        assert synced.json()["avatar_url"] == "https://cdn.example/embed/avatars/0.png"
        wrong = await zeus.patch("/account/555", json={"discord_token": "someone"})
        assert wrong.status_code == 403
        assert wrong.json() == {"detail": "Discord token is for a different account."}
        bad = await zeus.patch("/account/555", json={"discord_token": "bad"})
        assert bad.status_code == 422 and bad.json() == {"detail": "Bad Discord user token."}


async def test_sessions(
    pm: Polympics, app: Any, anon: httpx.AsyncClient, database: Database
) -> None:
    await pm.account(80, "Hera", permissions=wire.MANAGE_TEAMS)
    async with pm.as_user(81, "Weak") as weak:
        # Only apps with authenticate_users create sessions.
        assert (await weak.post("/auth/create_session", json={"account": 80})).status_code == 403
    missing = await pm.admin.post("/auth/create_session", json={"account": 9})
    assert missing.json()["detail"][0]["loc"] == ["body", "account"]
    username, password = await pm.session_for(80)
    async with polympics_client(app, username, password) as hera:
        me = await hera.get("/auth/me")
        assert me.json()["id"] == "80" and me.json()["permissions"] == wire.MANAGE_TEAMS
        reset = await hera.post("/auth/reset_token")
        assert reset.status_code == 200
        new = reset.json()
        assert set(new) == {"username", "password", "expires_at"}
        assert new["username"] == username and new["password"] != password
        # The old token no longer authenticates.
        assert (await hera.post("/teams/new", json={"name": "Old"})).status_code == 403
    async with polympics_client(app, new["username"], new["password"]) as hera:
        assert (await hera.post("/teams/new", json={"name": "New"})).status_code == 201
    # An expired session is dropped when used, and the caller is anonymous.
    async with database.write() as session:
        row = await session.scalar(select(Credential).where(Credential.identifier == username))
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
    async with polympics_client(app, new["username"], new["password"]) as late:
        assert (await late.post("/teams/new", json={"name": "Late"})).status_code == 403
        assert (await late.get("/auth/me")).json() == {
            "detail": "A token was not used to authenticate."
        }
    async with database.read() as session:
        assert (
            await session.scalar(select(Credential).where(Credential.identifier == username))
            is None
        )
    assert (await anon.post("/auth/reset_token", auth=("S1", "x"))).status_code == 401


async def test_apps_me_and_reset(app: Any, database: Database) -> None:
    username, password = await new_app(database, wire.MANAGE_TEAMS | wire.MANAGE_OWN_TEAM)
    async with polympics_client(app, username, password) as client:
        me = (await client.get("/auth/me")).json()
        # An app can never hold manage_own_team.
        assert me == {"name": "test-app", "permissions": wire.MANAGE_TEAMS, "username": username}
        reset = (await client.post("/auth/reset_token")).json()
        assert reset["username"] == username and len(reset["password"]) == 44
        assert (await client.get("/auth/me")).status_code == 401
    async with polympics_client(app, username.lower(), reset["password"]) as lower:
        assert (await lower.get("/auth/me")).status_code == 200


async def test_callback_routes(pm: Polympics, app: Any) -> None:
    async with pm.as_user(90, "User") as user:
        refused = await user.get("/callbacks")
        assert refused.status_code == 401
        assert refused.json() == {"detail": "Only apps may use this endpoint."}
    admin = pm.admin
    assert (await admin.get("/callbacks")).json() == {"callbacks": {}}
    missing = await admin.get("/callback/account_team_update")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "No callback registered for this event."}
    bad_event = await admin.get("/callback/nope")
    assert bad_event.status_code == 422
    assert bad_event.json()["detail"][0]["type"] == "type_error.enum"
    assert bad_event.json()["detail"][0]["ctx"] == {"enum_values": ["account_team_update"]}
    bad_url = await admin.put(
        "/callback/account_team_update", json={"url": "ftp://x", "secret": "s"}
    )
    assert bad_url.status_code == 422 and bad_url.json()["detail"][0]["loc"] == ["body", "url"]
    first = await admin.put(
        "/callback/account_team_update", json={"url": "http://localhost:9/hook", "secret": "s"}
    )
    assert first.status_code == 200
    assert first.json()["url"] == "http://localhost:9/hook" and "secret" not in first.json()
    second = (
        await admin.put(
            "/callback/account_team_update", json={"url": "http://127.0.0.1:9/b", "secret": "t"}
        )
    ).json()
    assert second["id"] != first.json()["id"]
    assert (await admin.get("/callbacks")).json() == {
        "callbacks": {"account_team_update": "http://127.0.0.1:9/b"}
    }
    assert (await admin.get("/callback/account_team_update")).json() == second
    assert (await admin.delete("/callback/account_team_update")).status_code == 204
    assert (await admin.delete("/callback/account_team_update")).status_code == 404


async def test_unknown_routes_and_methods(anon: httpx.AsyncClient) -> None:
    missing = await anon.get("/nowhere")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
    wrong = await anon.put("/accounts/signups")
    assert wrong.status_code == 405 and wrong.json() == {"detail": "Method Not Allowed"}


def test_session_age_parsing() -> None:
    assert auth.parse_age("30d") == timedelta(days=30)
    assert auth.parse_age("1w 2d 3h") == timedelta(days=9, hours=3)
    assert auth.parse_age("1M") == timedelta(days=30)
    with pytest.raises(ValueError, match="Bad duration"):
        auth.parse_age("10 days")


async def test_cors_for_configured_origins(settings: Settings, database: Database) -> None:
    served = create_app(
        settings.model_copy(update={"polympics_allowed_origins": "https://site.example"}),
        database=database,
        run_migrations=False,
    )
    async with polympics_client(served) as client:
        preflight = await client.options(
            "/teams/new",
            headers={
                "Origin": "https://site.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://site.example"
        other = await client.get("/accounts/signups", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


async def test_discord_sync_needs_no_permission(
    pm: Polympics, app: Any, discord: FakeDiscord
) -> None:
    await pm.account(600, "Old Name")
    discord.add_user("mine", 600, "New Name", "0600", None)
    # Any Basic header will do, even one that does not verify: Discord vouches.
    async with polympics_client(app, "S0", "not-a-session") as stranger:
        synced = await stranger.patch("/account/600", json={"discord_token": "mine"})
    assert synced.status_code == 200 and synced.json()["name"] == "New Name"
