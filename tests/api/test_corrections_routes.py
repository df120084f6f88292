"""Corrections over the native API: PATCH in place with merged attributes and a reason,
DELETE with a reason, undo, a result's history and the competition's audit trail."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx

from podium.store.database import Database
from tests.api.helpers import all_events, make_race, make_result, ok, problem, with_token


def result_events(events: list[dict[str, Any]], result_id: int) -> list[dict[str, Any]]:
    return [e for e in events if e["object_kind"] == "result" and e["object_id"] == result_id]


async def board(api: httpx.AsyncClient, competition_id: int) -> list[tuple[int, int | None]]:
    top = ok(await api.get(f"/competitions/{competition_id}/leaderboard", params={"limit": 50}))
    return [(row["subject_id"], row["rank"]) for row in top["rows"]]


async def test_a_slower_corrected_time_replaces_the_result(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=2)
    comp = race["competition"]["id"]
    a, b = (entry["person_id"] for entry in race["entries"])
    first = await make_result(
        api, comp, entry_id=race["entries"][0]["id"], elapsed_ms=60_000, attributes={"chip": "X1"}
    )
    await make_result(api, comp, entry_id=race["entries"][1]["id"], elapsed_ms=65_000)
    assert await board(api, comp) == [(a, 1), (b, 2)]

    corrected = ok(
        await api.patch(
            f"/results/{first['id']}",
            json={"elapsed_ms": 70_000, "attributes": {"mat": "2"}, "reason": "chip misread"},
        )
    )
    # In place: same id, the other attributes kept, the new one merged in.
    assert corrected["id"] == first["id"] and corrected["elapsed_ms"] == 70_000
    assert corrected["attributes"] == {"chip": "X1", "mat": "2"}
    results = ok(await api.get(f"/competitions/{comp}/results"))["data"]
    assert sorted(r["id"] for r in results) == sorted([first["id"], results[1]["id"]])
    assert len(results) == 2
    # The best time counts, and the slower corrected time is now the one that counts.
    assert await board(api, comp) == [(b, 1), (a, 2)]

    (created, updated) = result_events(await all_events(api), first["id"])
    assert created["type"] == "result.created" and updated["type"] == "result.updated"
    assert updated["before"]["elapsed_ms"] == 60_000 and updated["payload"]["elapsed_ms"] == 70_000
    assert updated["reason"] == "chip misread"


async def test_a_null_attribute_removes_the_key(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=1)
    comp = race["competition"]["id"]
    result = await make_result(
        api, comp, entry_id=race["entries"][0]["id"], attributes={"keep": 1, "drop": 2}
    )
    patched = ok(await api.patch(f"/results/{result['id']}", json={"attributes": {"drop": None}}))
    assert patched["attributes"] == {"keep": 1}


async def test_disqualify_with_a_reason_then_undo(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=1)
    comp = race["competition"]["id"]
    result = await make_result(api, comp, entry_id=race["entries"][0]["id"], elapsed_ms=61_000)
    dq = ok(
        await api.patch(
            f"/results/{result['id']}",
            json={"status": "DQ", "status_reason": "Course cut", "reason": "Course cut at km 3"},
        )
    )
    assert (dq["status"], dq["status_reason"]) == ("DQ", "Course cut")
    history = ok(await api.get(f"/results/{result['id']}/history"))
    assert [entry["action"] for entry in history] == ["created", "updated"]
    last = history[-1]
    assert last["reason"] == "Course cut at km 3" and last["undoable"]
    assert {"field": "status", "before": "OK", "after": "DQ"} in last["changes"]

    undone = ok(await api.post(f"/events/{last['seq']}/undo", json={"reason": "wrong runner"}))
    assert undone["seq"] == last["seq"]
    back = ok(await api.get(f"/results/{result['id']}"))
    assert (back["status"], back["status_reason"], back["elapsed_ms"]) == ("OK", None, 61_000)
    history = ok(await api.get(f"/results/{result['id']}/history"))
    assert history[-1]["reason"] == f"Undo of change {last['seq']}: wrong runner"
    # Undo of an older change than the latest is refused: it would discard the undo.
    problem(await api.post(f"/events/{last['seq']}/undo"), 409)


async def test_delete_with_a_reason_and_undo_brings_back_the_same_result(
    api: httpx.AsyncClient,
) -> None:
    race = await make_race(api, entrants=1)
    comp = race["competition"]["id"]
    result = await make_result(
        api, comp, entry_id=race["entries"][0]["id"], elapsed_ms=50_000, attributes={"k": "v"}
    )
    ok(await api.delete(f"/results/{result['id']}", params={"reason": "double read"}), 204)
    problem(await api.get(f"/results/{result['id']}"), 404)
    history = ok(await api.get(f"/results/{result['id']}/history"))
    assert history[-1]["action"] == "deleted" and history[-1]["reason"] == "double read"

    ok(await api.post(f"/events/{history[-1]['seq']}/undo"))
    back = ok(await api.get(f"/results/{result['id']}"))
    assert {k: back[k] for k in ("id", "elapsed_ms", "attributes", "recorded_at")} == {
        k: result[k] for k in ("id", "elapsed_ms", "attributes", "recorded_at")
    }
    assert await board(api, comp) == [(race["entries"][0]["person_id"], 1)]


async def test_undo_of_a_manual_entry_deletes_it(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=1)
    comp = race["competition"]["id"]
    result = await make_result(api, comp, entry_id=race["entries"][0]["id"], elapsed_ms=50_000)
    (created,) = ok(await api.get(f"/results/{result['id']}/history"))
    ok(await api.post(f"/events/{created['seq']}/undo"))
    assert ok(await api.get(f"/competitions/{comp}/results"))["data"] == []


async def test_audit_trail_as_json_pages_and_csv(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=1)
    comp = race["competition"]["id"]
    result = await make_result(api, comp, entry_id=race["entries"][0]["id"], elapsed_ms=50_000)
    ok(await api.patch(f"/results/{result['id']}", json={"elapsed_ms": 51_000, "reason": "=1+1"}))
    whole = ok(await api.get(f"/competitions/{comp}/audit"))["data"]
    first = ok(await api.get(f"/competitions/{comp}/audit", params={"limit": 1}))
    assert first["data"] == whole[:1] and first["next_after"] == whole[0]["seq"]
    mine = ok(await api.get(f"/competitions/{comp}/audit", params={"result_id": result["id"]}))
    assert [e["action"] for e in mine["data"]] == ["created", "updated"]

    exported = await api.get(f"/competitions/{comp}/audit.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    change = [r for r in rows if r["kind"] == "result" and r["action"] == "updated"]
    assert [(r["field"], r["before"], r["after"]) for r in change] == [
        ("elapsed_ms", "50000", "51000")
    ]
    # A reason that a spreadsheet would run as a formula is written as text.
    assert change[0]["reason"] == "'=1+1" and change[0]["actor"].startswith("token:")


async def test_corrections_need_the_results_permission(
    app: Any, api: httpx.AsyncClient, database: Database
) -> None:
    race = await make_race(api, entrants=1)
    comp = race["competition"]["id"]
    result = await make_result(api, comp, entry_id=race["entries"][0]["id"], elapsed_ms=50_000)
    (created,) = ok(await api.get(f"/results/{result['id']}/history"))
    async with with_token(app, database, ["read"], race["org"]["id"]) as reader:
        problem(await reader.patch(f"/results/{result['id']}", json={"elapsed_ms": 1}), 403)
        problem(await reader.delete(f"/results/{result['id']}"), 403)
        problem(await reader.post(f"/events/{created['seq']}/undo"), 403)
        assert ok(await reader.get(f"/competitions/{comp}/audit"))["data"]
    other = ok(await api.post("/organizations", json={"name": "Other", "slug": "other"}), 201)
    async with with_token(app, database, ["write"], other["id"]) as stranger:
        problem(await stranger.post(f"/events/{created['seq']}/undo"), 404)
        problem(await stranger.get(f"/competitions/{comp}/audit"), 404)
    assert ok(await api.get(f"/results/{result['id']}"))["elapsed_ms"] == 50_000


async def test_bad_reasons_are_refused(api: httpx.AsyncClient) -> None:
    race = await make_race(api, entrants=1)
    comp = race["competition"]["id"]
    result = await make_result(api, comp, entry_id=race["entries"][0]["id"])
    problem(await api.patch(f"/results/{result['id']}", json={"reason": "x" * 501}), 422)
    problem(await api.delete(f"/results/{result['id']}", params={"reason": "a\x00b"}), 422)
    problem(await api.post("/events/99999999/undo"), 404)
    assert ok(await api.get(f"/results/{result['id']}"))["id"] == result["id"]
