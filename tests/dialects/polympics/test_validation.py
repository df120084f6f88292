"""422s as the real server (FastAPI 0.63, pydantic 1.8.1) wrote them, over real HTTP.

Every expected ``detail`` below is what the real server's request models answered for
the same input (checked against FastAPI 0.63 and pydantic 1.8.1), unless a comment
names a Podium limit; those are phrased as pydantic 1 would phrase them.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from podium.config import Settings
from podium.dialects.polympics import wire
from podium.store.database import Database
from tests.conftest import PATIENT, LiveServer, closed_port
from tests.dialects.polympics.conftest import FakeDiscord, Polympics

JSON = {"Content-Type": "application/json"}
MISSING = "field required", "value_error.missing"
NONE = "none is not an allowed value", "type_error.none.not_allowed"
NOT_INT = "value is not a valid integer", "type_error.integer"
NOT_STR = "str type expected", "type_error.str"
INT_OF_LIST = (
    "int() argument must be a string, a bytes-like object or a number, not 'list'",
    "type_error",
)


def item(
    loc: list[str | int], msg: str, type_: str = "value_error", /, **ctx: Any
) -> dict[str, Any]:
    found: dict[str, Any] = {"loc": loc, "msg": msg, "type": type_}
    if ctx:
        found["ctx"] = ctx
    return found


def expect(response: httpx.Response, *items: dict[str, Any]) -> None:
    assert response.status_code == 422, response.text
    assert response.json() == {"detail": list(items)}


@dataclass
class World:
    """An all-permission app's client, and the records the cases refer to."""

    admin: httpx.AsyncClient
    anon: httpx.AsyncClient
    team: int
    award: int


@pytest.fixture
async def world(polympics: Polympics) -> AsyncIterator[World]:
    creds = await polympics.app()
    async with (
        httpx.AsyncClient(
            base_url=polympics.url, auth=(creds.username, creds.password), timeout=PATIENT
        ) as admin,
        httpx.AsyncClient(base_url=polympics.url, timeout=PATIENT) as anon,
    ):
        team = (await admin.post("/teams/new", json={"name": "Olympus"})).json()["id"]
        for discord_id in (1, 2):
            created = await admin.post(
                "/accounts/new",
                json={"id": discord_id, "name": f"A{discord_id}", "discriminator": "1"},
            )
            assert created.status_code == 201, created.text
        award = await admin.post(
            "/awards/new", json={"title": "Gold", "image_url": "u", "team": team, "accounts": []}
        )
        yield World(admin, anon, team, award.json()["id"])


# Bodies that are not JSON objects -------------------------------------------------------


async def test_malformed_json_names_the_position(world: World) -> None:
    broken = await world.admin.post("/teams/new", content=b'{"name": ', headers=JSON)
    expect(
        broken,
        item(
            ["body", 9],
            "Expecting value: line 1 column 10 (char 9)",
            "value_error.jsondecode",
            msg="Expecting value",
            doc='{"name": ',
            pos=9,
            lineno=1,
            colno=10,
        ),
    )
    # Decoding comes before the Basic header check and before the path.
    unsigned = await world.anon.patch("/account/nobody", content=b'{"a": 1} x')
    assert unsigned.status_code == 422
    assert unsigned.json()["detail"][0]["msg"] == "Extra data: line 1 column 10 (char 9)"
    assert unsigned.json()["detail"][0]["loc"] == ["body", 9]
    blank = await world.admin.post("/teams/new", content=b"  ")
    assert blank.json()["detail"][0]["msg"] == "Expecting value: line 1 column 3 (char 2)"
    # A body that is not text at all is FastAPI's 400, not a 422.
    binary = await world.admin.post("/teams/new", content=b'{"name": "\xff"}')
    assert binary.status_code == 400
    assert binary.json() == {"detail": "There was an error parsing the body"}


async def test_json_is_read_whatever_the_content_type(world: World) -> None:
    for headers in ({}, {"Content-Type": "text/plain"}):
        made = await world.admin.post("/teams/new", content=b'{"name": "Plain"}', headers=headers)
        assert made.status_code == 201 and made.json()["name"] == "Plain"


async def test_empty_and_null_bodies_are_a_missing_body(world: World) -> None:
    expect(await world.admin.post("/teams/new"), item(["body"], *MISSING))
    expect(await world.admin.post("/teams/new", content=b"null"), item(["body"], *MISSING))
    # Every PATCH field is optional, but the body itself is not.
    expect(await world.admin.patch("/account/1"), item(["body"], *MISSING))
    expect(
        await world.admin.patch("/account/abc"),
        item(["path", "account"], "Invalid Account ID: must be int."),
        item(["body"], *MISSING),
    )


async def test_array_bodies_are_read_as_pydantic_1_read_them(world: World) -> None:
    # dict([]) is {}, so each required field is missing.
    expect(
        await world.admin.post("/awards/new", json=[]),
        item(["body", "title"], *MISSING),
        item(["body", "image_url"], *MISSING),
        item(["body", "team"], *MISSING),
        item(["body", "accounts"], *MISSING),
    )
    pairs = await world.admin.post("/teams/new", json=[["name", "Pairs"]])
    assert pairs.status_code == 201 and pairs.json()["name"] == "Pairs"
    for scalar in ("x", 5, False):
        expect(
            await world.admin.post("/teams/new", json=scalar),
            item(["body"], "value is not a valid dict", "type_error.dict"),
        )
    expect(
        await world.admin.post("/teams/new", json=[[1, 2]]),
        item(["body"], "keywords must be strings", "type_error"),
    )


# Fields ---------------------------------------------------------------------------------


async def test_nulls(world: World) -> None:
    expect(await world.admin.post("/teams/new", json={"name": None}), item(["body", "name"], *NONE))
    expect(
        await world.admin.post(
            "/awards/new", json={"title": None, "image_url": 5, "team": None, "accounts": None}
        ),
        item(["body", "title"], *NONE),
        item(["body", "team"], *NONE),
        item(["body", "accounts"], *NONE),
    )
    # A default does not make a field nullable.
    expect(
        await world.admin.post(
            "/accounts/new",
            json={"id": 9, "name": "N", "discriminator": "1", "team": None, "permissions": None},
        ),
        item(["body", "permissions"], *NONE),
    )
    # Nulls on a PATCH leave things as they are.
    patched = await world.admin.patch(
        "/account/1", json={"name": None, "team": None, "grant_permissions": None}
    )
    assert patched.status_code == 200 and patched.json()["name"] == "A1"


async def test_wrong_types_in_field_order(world: World) -> None:
    expect(
        await world.admin.post(
            "/accounts/new",
            json={
                "id": "x",
                "name": None,
                "discriminator": [],
                "avatar_url": 5,
                "team": "abc",
                "permissions": "y",
            },
        ),
        item(["body", "id"], *NOT_INT),
        item(["body", "name"], *NONE),
        item(["body", "discriminator"], *NOT_STR),
        item(["body", "team"], "Invalid Team ID: must be int."),
        item(["body", "permissions"], *NOT_INT),
    )
    # A missing team is reported in its field's place, not after the others.
    expect(
        await world.admin.post(
            "/accounts/new",
            json={"id": "5.0", "name": "a", "discriminator": "1", "team": 999, "permissions": {}},
        ),
        item(["body", "id"], *NOT_INT),
        item(["body", "team"], "Team not found."),
        item(["body", "permissions"], *NOT_INT),
    )
    expect(
        await world.admin.post("/teams/new", json={"name": ["a"]}), item(["body", "name"], *NOT_STR)
    )
    expect(
        await world.admin.patch(
            "/account/1", json={"grant_permissions": "x", "revoke_permissions": [], "name": {}}
        ),
        item(["body", "name"], *NOT_STR),
        item(["body", "grant_permissions"], *NOT_INT),
        item(["body", "revoke_permissions"], *NOT_INT),
    )


async def test_pydantic_1_coercions_are_accepted(world: World) -> None:
    made = await world.admin.post(
        "/accounts/new",
        json={
            "id": " 5 ",
            "name": True,
            "discriminator": 1.5,
            "avatar_url": 7,
            "team": world.team + 0.9,
            "permissions": "0",
        },
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["id"], body["name"], body["discriminator"], body["avatar_url"]) == (
        "5",
        "True",
        "1.5",
        "7",
    )
    assert body["team"]["id"] == world.team
    truncated = await world.admin.post(
        "/accounts/new", json={"id": 6.7, "name": "Six", "discriminator": "1"}
    )
    assert truncated.status_code == 201 and truncated.json()["id"] == "6"


async def test_what_the_real_server_answered_with_a_500(world: World) -> None:
    # Python's json reads Infinity; int() of it overflowed into a 500 on the real server.
    # Podium refuses it, and integers beyond 64 bits, where every body is read.
    expect(
        await world.admin.post(
            "/accounts/new",
            content=b'{"id": Infinity, "name": "a", "discriminator": "1", "team": -Infinity}',
        ),
        item(["body"], "Unacceptable JSON: Infinity is not a number JSON allows."),
    )
    expect(
        await world.admin.post("/auth/create_session", json={"account": 2**64}),
        item(["body"], "The integer 18446744073709551616 does not fit in 64 bits."),
    )
    expect(
        await world.admin.post("/accounts/new", json={"id": -1, "name": "a", "discriminator": "1"}),
        item(
            ["body", "id"],
            "ensure this value is greater than or equal to 0",
            "value_error.number.not_ge",
            limit_value=0,
        ),
    )


async def test_nul_and_deep_bodies_are_refused_where_bodies_are_read(world: World) -> None:
    for raw in (
        b'{"name": "N\\u0000UL"}',
        b'{"name": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"name": "x", "id": ' + b"9" * 5000 + b"}",
    ):
        answer = await world.admin.post("/teams/new", content=raw)
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"][0]["loc"] == ["body"]


async def test_team_ids_on_accounts(world: World) -> None:
    new = {"id": 8, "name": "E", "discriminator": "1"}
    expect(
        await world.admin.post("/accounts/new", json={**new, "team": [1]}),
        item(["body", "team"], *INT_OF_LIST),
    )
    # On a PATCH the team is a team id or 0, so a bad one gets both alternatives' issues.
    expect(
        await world.admin.patch("/account/1", json={"team": "abc"}),
        item(["body", "team"], "Invalid Team ID: must be int."),
        item(["body", "team"], "Invalid ID: must be int."),
    )
    expect(
        await world.admin.patch("/account/1", json={"team": 999}),
        item(["body", "team"], "Team not found."),
        item(["body", "team"], "Should fall through to next type."),
    )
    expect(
        await world.admin.patch("/account/1", json={"team": []}),
        item(["body", "team"], *INT_OF_LIST),
        item(["body", "team"], *INT_OF_LIST),
    )
    joined = await world.admin.patch("/account/1", json={"team": str(world.team)})
    assert joined.json()["team"]["id"] == world.team
    for no_team in ("0", 0.0, False):
        left = await world.admin.patch("/account/1", json={"team": no_team})
        assert left.status_code == 200 and left.json()["team"] is None, no_team


async def test_award_bodies(world: World) -> None:
    base = {"title": "t", "image_url": "u", "team": world.team}
    expect(await world.admin.post("/awards/new", json=base), item(["body", "accounts"], *MISSING))
    for not_a_list in ("1", {"a": 1}):
        expect(
            await world.admin.post("/awards/new", json={**base, "accounts": not_a_list}),
            item(["body", "accounts"], "value is not a valid list", "type_error.list"),
        )
    expect(
        await world.admin.post(
            "/awards/new", json={**base, "accounts": [1, 999, "x", None, [], 2.5]}
        ),
        item(["body", "accounts", 1], "Account not found."),
        item(["body", "accounts", 2], "Invalid Account ID: must be int."),
        item(["body", "accounts", 3], *NONE),
        item(["body", "accounts", 4], *INT_OF_LIST),
    )
    expect(
        await world.admin.patch(
            f"/award/{world.award}", json={"title": [], "image_url": {}, "team": "x"}
        ),
        item(["body", "title"], *NOT_STR),
        item(["body", "image_url"], *NOT_STR),
        item(["body", "team"], "Invalid Team ID: must be int."),
    )
    # 0 is not "no change" for an award's team: it names a team that does not exist.
    expect(
        await world.admin.patch(f"/award/{world.award}", json={"team": 0}),
        item(["body", "team"], "Team not found."),
    )


async def test_auth_bodies(world: World) -> None:
    expect(await world.anon.post("/auth/discord", json={}), item(["body", "token"], *MISSING))
    expect(
        await world.anon.post("/auth/discord", json={"token": None}), item(["body", "token"], *NONE)
    )
    expect(
        await world.anon.post("/auth/discord", json={"token": []}),
        item(["body", "token"], *NOT_STR),
    )
    for account, found in (
        (None, NONE),
        ("x", ("Invalid Account ID: must be int.", "value_error")),
        (999, ("Account not found.", "value_error")),
        ([1], INT_OF_LIST),
    ):
        expect(
            await world.admin.post("/auth/create_session", json={"account": account}),
            item(["body", "account"], *found),
        )


async def test_constrained_strings(world: World) -> None:
    base = {"image_url": "u", "team": world.team, "accounts": []}
    expect(
        await world.admin.post("/awards/new", json={**base, "title": "x" * 33}),
        item(
            ["body", "title"],
            "ensure this value has at most 32 characters",
            "value_error.any_str.max_length",
            limit_value=32,
        ),
    )
    expect(
        await world.admin.patch(f"/award/{world.award}", json={"image_url": "u" * 513}),
        item(
            ["body", "image_url"],
            "ensure this value has at most 512 characters",
            "value_error.any_str.max_length",
            limit_value=512,
        ),
    )
    # Podium's limits: the core keeps names to 1..200 characters, callback secrets to 500.
    expect(
        await world.admin.post("/teams/new", json={"name": ""}),
        item(
            ["body", "name"],
            "ensure this value has at least 1 characters",
            "value_error.any_str.min_length",
            limit_value=1,
        ),
    )
    expect(
        await world.admin.patch(f"/team/{world.team}", json={"name": "n" * 201}),
        item(
            ["body", "name"],
            "ensure this value has at most 200 characters",
            "value_error.any_str.max_length",
            limit_value=200,
        ),
    )
    expect(
        await world.admin.put(
            "/callback/account_team_update", json={"url": "http://a.example", "secret": "s" * 501}
        ),
        item(
            ["body", "secret"],
            "ensure this value has at most 500 characters",
            "value_error.any_str.max_length",
            limit_value=500,
        ),
    )
    # The real server's discriminator column held 255 characters, so Podium takes as many.
    long = await world.admin.patch("/account/1", json={"discriminator": "9" * 255})
    assert long.status_code == 200 and long.json()["discriminator"] == "9" * 255


# Path and query -------------------------------------------------------------------------


async def test_path_ids_are_read_with_int(world: World) -> None:
    for path, detail in (
        ("/team/x", "Invalid Team ID: must be int."),
        ("/team/1.0", "Invalid Team ID: must be int."),
        ("/team/%20", "Invalid Team ID: must be int."),
        ("/team/-1", "Team not found."),
        ("/team/99999999999999999999999", "Team not found."),
        ("/account/1_0", "Account not found."),
        ("/award/1e3", "Invalid Award ID: must be int."),
    ):
        model = path.split("/")[1]
        expect(await world.anon.get(path), item(["path", model], detail))
    assert (await world.anon.get("/account/%201")).json()["id"] == "1"
    assert (await world.anon.get(f"/team/+{world.team}")).json()["id"] == world.team
    expect(
        await world.admin.put("/account/x/award/999"),
        item(["path", "account"], "Invalid Account ID: must be int."),
        item(["path", "award"], "Award not found."),
    )


async def test_path_issues_come_before_body_issues(world: World) -> None:
    expect(
        await world.admin.patch("/account/999", json={"team": "abc"}),
        item(["path", "account"], "Account not found."),
        item(["body", "team"], "Invalid Team ID: must be int."),
        item(["body", "team"], "Invalid ID: must be int."),
    )
    expect(
        await world.admin.patch("/award/x", json={"team": 999}),
        item(["path", "award"], "Invalid Award ID: must be int."),
        item(["body", "team"], "Team not found."),
    )
    expect(
        await world.admin.patch("/team/999", json={"name": None}),
        item(["path", "team"], "Team not found."),
        item(["body", "name"], *NONE),
    )


async def test_query_parameters(world: World) -> None:
    # The page arguments were a dependency, so their issues come before the team's.
    expect(
        await world.anon.get(
            "/accounts/search", params={"team": "abc", "page": "x", "per_page": "y"}
        ),
        item(["query", "page"], *NOT_INT),
        item(["query", "per_page"], *NOT_INT),
        item(["query", "team"], "Invalid Team ID: must be int."),
    )
    expect(
        await world.anon.get("/accounts/search", params={"team": "999", "page": "1.5"}),
        item(["query", "page"], *NOT_INT),
        item(["query", "team"], "Team not found."),
    )
    expect(
        await world.anon.get("/accounts/search", params={"team": ""}),
        item(["query", "team"], "Invalid Team ID: must be int."),
    )
    # Podium's bounds (the real server answered 500 for these).
    expect(
        await world.anon.get("/teams/search", params={"per_page": "0", "page": "-1"}),
        item(
            ["query", "page"],
            "ensure this value is greater than or equal to 0",
            "value_error.number.not_ge",
            limit_value=0,
        ),
        item(
            ["query", "per_page"],
            "ensure this value is greater than or equal to 1",
            "value_error.number.not_ge",
            limit_value=1,
        ),
    )
    spaced = await world.anon.get("/teams/search", params={"per_page": " 2", "page": "0"})
    assert spaced.status_code == 200 and spaced.json()["per_page"] == 2
    far = await world.anon.get("/teams/search", params={"page": str(2**63 - 1)})
    assert far.status_code == 200 and far.json()["data"] == [] and far.json()["results"] == 1
    expect(
        await world.anon.get("/teams/search", params={"page": str(2**63)}),
        item(
            ["query", "page"],
            f"ensure this value is less than or equal to {2**63 - 1}",
            "value_error.number.not_le",
            limit_value=2**63 - 1,
        ),
    )


# Callbacks ------------------------------------------------------------------------------

CALLBACK = "/callback/account_team_update"


def url_issue(msg: str, type_: str, /, **ctx: Any) -> dict[str, Any]:
    return item(["body", "url"], msg, type_, **ctx)


async def test_callback_urls(world: World) -> None:
    scheme = url_issue("invalid or missing URL scheme", "value_error.url.scheme")
    host = url_issue("URL host invalid", "value_error.url.host")
    for url, issue in (
        ("x", scheme),
        ("example.com", scheme),
        (5, scheme),
        (
            "ftp://example.com",
            url_issue(
                "URL scheme not permitted",
                "value_error.url.scheme",
                allowed_schemes=["https", "http"],
            ),
        ),
        ("http://", host),
        ("http://-a.com", host),
        (
            "http://example.com:99999/",
            url_issue("URL port invalid, port cannot exceed 65535", "value_error.url.port"),
        ),
        (
            "http://example.com/a b",
            url_issue(
                "URL invalid, extra characters found after valid URL: ' b'",
                "value_error.url.extra",
                extra=" b",
            ),
        ),
        (
            "",
            url_issue(
                "ensure this value has at least 1 characters",
                "value_error.any_str.min_length",
                limit_value=1,
            ),
        ),
        (
            "http://e.com/" + "x" * 2083,
            url_issue(
                "ensure this value has at most 2083 characters",
                "value_error.any_str.max_length",
                limit_value=2083,
            ),
        ),
        ([], url_issue(*NOT_STR)),
        # Podium takes hosts without a TLD, but one refused anyway reads as it did.
        (
            "http://localhost/a b",
            url_issue("URL host invalid, top level domain required", "value_error.url.host"),
        ),
    ):
        expect(await world.admin.put(CALLBACK, json={"url": url, "secret": "s"}), issue)
    expect(
        await world.admin.put("/callback/nope", json={"url": "x", "secret": 1}),
        item(
            ["path", "event"],
            "value is not a valid enumeration member; permitted: 'account_team_update'",
            "type_error.enum",
            enum_values=["account_team_update"],
        ),
        scheme,
    )
    # Stored as pydantic 1 stored them: stripped, international hosts in punycode.
    for sent, kept in (
        (" http://example.com/hook ", "http://example.com/hook"),
        ("https://exämple.com/x", "https://xn--exmple-cua.com/x"),
        ("http://localhost:8000/hook", "http://localhost:8000/hook"),  # Podium: no TLD needed
    ):
        put = await world.admin.put(CALLBACK, json={"url": sent, "secret": "s"})
        assert put.status_code == 200 and put.json()["url"] == kept, put.text


# Credentials ----------------------------------------------------------------------------


async def test_basic_credentials_are_read_as_fastapi_0_63_read_them(
    polympics: Polympics,
) -> None:
    creds = await polympics.app()
    number = creds.username[1:]

    def basic(username: str, noise: str = "") -> dict[str, str]:
        encoded = base64.b64encode(f"{username}:{creds.password}".encode()).decode()
        return {"Authorization": f"Basic {noise}{encoded}"}

    async with httpx.AsyncClient(base_url=polympics.url, timeout=PATIENT) as client:
        # The id after the prefix goes through int(); stray non-base64 characters are skipped.
        for headers in (
            basic(f"a0{number}"),
            basic(f"A {number}"),
            basic(creds.username, noise="!*"),
        ):
            me = await client.get("/auth/me", headers=headers)
            assert me.status_code == 200 and me.json()["username"] == creds.username, headers
        # A non-int id makes an anonymous caller; a non-ASCII pair is not even read.
        odd = await client.get("/auth/me", headers=basic(f"A{number}.0"))
        assert odd.status_code == 401
        assert odd.json() == {"detail": "A token was not used to authenticate."}
        accented = await client.get("/auth/me", headers=basic("Aé"))
        assert accented.status_code == 401
        assert accented.json() == {"detail": "Invalid authentication credentials"}


# Discord --------------------------------------------------------------------------------


async def _account_session(world: World, discord: FakeDiscord) -> tuple[str, str]:
    discord.add_user("good", 1, "A1", "0001", None)
    login = await world.anon.post("/auth/discord", json={"token": "good"})
    assert login.status_code == 200, login.text
    return login.json()["username"], login.json()["password"]


@pytest.mark.parametrize(
    "failure",
    [
        (503, b'{"message": "Service Unavailable"}', "application/json"),
        (500, b"<html>Internal Server Error</html>", "text/html"),
        (429, b'{"message": "You are being rate limited.", "retry_after": 1}', "application/json"),
    ],
)
async def test_a_discord_error_status_is_a_bad_token(
    world: World, discord: FakeDiscord, failure: tuple[int, bytes, str]
) -> None:
    username, password = await _account_session(world, discord)
    discord.failure = failure
    login = await world.anon.post("/auth/discord", json={"token": "good"})
    assert login.status_code == 401 and login.json() == {"detail": "Bad Discord user token."}
    sync = await world.admin.patch(
        "/account/1", json={"discord_token": "good"}, auth=(username, password)
    )
    assert sync.status_code == 422 and sync.json() == {"detail": "Bad Discord user token."}


async def test_a_token_that_cannot_be_sent_is_a_bad_token(
    world: World, discord: FakeDiscord
) -> None:
    username, password = await _account_session(world, discord)
    for token in ("", " good ", "gööd", "go\nod"):
        login = await world.anon.post("/auth/discord", json={"token": token})
        assert login.status_code == 401, (token, login.text)
        assert login.json() == {"detail": "Bad Discord user token."}
    sync = await world.admin.patch(
        "/account/1", json={"discord_token": "gööd"}, auth=(username, password)
    )
    assert sync.status_code == 422 and sync.json() == {"detail": "Bad Discord user token."}


async def test_discord_unreachable_is_a_502_after_the_other_checks(
    settings: Settings, database: Database, polympics: Polympics
) -> None:
    with closed_port() as discord_port:
        nowhere = settings.model_copy(
            update={"polympics_discord_api_url": f"http://127.0.0.1:{discord_port}"}
        )
        creds = await polympics.app(permissions=wire.APP_PERMISSIONS)
        weak = await polympics.app(permissions=0, name="weak")
        with LiveServer(nowhere) as server:
            base = f"{server.url}/polympics"
            async with (
                httpx.AsyncClient(
                    base_url=base, auth=(creds.username, creds.password), timeout=PATIENT
                ) as admin,
                httpx.AsyncClient(
                    base_url=base, auth=(weak.username, weak.password), timeout=PATIENT
                ) as powerless,
            ):
                login = await admin.post("/auth/discord", json={"token": "t"})
                assert login.status_code == 502
                assert login.json() == {"detail": "Discord could not be reached."}
                await admin.post("/accounts/new", json={"id": 3, "name": "C", "discriminator": "1"})
                sync = await admin.patch("/account/3", json={"discord_token": "t"})
                assert sync.status_code == 502
                # Checks the real server made before asking Discord still answer first.
                missing = await admin.patch("/account/404", json={"discord_token": "t"})
                expect(missing, item(["path", "account"], "Account not found."))
                refused = await powerless.patch(
                    "/account/3", json={"name": "X", "discord_token": "t"}
                )
                assert refused.status_code == 403
                assert (await admin.get("/account/3")).json()["name"] == "C"
