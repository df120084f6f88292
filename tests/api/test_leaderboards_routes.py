"""Leaderboard routes, standings and exports over HTTP."""

from __future__ import annotations

import csv
import io

import httpx


async def race(
    api: httpx.AsyncClient, scoring: str = "lowest_time", tie_rule: str = "shared"
) -> dict:
    org = (await api.post("/organizations", json={"slug": "lb", "name": "LB"})).json()
    comp = await api.post(
        "/competitions",
        json={
            "organization_id": org["id"],
            "name": "10K",
            "scoring": scoring,
            "tie_rule": tie_rule,
        },
    )
    assert comp.status_code == 201, comp.text
    return comp.json()


async def runners(api: httpx.AsyncClient, comp: dict, times: list[int | str]) -> list[int]:
    people = []
    rows = []
    for i, t in enumerate(times):
        person = (await api.post("/people", json={"name": f"Runner {i}"})).json()
        people.append(person["id"])
        if isinstance(t, str):
            rows.append({"person_id": person["id"], "status": t})
        else:
            rows.append(
                {
                    "person_id": person["id"],
                    "elapsed_ms": t,
                    "recorded_at": f"2026-06-06T10:00:0{i}Z",
                }
            )
    response = await api.post(f"/competitions/{comp['id']}/results/bulk", json={"results": rows})
    assert response.status_code == 201, response.text
    return people


async def test_top_position_and_surround(api: httpx.AsyncClient) -> None:
    comp = await race(api)
    people = await runners(api, comp, [40_000, 38_000, 40_000, 45_000, "DNF", 39_000])
    top = (await api.get(f"/competitions/{comp['id']}/leaderboard", params={"limit": 10})).json()
    assert top["total"] == 5 and top["scoring"] == "lowest_time"
    assert [(r["rank"], r["subject_id"], r["display"]) for r in top["rows"]] == [
        (1, people[1], "0:00:38.000"),
        (2, people[5], "0:00:39.000"),
        (3, people[0], "0:00:40.000"),
        (3, people[2], "0:00:40.000"),
        (5, people[3], "0:00:45.000"),
    ]
    page = (
        await api.get(f"/competitions/{comp['id']}/leaderboard", params={"offset": 3, "limit": 1})
    ).json()
    assert [(r["rank"], r["subject_id"]) for r in page["rows"]] == [(3, people[2])]
    pos = await api.get(
        f"/competitions/{comp['id']}/leaderboard/position", params={"value": "0:39.5"}
    )
    assert pos.json() == {"position": 3, "total": 5}
    raw = await api.get(f"/competitions/{comp['id']}/leaderboard/position", params={"score": 1})
    assert raw.json()["position"] == 1
    mine = (
        await api.get(
            f"/competitions/{comp['id']}/leaderboard/person/{people[0]}",
            params={"before": 1, "after": 1},
        )
    ).json()
    assert mine["row"]["rank"] == 3
    assert [r["subject_id"] for r in mine["rows"]] == [people[5], people[0], people[2]]


async def test_leaderboard_errors(api: httpx.AsyncClient) -> None:
    comp = await race(api)
    people = await runners(api, comp, ["DNS"])
    base = f"/competitions/{comp['id']}/leaderboard"
    assert (await api.get(f"{base}/person/{people[0]}")).status_code == 404
    assert (await api.get(f"{base}/position")).status_code == 422
    bad = await api.get(f"{base}/position", params={"value": "1:75"})
    assert bad.status_code == 422 and "'1:75'" in bad.json()["detail"]
    assert (await api.get(f"{base}/robot/1")).status_code == 422
    assert (await api.get(f"{base}", params={"limit": 101})).status_code == 422
    assert (await api.get("/competitions/999999/leaderboard")).status_code == 404


async def test_first_set_and_per_challenge_boards(api: httpx.AsyncClient) -> None:
    comp = await race(api, scoring="personal_best", tie_rule="first_set")
    track = await api.post(
        "/challenges",
        json={
            "organization_id": comp["organization_id"],
            "competition_id": comp["id"],
            "name": "Map 1",
            "kind": "map",
        },
    )
    map_id = track.json()["id"]
    people = []
    for i, (ms, at) in enumerate([(30_000, "10:05"), (30_000, "10:01"), (29_000, "10:09")]):
        person = (await api.post("/people", json={"name": f"Driver {i}"})).json()
        people.append(person["id"])
        made = await api.post(
            f"/competitions/{comp['id']}/results",
            json={
                "person_id": person["id"],
                "challenge_id": map_id,
                "elapsed_ms": ms,
                "recorded_at": f"2026-06-06T{at}:00Z",
            },
        )
        assert made.status_code == 201, made.text
    board = (
        await api.get(f"/competitions/{comp['id']}/leaderboard", params={"challenge_id": map_id})
    ).json()
    assert [(r["rank"], r["subject_id"]) for r in board["rows"]] == [
        (1, people[2]),
        (2, people[1]),
        (3, people[0]),
    ]
    # A new equal record would rank after the existing ones.
    pos = await api.get(
        f"/competitions/{comp['id']}/leaderboard/position",
        params={"challenge_id": map_id, "value": "30000"},
    )
    assert pos.json()["position"] == 4


async def test_standings_and_exports(api: httpx.AsyncClient) -> None:
    comp = await race(api)
    people = await runners(api, comp, [40_000, "DQ", 38_000, "DNF"])
    json_rows = (await api.get(f"/competitions/{comp['id']}/standings")).json()["rows"]
    assert [(r["rank"], r["subject_id"], r["status"]) for r in json_rows] == [
        (1, people[2], "OK"),
        (2, people[0], "OK"),
        (None, people[3], "DNF"),
        (None, people[1], "DQ"),
    ]
    text = (await api.get(f"/competitions/{comp['id']}/standings", params={"format": "csv"})).text
    table = list(csv.DictReader(io.StringIO(text)))
    assert [row["display"] for row in table] == ["0:00:38.000", "0:00:40.000", "DNF", "DQ"]
    export = await api.get(f"/competitions/{comp['id']}/results/export")
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert len(rows) == 4 and rows[1]["status"] == "DQ" and rows[1]["time"] == "DQ"
    full = (
        await api.get(f"/competitions/{comp['id']}/results/export", params={"format": "json"})
    ).json()
    assert len(full["results"]) == 4


async def test_aggregate_laps_and_a_declared_final_ranking(api: httpx.AsyncClient) -> None:
    """Core notions any competition uses: laps summed over heats, and a final ranking."""
    comp = await race(api, scoring="aggregate_laps")
    people = [(await api.post("/people", json={"name": f"Pilot {i}"})).json()["id"] for i in "ab"]
    heats = [
        {"person_id": people[0], "laps": 5, "elapsed_ms": 100_000},
        {"person_id": people[0], "laps": 5, "elapsed_ms": 100_000},
        {"person_id": people[1], "laps": 8, "elapsed_ms": 110_000},  # best heat, fewer in all
        {"person_id": people[1], "laps": 0, "elapsed_ms": 0},  # no lap: no time, 0 laps
    ]
    stored = await api.post(f"/competitions/{comp['id']}/results/bulk", json={"results": heats})
    assert stored.status_code == 201, stored.text
    board = (await api.get(f"/competitions/{comp['id']}/leaderboard")).json()
    assert [(r["subject_id"], r["display"]) for r in board["rows"]] == [
        (people[0], "10 laps / 0:03:20.000"),
        (people[1], "8 laps / 0:01:50.000"),
    ]
    # Declared through the native API: a result set marked final_ranking, with places.
    final = await api.post(
        f"/competitions/{comp['id']}/result-sets",
        json={"name": "Jury decision", "attributes": {"final_ranking": True}},
    )
    assert final.status_code == 201, final.text
    placings = [
        {"person_id": people[1], "place": 1, "result_set_id": final.json()["id"]},
        {"person_id": people[0], "result_set_id": final.json()["id"]},  # listed, unplaced
    ]
    stored = await api.post(f"/competitions/{comp['id']}/results/bulk", json={"results": placings})
    assert stored.status_code == 201, stored.text
    table = (await api.get(f"/competitions/{comp['id']}/standings")).json()
    assert table["ranked_by"] == "final_ranking"
    assert table["final_ranking"]["name"] == "Jury decision"
    assert [(r["subject_id"], r["rank"], r["board_rank"]) for r in table["rows"]] == [
        (people[1], 1, 2),
        (people[0], None, 1),
    ]
