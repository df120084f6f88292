"""Members, invitations and credentials in the console, over HTTP."""

from __future__ import annotations

import re
from typing import Any

import httpx

from podium.dialects.multigp import wire as multigp_wire
from podium.store.database import Database
from tests.console.conftest import Org, add_user, csrf_of

INVITE_LINK = re.compile(r"(http://podium\.test/console/invite\?ticket=[0-9a-f]{16}\.[\w-]+)")


async def test_an_invited_director_sets_a_password_and_can_set_up(browsers: Any, org: Org) -> None:
    owner = browsers()
    await owner.login("owner@example.org")
    invited = await owner.submit(
        "/console/orgs/harbor/members",
        "/console/orgs/harbor/members/invite",
        email="Dana@Example.org",
        role="director",
    )
    assert invited.status_code == 200
    link = INVITE_LINK.search(invited.text)
    assert link, invited.text[-2000:]
    listed = await owner.http.get("/console/orgs/harbor/members")
    assert "dana@example.org as director" in listed.text  # waiting to be accepted

    dana = browsers()
    opened = await dana.http.get(link[1].removeprefix("http://podium.test"))
    assert opened.status_code == 200 and "as <strong>director</strong>" in opened.text
    differ = await dana.http.post(
        "/console/invite",
        data={
            "csrf": csrf_of(opened),
            "ticket": link[1].split("ticket=")[1],
            "name": "Dana",
            "password": "dana's long password",
            "again": "something else entirely",
        },
    )
    assert differ.status_code == 400 and "differ" in differ.text
    joined = await dana.http.post(
        "/console/invite",
        data={
            "csrf": csrf_of(opened),
            "ticket": link[1].split("ticket=")[1],
            "name": "Dana",
            "password": "dana's long password",
            "again": "dana's long password",
        },
    )
    assert joined.status_code == 303
    assert (await dana.http.get("/console/orgs/harbor/competitions/new")).status_code == 200
    members = await owner.http.get("/console/orgs/harbor/members")
    assert "dana@example.org" in members.text and "as director" not in members.text
    # Used up: the link does not open again.
    again = await browsers().http.get(link[1].removeprefix("http://podium.test"))
    assert again.status_code == 404


async def test_a_viewer_cannot_reach_set_up_or_owner_pages(
    browsers: Any, org: Org, database: Database
) -> None:
    await add_user(database, org.id, "val@example.org", "viewer")
    val = browsers()
    await val.login("val@example.org")
    home = await val.http.get("/console/orgs/harbor/")
    assert home.status_code == 200 and "Credentials" not in home.text
    for path in (
        "/console/orgs/harbor/competitions/new",
        "/console/orgs/harbor/credentials",
    ):
        refused = await val.http.get(path)
        assert refused.status_code == 403, path
        assert "Your role in Harbor Runners (viewer" in refused.text
    token = csrf_of(home)
    for action, fields in (
        ("/console/orgs/harbor/members/invite", {"email": "x@example.org", "role": "owner"}),
        ("/console/orgs/harbor/competitions/new", {"name": "Sneaky"}),
        ("/console/orgs/harbor/credentials/new", {"kind": "api_token"}),
    ):
        refused = await val.http.post(action, data={"csrf": token, **fields})
        assert refused.status_code == 403, action
    # Another organization's pages read as missing, not as forbidden.
    assert (await val.http.get("/console/orgs/elsewhere/")).status_code == 404


async def test_a_role_change_applies_on_the_next_request(
    browsers: Any, org: Org, database: Database
) -> None:
    await add_user(database, org.id, "tim@example.org", "timer")
    tim, owner = browsers(), browsers()
    await tim.login("tim@example.org")
    await owner.login("owner@example.org")
    assert (await tim.http.get("/console/orgs/harbor/competitions/new")).status_code == 403
    members = await owner.http.get("/console/orgs/harbor/members")
    membership = re.search(
        r"/members/(\d+)/role[^>]*>\s*<input[^>]*>\s*<label[^>]*>Role of tim", members.text
    )
    assert membership, members.text[:3000]
    changed = await owner.http.post(
        f"/console/orgs/harbor/members/{membership[1]}/role",
        data={"csrf": csrf_of(members), "role": "director"},
    )
    assert changed.status_code == 303
    assert (await tim.http.get("/console/orgs/harbor/competitions/new")).status_code == 200
    removed = await owner.http.post(
        f"/console/orgs/harbor/members/{membership[1]}/remove", data={"csrf": csrf_of(members)}
    )
    assert removed.status_code == 303
    assert (await tim.http.get("/console/orgs/harbor/")).status_code == 404


async def test_the_last_owner_is_kept(browsers: Any, org: Org) -> None:
    owner = browsers()
    await owner.login("owner@example.org")
    members = await owner.http.get("/console/orgs/harbor/members")
    mine = re.search(r"/members/(\d+)/remove", members.text)
    assert mine
    refused = await owner.http.post(
        f"/console/orgs/harbor/members/{mine[1]}/role",
        data={"csrf": csrf_of(members), "role": "viewer"},
    )
    assert refused.status_code == 409 and "needs an owner" in refused.text
    assert (await owner.http.get("/console/orgs/harbor/credentials")).status_code == 200


async def test_a_chapter_key_is_shown_once_with_its_url_and_revoked_at_once(
    browsers: Any, org: Org, app: Any
) -> None:
    owner = browsers()
    await owner.login("owner@example.org")
    made = await owner.submit(
        "/console/orgs/harbor/credentials",
        "/console/orgs/harbor/credentials/new",
        kind="multigp_chapter_key",
        name="Field laptop",
    )
    assert made.status_code == 200
    assert "http://podium.test/mgp/multigpwebservice" in made.text
    key = re.search(r'<code id="made-1">([0-9a-f-]{36})</code>', made.text)
    assert key, made.text[-3000:]
    listed = await owner.http.get("/console/orgs/harbor/credentials")
    assert key[1] not in listed.text and "MultiGP chapter API key" in listed.text

    async def chapter() -> bool:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://podium.test"
        ) as http:
            answer = await http.post(
                f"{multigp_wire.BASE_PATH}/chapter/findChapterFromApiKey", json={"apiKey": key[1]}
            )
        return bool(answer.json()["status"])

    assert await chapter()
    row = re.search(r"/credentials/(\d+)/revoke", listed.text)
    assert row
    revoked = await owner.http.post(
        f"/console/orgs/harbor/credentials/{row[1]}/revoke", data={"csrf": csrf_of(listed)}
    )
    assert revoked.status_code == 303
    assert not await chapter()
    after = await owner.http.get("/console/orgs/harbor/credentials?note=revoked")
    assert "Revoked" in after.text
