"""Competitions, challenges, entries and the schedule over HTTP (api/routes/competitions.py)."""

from __future__ import annotations

from typing import Any

import httpx

from podium.store.database import Database
from tests.api.helpers import (
    all_events,
    collect,
    ids_of,
    make_challenge,
    make_competition,
    make_entry,
    make_org,
    make_person,
    make_race,
    make_team,
    names_field,
    ok,
    problem,
    with_token,
)

# Competitions ------------------------------------------------------------------------


async def test_competition_defaults_update_and_delete(api: httpx.AsyncClient) -> None:
    org = await make_org(api, "club")
    comp = await make_competition(api, org["id"], "Spring 10K")
    assert comp["organization_id"] == org["id"] and comp["parent_id"] is None
    assert (comp["kind"], comp["status"], comp["scoring"], comp["tie_rule"]) == (
        "event",
        "scheduled",
        "lowest_time",
        "shared",
    )
    assert comp["public"] is True and comp["starts_at"] is None and comp["external_ids"] == {}
    assert ok(await api.get(f"/competitions/{comp['id']}")) == comp

    changed = ok(
        await api.patch(
            f"/competitions/{comp['id']}",
            json={"status": "running", "scoring": "most_laps", "public": False},
        )
    )
    assert (changed["status"], changed["scoring"], changed["public"]) == (
        "running",
        "most_laps",
        False,
    )
    assert changed["name"] == "Spring 10K" and changed["tie_rule"] == "shared"
    # organization_id is fixed once created.
    doc = problem(await api.patch(f"/competitions/{comp['id']}", json={"organization_id": 2}), 422)
    assert names_field(doc, "organization_id")

    ok(await api.delete(f"/competitions/{comp['id']}"), 204)
    problem(await api.get(f"/competitions/{comp['id']}"), 404)
    assert await collect(api, "/competitions") == []
    log = [e for e in await all_events(api) if e["object_kind"] == "competition"]
    assert [e["type"] for e in log] == [
        "competition.created",
        "competition.updated",
        "competition.deleted",
    ]
    assert {(e["organization_id"], e["competition_id"]) for e in log} == {(org["id"], comp["id"])}


async def test_times_are_stored_in_utc_and_ordered(api: httpx.AsyncClient) -> None:
    org = await make_org(api, "club")
    # 12:00+02:00 is 10:00Z, so an end at 11:00Z is after the start.
    comp = await make_competition(
        api, org["id"], starts_at="2026-06-01T12:00:00+02:00", ends_at="2026-06-01T11:00:00Z"
    )
    assert comp["starts_at"] == "2026-06-01T10:00:00Z"
    assert comp["ends_at"] == "2026-06-01T11:00:00Z"
    naive = await make_competition(api, org["id"], starts_at="2026-06-01T09:30:00")
    assert naive["starts_at"] == "2026-06-01T09:30:00Z"

    bad = {"starts_at": "2026-06-02T00:00:00Z", "ends_at": "2026-06-01T00:00:00Z"}
    doc = problem(
        await api.post("/competitions", json={"organization_id": org["id"], "name": "x", **bad}),
        422,
    )
    assert doc["field"] == "ends_at"
    # An update that moves only one end is checked against the stored other end.
    doc = problem(
        await api.patch(f"/competitions/{comp['id']}", json={"ends_at": "2026-06-01T09:59:59Z"}),
        422,
    )
    assert doc["field"] == "ends_at" and "before starts_at" in doc["detail"]
    same = ok(
        await api.patch(f"/competitions/{comp['id']}", json={"ends_at": "2026-06-01T10:00:00Z"})
    )
    assert same["ends_at"] == same["starts_at"]
    problem(await api.patch(f"/competitions/{comp['id']}", json={"starts_at": "not a time"}), 422)
    assert len(await collect(api, "/competitions")) == 2


async def test_invalid_competitions_are_422(api: httpx.AsyncClient) -> None:
    org = await make_org(api, "club")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": "x"}, "organization_id"),
        ({"organization_id": org["id"]}, "name"),
        ({"organization_id": org["id"], "name": "x", "scoring": "slowest"}, "scoring"),
        ({"organization_id": org["id"], "name": "x", "tie_rule": "coin"}, "tie_rule"),
        ({"organization_id": org["id"], "name": "x", "status": "done"}, "status"),
        ({"organization_id": org["id"], "name": "x", "kind": "Series"}, "kind"),
        ({"organization_id": org["id"], "name": "x", "public": "maybe"}, "public"),
        ({"organization_id": org["id"], "name": "x", "parent_id": -1}, "parent_id"),
    ]
    for body, field in cases:
        doc = problem(await api.post("/competitions", json=body), 422)
        assert names_field(doc, field), (body, doc)
    doc = problem(await api.post("/competitions", json={"organization_id": 777, "name": "x"}), 422)
    assert doc["field"] == "organization_id"
    assert await collect(api, "/competitions") == []


async def test_competition_list_filters(api: httpx.AsyncClient) -> None:
    north = await make_org(api, "north")
    south = await make_org(api, "south")
    series = await make_competition(api, north["id"], "Summer Series", kind="series")
    race_1 = await make_competition(
        api, north["id"], "Round One", parent_id=series["id"], status="finished"
    )
    race_2 = await make_competition(api, north["id"], "Round Two", parent_id=series["id"])
    solo = await make_competition(api, south["id"], "Summer Sprint", status="finished")
    every = [series["id"], race_1["id"], race_2["id"], solo["id"]]

    assert await ids_of(api, "/competitions") == every
    assert await ids_of(api, "/competitions", organization_id=south["id"]) == [solo["id"]]
    assert await ids_of(api, "/competitions", parent_id=series["id"]) == [
        race_1["id"],
        race_2["id"],
    ]
    assert await ids_of(api, "/competitions", top_level="true") == [series["id"], solo["id"]]
    assert await ids_of(api, "/competitions", kind="series") == [series["id"]]
    assert await ids_of(api, "/competitions", status="finished") == [race_1["id"], solo["id"]]
    assert await ids_of(api, "/competitions", q="summer") == [series["id"], solo["id"]]
    assert await ids_of(
        api, "/competitions", q="round", status="scheduled", organization_id=north["id"]
    ) == [race_2["id"]]
    assert await ids_of(api, "/competitions", kind="nothing") == []
    for params in [{"parent_id": 0}, {"top_level": "perhaps"}, {"kind": "k" * 41}]:
        problem(await api.get("/competitions", params=params), 422)


async def test_parent_tree_rejects_cycles(api: httpx.AsyncClient) -> None:
    org = await make_org(api, "club")
    top = await make_competition(api, org["id"], "Season")
    middle = await make_competition(api, org["id"], "Month", parent_id=top["id"])
    leaf = await make_competition(api, org["id"], "Day", parent_id=middle["id"])

    for parent in (top, middle, leaf):
        doc = problem(
            await api.patch(f"/competitions/{top['id']}", json={"parent_id": parent["id"]}), 422
        )
        assert doc["field"] == "parent_id" and "own ancestor" in doc["detail"], parent
    problem(await api.patch(f"/competitions/{middle['id']}", json={"parent_id": leaf["id"]}), 422)
    assert ok(await api.get(f"/competitions/{top['id']}"))["parent_id"] is None
    assert ok(await api.get(f"/competitions/{middle['id']}"))["parent_id"] == top["id"]

    # Moving within the tree without a loop is fine, and so is detaching.
    moved = ok(await api.patch(f"/competitions/{leaf['id']}", json={"parent_id": top["id"]}))
    assert moved["parent_id"] == top["id"]
    assert await ids_of(api, "/competitions", parent_id=top["id"]) == [middle["id"], leaf["id"]]
    detached = ok(await api.patch(f"/competitions/{leaf['id']}", json={"parent_id": None}))
    assert detached["parent_id"] is None
    assert await ids_of(api, "/competitions", top_level=True) == [top["id"], leaf["id"]]


async def test_parent_must_exist_and_share_the_organization(api: httpx.AsyncClient) -> None:
    north = await make_org(api, "north")
    south = await make_org(api, "south")
    theirs = await make_competition(api, south["id"], "Theirs")
    mine = await make_competition(api, north["id"], "Mine")

    body = {"organization_id": north["id"], "name": "Child", "parent_id": theirs["id"]}
    doc = problem(await api.post("/competitions", json=body), 422)
    assert doc["field"] == "parent_id" and "another organization" in doc["detail"]
    doc = problem(
        await api.patch(f"/competitions/{mine['id']}", json={"parent_id": theirs["id"]}), 422
    )
    assert doc["field"] == "parent_id"

    body = {"organization_id": north["id"], "name": "Orphan", "parent_id": 98765}
    doc = problem(await api.post("/competitions", json=body), 422)
    assert doc["field"] == "parent_id" and "98765" in doc["detail"]
    doc = problem(await api.patch(f"/competitions/{mine['id']}", json={"parent_id": 98765}), 422)
    assert doc["field"] == "parent_id"

    assert ok(await api.get(f"/competitions/{mine['id']}"))["parent_id"] is None
    assert await ids_of(api, "/competitions") == [theirs["id"], mine["id"]]


async def test_deleting_a_competition_removes_what_lives_in_it(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=2)
    comp = race["competition"]
    round_ = ok(await api.post(f"/competitions/{comp['id']}/rounds", json={}), 201)
    result_set = ok(
        await api.post(f"/competitions/{comp['id']}/result-sets", json={"name": "Final"}), 201
    )
    ok(await api.delete(f"/competitions/{comp['id']}"), 204)
    for path in (
        f"/entries/{race['entries'][0]['id']}",
        f"/rounds/{round_['id']}",
        f"/result-sets/{result_set['id']}",
        f"/competitions/{comp['id']}/entries",
    ):
        problem(await api.get(path), 404)
    # People are not part of the competition and stay.
    assert len(await collect(api, "/people")) == 2


# Challenges --------------------------------------------------------------------------


async def test_challenges_crud_and_filters(api: httpx.AsyncClient) -> None:
    org = await make_org(api, "club")
    other = await make_org(api, "other")
    comp = await make_competition(api, org["id"], "Cup")
    course = await make_challenge(
        api, org["id"], "Hill Course", competition_id=comp["id"], code="HILL", position=2
    )
    track = await make_challenge(api, org["id"], "Map 1", kind="map", code="M1")
    theirs = await make_challenge(api, other["id"], "Their Map", kind="map")
    assert course["kind"] == "course" and course["position"] == 2
    assert ok(await api.get(f"/challenges/{course['id']}")) == course

    assert await ids_of(api, "/challenges") == [course["id"], track["id"], theirs["id"]]
    assert await ids_of(api, "/challenges", competition_id=comp["id"]) == [course["id"]]
    assert await ids_of(api, "/challenges", kind="map") == [track["id"], theirs["id"]]
    assert await ids_of(api, "/challenges", code="M1") == [track["id"]]
    assert await ids_of(api, "/challenges", organization_id=other["id"]) == [theirs["id"]]

    moved = ok(
        await api.patch(
            f"/challenges/{track['id']}", json={"competition_id": comp["id"], "position": 1}
        )
    )
    assert moved["competition_id"] == comp["id"] and moved["position"] == 1
    ok(await api.delete(f"/challenges/{course['id']}"), 204)
    assert await ids_of(api, "/challenges", competition_id=comp["id"]) == [track["id"]]


async def test_challenge_references_are_checked(api: httpx.AsyncClient) -> None:
    org = await make_org(api, "club")
    other = await make_org(api, "other")
    theirs = await make_competition(api, other["id"], "Theirs")
    body = {"organization_id": org["id"], "name": "x", "competition_id": theirs["id"]}
    doc = problem(await api.post("/challenges", json=body), 422)
    assert "competition_id" in doc["detail"]
    body = {"organization_id": org["id"], "name": "x", "competition_id": 5555}
    doc = problem(await api.post("/challenges", json=body), 422)
    assert doc["field"] == "competition_id" and "5555" in doc["detail"]
    for bad, field in [
        ({"kind": "Map"}, "kind"),
        ({"position": -1}, "position"),
        ({"code": ""}, "code"),
    ]:
        doc = problem(
            await api.post("/challenges", json={"organization_id": org["id"], "name": "x", **bad}),
            422,
        )
        assert names_field(doc, field), doc
    mine = await make_challenge(api, org["id"], "Mine")
    problem(
        await api.patch(f"/challenges/{mine['id']}", json={"competition_id": theirs["id"]}), 422
    )
    assert ok(await api.get(f"/challenges/{mine['id']}"))["competition_id"] is None
    assert await ids_of(api, "/challenges") == [mine["id"]]


# Entries -----------------------------------------------------------------------------


async def test_entries_create_list_filter_update_delete(api: httpx.AsyncClient) -> None:
    org = await make_org(api, "club")
    comp = await make_competition(api, org["id"])
    ada = await make_person(api, "Ada", organization_id=org["id"])
    bob = await make_person(api, "Bob")
    team = await make_team(api, "Crew", organization_id=org["id"])
    first = await make_entry(
        api,
        comp["id"],
        person_id=ada["id"],
        bib="7",
        registration_id="R-1",
        chip="E200-1",
        equipment="Quad X",
        band="R",
        channel="R1",
        frequency_mhz=5658,
        attributes={"heat_pref": 2},
    )
    assert first["competition_id"] == comp["id"] and first["status"] == "registered"
    assert (first["bib"], first["chip"], first["frequency_mhz"]) == ("7", "E200-1", 5658)
    second = await make_entry(api, comp["id"], person_id=bob["id"], team_id=team["id"], bib="8")
    base = f"/competitions/{comp['id']}/entries"

    assert await ids_of(api, base) == [first["id"], second["id"]]
    assert await ids_of(api, base, person_id=bob["id"]) == [second["id"]]
    assert await ids_of(api, base, bib="7") == [first["id"]]
    assert await ids_of(api, base, registration_id="R-1") == [first["id"]]
    assert await ids_of(api, base, status="registered") == [first["id"], second["id"]]
    assert await ids_of(api, base, status="withdrawn") == []

    assert ok(await api.get(f"/entries/{second['id']}")) == second
    changed = ok(await api.patch(f"/entries/{second['id']}", json={"status": "withdrawn"}))
    assert changed["status"] == "withdrawn" and changed["bib"] == "8"
    assert await ids_of(api, base, status="withdrawn") == [second["id"]]
    ok(await api.delete(f"/entries/{first['id']}"), 204)
    assert await ids_of(api, base) == [second["id"]]
    problem(await api.get(f"/entries/{first['id']}"), 404)


async def test_entry_uniqueness_within_a_competition_is_409(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=2)
    comp = race["competition"]
    first, second = race["entries"]
    newcomer = await make_person(api, "Newcomer", organization_id=race["org"]["id"])
    ok(await api.patch(f"/entries/{first['id']}", json={"registration_id": "REG-1"}))
    base = f"/competitions/{comp['id']}/entries"
    for body, field in [
        ({"person_id": newcomer["id"], "bib": first["bib"]}, "bib"),
        ({"person_id": newcomer["id"], "registration_id": "REG-1"}, "registration_id"),
        ({"person_id": first["person_id"]}, "person_id"),
    ]:
        doc = problem(await api.post(base, json=body), 409, "Conflict")
        assert doc["field"] == field and f"entry {first['id']}" in doc["detail"], doc
        doc = problem(await api.patch(f"/entries/{second['id']}", json=body), 409)
        assert doc["field"] == field
    assert await ids_of(api, base) == [first["id"], second["id"]]
    assert ok(await api.get(f"/entries/{second['id']}"))["bib"] == second["bib"]
    # An entry may keep its own values, and another competition may reuse them.
    ok(
        await api.patch(
            f"/entries/{first['id']}", json={"bib": first["bib"], "status": "confirmed"}
        )
    )
    elsewhere = await make_competition(api, race["org"]["id"], "Other race")
    again = await make_entry(
        api,
        elsewhere["id"],
        person_id=first["person_id"],
        bib=first["bib"],
        registration_id="REG-1",
    )
    assert again["competition_id"] == elsewhere["id"]


async def test_entry_references_and_bad_input(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=1)
    comp = race["competition"]
    stranger_org = await make_org(api, "strangers")
    stranger = await make_person(api, "Stranger", organization_id=stranger_org["id"])
    base = f"/competitions/{comp['id']}/entries"
    doc = problem(await api.post(base, json={"person_id": stranger["id"]}), 422)
    assert doc["field"] == "person_id" and "belongs elsewhere" in doc["detail"]
    doc = problem(await api.post(base, json={"team_id": 8888}), 422)
    assert doc["field"] == "team_id" and "8888" in doc["detail"]
    problem(await api.patch(f"/entries/{race['entries'][0]['id']}", json={"person_id": 8888}), 422)
    for body, field in [
        ({"status": "maybe"}, "status"),
        ({"bib": ""}, "bib"),
        ({"frequency_mhz": 0}, "frequency_mhz"),
        ({"frequency_mhz": "5.8GHz"}, "frequency_mhz"),
        ({"competition_id": comp["id"]}, "competition_id"),
    ]:
        doc = problem(await api.post(base, json=body), 422)
        assert names_field(doc, field), (body, doc)
    assert await ids_of(api, base) == [race["entries"][0]["id"]]
    assert (
        ok(await api.get(f"/entries/{race['entries'][0]['id']}"))["person_id"]
        == (race["people"][0]["id"])
    )
    problem(await api.get("/competitions/4040/entries"), 404)
    problem(await api.post("/competitions/4040/entries", json={}), 404)


# Rounds, heats and slots -------------------------------------------------------------


async def test_rounds_heats_and_slots_are_numbered_in_order(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=2)
    comp = race["competition"]
    rounds = f"/competitions/{comp['id']}/rounds"
    r1 = ok(await api.post(rounds, json={"name": "Qualifying"}), 201)
    r2 = ok(await api.post(rounds, json={"kind": "final"}), 201)
    r5 = ok(await api.post(rounds, json={"number": 5}), 201)
    r6 = ok(await api.post(rounds, json={}), 201)
    assert [r["number"] for r in (r1, r2, r5, r6)] == [1, 2, 5, 6]
    assert (r1["name"], r1["kind"], r1["status"]) == ("Qualifying", "qualifying", "scheduled")
    assert [r["number"] for r in await collect(api, rounds)] == [1, 2, 5, 6]
    # Numbering is per competition.
    other = await make_competition(api, race["org"]["id"], "Other")
    assert ok(await api.post(f"/competitions/{other['id']}/rounds", json={}), 201)["number"] == 1

    heats = f"/rounds/{r1['id']}/heats"
    h1 = ok(await api.post(heats, json={}), 201)
    h2 = ok(await api.post(heats, json={"status": "running"}), 201)
    assert (h1["number"], h2["number"], h2["status"]) == (1, 2, "running")
    assert ok(await api.post(f"/rounds/{r2['id']}/heats", json={}), 201)["number"] == 1
    assert [h["id"] for h in await collect(api, heats)] == [h1["id"], h2["id"]]

    slots = f"/heats/{h1['id']}/slots"
    entry = race["entries"][0]
    s1 = ok(await api.post(slots, json={"entry_id": entry["id"], "channel": "R1"}), 201)
    s2 = ok(await api.post(slots, json={"frequency_mhz": 5695}), 201)
    assert (s1["number"], s1["entry_id"], s1["heat_id"]) == (1, entry["id"], h1["id"])
    assert (s2["number"], s2["entry_id"]) == (2, None)
    assert [s["id"] for s in await collect(api, slots)] == [s1["id"], s2["id"]]

    assert ok(await api.get(f"/rounds/{r1['id']}"))["competition_id"] == comp["id"]
    assert ok(await api.get(f"/heats/{h1['id']}"))["round_id"] == r1["id"]
    assert ok(await api.get(f"/slots/{s1['id']}")) == s1


async def test_taken_schedule_numbers_are_409(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=0)
    comp = race["competition"]
    round_ = ok(await api.post(f"/competitions/{comp['id']}/rounds", json={"number": 3}), 201)
    heat = ok(await api.post(f"/rounds/{round_['id']}/heats", json={}), 201)
    ok(await api.post(f"/heats/{heat['id']}/slots", json={"number": 4}), 201)
    for path, number in [
        (f"/competitions/{comp['id']}/rounds", 3),
        (f"/rounds/{round_['id']}/heats", 1),
        (f"/heats/{heat['id']}/slots", 4),
    ]:
        doc = problem(await api.post(path, json={"number": number}), 409, "Conflict")
        assert doc["field"] == "number" and str(number) in doc["detail"]
        assert len(await collect(api, path)) == 1
        for bad in (0, 100_001, "first"):
            problem(await api.post(path, json={"number": bad}), 422)
    # Numbers are given at creation; an update may not renumber.
    doc = problem(await api.patch(f"/rounds/{round_['id']}", json={"number": 9}), 422)
    assert names_field(doc, "number")
    doc = problem(await api.patch(f"/heats/{heat['id']}", json={"number": 9}), 422)
    assert names_field(doc, "number")


async def test_schedule_updates_and_deletes(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=2)
    comp = race["competition"]
    round_ = ok(await api.post(f"/competitions/{comp['id']}/rounds", json={}), 201)
    heat = ok(await api.post(f"/rounds/{round_['id']}/heats", json={}), 201)
    slot = ok(await api.post(f"/heats/{heat['id']}/slots", json={}), 201)

    renamed = ok(
        await api.patch(f"/rounds/{round_['id']}", json={"name": "Final", "kind": "final"})
    )
    assert (renamed["name"], renamed["kind"], renamed["number"]) == ("Final", "final", 1)
    assert ok(await api.patch(f"/heats/{heat['id']}", json={"status": "finished"}))["status"] == (
        "finished"
    )
    entry = race["entries"][1]
    filled = ok(await api.patch(f"/slots/{slot['id']}", json={"entry_id": entry["id"]}))
    assert filled["entry_id"] == entry["id"]
    problem(await api.patch(f"/heats/{heat['id']}", json={"status": "paused"}), 422)

    # Deleting the entry empties the slot; deleting the round takes its heats and slots.
    ok(await api.delete(f"/entries/{entry['id']}"), 204)
    assert ok(await api.get(f"/slots/{slot['id']}"))["entry_id"] is None
    ok(await api.delete(f"/rounds/{round_['id']}"), 204)
    problem(await api.get(f"/heats/{heat['id']}"), 404)
    problem(await api.get(f"/slots/{slot['id']}"), 404)
    problem(await api.get(f"/rounds/{round_['id']}/heats"), 404)
    assert await collect(api, f"/competitions/{comp['id']}/rounds") == []


async def test_slot_entries_must_belong_to_the_same_competition(api: httpx.AsyncClient) -> None:
    race = await make_race(api, "home", entrants=1)
    away = await make_race(api, "away", entrants=1)
    round_ = ok(await api.post(f"/competitions/{race['competition']['id']}/rounds", json={}), 201)
    heat = ok(await api.post(f"/rounds/{round_['id']}/heats", json={}), 201)
    slots = f"/heats/{heat['id']}/slots"
    foreign = away["entries"][0]["id"]

    doc = problem(await api.post(slots, json={"entry_id": foreign}), 422, "Invalid input")
    assert doc["field"] == "entry_id" and "belongs elsewhere" in doc["detail"]
    doc = problem(await api.post(slots, json={"entry_id": 123_456}), 422)
    assert doc["field"] == "entry_id"
    assert await collect(api, slots) == []

    slot = ok(await api.post(slots, json={"entry_id": race["entries"][0]["id"]}), 201)
    doc = problem(await api.patch(f"/slots/{slot['id']}", json={"entry_id": foreign}), 422)
    assert doc["field"] == "entry_id"
    assert ok(await api.get(f"/slots/{slot['id']}"))["entry_id"] == race["entries"][0]["id"]


async def test_schedule_of_unknown_parents_is_404(api: httpx.AsyncClient) -> None:
    for path in ("/competitions/6060/rounds", "/rounds/6060/heats", "/heats/6060/slots"):
        doc = problem(await api.get(path), 404)
        assert "6060" in doc["detail"]
        problem(await api.post(path, json={}), 404)


async def test_organization_token_cannot_reach_another_schedule(
    api: httpx.AsyncClient, app: Any, database: Database
) -> None:
    home = await make_race(api, "home", entrants=1)
    away = await make_race(api, "away", entrants=1)
    away_comp = away["competition"]["id"]
    away_round = ok(await api.post(f"/competitions/{away_comp}/rounds", json={}), 201)
    async with with_token(app, database, ["write"], home["org"]["id"]) as writer:
        for path in (
            f"/competitions/{away_comp}",
            f"/competitions/{away_comp}/entries",
            f"/competitions/{away_comp}/rounds",
            f"/rounds/{away_round['id']}",
            f"/rounds/{away_round['id']}/heats",
            f"/entries/{away['entries'][0]['id']}",
        ):
            problem(await writer.get(path), 404)
        problem(await writer.patch(f"/rounds/{away_round['id']}", json={"name": "x"}), 404)
        assert await ids_of(writer, "/competitions") == [home["competition"]["id"]]
        made = await make_entry(
            writer, home["competition"]["id"], person_id=None, bib="99", status="confirmed"
        )
        assert made["competition_id"] == home["competition"]["id"]
    assert ok(await api.get(f"/rounds/{away_round['id']}"))["name"] == ""
