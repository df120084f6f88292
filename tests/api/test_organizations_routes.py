"""Organizations, people, teams and team members over HTTP (podium/api/routes/organizations.py)."""

from __future__ import annotations

from typing import Any

import httpx

from podium.store.database import Database
from tests.api.helpers import (
    all_events,
    collect,
    event_types,
    ids_of,
    make_org,
    make_person,
    make_team,
    names_field,
    ok,
    problem,
    when,
    with_token,
)

# Organizations -----------------------------------------------------------------------


async def test_organization_create_get_update_delete(api: httpx.AsyncClient) -> None:
    created = await make_org(
        api,
        "north-club",
        description="Racing in the north",
        attributes={"colour": "teal"},
        external_ids={"multigp": "77"},
    )
    assert created["slug"] == "north-club" and created["name"] == "North Club"
    assert created["description"] == "Racing in the north"
    assert created["attributes"] == {"colour": "teal"}
    assert created["external_ids"] == {"multigp": "77"}
    org_id = created["id"]

    assert ok(await api.get(f"/organizations/{org_id}")) == created

    changed = ok(await api.patch(f"/organizations/{org_id}", json={"name": "  North  "}))
    assert changed["name"] == "North"  # whitespace is stripped
    assert changed["slug"] == "north-club" and changed["description"] == "Racing in the north"
    assert changed["external_ids"] == {"multigp": "77"}  # not sent, so not touched
    assert when(changed["updated_at"]) >= when(created["updated_at"])
    assert ok(await api.get(f"/organizations/{org_id}"))["name"] == "North"

    assert ok(await api.delete(f"/organizations/{org_id}"), 204) is None
    problem(await api.get(f"/organizations/{org_id}"), 404, "Not found")
    assert org_id not in await ids_of(api, "/organizations")

    log = [e for e in await all_events(api) if e["object_kind"] == "organization"]
    assert [e["type"] for e in log] == [
        "organization.created",
        "organization.updated",
        "organization.deleted",
    ]
    assert log[0]["payload"]["slug"] == "north-club"
    assert log[0]["payload"]["external_ids"] == {"multigp": "77"}
    assert log[1]["before"]["name"] == "North Club" and log[1]["payload"]["name"] == "North"
    assert log[2]["payload"] is None and log[2]["before"]["name"] == "North"
    assert [(e["object_id"], e["organization_id"]) for e in log] == [(org_id, org_id)] * 3


async def test_taken_slug_is_409_on_create_and_update(api: httpx.AsyncClient) -> None:
    first = await make_org(api, "alpha")
    second = await make_org(api, "beta")
    doc = problem(await api.post("/organizations", json={"slug": "alpha", "name": "X"}), 409)
    assert doc["title"] == "Conflict" and doc["field"] == "slug"
    assert str(first["id"]) in doc["detail"]
    problem(await api.patch(f"/organizations/{second['id']}", json={"slug": "alpha"}), 409)
    # Keeping one's own slug is not a clash.
    ok(await api.patch(f"/organizations/{first['id']}", json={"slug": "alpha", "name": "A"}))
    slugs = [o["slug"] for o in await collect(api, "/organizations")]
    assert sorted(slugs) == ["alpha", "beta"]


BAD_SLUGS = ["Upper", "-leading-hyphen", "under_score", "a" * 81, "", "sp ace", "ünï", 7]


async def test_bad_slugs_are_422_and_not_stored(api: httpx.AsyncClient) -> None:
    for slug in BAD_SLUGS:
        doc = problem(await api.post("/organizations", json={"slug": slug, "name": "X"}), 422)
        assert names_field(doc, "slug"), (slug, doc)
    org = await make_org(api, "fine")
    for slug in BAD_SLUGS:
        problem(await api.patch(f"/organizations/{org['id']}", json={"slug": slug}), 422)
    assert [o["slug"] for o in await collect(api, "/organizations")] == ["fine"]


async def test_organization_list_filters(api: httpx.AsyncClient) -> None:
    racing = await make_org(api, "racing", name="Northern Racing League")
    running = await make_org(api, "running", name="Running Club", external_ids={"runsignup": "9"})
    chess = await make_org(api, "chess", name="Chess Society")
    assert await ids_of(api, "/organizations") == [racing["id"], running["id"], chess["id"]]
    assert await ids_of(api, "/organizations", q="RACING") == [racing["id"]]
    assert await ids_of(api, "/organizations", q="r") == [racing["id"], running["id"]]
    assert await ids_of(api, "/organizations", external_id="runsignup:9") == [running["id"]]
    assert await ids_of(api, "/organizations", external_id="runsignup:10") == []
    problem(await api.get("/organizations", params={"external_id": "no-colon"}), 422)
    problem(await api.get("/organizations", params={"q": "x" * 201}), 422)


async def test_only_instance_admins_open_and_close_organizations(
    api: httpx.AsyncClient, app: Any, database: Database
) -> None:
    mine = await make_org(api, "mine")
    other = await make_org(api, "other")
    async with with_token(app, database, ["admin"], mine["id"]) as org_admin:
        problem(await org_admin.post("/organizations", json={"slug": "new", "name": "N"}), 403)
        problem(await org_admin.delete(f"/organizations/{mine['id']}"), 403)
        renamed = ok(await org_admin.patch(f"/organizations/{mine['id']}", json={"name": "Me"}))
        assert renamed["name"] == "Me"
        # Another organization is invisible, not forbidden.
        problem(await org_admin.get(f"/organizations/{other['id']}"), 404)
        problem(await org_admin.patch(f"/organizations/{other['id']}", json={"name": "X"}), 404)
        assert await ids_of(org_admin, "/organizations") == [mine["id"]]
    assert ok(await api.get(f"/organizations/{other['id']}"))["name"] == "Other"
    assert [o["slug"] for o in await collect(api, "/organizations")] == ["mine", "other"]


# People ------------------------------------------------------------------------------


async def test_person_fields_round_trip(api: httpx.AsyncClient) -> None:
    org = await make_org(api, "club")
    fields = {
        "name": "Ada Lovelace",
        "organization_id": org["id"],
        "given_name": "Ada",
        "family_name": "Lovelace",
        "email": "ada@example.org",
        "country": "GB",
        "gender": "f",
        "birth_date": "1815-12-10",
        "avatar_url": "https://example.org/ada.png",
        "attributes": {"handle": "countess"},
        "external_ids": {"discord": "1234", "nadeo": "abc-def"},
    }
    person = ok(await api.post("/people", json=fields), 201)
    assert {k: person[k] for k in fields} == fields
    assert ok(await api.get(f"/people/{person['id']}")) == person

    changed = ok(await api.patch(f"/people/{person['id']}", json={"email": None, "country": "FR"}))
    assert changed["email"] is None and changed["country"] == "FR"
    assert changed["given_name"] == "Ada" and changed["external_ids"] == fields["external_ids"]

    ok(await api.delete(f"/people/{person['id']}"), 204)
    problem(await api.get(f"/people/{person['id']}"), 404)
    assert await collect(api, "/people") == []
    # Its external ids went with it: another person may take them now.
    again = await make_person(api, "Someone", external_ids={"discord": "1234"})
    assert again["external_ids"] == {"discord": "1234"}


BAD_PEOPLE: list[tuple[dict[str, Any], str]] = [
    ({"name": ""}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"name": "x", "email": "two@@signs"}, "email"),
    ({"name": "x", "country": "Germany"}, "country"),
    ({"name": "x", "birth_date": "10/12/1815"}, "birth_date"),
    ({"name": "x", "organization_id": 0}, "organization_id"),
    ({"name": "x", "external_ids": {"discord": ""}}, "discord"),
    ({"name": "x", "external_ids": ["discord", "1"]}, "external_ids"),
    ({"name": ["x"]}, "name"),
    ({}, "name"),
]


async def test_invalid_people_are_422_and_not_stored(api: httpx.AsyncClient) -> None:
    for body, field in BAD_PEOPLE:
        doc = problem(await api.post("/people", json=body), 422, "Invalid input")
        assert names_field(doc, field), (body, doc)
    assert await collect(api, "/people") == []
    assert await event_types(api) == ["token.created"]


async def test_person_in_unknown_organization_is_422(api: httpx.AsyncClient) -> None:
    doc = problem(await api.post("/people", json={"name": "x", "organization_id": 4242}), 422)
    assert doc["field"] == "organization_id" and "4242" in doc["detail"]
    assert await collect(api, "/people") == []


async def test_people_list_filters(api: httpx.AsyncClient) -> None:
    north = await make_org(api, "north")
    south = await make_org(api, "south")
    ada = await make_person(api, "Ada Lovelace", organization_id=north["id"])
    alan = await make_person(
        api, "Alan Turing", organization_id=south["id"], external_ids={"discord": "42"}
    )
    grace = await make_person(api, "Grace Hopper", external_ids={"discord": "43", "nadeo": "42"})

    assert await ids_of(api, "/people") == [ada["id"], alan["id"], grace["id"]]
    assert await ids_of(api, "/people", q="LOVE") == [ada["id"]]
    assert await ids_of(api, "/people", q="a") == [ada["id"], alan["id"], grace["id"]]
    assert await ids_of(api, "/people", q="turing grace") == []
    assert await ids_of(api, "/people", organization_id=south["id"]) == [alan["id"]]
    assert await ids_of(api, "/people", external_id="discord:42") == [alan["id"]]
    assert await ids_of(api, "/people", external_id="nadeo:42") == [grace["id"]]
    assert await ids_of(api, "/people", external_id="discord:4") == []
    # Filters combine.
    assert await ids_of(api, "/people", external_id="discord:42", organization_id=north["id"]) == []
    assert await ids_of(api, "/people", q="grace", external_id="discord:43") == [grace["id"]]

    for bad in ["discord", "discord:", ":42", "Discord:42"]:
        doc = problem(await api.get("/people", params={"external_id": bad}), 422)
        assert "scheme:value" in doc["detail"]
    problem(await api.get("/people", params={"organization_id": "north"}), 422)


async def test_external_ids_round_trip_and_replace_whole(api: httpx.AsyncClient) -> None:
    person = await make_person(api, "Pilot", external_ids={"discord": "1", "multigp": "m-1"})
    pid = person["id"]

    # A PATCH without external_ids leaves them alone.
    ok(await api.patch(f"/people/{pid}", json={"name": "Pilot One"}))
    assert ok(await api.get(f"/people/{pid}"))["external_ids"] == {
        "discord": "1",
        "multigp": "m-1",
    }
    # A PATCH with external_ids replaces the whole map.
    replaced = ok(await api.patch(f"/people/{pid}", json={"external_ids": {"discord": "2"}}))
    assert replaced["external_ids"] == {"discord": "2"}
    assert await ids_of(api, "/people", external_id="discord:1") == []
    assert await ids_of(api, "/people", external_id="multigp:m-1") == []
    assert await ids_of(api, "/people", external_id="discord:2") == [pid]
    # An empty map clears them.
    assert ok(await api.patch(f"/people/{pid}", json={"external_ids": {}}))["external_ids"] == {}
    assert ok(await api.get(f"/people/{pid}"))["external_ids"] == {}
    # The freed value can be used again.
    other = await make_person(api, "Other", external_ids={"discord": "2"})
    assert await ids_of(api, "/people", external_id="discord:2") == [other["id"]]


async def test_external_id_conflicts_are_409_and_change_nothing(api: httpx.AsyncClient) -> None:
    owner = await make_person(api, "Owner", external_ids={"discord": "555"})
    other = await make_person(api, "Other", external_ids={"discord": "777"})
    events_before = len(await all_events(api))

    doc = problem(
        await api.post("/people", json={"name": "Copy", "external_ids": {"discord": "555"}}), 409
    )
    assert "555" in doc["detail"] and f"person {owner['id']}" in doc["detail"]
    doc = problem(
        await api.patch(
            f"/people/{other['id']}", json={"name": "Renamed", "external_ids": {"discord": "555"}}
        ),
        409,
    )
    # The whole PATCH was rolled back, the name change included.
    kept = ok(await api.get(f"/people/{other['id']}"))
    assert kept["name"] == "Other" and kept["external_ids"] == {"discord": "777"}
    assert [p["id"] for p in await collect(api, "/people")] == [owner["id"], other["id"]]
    assert len(await all_events(api)) == events_before

    # Another kind of object may carry the same value: ids are per kind.
    team = await make_team(api, "Crew", external_ids={"discord": "555"})
    assert team["external_ids"] == {"discord": "555"}
    # A scheme must be lower-case: 422, nothing stored.
    bad = await api.post("/people", json={"name": "Bad", "external_ids": {"Discord": "1"}})
    problem(bad, 422)
    assert len(await collect(api, "/people")) == 2


async def test_organization_token_sees_own_and_instance_people(
    api: httpx.AsyncClient, app: Any, database: Database
) -> None:
    mine = await make_org(api, "mine")
    other = await make_org(api, "other")
    own = await make_person(api, "Own", organization_id=mine["id"])
    shared = await make_person(api, "Shared")
    hidden = await make_person(api, "Hidden", organization_id=other["id"])
    async with with_token(app, database, ["write"], mine["id"]) as writer:
        assert await ids_of(writer, "/people") == [own["id"], shared["id"]]
        assert await ids_of(writer, "/people", organization_id=other["id"]) == []
        assert ok(await writer.get(f"/people/{shared['id']}"))["name"] == "Shared"
        problem(await writer.get(f"/people/{hidden['id']}"), 404)
        problem(await writer.delete(f"/people/{hidden['id']}"), 404)
        # Instance-wide people are readable but not writable by an organization's token.
        problem(await writer.patch(f"/people/{shared['id']}", json={"name": "X"}), 403)
        problem(await writer.post("/people", json={"name": "Loose"}), 403)
        problem(
            await writer.post("/people", json={"name": "Spy", "organization_id": other["id"]}),
            403,
        )
        # Nor may it move its own person out of its organization.
        problem(await writer.patch(f"/people/{own['id']}", json={"organization_id": None}), 403)
        made = ok(
            await writer.post("/people", json={"name": "New", "organization_id": mine["id"]}),
            201,
        )
    names = {p["name"] for p in await collect(api, "/people")}
    assert names == {"Own", "Shared", "Hidden", "New"}
    assert ok(await api.get(f"/people/{own['id']}"))["organization_id"] == mine["id"]
    assert made["organization_id"] == mine["id"]


# Teams and members -------------------------------------------------------------------


async def test_team_create_update_delete_and_filters(api: httpx.AsyncClient) -> None:
    org = await make_org(api, "club")
    red = await make_team(api, "Red Rockets", organization_id=org["id"], attributes={"n": 1})
    blue = await make_team(api, "Blue Bolts", external_ids={"polympics": "b-1"})
    assert red["organization_id"] == org["id"] and red["attributes"] == {"n": 1}
    assert ok(await api.get(f"/teams/{blue['id']}")) == blue

    assert await ids_of(api, "/teams") == [red["id"], blue["id"]]
    assert await ids_of(api, "/teams", q="rocket") == [red["id"]]
    assert await ids_of(api, "/teams", organization_id=org["id"]) == [red["id"]]
    assert await ids_of(api, "/teams", external_id="polympics:b-1") == [blue["id"]]

    renamed = ok(await api.patch(f"/teams/{red['id']}", json={"name": "Red Rovers"}))
    assert renamed["name"] == "Red Rovers" and renamed["organization_id"] == org["id"]
    problem(await api.patch(f"/teams/{red['id']}", json={"name": ""}), 422)
    problem(await api.patch(f"/teams/{red['id']}", json={"organization_id": 999}), 422)
    assert ok(await api.get(f"/teams/{red['id']}"))["name"] == "Red Rovers"

    ok(await api.delete(f"/teams/{blue['id']}"), 204)
    problem(await api.get(f"/teams/{blue['id']}"), 404)
    assert await ids_of(api, "/teams") == [red["id"]]
    assert await ids_of(api, "/teams", external_id="polympics:b-1") == []


async def test_team_members_add_list_remove(api: httpx.AsyncClient) -> None:
    team = await make_team(api, "Crew")
    ada = await make_person(api, "Ada")
    bob = await make_person(api, "Bob")
    base = f"/teams/{team['id']}/members"
    assert ok(await api.get(base)) == []

    first = ok(await api.post(base, json={"person_id": ada["id"]}), 201)
    assert first["team_id"] == team["id"] and first["person_id"] == ada["id"]
    assert first["role"] == "member" and first["joined_at"]
    second = ok(await api.post(base, json={"person_id": bob["id"], "role": "captain"}), 201)
    assert second["role"] == "captain"
    assert [(m["person_id"], m["role"]) for m in ok(await api.get(base))] == [
        (ada["id"], "member"),
        (bob["id"], "captain"),
    ]

    doc = problem(await api.post(base, json={"person_id": ada["id"]}), 409, "Conflict")
    assert "already a member" in doc["detail"]
    problem(await api.post(base, json={"person_id": 999_999}), 404)
    assert len(ok(await api.get(base))) == 2

    ok(await api.delete(f"{base}/{ada['id']}"), 204)
    problem(await api.delete(f"{base}/{ada['id']}"), 404)
    assert [m["person_id"] for m in ok(await api.get(base))] == [bob["id"]]

    kinds = [e for e in await event_types(api) if e.startswith("team.member")]
    assert kinds == ["team.member_added", "team.member_added", "team.member_removed"]


async def test_bad_member_bodies_are_422(api: httpx.AsyncClient) -> None:
    team = await make_team(api, "Crew")
    person = await make_person(api, "Ada")
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "person_id"),
        ({"person_id": "ada"}, "person_id"),
        ({"person_id": 0}, "person_id"),
        ({"person_id": person["id"], "role": ""}, "role"),
        ({"person_id": person["id"], "role": "r" * 41}, "role"),
        ({"person_id": person["id"], "since": "2020"}, "since"),
    ]
    for body, field in cases:
        doc = problem(await api.post(f"/teams/{team['id']}/members", json=body), 422)
        assert names_field(doc, field), (body, doc)
    assert ok(await api.get(f"/teams/{team['id']}/members")) == []


async def test_members_of_unknown_or_hidden_teams_are_404(
    api: httpx.AsyncClient, app: Any, database: Database
) -> None:
    person = await make_person(api, "Ada")
    for method, path, body in [
        ("GET", "/teams/31337/members", None),
        ("POST", "/teams/31337/members", {"person_id": person["id"]}),
        ("DELETE", f"/teams/31337/members/{person['id']}", None),
    ]:
        doc = problem(await api.request(method, path, json=body), 404)
        assert "31337" in doc["detail"], (method, doc)

    mine = await make_org(api, "mine")
    other = await make_org(api, "other")
    theirs = await make_team(api, "Theirs", organization_id=other["id"])
    shared = await make_team(api, "Shared")
    async with with_token(app, database, ["write"], mine["id"]) as writer:
        problem(await writer.get(f"/teams/{theirs['id']}/members"), 404)
        problem(
            await writer.post(f"/teams/{theirs['id']}/members", json={"person_id": person["id"]}),
            404,
        )
        assert ok(await writer.get(f"/teams/{shared['id']}/members")) == []
        problem(
            await writer.post(f"/teams/{shared['id']}/members", json={"person_id": person["id"]}),
            403,
        )
    assert ok(await api.get(f"/teams/{theirs['id']}/members")) == []
    assert ok(await api.get(f"/teams/{shared['id']}/members")) == []


async def test_deleting_a_person_ends_their_memberships(api: httpx.AsyncClient) -> None:
    team = await make_team(api, "Crew")
    ada = await make_person(api, "Ada")
    bob = await make_person(api, "Bob")
    for person in (ada, bob):
        ok(await api.post(f"/teams/{team['id']}/members", json={"person_id": person["id"]}), 201)
    ok(await api.delete(f"/people/{ada['id']}"), 204)
    members = ok(await api.get(f"/teams/{team['id']}/members"))
    assert [m["person_id"] for m in members] == [bob["id"]]
