"""Awards and their holders over HTTP (podium/api/routes/awards.py)."""

from __future__ import annotations

from typing import Any

import httpx

from podium.store.database import Database
from tests.api.helpers import (
    all_events,
    collect,
    event_types,
    ids_of,
    make_award,
    make_competition,
    make_org,
    make_person,
    make_team,
    names_field,
    ok,
    problem,
    with_token,
)


async def holders(api: httpx.AsyncClient, award_id: int) -> list[int]:
    ids: list[int] = ok(await api.get(f"/awards/{award_id}"))["person_ids"]
    return ids


async def test_award_with_holders_round_trip(api: httpx.AsyncClient) -> None:
    org = await make_org(api, "club")
    comp = await make_competition(api, org["id"], "Cup")
    team = await make_team(api, "Crew", organization_id=org["id"])
    ada = await make_person(api, "Ada")
    bob = await make_person(api, "Bob")
    award = await make_award(
        api,
        "Gold",
        organization_id=org["id"],
        competition_id=comp["id"],
        team_id=team["id"],
        image_url="https://example.org/gold.png",
        person_ids=[bob["id"], ada["id"], bob["id"]],
        attributes={"rarity": "legendary"},
        external_ids={"polympics": "g-1"},
    )
    # Holders keep the order given, once each.
    assert award["person_ids"] == [bob["id"], ada["id"]]
    assert (award["organization_id"], award["competition_id"], award["team_id"]) == (
        org["id"],
        comp["id"],
        team["id"],
    )
    assert award["external_ids"] == {"polympics": "g-1"}
    assert ok(await api.get(f"/awards/{award['id']}")) == award

    changed = ok(await api.patch(f"/awards/{award['id']}", json={"title": "Platinum"}))
    assert changed["title"] == "Platinum" and changed["person_ids"] == [bob["id"], ada["id"]]
    # Holders are changed through /holders, not by PATCH.
    doc = problem(await api.patch(f"/awards/{award['id']}", json={"person_ids": []}), 422)
    assert names_field(doc, "person_ids")
    assert await holders(api, award["id"]) == [bob["id"], ada["id"]]

    log = [e for e in await all_events(api) if e["object_kind"] == "award"]
    assert [e["type"] for e in log] == [
        "award.created",
        "award.given",
        "award.given",
        "award.updated",
    ]
    assert [e["payload"]["person_id"] for e in log[1:3]] == [bob["id"], ada["id"]]
    assert {e["competition_id"] for e in log} == {comp["id"]}

    ok(await api.delete(f"/awards/{award['id']}"), 204)
    problem(await api.get(f"/awards/{award['id']}"), 404)
    problem(await api.put(f"/awards/{award['id']}/holders/{ada['id']}"), 404)
    assert await collect(api, "/awards") == []


async def test_give_and_take(api: httpx.AsyncClient) -> None:
    award = await make_award(api, "Medal")
    ada = await make_person(api, "Ada")
    bob = await make_person(api, "Bob")
    base = f"/awards/{award['id']}/holders"

    assert ok(await api.put(f"{base}/{ada['id']}"), 204) is None
    assert ok(await api.put(f"{base}/{bob['id']}"), 204) is None
    assert await holders(api, award["id"]) == [ada["id"], bob["id"]]

    assert ok(await api.delete(f"{base}/{ada['id']}"), 204) is None
    assert await holders(api, award["id"]) == [bob["id"]]
    doc = problem(await api.delete(f"{base}/{ada['id']}"), 404, "Not found")
    assert f"Person {ada['id']} does not hold award {award['id']}" in doc["detail"]
    assert await holders(api, award["id"]) == [bob["id"]]

    # Given again after being taken: a holder once more, at the end.
    ok(await api.put(f"{base}/{ada['id']}"), 204)
    assert await holders(api, award["id"]) == [bob["id"], ada["id"]]
    kinds = [t for t in await event_types(api) if t.startswith("award.")]
    assert kinds == ["award.created", "award.given", "award.given", "award.taken", "award.given"]


async def test_giving_an_award_twice_is_a_no_op(api: httpx.AsyncClient) -> None:
    """The README: PUT /awards/{id}/holders/{person} is idempotent (no 409, no second event)."""
    ada = await make_person(api, "Ada")
    award = await make_award(api, "Medal", person_ids=[ada["id"]])
    events_before = await all_events(api)
    for _ in range(2):
        ok(await api.put(f"/awards/{award['id']}/holders/{ada['id']}"), 204)
    assert await holders(api, award["id"]) == [ada["id"]]
    assert await all_events(api) == events_before


async def test_holders_must_be_known_people_and_awards(api: httpx.AsyncClient) -> None:
    award = await make_award(api, "Medal")
    ada = await make_person(api, "Ada")
    doc = problem(await api.put(f"/awards/{award['id']}/holders/424242"), 404)
    assert "424242" in doc["detail"]
    problem(await api.delete(f"/awards/{award['id']}/holders/424242"), 404)
    problem(await api.put(f"/awards/434343/holders/{ada['id']}"), 404)
    problem(await api.delete(f"/awards/434343/holders/{ada['id']}"), 404)
    for path in (f"/awards/{award['id']}/holders/ada", f"/awards/x/holders/{ada['id']}"):
        problem(await api.put(path), 422)
    problem(await api.put(f"/awards/{award['id']}/holders/0"), 422)
    assert await holders(api, award["id"]) == []

    # An unknown person among person_ids rejects the whole award (as the unknown
    # person of a PUT does: 404), the award itself and the holders before it included.
    doc = problem(
        await api.post("/awards", json={"title": "T", "person_ids": [ada["id"], 424242]}), 404
    )
    assert doc["detail"] == "No person with id 424242."
    assert await ids_of(api, "/awards") == [award["id"]]
    assert [t for t in await event_types(api) if t.startswith("award.")] == ["award.created"]


async def test_invalid_awards_are_422(api: httpx.AsyncClient) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "T", "person_ids": "1,2"}, "person_ids"),
        ({"title": "T", "person_ids": [0]}, "0"),
        ({"title": "T", "image_url": "u" * 2001}, "image_url"),
        ({"title": "T", "holders": [1]}, "holders"),
    ]
    for body, field in cases:
        doc = problem(await api.post("/awards", json=body), 422)
        assert names_field(doc, field), (body, doc)
    for body, field in [
        ({"title": "T", "organization_id": 999}, "organization_id"),
        ({"title": "T", "competition_id": 999}, "competition_id"),
        ({"title": "T", "team_id": 999}, "team_id"),
    ]:
        doc = problem(await api.post("/awards", json=body), 422)
        assert doc["field"] == field and "999" in doc["detail"]
    assert await collect(api, "/awards") == []


async def test_award_list_filters(api: httpx.AsyncClient) -> None:
    north = await make_org(api, "north")
    south = await make_org(api, "south")
    cup = await make_competition(api, north["id"], "Cup")
    ada = await make_person(api, "Ada")
    bob = await make_person(api, "Bob")
    gold = await make_award(
        api, "Gold", organization_id=north["id"], competition_id=cup["id"], person_ids=[ada["id"]]
    )
    silver = await make_award(
        api, "Silver", organization_id=north["id"], person_ids=[ada["id"], bob["id"]]
    )
    bronze = await make_award(api, "Bronze", organization_id=south["id"], person_ids=[bob["id"]])
    loose = await make_award(api, "Participation")

    assert await ids_of(api, "/awards") == [gold["id"], silver["id"], bronze["id"], loose["id"]]
    assert await ids_of(api, "/awards", person_id=ada["id"]) == [gold["id"], silver["id"]]
    assert await ids_of(api, "/awards", person_id=bob["id"]) == [silver["id"], bronze["id"]]
    assert await ids_of(api, "/awards", organization_id=north["id"]) == [gold["id"], silver["id"]]
    assert await ids_of(api, "/awards", competition_id=cup["id"]) == [gold["id"]]
    assert await ids_of(api, "/awards", person_id=bob["id"], organization_id=south["id"]) == [
        bronze["id"]
    ]
    listed = {a["id"]: a["person_ids"] for a in await collect(api, "/awards")}
    assert listed == {
        gold["id"]: [ada["id"]],
        silver["id"]: [ada["id"], bob["id"]],
        bronze["id"]: [bob["id"]],
        loose["id"]: [],
    }
    # Taking an award drops it from the holder's list at once.
    ok(await api.delete(f"/awards/{silver['id']}/holders/{ada['id']}"), 204)
    assert await ids_of(api, "/awards", person_id=ada["id"]) == [gold["id"]]
    # So does deleting the person.
    ok(await api.delete(f"/people/{bob['id']}"), 204)
    assert await ids_of(api, "/awards", person_id=bob["id"]) == []
    assert await holders(api, bronze["id"]) == []
    for params in [{"person_id": 0}, {"person_id": "ada"}, {"competition_id": -1}]:
        problem(await api.get("/awards", params=params), 422)


async def test_organization_token_and_awards(
    api: httpx.AsyncClient, app: Any, database: Database
) -> None:
    mine = await make_org(api, "mine")
    other = await make_org(api, "other")
    ada = await make_person(api, "Ada", organization_id=mine["id"])
    own = await make_award(api, "Own", organization_id=mine["id"])
    shared = await make_award(api, "Shared")
    theirs = await make_award(api, "Theirs", organization_id=other["id"])
    async with with_token(app, database, ["write"], mine["id"]) as writer:
        assert await ids_of(writer, "/awards") == [own["id"], shared["id"]]
        problem(await writer.get(f"/awards/{theirs['id']}"), 404)
        problem(await writer.put(f"/awards/{theirs['id']}/holders/{ada['id']}"), 404)
        # Instance-wide awards are readable, not writable, by an organization's token.
        problem(await writer.put(f"/awards/{shared['id']}/holders/{ada['id']}"), 403)
        problem(await writer.patch(f"/awards/{shared['id']}", json={"title": "X"}), 403)
        problem(await writer.post("/awards", json={"title": "Loose"}), 403)
        ok(await writer.put(f"/awards/{own['id']}/holders/{ada['id']}"), 204)
        made = ok(
            await writer.post(
                "/awards",
                json={"title": "New", "organization_id": mine["id"], "person_ids": [ada["id"]]},
            ),
            201,
        )
    async with with_token(app, database, ["read"], mine["id"]) as reader:
        problem(await reader.delete(f"/awards/{own['id']}/holders/{ada['id']}"), 403)
        assert await ids_of(reader, "/awards", person_id=ada["id"]) == [own["id"], made["id"]]
    assert await holders(api, own["id"]) == [ada["id"]]
    assert await holders(api, shared["id"]) == []
    assert ok(await api.get(f"/awards/{shared['id']}"))["title"] == "Shared"
