"""The Polympics client without a server: types, parsing, errors, handlers, request shapes.

Requests are answered by an ``httpx.MockTransport`` that records them, so these tests
check what the client sends and how it reads answers, including answers our server
never gives (a 503, a non-JSON 404, a malformed success body).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

import podium.dialects.polympics as polympics
from podium.dialects.polympics import (
    NO_TEAM,
    Account,
    AccountTeamUpdateEvent,
    App,
    AppClient,
    AppCredentials,
    Award,
    Callback,
    ClientError,
    Credentials,
    DataError,
    EventType,
    Paginator,
    Permissions,
    PolympicsError,
    ResponseError,
    ServerError,
    Session,
    Team,
    UnauthenticatedClient,
    UserClient,
    account_team_update,
    verify_callback,
)
from podium.dialects.polympics.wire import PERMISSION_NAMES

NOW = 1_700_000_000.5

AWARD = {"id": 3, "title": "Gold", "image_url": "https://img.example/gold.png"}
TEAM = {"id": 7, "name": "Olympus", "created_at": NOW, "member_count": 2, "awards": [AWARD]}
ACCOUNT = {
    "id": "508140149014901234",
    "name": "Artemis",
    "discriminator": "8472",
    "avatar_url": None,
    "team": TEAM,
    "permissions": 0b1000001,
    "created_at": NOW,
    "awards": [AWARD],
}


# Permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize("bit", range(7))
def test_each_permission_bit_round_trips(bit: int) -> None:
    perms = Permissions.from_int(1 << bit)
    assert perms.names() == [PERMISSION_NAMES[bit]]
    assert perms.to_int() == 1 << bit


def test_every_permission_value_round_trips() -> None:
    for value in range(128):
        assert Permissions.from_int(value).to_int() == value
    assert Permissions.from_int(127) == Permissions(*[True] * 7)


def test_manage_awards_survives_decoding() -> None:
    # The published client lost bit 6 here; ours must not.
    assert Permissions.from_int(64).manage_awards
    assert Account.from_dict(ACCOUNT).permissions.manage_awards


# Models ---------------------------------------------------------------------------------


def test_account_parses_with_int_id_aware_times_and_nested_objects() -> None:
    account = Account.from_dict(ACCOUNT)
    assert account.id == 508140149014901234
    assert account.name == "Artemis" and account.discriminator == "8472"
    assert account.avatar_url is None
    assert account.permissions == Permissions(manage_permissions=True, manage_awards=True)
    assert account.created_at == datetime.fromtimestamp(NOW, tz=UTC)
    assert account.created_at.tzinfo is UTC
    assert account.team is not None and account.team.name == "Olympus"
    assert account.team.awards == [Award(3, "Gold", "https://img.example/gold.png")]
    assert account.awards[0].awardees is None and account.awards[0].team is None


def test_account_without_team() -> None:
    account = Account.from_dict({**ACCOUNT, "team": None, "awards": []})
    assert account.team is None and account.awards == []


def test_team_parses() -> None:
    team = Team.from_dict(TEAM)
    assert (team.id, team.name, team.member_count) == (7, "Olympus", 2)
    assert team.created_at.timestamp() == NOW


def test_extended_award_is_flattened() -> None:
    award = Award.from_extended({"award": AWARD, "awardees": [ACCOUNT], "team": TEAM})
    assert (award.id, award.title) == (3, "Gold")
    assert award.awardees is not None and [a.id for a in award.awardees] == [508140149014901234]
    assert award.team is not None and award.team.id == 7
    lone = Award.from_extended({"award": AWARD, "awardees": [], "team": None})
    assert lone.awardees == [] and lone.team is None


def test_credentials_kinds() -> None:
    session = Session.from_dict({"username": "S4", "password": "tok", "expires_at": NOW})
    assert isinstance(session, Credentials)
    assert session.expires_at == datetime.fromtimestamp(NOW, tz=UTC)
    creds = AppCredentials.from_dict(
        {"name": "bot", "permissions": 95, "username": "A1", "password": "new"}
    )
    assert isinstance(creds, Credentials)
    assert (creds.username, creds.password, creds.name) == ("A1", "new", "bot")
    assert creds.permissions.to_int() == 95
    app = App.from_dict({"name": "bot", "permissions": 95, "username": "A1"})
    assert (app.username, app.name, app.permissions.to_int()) == ("A1", "bot", 95)


def test_passwords_stay_out_of_repr() -> None:
    assert "hunter2" not in repr(Credentials("A1", "hunter2"))
    assert "hunter2" not in repr(Session("S1", "hunter2", datetime.now(UTC)))


def test_callback_parses_event() -> None:
    callback = Callback.from_dict({"id": 2, "event": "account_team_update", "url": "https://x.io"})
    assert callback == Callback(2, "https://x.io", EventType.ACCOUNT_TEAM_UPDATE)
    assert callback.event is EventType.account_team_update


@pytest.mark.parametrize(
    "broken",
    [
        {**ACCOUNT, "id": None},
        {**ACCOUNT, "permissions": "all"},
        {**ACCOUNT, "created_at": "yesterday"},
        {k: v for k, v in ACCOUNT.items() if k != "name"},
        {**ACCOUNT, "awards": {}},
        [],
    ],
)
def test_malformed_account_is_refused(broken: Any) -> None:
    with pytest.raises((KeyError, TypeError, ValueError)):
        Account.from_dict(broken)


# Errors ---------------------------------------------------------------------------------


def test_error_tree_and_codes() -> None:
    for error in (ServerError(503), DataError(422, []), ClientError(403, "no")):
        assert isinstance(error, PolympicsError)
    assert ServerError().code == 500
    assert DataError().code == 422


def test_data_error_str_handles_int_locs_and_string_details() -> None:
    issues: list[dict[str, Any]] = [
        {"loc": ["body", "accounts", 1], "msg": "Account not found.", "type": "value_error"},
        {"loc": ["path", "team"], "msg": "field required", "type": "value_error.missing"},
    ]
    text = str(DataError(422, issues=issues))
    assert "body -> accounts -> 1: Account not found. (value_error)" in text
    assert "path -> team: field required (value_error.missing)" in text
    assert DataError(422, issues=issues).issues == issues
    assert "Bad Discord user token." in str(DataError(422, issues="Bad Discord user token."))
    # Odd shapes must not make str() raise.
    odd: list[Any] = [{"msg": "x"}, "loose", {"loc": None}]
    assert str(DataError(422, issues=odd))


def test_client_error_str() -> None:
    error = ClientError(403, detail="Request outside of authorisation scope.")
    assert error.detail == "Request outside of authorisation scope."
    assert str(error) == "HTTP 403: Request outside of authorisation scope."
    assert "403" in repr(error)


# Handlers -------------------------------------------------------------------------------


def test_account_team_update_handler() -> None:
    event = account_team_update({"account": ACCOUNT, "team": TEAM})
    assert isinstance(event, AccountTeamUpdateEvent)
    assert event.account.id == 508140149014901234
    assert event.team is not None and event.team.id == 7
    left = account_team_update({"account": {**ACCOUNT, "team": None}, "team": None})
    assert left.team is None and left.account.team is None


def test_verify_callback() -> None:
    assert verify_callback("Bearer s3cret", "s3cret")
    assert not verify_callback("Bearer s3cre", "s3cret")
    assert not verify_callback("bearer s3cret", "s3cret")
    assert not verify_callback("s3cret", "s3cret")
    assert not verify_callback("", "s3cret")
    assert not verify_callback(None, "s3cret")
    assert verify_callback("Bearer ünïcode", "ünïcode")


# Requests, against a recording transport -------------------------------------------------


class Recorder:
    """A MockTransport handler: answers from a queue and keeps every request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.answers: list[httpx.Response] = []

    def answer(self, status: int = 200, body: Any = None, **kwargs: Any) -> None:
        if body is not None:
            kwargs["json"] = body
        self.answers.append(httpx.Response(status, **kwargs))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answers.pop(0)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


BASE = "http://polympics.test/polympics"


def make(kind: Callable[..., Any], recorder: Recorder, creds: Any = None) -> Any:
    if kind is UnauthenticatedClient:
        return kind(creds, BASE, transport=recorder.transport())
    return kind(creds or Credentials("A1", "token"), BASE, transport=recorder.transport())


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


async def test_paths_auth_and_parsing() -> None:
    rec = Recorder()
    async with make(AppClient, rec, Credentials("A1", "tok")) as client:
        rec.answer(body=ACCOUNT)
        account = await client.get_account(508140149014901234)
        assert rec.last.method == "GET"
        assert str(rec.last.url) == f"{BASE}/account/508140149014901234"
        assert rec.last.headers["Authorization"] == basic("A1", "tok")
        assert account.id == 508140149014901234
        rec.answer(body={"award": AWARD, "awardees": [ACCOUNT], "team": TEAM})
        award = await client.get_award(Award(3, "x", "y"))
        assert rec.last.url.path == "/polympics/award/3"
        assert award.team is not None and award.awardees is not None
        rec.answer(body={"signups_open": False})
        assert await client.check_signups() is False


async def test_unauthenticated_client_sends_no_auth() -> None:
    rec = Recorder()
    async with make(UnauthenticatedClient, rec) as client:
        rec.answer(body=TEAM)
        assert (await client.get_team(7)).name == "Olympus"
        assert "Authorization" not in rec.last.headers


async def test_update_account_sends_only_given_fields() -> None:
    rec = Recorder()
    async with make(UserClient, rec) as client:
        rec.answer(body=ACCOUNT)
        await client.update_account(1, name="Artemis")
        assert rec.last.method == "PATCH" and rec.body() == {"name": "Artemis"}
        rec.answer(body=ACCOUNT)
        await client.update_account(Account.from_dict(ACCOUNT), team=NO_TEAM)
        assert rec.last.url.path == "/polympics/account/508140149014901234"
        assert rec.body() == {"team": 0}
        rec.answer(body=ACCOUNT)
        await client.update_account(
            1,
            team=Team.from_dict(TEAM),
            grant_permissions=Permissions(manage_own_team=True),
            revoke_permissions=8,
            discord_token="dt",
        )
        assert rec.body() == {
            "team": 7,
            "grant_permissions": 32,
            "revoke_permissions": 8,
            "discord_token": "dt",
        }


async def test_create_bodies() -> None:
    rec = Recorder()
    async with make(AppClient, rec) as client:
        rec.answer(201, ACCOUNT)
        await client.create_account(id=5, name="A", discriminator="0001")
        assert rec.body() == {
            "id": 5,
            "name": "A",
            "discriminator": "0001",
            "avatar_url": None,
            "team": None,
            "permissions": 0,
        }
        rec.answer(201, ACCOUNT)
        await client.create_account(
            5, "A", "0001", "https://a", TEAM["id"], Permissions(manage_teams=True)
        )
        assert rec.body()["team"] == 7 and rec.body()["permissions"] == 8
        rec.answer(201, AWARD)
        await client.create_award(
            "Gold", "https://i", Team.from_dict(TEAM), [1, Account.from_dict(ACCOUNT)]
        )
        assert rec.body() == {
            "title": "Gold",
            "image_url": "https://i",
            "team": 7,
            "accounts": [1, 508140149014901234],
        }
        rec.answer(body=AWARD)
        await client.update_award(3, title="New")
        assert rec.last.url.path == "/polympics/award/3" and rec.body() == {"title": "New"}


async def test_give_and_take_put_the_account_first_in_the_path() -> None:
    rec = Recorder()
    async with make(AppClient, rec) as client:
        rec.answer(208)
        assert await client.give_award(3, 99) is None
        assert (rec.last.method, rec.last.url.path) == ("PUT", "/polympics/account/99/award/3")
        rec.answer(204)
        await client.take_award(Award(3, "t", "i"), 99)
        assert (rec.last.method, rec.last.url.path) == ("DELETE", "/polympics/account/99/award/3")


async def test_callbacks_accept_strings_and_skip_unknown_events() -> None:
    rec = Recorder()
    async with make(AppClient, rec) as client:
        rec.answer(body={"callbacks": {"account_team_update": "https://a.io", "future": "x"}})
        assert await client.get_callbacks() == {EventType.ACCOUNT_TEAM_UPDATE: "https://a.io"}
        rec.answer(body={"id": 1, "event": "account_team_update", "url": "https://a.io"})
        await client.create_callback("account_team_update", "https://a.io", "sh")
        assert rec.last.method == "PUT"
        assert rec.last.url.path == "/polympics/callback/account_team_update"
        assert rec.body() == {"url": "https://a.io", "secret": "sh"}
        with pytest.raises(ValueError):
            await client.get_callback("no_such_event")
        assert len(rec.requests) == 2


async def test_reset_token_swaps_credentials() -> None:
    rec = Recorder()
    async with make(AppClient, rec, Credentials("A1", "old")) as client:
        rec.answer(body={"name": "bot", "permissions": 95, "username": "A1", "password": "new"})
        creds = await client.reset_token()
        assert rec.last.headers["Authorization"] == basic("A1", "old")
        assert client.credentials is creds
        rec.answer(body={"name": "bot", "permissions": 95, "username": "A1"})
        assert (await client.get_self()).name == "bot"
        assert rec.last.headers["Authorization"] == basic("A1", "new")
    rec = Recorder()
    async with make(UserClient, rec, Credentials("S2", "old")) as client:
        rec.answer(body={"username": "S2", "password": "new", "expires_at": NOW})
        session = await client.reset_token()
        assert isinstance(session, Session) and client.credentials is session
        rec.answer(body=ACCOUNT)
        assert (await client.get_self()).name == "Artemis"
        assert rec.last.headers["Authorization"] == basic("S2", "new")


def _page(page: int, pages: int, items: list[Any], per_page: int = 2) -> dict[str, Any]:
    return {"page": page, "per_page": per_page, "pages": pages, "results": 3, "data": items}


async def test_paginator_walks_pages_and_stops_on_totals() -> None:
    rec = Recorder()
    async with make(UnauthenticatedClient, rec) as client:
        rec.answer(body=_page(0, 2, [TEAM, TEAM]))
        rec.answer(body=_page(1, 2, [TEAM]))
        teams = client.list_teams(search="oly")
        assert isinstance(teams, Paginator) and teams.meta is None
        assert len([team async for team in teams]) == 3
        assert len(rec.requests) == 2  # no request for the empty page 2
        assert [dict(r.url.params) for r in rec.requests] == [
            {"q": "oly", "page": "0"},
            {"q": "oly", "page": "1"},
        ]
        assert teams.meta is not None and (teams.meta.page, teams.meta.results) == (1, 3)


async def test_paginator_stops_on_an_empty_page_and_get_page_reads_one() -> None:
    rec = Recorder()
    async with make(UnauthenticatedClient, rec) as client:
        rec.answer(body=_page(0, 5, [ACCOUNT]))
        rec.answer(body=_page(1, 5, []))
        accounts = client.list_accounts(team=7)
        assert [a.id async for a in accounts] == [508140149014901234]
        assert dict(rec.requests[0].url.params) == {"team": "7", "page": "0"}
        rec.answer(body=_page(4, 5, [ACCOUNT]))
        found = await client.list_accounts("bob", team=Team.from_dict(TEAM), per_page=2).get_page(4)
        assert [a.name for a in found] == ["Artemis"]
        assert dict(rec.last.url.params) == {"q": "bob", "team": "7", "per_page": "2", "page": "4"}


@pytest.mark.parametrize(
    ("response", "error", "check"),
    [
        (httpx.Response(500, text="Internal Server Error"), ServerError, {"code": 500}),
        (httpx.Response(503, text="<html>down</html>"), ServerError, {"code": 503}),
        (
            httpx.Response(
                422, json={"detail": [{"loc": ["path", "account"], "msg": "Account not found."}]}
            ),
            DataError,
            {"issues": [{"loc": ["path", "account"], "msg": "Account not found."}]},
        ),
        (
            httpx.Response(422, json={"detail": "Bad Discord user token."}),
            DataError,
            {"issues": "Bad Discord user token."},
        ),
        (
            httpx.Response(403, json={"detail": "Request outside of authorisation scope."}),
            ClientError,
            {"code": 403, "detail": "Request outside of authorisation scope."},
        ),
        (httpx.Response(404), ClientError, {"code": 404, "detail": "Not Found"}),
        (httpx.Response(401, text="nope"), ClientError, {"code": 401, "detail": "nope"}),
        (httpx.Response(200, text="not json"), ResponseError, {"code": 200}),
        (httpx.Response(200, json={"name": "x"}), ResponseError, {"code": 200}),
    ],
)
async def test_statuses_map_to_errors(
    response: httpx.Response, error: type[PolympicsError], check: dict[str, Any]
) -> None:
    rec = Recorder()
    rec.answers.append(response)
    async with make(AppClient, rec) as client:
        with pytest.raises(error) as caught:
            await client.get_account(1)
    for name, value in check.items():
        assert getattr(caught.value, name) == value
    assert str(caught.value)


async def test_ids_that_could_bend_a_path_are_refused() -> None:
    rec = Recorder()
    async with make(UnauthenticatedClient, rec) as client:
        with pytest.raises(ValueError):
            await client.get_account("../auth/me")
        with pytest.raises(TypeError):
            await client.get_team(True)
    assert rec.requests == []


async def test_close_is_safe_unused_and_twice() -> None:
    client = UnauthenticatedClient()
    await client.close()
    await client.close()
    rec = Recorder()
    client = make(UnauthenticatedClient, rec)
    rec.answer(body={"signups_open": True})
    assert await client.check_signups()
    await client.close()
    await client.close()


def test_package_exports() -> None:
    for name in polympics.__all__:
        assert hasattr(polympics, name), name
    assert repr(NO_TEAM) == "NO_TEAM"
