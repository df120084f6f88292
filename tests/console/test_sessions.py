"""Console sessions over HTTP: login, logout, CSRF on every form, throttling, resets."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from podium.app import create_app
from podium.config import Settings
from podium.core import logins
from podium.core.principal import SYSTEM
from podium.store.database import Database
from podium.store.tables import Credential
from podium.store.types import utcnow
from tests.console.conftest import PASSWORD, Browser, Org, csrf_of


async def test_login_opens_the_console_and_logout_ends_the_session(browsers: Any, org: Org) -> None:
    anonymous = browsers().http
    first = await anonymous.get("/console/orgs/harbor/members")
    assert first.status_code == 303
    assert first.headers["location"] == "/console/login?next=/console/orgs/harbor/members"

    me = browsers()
    wrong = await me.login("owner@example.org", "not the password")
    assert wrong.status_code == 401 and "not right" in wrong.text
    assert "podium_console" not in wrong.headers.get("set-cookie", "")
    done = await me.login("OWNER@example.org")
    assert done.status_code == 303 and done.headers["location"] == "/console/"
    cookie = done.headers["set-cookie"]
    for flag in ("HttpOnly", "SameSite=lax", "Path=/console"):
        assert flag.lower() in cookie.lower(), cookie
    home = await me.http.get("/console/")
    assert home.status_code == 200 and "Harbor Runners" in home.text
    assert home.headers["cache-control"] == "no-store"
    assert home.headers["referrer-policy"] == "no-referrer"

    stolen = me.http.cookies.get("podium_console", path="/console")
    assert stolen
    out = await me.http.post("/console/logout", data={"csrf": csrf_of(home)})
    assert out.status_code == 303 and out.headers["location"] == "/console/login"
    # The cookie kept by someone else no longer opens anything: the row is revoked.
    replay = browsers().http
    replay.cookies.set("podium_console", stolen, path="/console")
    assert (await replay.get("/console/")).status_code == 303


async def test_a_tampered_cookie_is_not_a_session(browsers: Any, org: Org) -> None:
    me = browsers()
    await me.login("owner@example.org")
    value = me.http.cookies.get("podium_console", path="/console")
    ticket, _, mac = value.rpartition("~")
    forged = browsers().http
    forged.cookies.set("podium_console", f"{ticket}~{'0' * len(mac)}", path="/console")
    assert (await forged.get("/console/")).status_code == 303
    unsigned = browsers().http
    unsigned.cookies.set("podium_console", ticket, path="/console")
    assert (await unsigned.get("/console/")).status_code == 303


@pytest.mark.parametrize("token", [None, "", "forged-token-of-the-right-length-12345678"])
async def test_every_form_needs_its_token(
    browsers: Any, org: Org, database: Database, token: str | None
) -> None:
    me = browsers()
    await me.login("owner@example.org")
    fields = {"email": "someone@example.org", "role": "viewer"}
    if token is not None:
        fields["csrf"] = token
    refused = await me.http.post("/console/orgs/harbor/members/invite", data=fields)
    assert refused.status_code == 403 and "security token" in refused.text
    listed = await me.http.get("/console/orgs/harbor/members")
    assert "someone@example.org" not in listed.text  # nothing was done
    # Before login too: the login form's token must match its own cookie.
    stranger = browsers().http
    forged = await stranger.post(
        "/console/login",
        data={"csrf": "x" * 43, "email": "owner@example.org", "password": PASSWORD},
    )
    assert forged.status_code == 403 and "podium_console" not in forged.headers.get(
        "set-cookie", ""
    )


async def test_repeated_failures_lock_the_account_with_a_clear_message(
    browsers: Any, org: Org
) -> None:
    me = browsers()
    for _ in range(logins.ACCOUNT_LIMIT):
        assert (await me.login("owner@example.org", "wrong password")).status_code == 401
    locked = await me.login("owner@example.org")
    assert locked.status_code == 429
    assert "Too many failed logins for this account: try again in 15 minutes" in locked.text


async def test_password_change_and_reset_end_other_sessions(
    browsers: Any, org: Org, database: Database
) -> None:
    laptop, phone = browsers(), browsers()
    await laptop.login("owner@example.org")
    await phone.login("owner@example.org")
    changed = await laptop.submit(
        "/console/account",
        "/console/account/password",
        current=PASSWORD,
        new="a new long password",
        again="a new long password",
    )
    assert changed.status_code == 303  # logged in again with the new password
    assert (await laptop.http.get("/console/")).status_code == 200
    assert (await phone.http.get("/console/")).status_code == 303

    async with database.write() as session:
        _user, ticket = await logins.begin_reset(session, SYSTEM, "owner@example.org")
    visitor = browsers()
    shown = await visitor.http.get("/console/reset", params={"ticket": ticket})
    assert shown.status_code == 200 and "owner@example.org" in shown.text
    reset = await visitor.http.post(
        "/console/reset",
        data={
            "csrf": csrf_of(shown),
            "ticket": ticket,
            "new": "reset to this one",
            "again": "reset to this one",
        },
    )
    assert reset.status_code == 303
    assert (await visitor.http.get("/console/")).status_code == 200
    assert (await laptop.http.get("/console/")).status_code == 303
    used = await browsers().http.get("/console/reset", params={"ticket": ticket})
    assert used.status_code == 404 and "not valid" in used.text


async def test_pages_that_do_not_exist_are_404_pages(browsers: Any, org: Org) -> None:
    me = browsers()
    await me.login("owner@example.org")
    for path in (
        "/console/orgs/nowhere/members",
        "/console/competitions/99999",
        "/console/competitions/99999999999999999999999",
        "/console/orgs/harbor/members/x/role",
    ):
        answer = await me.http.get(path)
        assert answer.status_code in (404, 405), (path, answer.status_code)
        if answer.status_code == 404:
            assert "text/html" in answer.headers["content-type"]


async def test_the_login_page_sends_people_back_where_they_were(browsers: Any, org: Org) -> None:
    me = browsers()
    form = await me.http.get("/console/login", params={"next": "/console/orgs/harbor/members"})
    done = await me.http.post(
        "/console/login",
        data={
            "csrf": csrf_of(form),
            "email": "owner@example.org",
            "password": PASSWORD,
            "next": "/console/orgs/harbor/members",
        },
    )
    assert done.headers["location"] == "/console/orgs/harbor/members"
    elsewhere = browsers()
    form = await elsewhere.http.get("/console/login")
    sent = await elsewhere.http.post(
        "/console/login",
        data={
            "csrf": csrf_of(form),
            "email": "owner@example.org",
            "password": PASSWORD,
            "next": "//evil.example/console",
        },
    )
    assert sent.headers["location"] == "/console/"


async def test_the_session_length_setting_bounds_the_row_and_the_cookie(
    settings: Settings, database: Database, org: Org
) -> None:
    short = create_app(
        settings.model_copy(update={"console_session_hours": 0.5}),
        database=database,
        run_migrations=False,
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=short), base_url="http://podium.test"
    ) as http:
        done = await Browser(http).login("owner@example.org")
    assert "max-age=1800" in done.headers["set-cookie"].lower()
    async with database.read() as session:
        row = await session.scalar(select(Credential).where(Credential.kind == logins.SESSION))
    assert row is not None and row.expires_at is not None
    left = (row.expires_at - utcnow()).total_seconds()
    assert 1700 < left <= 1800
