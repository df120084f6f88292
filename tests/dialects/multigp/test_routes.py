"""The RaceSync web service over real HTTP: wire rules, pushes, ZippyQ, errors."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from podium.store.tables import Heat, Round
from tests.conftest import PATIENT
from tests.dialects.multigp.conftest import Chapter, MultiGP


def slot_data(pilot: int, laps: int = 5, total: float = 121.402, **extra: Any) -> dict[str, Any]:
    return {
        "pilotId": str(pilot),
        "totalLaps": laps,
        "totalTime": total,
        "fastestLapTime": 21.93,
        "fastest3ConsecutiveLapsTime": 67.215,
        **extra,
    }


async def view(multigp: MultiGP, chapter: Chapter, race_id: int) -> dict[str, Any]:
    body = await multigp.call("POST", f"/race/view?id={race_id}", chapter)
    assert body["status"] is True, body
    data: dict[str, Any] = body["data"]
    return data


def pilots_in(round_: dict[str, Any]) -> list[list[str | None]]:
    return [[slot.get("pilotId") for slot in heat["entries"]] for heat in round_["heats"]]


async def test_chapter_from_key_and_bad_keys(multigp: MultiGP) -> None:
    chapter = await multigp.chapter()
    found = await multigp.call("POST", "/chapter/findChapterFromApiKey", chapter)
    assert found == {
        "status": True,
        "chapterId": str(chapter.chapter_id),
        "chapterName": "Skyline FPV",
    }
    # One character off (never the same character: a key ending in "0" stays wrong).
    near = chapter.api_key[:-1] + ("1" if chapter.api_key.endswith("0") else "0")
    for key in ("not-a-key", near, None):
        refused = await multigp.call("POST", "/chapter/findChapterFromApiKey", key)
        assert refused["status"] is False and refused["statusDescription"] == "Invalid API key."


async def test_race_list_and_view_shapes(multigp: MultiGP) -> None:
    chapter = await multigp.chapter()
    race_id = await multigp.race(chapter, pilots=6, cycles=2, slots=4)
    child = await multigp.race(chapter, pilots=2, name="Child", parent_id=race_id)
    listed = await multigp.call(
        "POST", f"/race/listForChapter?chapterId={chapter.chapter_id}", chapter
    )
    assert [(r["id"], r["name"]) for r in listed["data"]] == [(str(race_id), "Club Race")]
    data = await view(multigp, chapter, race_id)
    assert data["id"] == str(race_id) and data["chapterName"] == "Skyline FPV"
    assert data["childRaceCount"] == 1 and data["races"] == [{"id": str(child), "name": "Child"}]
    assert data["scoringFormat"] == "0" and data["disableSlotAutoPopulation"] == "0"
    assert data["scoringDisabled"] == "0" and isinstance(data["content"], str)
    assert [e["pilotId"] for e in data["entries"]] == [str(1001 + n) for n in range(6)]
    rounds = data["schedule"]["rounds"]
    assert len(rounds) == 2
    assert pilots_in(rounds[0]) == [["1001", "1002", "1003", "1004"], ["1005", "1006", None, None]]
    first_heat = rounds[0]["heats"][0]["entries"]
    assert [(s["slot"], s["band"], s["channel"], s["frequency"]) for s in first_heat] == [
        (1, "R", "1", 5658),
        (2, "R", "2", 5695),
        (3, "R", "3", 5732),
        (4, "R", "4", 5769),
    ]
    zippy = await multigp.race(chapter, pilots=0, zippyq=True, name="Open Q")
    assert (await view(multigp, chapter, zippy))["schedule"] == []  # never null
    simple = await multigp.call("POST", f"/race/viewSimple?id={race_id}", chapter)
    assert "schedule" not in simple["data"] and simple["data"]["id"] == str(race_id)


async def test_another_chapters_race_is_refused(multigp: MultiGP) -> None:
    ours = await multigp.chapter("Ours")
    theirs = await multigp.chapter("Theirs")
    race_id = await multigp.race(theirs, pilots=2)
    assert (await multigp.call("POST", f"/race/view?id={race_id}", ours))["status"] is False
    push = await multigp.call(
        "PUT", f"/race/assignslot/id/{race_id}/cycle/1/heat/1/slot/1", ours, slot_data(1001)
    )
    assert push["status"] is False
    other_list = await multigp.call(
        "POST", f"/race/listForChapter?chapterId={theirs.chapter_id}", ours
    )
    assert other_list["status"] is False
    assert (await view(multigp, theirs, race_id))["schedule"]["rounds"][0]["heats"][0]["entries"][
        0
    ].get("totalLaps") is None


async def test_push_forms_and_exact_milliseconds(multigp: MultiGP) -> None:
    chapter = await multigp.chapter()
    race_id = await multigp.race(chapter, pilots=4, cycles=1)
    path = await multigp.call(
        "PUT", f"/race/assignslot/id/{race_id}/cycle/1/heat/1/slot/1", chapter, slot_data(1001)
    )
    assert path["status"] is True
    query = await multigp.call(
        "POST",
        f"/race/assignSlot?id={race_id}&cycle=1&heat=1&slot=2",
        chapter,
        {
            "pilotId": "1002",
            "score": "6",
            "totalLaps": 4,
            "totalTime": "99.9996",
            "fastestLap": 19.5,
            "fastest3ConsecutiveLapTime": "61.0",
            "liveTimeRaceUrl": "https://fpvscores.example/e/1",
        },
    )
    assert query["status"] is True
    heat = (await view(multigp, chapter, race_id))["schedule"]["rounds"][0]["heats"][0]["entries"]
    assert (
        heat[0]["totalLaps"],
        heat[0]["totalTime"],
        heat[0]["fastestLap"],
        heat[0]["fastest3Laps"],
    ) == (
        "5",
        "121.402",
        "21.930",
        "67.215",
    )
    assert heat[1]["totalTime"] == "100.000" and heat[1]["fastest3Laps"] == "61.000"
    assert heat[1]["score"] == "6" and heat[1]["liveTimeRaceUrl"] == "https://fpvscores.example/e/1"


async def test_rounds_and_heats_are_made_on_demand(multigp: MultiGP) -> None:
    chapter = await multigp.chapter()
    race_id = await multigp.race(chapter, pilots=4, cycles=1)
    pushed = await multigp.call(
        "PUT", f"/race/assignslot/id/{race_id}/cycle/5/heat/3/slot/2", chapter, slot_data(1003)
    )
    assert pushed["status"] is True
    rounds = (await view(multigp, chapter, race_id))["schedule"]["rounds"]
    assert [r["name"] for r in rounds] == ["Round 1", "Round 5"]
    assert pilots_in(rounds[1]) == [[None, "1003", None, None]]


async def test_a_pilot_keeps_one_slot_per_round(multigp: MultiGP) -> None:
    chapter = await multigp.chapter()
    race_id = await multigp.race(chapter, pilots=4, cycles=1)
    base = f"/race/assignslot/id/{race_id}/cycle/1"
    await multigp.call("PUT", f"{base}/heat/1/slot/1", chapter, slot_data(1001, laps=3))
    await multigp.call("PUT", f"{base}/heat/1/slot/1", chapter, slot_data(1001, laps=4))
    await multigp.call("PUT", f"{base}/heat/2/slot/3", chapter, slot_data(1001, laps=6))
    rounds = (await view(multigp, chapter, race_id))["schedule"]["rounds"]
    placed = [
        (h, s["slot"], s.get("totalLaps"))
        for h, heat in enumerate(rounds[0]["heats"], start=1)
        for s in heat["entries"]
        if s.get("pilotId") == "1001"
    ]
    assert placed == [(2, 3, "6")]
    token = await multigp.admin_token()
    async with httpx.AsyncClient(
        headers={"Authorization": f"Bearer {token}"}, timeout=PATIENT
    ) as http:
        results = (
            await http.get(f"{multigp.server.url}/api/v1/competitions/{race_id}/results")
        ).json()["data"]
    assert [r["laps"] for r in results] == [6]


async def test_ten_concurrent_pushes_lose_nothing(multigp: MultiGP) -> None:
    chapter = await multigp.chapter()
    race_id = await multigp.race(chapter, pilots=20, cycles=1, slots=4)

    async def push(n: int) -> dict[str, Any]:
        heat, slot = divmod(n, 4)
        return await multigp.call(
            "PUT",
            f"/race/assignslot/id/{race_id}/cycle/1/heat/{heat + 1}/slot/{slot + 1}",
            chapter,
            slot_data(1001 + n, laps=n % 7, total=60 + n / 1000),
        )

    for batch in range(0, 20, 10):
        replies = await asyncio.gather(*(push(n) for n in range(batch, batch + 10)))
        assert all(r["status"] is True for r in replies), replies
    # The same ten again, at once: replaced, not duplicated.
    await asyncio.gather(*(push(n) for n in range(10)))
    rounds = (await view(multigp, chapter, race_id))["schedule"]["rounds"]
    assert pilots_in(rounds[0]) == [[str(1001 + h * 4 + s) for s in range(4)] for h in range(5)]
    token = await multigp.admin_token()
    async with httpx.AsyncClient(
        headers={"Authorization": f"Bearer {token}"}, timeout=PATIENT
    ) as http:
        results = (
            await http.get(
                f"{multigp.server.url}/api/v1/competitions/{race_id}/results", params={"limit": 100}
            )
        ).json()["data"]
    assert len(results) == 20
    assert sorted(r["elapsed_ms"] for r in results) == [60_000 + n for n in range(20)]


@pytest.mark.parametrize(
    ("scoring", "winner"),
    [("0", "1002"), ("1", "1003"), ("2", "1001"), ("6", "1002")],
)
async def test_each_scoring_format_ranks_the_board(
    multigp: MultiGP, scoring: str, winner: str
) -> None:
    chapter = await multigp.chapter()
    race_id = await multigp.race(chapter, pilots=3, cycles=1, scoring=scoring)
    pushes = {
        1001: {
            "totalLaps": 5,
            "totalTime": 100.0,
            "fastestLapTime": 19.0,
            "fastest3ConsecutiveLapsTime": 58.0,
            "fastest2ConsecutiveLapsTime": 39.5,
        },
        1002: {
            "totalLaps": 6,
            "totalTime": 110.0,
            "fastestLapTime": 18.5,
            "fastest3ConsecutiveLapsTime": 59.0,
            "fastest2ConsecutiveLapsTime": 38.0,
        },
        1003: {
            "totalLaps": 4,
            "totalTime": 90.0,
            "fastestLapTime": 18.0,
            "fastest3ConsecutiveLapsTime": 60.0,
            "fastest2ConsecutiveLapsTime": 39.0,
        },
    }
    for slot, (pilot, data) in enumerate(pushes.items(), start=1):
        reply = await multigp.call(
            "PUT",
            f"/race/assignslot/id/{race_id}/cycle/1/heat/1/slot/{slot}",
            chapter,
            {"pilotId": str(pilot), **data},
        )
        assert reply["status"] is True
    token = await multigp.admin_token()
    async with httpx.AsyncClient(
        headers={"Authorization": f"Bearer {token}"}, timeout=PATIENT
    ) as http:
        api = f"{multigp.server.url}/api/v1"
        board: dict[str, Any] = {}
        for _ in range(100):
            board = (await http.get(f"{api}/competitions/{race_id}/leaderboard")).json()
            if board.get("total") == 3:
                break
            await asyncio.sleep(0.05)
        person = board["rows"][0]["subject_id"]
        people = (
            await http.get(f"{api}/people", params={"external_id": f"multigp:{winner}"})
        ).json()["data"]
    assert people[0]["id"] == person


async def test_overall_results(multigp: MultiGP) -> None:
    chapter = await multigp.chapter()
    race_id = await multigp.race(chapter, pilots=3, cycles=1)
    ranking = [{"orderNumber": 1, "pilotId": 1002}, {"orderNumber": 2, "pilotId": 1001}]
    by_query = await multigp.call(
        "PUT",
        f"/race/captureOverallRaceResult?id={race_id}",
        chapter,
        {"raceId": str(race_id), "bracketResults": ranking},
    )
    assert by_query["status"] is True
    by_body = await multigp.call(
        "POST",
        "/race/captureOverallRaceResult",
        chapter,
        {"raceId": str(race_id), "bracketResults": [*ranking, {"orderNumber": 3, "pilotId": 1003}]},
    )
    assert by_body["status"] is True
    token = await multigp.admin_token()
    async with httpx.AsyncClient(
        headers={"Authorization": f"Bearer {token}"}, timeout=PATIENT
    ) as http:
        results = (
            await http.get(f"{multigp.server.url}/api/v1/competitions/{race_id}/results")
        ).json()["data"]
    assert sorted(r["place"] for r in results) == [1, 2, 3]  # replaced, not added
    bad = await multigp.call(
        "PUT",
        f"/race/captureOverallRaceResult?id={race_id}",
        chapter,
        {"bracketResults": [{"orderNumber": "first", "pilotId": 1}]},
    )
    assert bad["status"] is False


async def test_malformed_pushes_change_nothing(multigp: MultiGP) -> None:
    chapter = await multigp.chapter()
    race_id = await multigp.race(chapter, pilots=2, cycles=1)
    path = f"/race/assignslot/id/{race_id}/cycle/1/heat/1/slot/1"
    for data in (
        None,
        {"totalLaps": 3},
        {"pilotId": "1001", "totalLaps": "many"},
        {"pilotId": "1001", "totalTime": "-3"},
        {"pilotId": "99999", "totalLaps": 3},
        ["not", "an", "object"],
    ):
        reply = await multigp.call("PUT", path, chapter, data)
        assert reply["status"] is False and reply["statusDescription"], data
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        broken = await http.put(f"{multigp.url}{path}", content=b"{not json")
    assert broken.json()["status"] is False
    wrong_cycle = await multigp.call(
        "PUT", f"/race/assignslot/id/{race_id}/cycle/x/heat/1/slot/1", chapter, slot_data(1001)
    )
    assert wrong_cycle["status"] is False
    heat = (await view(multigp, chapter, race_id))["schedule"]["rounds"][0]["heats"][0]["entries"]
    assert all(s.get("totalLaps") is None for s in heat)


async def test_zippyq_over_several_rounds(multigp: MultiGP) -> None:
    chapter = await multigp.chapter()
    race_id = await multigp.race(chapter, pilots=0, zippyq=True, slots=4, name="Open Q")
    path = f"/race/getAdditionalRounds?id={race_id}&startFromRound=1"
    assert (await multigp.call("POST", path, chapter))["data"] == {"rounds": []}
    # Six pilots of the chapter queue; the first four fly round 1.
    await multigp.race(chapter, pilots=6, first_pilot=2001, name="Registration")
    for pilot in range(2001, 2007):
        joined = await multigp.call(
            "POST", f"/race/join?id={race_id}", chapter, {"pilotId": str(pilot)}
        )
        assert joined["status"] is True
    first = (await multigp.call("POST", path, chapter))["data"]["rounds"]
    assert len(first) == 1 and first[0]["currentRound"] == 1
    assert pilots_in(first[0]) == [["2001", "2002", "2003", "2004"]]
    # Asking again before it is flown gives the same round.
    again = (await multigp.call("POST", path, chapter))["data"]["rounds"]
    assert pilots_in(again[0]) == pilots_in(first[0])
    for slot, pilot in enumerate(range(2001, 2005), start=1):
        await multigp.call(
            "PUT",
            f"/race/assignslot/id/{race_id}/cycle/1/heat/1/slot/{slot}",
            chapter,
            slot_data(pilot),
        )
    # Round 1 is flown: the next request is answered with round 2 (currentRound 2).
    second = (await multigp.call("POST", path, chapter))["data"]["rounds"]
    assert second[0]["currentRound"] == 2
    assert pilots_in(second[0]) == [["2005", "2006", None, None]]
    for slot, pilot in enumerate((2005, 2006), start=1):
        await multigp.call(
            "PUT",
            f"/race/assignslot/id/{race_id}/cycle/2/heat/1/slot/{slot}",
            chapter,
            slot_data(pilot),
        )
    done = await multigp.call(
        "POST", f"/race/getAdditionalRounds?id={race_id}&startFromRound=3", chapter
    )
    assert done["data"] == {"rounds": []}
    # A pilot may queue up to maxZippyqDepth packs at once (3 here).
    for _ in range(3):
        ok = await multigp.call("POST", f"/race/join?id={race_id}", chapter, {"pilotId": "2001"})
        assert ok["status"] is True
    full = await multigp.call("POST", f"/race/join?id={race_id}", chapter, {"pilotId": "2001"})
    assert full["status"] is False
    third = await multigp.call(
        "POST", f"/race/getAdditionalRounds?id={race_id}&startFromRound=3", chapter
    )
    assert pilots_in(third["data"]["rounds"][0]) == [["2001", None, None, None]]


async def test_other_endpoints(multigp: MultiGP) -> None:
    chapter = await multigp.chapter()
    race_id = await multigp.race(chapter, pilots=3, cycles=1)
    pilots = await multigp.call("POST", f"/race/getPilotsForRace?id={race_id}", chapter)
    assert [p["pilotId"] for p in pilots["data"]] == ["1001", "1002", "1003"]
    rounds_min = await multigp.call("POST", f"/race/viewRoundsMin?id={race_id}", chapter)
    assert rounds_min["data"] == {"1": {"1": {"1": "1001", "2": "1002", "3": "1003"}}}
    assert (await multigp.call("POST", f"/race/resign?id={race_id}", chapter, {"pilotId": "1003"}))[
        "status"
    ]
    pilots = await multigp.call("POST", f"/race/getPilotsForRace?id={race_id}", chapter)
    assert [p["pilotId"] for p in pilots["data"]] == ["1001", "1002"]
    forced = await multigp.call(
        "POST", f"/race/forceJoinPilot?id={race_id}", chapter, {"pilotId": "1003"}
    )
    assert forced["status"] is True
    started = await multigp.call(
        "POST", f"/race/startHeat?id={race_id}", chapter, {"cycle": 1, "heat": 1}
    )
    assert started["status"] is True
    data = await view(multigp, chapter, race_id)
    assert (data["currentCycle"], data["currentHeat"]) == ("1", "1")
    # The started heat is running on Podium's side too; starting the next ends it.
    await multigp.call("POST", f"/race/startHeat?id={race_id}", chapter, {"cycle": 1, "heat": 2})
    async with multigp.database.read() as session:
        statuses = dict(
            (
                await session.execute(
                    select(Heat.number, Heat.status)
                    .join(Round, Heat.round_id == Round.id)
                    .where(Round.competition_id == race_id, Round.number == 1)
                )
            ).all()
        )
    assert statuses == {1: "finished", 2: "running"}
    assert (await multigp.call("POST", f"/race/finalize?id={race_id}", chapter))["status"] is True
    assert (await view(multigp, chapter, race_id))["finalized"] == "1"
    chapters = await multigp.call("POST", "/chapter/list", chapter)
    assert [c["name"] for c in chapters["data"]] == ["Skyline FPV"]
    users = await multigp.call("POST", f"/chapter/users?id={chapter.chapter_id}", chapter)
    assert sorted(u["pilotId"] for u in users["data"]) == ["1001", "1002", "1003"]
    page = await multigp.call(
        "POST",
        "/race/list?currentPage=0&pageSize=1",
        chapter,
        {"chapterId": str(chapter.chapter_id)},
    )
    assert [r["id"] for r in page["data"]] == [str(race_id)]
    assert (await multigp.call("POST", "/race/list?currentPage=1&pageSize=1", chapter))[
        "data"
    ] == []
    assert (await multigp.call("POST", "/user/logout", chapter)) == {"status": True}


async def test_wire_errors_are_json_with_status(multigp: MultiGP) -> None:
    chapter = await multigp.chapter()
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        unknown = await http.post(f"{multigp.url}/race/teleport", json={"apiKey": chapter.api_key})
        assert unknown.status_code == 404 and unknown.json()["status"] is False
        as_get = await http.get(f"{multigp.url}/race/view?id=1")
        assert as_get.json()["status"] is False
        missing = await http.post(
            f"{multigp.url}/race/view?id=424242", json={"apiKey": chapter.api_key}
        )
        assert missing.json()["status"] is False
        upper = await http.post(
            f"{multigp.url}/CHAPTER/FINDCHAPTERFROMAPIKEY", json={"apiKey": chapter.api_key}
        )
        assert upper.json()["status"] is True
        no_type = await http.post(
            f"{multigp.url}/chapter/findChapterFromApiKey",
            content=f'{{"apiKey": "{chapter.api_key}"}}'.encode(),
        )
        assert no_type.json()["status"] is True
