"""Results (single and bulk) and result sets over HTTP (podium/api/routes/results.py)."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from podium.config import Settings
from tests.api.helpers import (
    all_events,
    collect,
    ids_of,
    make_challenge,
    make_competition,
    make_entry,
    make_person,
    make_race,
    make_result,
    names_field,
    ok,
    problem,
    when,
)


def results_path(race: dict[str, Any]) -> str:
    return f"/competitions/{race['competition']['id']}/results"


async def result_ids(api: httpx.AsyncClient, race: dict[str, Any], **params: Any) -> list[int]:
    return await ids_of(api, results_path(race), **params)


async def created_result_events(api: httpx.AsyncClient) -> list[dict[str, Any]]:
    return [e for e in await all_events(api) if e["type"] == "result.created"]


# Single results ----------------------------------------------------------------------


async def test_single_result_round_trip(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=1)
    entry = race["entries"][0]
    challenge = await make_challenge(
        api, race["org"]["id"], "Course", competition_id=race["competition"]["id"]
    )
    body = {
        "entry_id": entry["id"],
        "challenge_id": challenge["id"],
        "elapsed_ms": 61_234,
        "lap_times_ms": [20_000, 20_500, 20_734],
        "points": 12.5,
        "splits": [{"name": "5K", "elapsed_ms": 30_000}],
        "place": 1,
        "recorded_at": "2026-06-06T10:00:00+01:00",
        "attributes": {"verdict": "AC"},
    }
    result = ok(await api.post(results_path(race), json=body), 201)
    assert result["competition_id"] == race["competition"]["id"]
    # The person comes from the entry; laps from the lap times; times are UTC.
    assert result["person_id"] == entry["person_id"] and result["laps"] == 3
    assert result["status"] == "OK" and result["recorded_at"] == "2026-06-06T09:00:00Z"
    assert result["splits"] == body["splits"] and result["lap_times_ms"] == body["lap_times_ms"]
    assert (result["points"], result["place"], result["attributes"]) == (12.5, 1, {"verdict": "AC"})
    assert ok(await api.get(f"/results/{result['id']}")) == result

    bare = await make_result(api, race["competition"]["id"], person_id=entry["person_id"])
    assert bare["status"] == "OK" and bare["entry_id"] is None and bare["laps"] is None
    assert bare["lap_times_ms"] == [] and bare["splits"] == [] and bare["recorded_at"]

    (event,) = [
        e
        for e in await all_events(api)
        if e["object_kind"] == "result" and e["object_id"] == result["id"]
    ]
    assert event["type"] == "result.created"
    assert event["competition_id"] == race["competition"]["id"]
    assert event["organization_id"] == race["org"]["id"]
    assert event["payload"]["elapsed_ms"] == 61_234


async def test_invalid_single_results_are_422_and_not_stored(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=1)
    entry = race["entries"][0]["id"]
    cases: list[tuple[dict[str, Any], str | None]] = [
        ({}, None),  # nobody: a result needs entry_id, person_id or team_id
        ({"entry_id": entry, "status": "ok"}, "status"),
        ({"entry_id": entry, "elapsed_ms": -1}, "elapsed_ms"),
        ({"entry_id": entry, "elapsed_ms": 1.5}, "elapsed_ms"),
        ({"entry_id": entry, "points": "NaN"}, "points"),
        ({"entry_id": entry, "lap_times_ms": [1, "two"]}, "1"),
        ({"entry_id": entry, "splits": [{"name": "5K"}]}, "elapsed_ms"),
        ({"entry_id": entry, "place": 0}, "place"),
        ({"entry_id": entry, "recorded_at": "yesterday"}, "recorded_at"),
        ({"entry_id": entry, "competition_id": 1}, "competition_id"),
    ]
    for body, field in cases:
        doc = problem(await api.post(results_path(race), json=body), 422, "Invalid input")
        if field is None:
            assert "entry_id, person_id or team_id" in doc["detail"]
        else:
            assert names_field(doc, field), (body, doc)
    assert await result_ids(api, race) == []
    assert await created_result_events(api) == []


async def test_result_references_must_exist_in_this_competition(api: httpx.AsyncClient) -> None:
    home = await make_race(api, "home", entrants=1)
    away = await make_race(api, "away", entrants=1)
    away_comp = away["competition"]["id"]
    away_set = ok(await api.post(f"/competitions/{away_comp}/result-sets", json={"name": "A"}), 201)
    away_round = ok(await api.post(f"/competitions/{away_comp}/rounds", json={}), 201)
    away_heat = ok(await api.post(f"/rounds/{away_round['id']}/heats", json={}), 201)
    entry = home["entries"][0]["id"]
    for extra, field, why in [
        ({"entry_id": away["entries"][0]["id"]}, "entry_id", "belongs elsewhere"),
        ({"entry_id": entry, "person_id": away["people"][0]["id"]}, "person_id", "elsewhere"),
        ({"entry_id": entry, "result_set_id": away_set["id"]}, "result_set_id", "elsewhere"),
        ({"entry_id": entry, "heat_id": away_heat["id"]}, "heat_id", "elsewhere"),
        ({"entry_id": 77_777}, "entry_id", "does not exist"),
        ({"entry_id": entry, "challenge_id": 77_777}, "challenge_id", "does not exist"),
    ]:
        doc = problem(await api.post(results_path(home), json=extra), 422)
        (error,) = doc["errors"]
        assert (error["row"], error["field"]) == (0, field), doc
        assert why in error["message"]
    assert await result_ids(api, home) == []
    problem(await api.post("/competitions/5050/results", json={"entry_id": entry}), 404)


async def test_result_list_filters(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=2)
    comp = race["competition"]["id"]
    first, second = race["entries"]
    challenge = await make_challenge(api, race["org"]["id"], "Map", competition_id=comp)
    result_set = ok(await api.post(f"/competitions/{comp}/result-sets", json={"name": "S"}), 201)
    round_ = ok(await api.post(f"/competitions/{comp}/rounds", json={}), 201)
    heat = ok(await api.post(f"/rounds/{round_['id']}/heats", json={}), 201)
    a = await make_result(api, comp, entry_id=first["id"], elapsed_ms=1, heat_id=heat["id"])
    b = await make_result(
        api, comp, entry_id=first["id"], status="DNF", challenge_id=challenge["id"]
    )
    c = await make_result(api, comp, entry_id=second["id"], result_set_id=result_set["id"])
    d = await make_result(api, comp, person_id=second["person_id"], status="DNF")
    other = await make_competition(api, race["org"]["id"], "Elsewhere")
    await make_result(api, other["id"], person_id=first["person_id"])

    assert await result_ids(api, race) == [a["id"], b["id"], c["id"], d["id"]]
    assert await result_ids(api, race, entry_id=first["id"]) == [a["id"], b["id"]]
    assert await result_ids(api, race, person_id=second["person_id"]) == [c["id"], d["id"]]
    assert await result_ids(api, race, status="DNF") == [b["id"], d["id"]]
    assert await result_ids(api, race, challenge_id=challenge["id"]) == [b["id"]]
    assert await result_ids(api, race, result_set_id=result_set["id"]) == [c["id"]]
    assert await result_ids(api, race, heat_id=heat["id"]) == [a["id"]]
    assert await result_ids(api, race, status="DNF", entry_id=second["id"]) == []
    for params in [{"status": "dnf"}, {"entry_id": "first"}, {"heat_id": 0}]:
        problem(await api.get(results_path(race), params=params), 422)
    problem(await api.get("/competitions/5050/results"), 404)


async def test_cursor_pagination_visits_every_result_once(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=1)
    entry = race["entries"][0]["id"]
    rows = [{"entry_id": entry, "elapsed_ms": 1000 + i} for i in range(9)]
    stored = ok(await api.post(f"{results_path(race)}/bulk", json={"results": rows}), 201)["ids"]

    seen: list[int] = []
    pages = 0
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = ok(await api.get(results_path(race), params=params))
        pages += 1
        assert 1 <= len(page["data"]) <= 2
        seen.extend(r["id"] for r in page["data"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert isinstance(cursor, str) and cursor
    assert pages == 5
    assert seen == sorted(stored) and len(set(seen)) == 9
    assert [r["elapsed_ms"] for r in await collect(api, results_path(race))] == [
        1000 + i for i in range(9)
    ]

    # A page that ends exactly at the last result says so.
    exact = ok(await api.get(results_path(race), params={"limit": 9}))
    assert len(exact["data"]) == 9 and exact["next_cursor"] is None
    # A cursor keeps working after rows before it are deleted.
    first_page = ok(await api.get(results_path(race), params={"limit": 3}))
    ok(await api.delete(f"/results/{stored[1]}"), 204)
    rest = ok(
        await api.get(
            results_path(race), params={"limit": 100, "cursor": first_page["next_cursor"]}
        )
    )
    assert [r["id"] for r in rest["data"]] == stored[3:]

    forged = base64.urlsafe_b64encode(b"id:-5").decode()
    wrong_kind = base64.urlsafe_b64encode(b"seq:3").decode()
    for bad in ["not-a-cursor", forged, wrong_kind, "%%%"]:
        doc = problem(await api.get(results_path(race), params={"cursor": bad}), 422)
        assert doc["field"] == "cursor" and "not one this API issued" in doc["detail"]
    for bad_limit in (0, -1, "ten"):
        problem(await api.get(results_path(race), params={"limit": bad_limit}), 422)


async def test_page_size_is_capped(api: httpx.AsyncClient, settings: Settings) -> None:
    race = await make_race(api, entrants=1)
    rows = [{"entry_id": race["entries"][0]["id"]}] * 6
    ok(await api.post(f"{results_path(race)}/bulk", json={"results": rows}), 201)
    settings.max_page_size = 4
    page = ok(await api.get(results_path(race), params={"limit": 1000}))
    assert len(page["data"]) == 4 and page["next_cursor"] is not None


# Updates and deletes -----------------------------------------------------------------


async def test_result_update(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=2)
    first, second = race["entries"]
    result = await make_result(api, race["competition"]["id"], entry_id=first["id"], elapsed_ms=900)

    changed = ok(
        await api.patch(f"/results/{result['id']}", json={"status": "DQ", "elapsed_ms": None})
    )
    assert (changed["status"], changed["elapsed_ms"], changed["entry_id"]) == (
        "DQ",
        None,
        first["id"],
    )
    assert when(changed["updated_at"]) >= when(result["updated_at"])
    assert ok(await api.get(f"/results/{result['id']}")) == changed

    updates = [e for e in await all_events(api) if e["type"] == "result.updated"]
    assert len(updates) == 1
    assert updates[0]["before"]["status"] == "OK" and updates[0]["payload"]["status"] == "DQ"

    away = await make_race(api, "away", entrants=1)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"status": None}, "status"),
        ({"lap_times_ms": None}, "lap_times_ms"),
        ({"entry_id": away["entries"][0]["id"]}, "entry_id"),
        ({"entry_id": 31_337}, "entry_id"),
        ({"entry_id": None, "person_id": None}, "entry_id"),
    ]
    for body, field in cases:
        doc = problem(await api.patch(f"/results/{result['id']}", json=body), 422)
        assert doc["field"] == field, (body, doc)
    for body, field in [({"status": "WIN"}, "status"), ({"laps": -2}, "laps"), ({"x": 1}, "x")]:
        doc = problem(await api.patch(f"/results/{result['id']}", json=body), 422)
        assert names_field(doc, field), (body, doc)
    assert ok(await api.get(f"/results/{result['id']}")) == changed
    assert len([e for e in await all_events(api) if e["type"] == "result.updated"]) == 1

    moved = ok(await api.patch(f"/results/{result['id']}", json={"entry_id": second["id"]}))
    assert moved["entry_id"] == second["id"]


async def test_result_delete(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=1)
    entry = race["entries"][0]["id"]
    keep = await make_result(api, race["competition"]["id"], entry_id=entry)
    gone = await make_result(api, race["competition"]["id"], entry_id=entry)
    ok(await api.delete(f"/results/{gone['id']}"), 204)
    problem(await api.get(f"/results/{gone['id']}"), 404)
    problem(await api.delete(f"/results/{gone['id']}"), 404)
    assert await result_ids(api, race) == [keep["id"]]
    deleted = [e for e in await all_events(api) if e["type"] == "result.deleted"]
    assert [(e["object_id"], e["payload"]) for e in deleted] == [(gone["id"], None)]
    assert deleted[0]["before"]["entry_id"] == entry


# Bulk uploads ------------------------------------------------------------------------


async def test_bulk_upload_of_a_thousand_rows(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=4)
    entries = [e["id"] for e in race["entries"]]
    rows = [
        {
            "entry_id": entries[i % 4],
            "elapsed_ms": 60_000 + i,
            "lap_times_ms": [20_000, 20_000 + i],
            "status": "OK" if i % 10 else "DNF",
            "attributes": {"row": i},
        }
        for i in range(1_200)
    ]
    before = len(await all_events(api))
    answer = ok(await api.post(f"{results_path(race)}/bulk", json={"results": rows}), 201)
    assert answer["count"] == 1_200 and len(answer["ids"]) == 1_200
    assert answer["ids"] == sorted(set(answer["ids"]))

    stored = await collect(api, results_path(race))
    assert [r["id"] for r in stored] == answer["ids"]
    assert [r["attributes"]["row"] for r in stored] == list(range(1_200))
    assert stored[7]["person_id"] == race["people"][3]["id"] and stored[7]["laps"] == 2
    assert len(await result_ids(api, race, status="DNF")) == 120
    created = [e for e in (await all_events(api))[before:] if e["type"] == "result.created"]
    assert sorted(e["object_id"] for e in created) == answer["ids"]
    # An empty upload is valid and stores nothing.
    assert ok(await api.post(f"{results_path(race)}/bulk", json={"results": []}), 201) == {
        "count": 0,
        "ids": [],
    }


async def test_bulk_upload_with_an_unknown_entry_stores_nothing(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=2)
    entry = race["entries"][0]["id"]
    earlier = await make_result(api, race["competition"]["id"], entry_id=entry, elapsed_ms=1)
    count_before = len(await result_ids(api, race))
    events_before = await all_events(api)

    rows = [{"entry_id": entry, "elapsed_ms": 10_000 + i} for i in range(100)]
    rows[37] = {"entry_id": 999_999, "elapsed_ms": 5}
    doc = problem(await api.post(f"{results_path(race)}/bulk", json={"results": rows}), 422)
    assert doc["errors"] == [
        {"row": 37, "field": "entry_id", "message": "entry_id 999999 does not exist."}
    ]
    assert "nothing was stored" in doc["detail"]

    assert await result_ids(api, race) == [earlier["id"]]
    assert len(await result_ids(api, race)) == count_before
    assert await all_events(api) == events_before


async def test_bulk_upload_lists_every_bad_row(api: httpx.AsyncClient) -> None:
    home = await make_race(api, "home", entrants=1)
    away = await make_race(api, "away", entrants=1)
    entry = home["entries"][0]["id"]
    rows: list[dict[str, Any]] = [{"entry_id": entry} for _ in range(20)]
    rows[3] = {"entry_id": away["entries"][0]["id"]}
    rows[8] = {"entry_id": entry, "challenge_id": 4242}
    rows[15] = {"person_id": 4343}
    doc = problem(await api.post(f"{results_path(home)}/bulk", json={"results": rows}), 422)
    assert [(e["row"], e["field"]) for e in doc["errors"]] == [
        (3, "entry_id"),
        (8, "challenge_id"),
        (15, "person_id"),
    ]
    assert doc["detail"].startswith("3 row(s)")
    assert await result_ids(api, home) == []
    assert await result_ids(api, away) == []
    assert await created_result_events(api) == []


async def test_bulk_upload_with_a_wrong_type_names_the_row(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=1)
    entry = race["entries"][0]["id"]
    rows: list[dict[str, Any]] = [{"entry_id": entry, "elapsed_ms": 1000} for _ in range(50)]
    rows[37] = {"entry_id": entry, "elapsed_ms": "fast"}
    rows[41] = {"entry_id": entry, "status": "WON"}
    doc = problem(await api.post(f"{results_path(race)}/bulk", json={"results": rows}), 422)
    locs = [loc[:3] for loc in [e["loc"] for e in doc["errors"]]]
    assert locs == [["results", 37, "elapsed_ms"], ["results", 41, "status"]]
    assert doc["detail"].startswith("results.37.elapsed_ms:")

    for body, loc in [
        ({"results": [{"entry_id": entry}, {}]}, ["results", 1]),
        ({"results": [{"entry_id": entry}, "row"]}, ["results", 1]),
        ({"results": {"entry_id": entry}}, ["results"]),
        ({}, ["results"]),
        ({"results": [], "dry_run": True}, ["dry_run"]),
        ({"results": [{"entry_id": entry, "colour": "red"}]}, ["results", 0, "colour"]),
    ]:
        doc = problem(await api.post(f"{results_path(race)}/bulk", json=body), 422)
        assert doc["errors"][0]["loc"] == loc, (body, doc)
    assert await result_ids(api, race) == []
    assert await created_result_events(api) == []


async def test_bulk_row_ceiling(api: httpx.AsyncClient, settings: Settings) -> None:
    race = await make_race(api, entrants=1)
    row = {"entry_id": race["entries"][0]["id"]}
    # The configured 20,000 is covered by test_bad_input; a small ceiling keeps this fast.
    settings.max_bulk_rows = 25
    doc = problem(await api.post(f"{results_path(race)}/bulk", json={"results": [row] * 26}), 422)
    assert "at most 25 rows" in doc["detail"] and "has 26" in doc["detail"]
    assert await result_ids(api, race) == []
    answer = ok(await api.post(f"{results_path(race)}/bulk", json={"results": [row] * 25}), 201)
    assert answer["count"] == 25 and len(await result_ids(api, race)) == 25


async def test_oversize_bulk_upload_is_413_and_stores_nothing(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=1)
    row = {"entry_id": race["entries"][0]["id"], "attributes": {"pad": "p" * 180}}
    payload = json.dumps({"results": [row] * 11_000}).encode()
    assert len(payload) > 2 * 1024 * 1024
    events_before = await all_events(api)

    declared = await api.post(
        f"{results_path(race)}/bulk",
        content=payload,
        headers={"content-type": "application/json"},
    )
    doc = problem(declared, 413, "Payload too large")
    assert str(2 * 1024 * 1024) in doc["detail"]

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(payload), 64 * 1024):
            yield payload[start : start + 64 * 1024]

    # Without a Content-Length the limit is enforced while reading.
    streamed = await api.post(
        f"{results_path(race)}/bulk", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in streamed.request.headers
    problem(streamed, 413, "Payload too large")

    assert await result_ids(api, race) == []
    assert await all_events(api) == events_before
    # A body within the limit goes through.
    small = json.dumps({"results": [row] * 100}).encode()
    ok(
        await api.post(
            f"{results_path(race)}/bulk",
            content=small,
            headers={"content-type": "application/json"},
        ),
        201,
    )
    assert len(await result_ids(api, race)) == 100


# Result sets -------------------------------------------------------------------------


async def test_result_sets_crud(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=1)
    comp = race["competition"]["id"]
    base = f"/competitions/{comp}/result-sets"
    overall = ok(await api.post(base, json={"name": "Overall"}), 201)
    hidden = ok(await api.post(base, json={"name": "Age groups", "public": False}), 201)
    assert (overall["competition_id"], overall["public"]) == (comp, True)
    assert hidden["public"] is False
    assert await ids_of(api, base) == [overall["id"], hidden["id"]]
    assert ok(await api.get(f"/result-sets/{overall['id']}")) == overall

    renamed = ok(await api.patch(f"/result-sets/{hidden['id']}", json={"public": True}))
    assert renamed["public"] is True and renamed["name"] == "Age groups"
    for body in ({"name": ""}, {"public": "yes please"}, {"competition_id": comp}):
        problem(await api.patch(f"/result-sets/{hidden['id']}", json=body), 422)
    problem(await api.post(base, json={}), 422)
    problem(await api.get("/competitions/5050/result-sets"), 404)

    # Deleting a result set deletes the results filed under it, and only those.
    entry = race["entries"][0]["id"]
    inside = await make_result(api, comp, entry_id=entry, result_set_id=hidden["id"])
    outside = await make_result(api, comp, entry_id=entry, result_set_id=overall["id"])
    ok(await api.delete(f"/result-sets/{hidden['id']}"), 204)
    problem(await api.get(f"/result-sets/{hidden['id']}"), 404)
    problem(await api.get(f"/results/{inside['id']}"), 404)
    assert await result_ids(api, race) == [outside["id"]]
    assert await ids_of(api, base) == [overall["id"]]


async def test_people_without_entries_may_score(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=1)
    loner = await make_person(api, "Loner")
    other = await make_competition(api, race["org"]["id"], "Other")
    other_entry = await make_entry(api, other["id"], person_id=loner["id"])
    # A person needs no entry; an instance-wide person may score in any organization.
    free = await make_result(api, race["competition"]["id"], person_id=loner["id"])
    assert free["entry_id"] is None and free["person_id"] == loner["id"]
    doc = problem(await api.post(results_path(race), json={"entry_id": other_entry["id"]}), 422)
    assert doc["errors"][0]["field"] == "entry_id"
    assert await result_ids(api, race) == [free["id"]]


async def test_the_first_result_starts_a_waiting_competition_and_its_parents(
    api: httpx.AsyncClient,
) -> None:
    org = (await api.post("/organizations", json={"slug": "auto", "name": "Auto"})).json()
    season = await make_competition(api, org["id"], "Season", status="open")
    race = await make_competition(api, org["id"], "Race", parent_id=season["id"])
    person = await make_person(api, "Runner", organization_id=org["id"])
    before = len(await all_events(api))
    await make_result(api, race["id"], person_id=person["id"], elapsed_ms=1000)
    await make_result(api, race["id"], person_id=person["id"], elapsed_ms=2000)
    new = (await all_events(api))[before:]
    started = [e for e in new if e["type"] == "competition.updated"]
    assert [(e["object_id"], e["before"]["status"], e["payload"]["status"]) for e in started] == [
        (race["id"], "scheduled", "running"),
        (season["id"], "open", "running"),
    ]
    assert [e["type"] for e in new].count("result.created") == 2  # the second adds no status
    for competition in (race, season):
        assert (await api.get(f"/competitions/{competition['id']}")).json()["status"] == "running"
    # A finished competition stays finished when a late correction arrives.
    ok(await api.patch(f"/competitions/{race['id']}", json={"status": "finished"}), 200)
    await make_result(api, race["id"], person_id=person["id"], elapsed_ms=3000)
    assert (await api.get(f"/competitions/{race['id']}")).json()["status"] == "finished"
