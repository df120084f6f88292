"""Our MultiGP client against the live Podium server over real HTTP.

Each test drives ``MultiGPAPI`` the way a RotorHazard timer running the MultiGP
Toolkit would: verify the key, pick a race, import it, push every slot ten at a
time, push the overall ranking, or run ZippyQ round after round. The client is
blocking, so its calls run in a worker thread (``asyncio.to_thread``) while the
fixtures, which are async, set up chapters, races and pilots.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn

from podium.app import create_app
from podium.config import Settings
from podium.dialects.multigp import MultiGPAPI, wire
from tests.conftest import PATIENT, closed_port, free_port
from tests.dialects.multigp.conftest import Chapter, MultiGP

T = TypeVar("T")

Capture = tuple[str, int, int, int, dict[str, Any]]


def connect(url: str, key: str, **kwargs: Any) -> MultiGPAPI:
    kwargs.setdefault("backoff", 0.05)
    # Ten pushes at once on a busy machine may take longer than the client's 5 s default.
    kwargs.setdefault("timeout", PATIENT.read)
    api = MultiGPAPI(None, base_url=url, **kwargs)
    api.set_api_key(key)
    return api


async def run(call: Callable[..., T], *args: Any) -> T:
    """One blocking client call, off the event loop."""
    return await asyncio.to_thread(call, *args)


def slot_result(pilot_id: str, laps: int, total: float) -> dict[str, Any]:
    """A slot result as the Toolkit builds it (consecutive-lap base 3)."""
    return {
        "pilotId": pilot_id,
        "totalLaps": laps,
        "totalTime": round(total, 3),
        "fastestLapTime": round(total / max(laps, 1) - 1, 3),
        "fastest3ConsecutiveLapsTime": round(3 * total / max(laps, 1) - 2, 3),
        "liveTimeEventUrl": "https://fpvscores.example/event/42",
    }


def filled_slots(round_: dict[str, Any]) -> list[tuple[int, int, str]]:
    """(heat number, slot number, pilot id) of every slot with a pilot."""
    return [
        (heat_number, int(slot["slot"]), str(slot["pilotId"]))
        for heat_number, heat in enumerate(round_["heats"], start=1)
        for slot in heat["entries"]
        if slot.get("pilotId")
    ]


def push_all(captures: list[Capture], api: MultiGPAPI | None, url: str, key: str) -> list[bool]:
    """Ten pushes at a time, like the Toolkit's pool: through ``api``, or one client each."""
    local = threading.local()
    made: list[MultiGPAPI] = []
    lock = threading.Lock()

    def client() -> MultiGPAPI:
        if api is not None:
            return api
        if not hasattr(local, "api"):
            local.api = connect(url, key)
            with lock:
                made.append(local.api)
        mine: MultiGPAPI = local.api
        return mine

    try:
        with ThreadPoolExecutor(10) as pool:
            return list(pool.map(lambda c: client().push_slot_and_score(c), captures))
    finally:
        for each in made:
            each.close()


async def native(multigp: MultiGP, path: str, **params: Any) -> Any:
    """GET from the native API as an instance admin."""
    token = await multigp.admin_token()
    async with httpx.AsyncClient(
        headers={"Authorization": f"Bearer {token}"}, timeout=PATIENT
    ) as http:
        response = await http.get(f"{multigp.server.url}/api/v1{path}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def person_of(multigp: MultiGP, pilot_id: str) -> int:
    people = (await native(multigp, "/people", external_id=f"multigp:{pilot_id}"))["data"]
    assert len(people) == 1, people
    person: int = people[0]["id"]
    return person


async def leaderboard(multigp: MultiGP, race_id: int, total: int) -> dict[str, Any]:
    """The native leaderboard once it has ``total`` rows (it is updated just after a write)."""
    board: dict[str, Any] = {}
    for _ in range(200):
        board = await native(multigp, f"/competitions/{race_id}/leaderboard", limit=100)
        if board["total"] == total:
            return board
        await asyncio.sleep(0.05)
    raise AssertionError(f"leaderboard never reached {total} rows: {board}")


# ---- a whole controlled event ---------------------------------------------------------------


@pytest.mark.parametrize("sharing", ["shared", "per_thread"])
async def test_full_event(multigp: MultiGP, sharing: str) -> None:
    chapter = await multigp.chapter()
    race_id = await multigp.race(chapter, pilots=10, cycles=2, slots=4, name="Spring Series")
    other_id = await multigp.race(chapter, pilots=2, cycles=1, name="Night Race")
    api = connect(multigp.url, chapter.api_key)
    try:
        # Startup: the key is verified and the chapter remembered.
        assert await run(api.pull_chapter) == "Skyline FPV"
        assert api._chapter_id == chapter.chapter_id
        assert await run(api.pull_races) == {race_id: "Spring Series", other_id: "Night Race"}

        # Import: the race with its entries and generated schedule.
        race = await run(api.pull_race_data, str(race_id))
        assert race is not None
        assert (race["id"], race["name"], race["chapterName"]) == (
            str(race_id),
            "Spring Series",
            "Skyline FPV",
        )
        assert race["childRaceCount"] == 0 and race["races"] == []
        assert race["disableSlotAutoPopulation"] == "0" and race["scoringFormat"] == "0"
        assert sorted(e["pilotId"] for e in race["entries"]) == [str(1001 + n) for n in range(10)]
        rounds = race["schedule"]["rounds"]
        assert len(rounds) == 2
        for round_ in rounds:
            # Every heat lists every slot, filled or not, each with an integer frequency.
            assert [len(h["entries"]) for h in round_["heats"]] == [4, 4, 4]
            for heat in round_["heats"]:
                assert [s["slot"] for s in heat["entries"]] == [1, 2, 3, 4]
                assert all(isinstance(s["frequency"], int) for s in heat["entries"])
            assert sorted(p for _, _, p in filled_slots(round_)) == sorted(
                str(1001 + n) for n in range(10)
            )

        # Results: every slot of every heat of both rounds, ten pushes at once.
        # Pilot 1001+i flies 2+i+r laps in round r, so 1010 wins with 12 + 13 laps.
        captures: list[Capture] = []
        expected: dict[tuple[int, int, int], dict[str, Any]] = {}
        for cycle, round_ in enumerate(rounds, start=1):
            for heat, slot, pilot in filled_slots(round_):
                index = int(pilot) - 1001
                result = slot_result(pilot, 2 + index + cycle, 60 + index * 1.25 + cycle / 8)
                captures.append((str(race_id), cycle, heat, slot, result))
                expected[(cycle, heat, slot)] = result
        assert len(captures) == 20
        shared = api if sharing == "shared" else None
        pushed = await run(push_all, captures, shared, multigp.url, chapter.api_key)
        assert pushed == [True] * 20

        # The schedule now carries each result where it was pushed.
        race = await run(api.pull_race_data, race_id)
        assert race is not None
        for cycle, round_ in enumerate(race["schedule"]["rounds"], start=1):
            for heat_number, heat in enumerate(round_["heats"], start=1):
                for slot in heat["entries"]:
                    sent = expected.get((cycle, heat_number, slot["slot"]))
                    if sent is None:
                        assert slot.get("pilotId") is None and slot.get("totalLaps") is None
                        continue
                    assert slot["pilotId"] == sent["pilotId"]
                    assert slot["totalLaps"] == str(sent["totalLaps"])
                    assert float(slot["totalTime"]) == sent["totalTime"]
                    assert float(slot["fastestLap"]) == sent["fastestLapTime"]
                    assert float(slot["fastest3Laps"]) == sent["fastest3ConsecutiveLapsTime"]
                    assert slot["liveTimeRaceUrl"] == sent["liveTimeEventUrl"]

        # The overall ranking, winner first, with integer pilot ids as the Toolkit sends.
        ranking = [{"orderNumber": n, "pilotId": 1010 - n + 1} for n in range(1, 11)]
        assert await run(api.push_overall_race_results, str(race_id), ranking) is True
    finally:
        api.close()

    # The native API sees the same event: the leaderboard ranks the pushed results,
    # Aggregate Laps summing both rounds (12 + 13 laps for the winner).
    board = await leaderboard(multigp, race_id, 10)
    assert board["scoring"] == "aggregate_laps"
    assert board["rows"][0]["subject_id"] == await person_of(multigp, "1010")
    assert board["rows"][0]["display"].startswith("25 laps")
    assert board["rows"][-1]["subject_id"] == await person_of(multigp, "1001")
    assert [row["rank"] for row in board["rows"]] == list(range(1, 11))
    results = (await native(multigp, f"/competitions/{race_id}/results", limit=100))["data"]
    places = sorted(r["place"] for r in results if r["place"] is not None)
    assert places == list(range(1, 11))
    assert len([r for r in results if r["heat_id"] is not None]) == 20


async def test_repushing_a_heat_replaces_it(multigp: MultiGP) -> None:
    chapter = await multigp.chapter()
    race_id = await multigp.race(chapter, pilots=4, cycles=1, slots=4)
    with connect(multigp.url, chapter.api_key) as api:
        first = [(str(race_id), 1, 1, s, slot_result(str(1000 + s), 3, 70.0)) for s in (1, 2, 3, 4)]
        assert await run(push_all, first, api, multigp.url, chapter.api_key) == [True] * 4
        pushed = (await native(multigp, f"/competitions/{race_id}/results", limit=100))["data"]
        # The race director corrects slot 2 and the timer pushes the heat again.
        again = [*first[:1], (str(race_id), 1, 1, 2, slot_result("1002", 5, 65.5)), *first[2:]]
        assert await run(push_all, again, api, multigp.url, chapter.api_key) == [True] * 4
        race = await run(api.pull_race_data, race_id)
    assert race is not None
    heat = race["schedule"]["rounds"][0]["heats"][0]["entries"]
    assert [(s["pilotId"], s["totalLaps"]) for s in heat] == [
        ("1001", "3"),
        ("1002", "5"),
        ("1003", "3"),
        ("1004", "3"),
    ]
    results = (await native(multigp, f"/competitions/{race_id}/results", limit=100))["data"]
    assert len(results) == 4
    # Corrected in place: the same results, and slot 2's history says what changed.
    assert sorted(r["id"] for r in results) == sorted(r["id"] for r in pushed)
    (corrected,) = [r for r in results if r["laps"] == 5]
    history = await native(multigp, f"/results/{corrected['id']}/history")
    assert [entry["action"] for entry in history] == ["created", "updated"]
    assert {"field": "laps", "before": 3, "after": 5} in history[-1]["changes"]
    assert history[-1]["actor"].startswith("multigp:")


# ---- ZippyQ --------------------------------------------------------------------------------


def next_round(api: MultiGPAPI, race_id: int, wanted: int) -> tuple[int, dict[str, Any] | None]:
    """The next ZippyQ round as a Toolkit ≥3.4 fetches it, following ``currentRound``."""
    data = api.pull_additional_rounds(race_id, wanted)
    assert data is not None
    if not data["rounds"]:
        return wanted, None
    current = int(data["rounds"][0]["currentRound"])
    if current != wanted:
        data = api.pull_additional_rounds(race_id, current)
        assert data is not None and data["rounds"]
        assert int(data["rounds"][0]["currentRound"]) == current
    round_: dict[str, Any] = data["rounds"][0]
    return current, round_


async def join(multigp: MultiGP, chapter: Chapter, race_id: int, *pilots: int) -> None:
    for pilot in pilots:
        joined = await multigp.call(
            "POST", f"/race/join?id={race_id}", chapter, {"pilotId": str(pilot)}
        )
        assert joined["status"] is True, joined


async def test_zippyq_rounds(multigp: MultiGP) -> None:
    chapter = await multigp.chapter()
    await multigp.race(chapter, pilots=6, first_pilot=2001, name="Registration")
    race_id = await multigp.race(chapter, pilots=0, zippyq=True, slots=4, name="Open Q")
    api = connect(multigp.url, chapter.api_key)
    try:
        assert await run(api.pull_chapter) == "Skyline FPV"
        race = await run(api.pull_race_data, race_id)
        assert race is not None
        assert race["disableSlotAutoPopulation"] != "0"  # ZippyQ to the Toolkit
        assert race["schedule"] == []  # no rounds yet, and never null
        assert await run(api.pull_additional_rounds, race_id, 1) == {"rounds": []}

        await join(multigp, chapter, race_id, *range(2001, 2007))
        flown: list[list[str]] = []
        wanted = 1
        while True:
            number, round_ = await run(next_round, api, race_id, wanted)
            if round_ is None:
                break
            assert number == wanted
            slots = filled_slots(round_)
            assert {heat for heat, _, _ in slots} == {1}  # ZippyQ: one heat per round
            assert all(slot["frequency"] for slot in round_["heats"][0]["entries"])
            captures: list[Capture] = [
                (str(race_id), number, 1, slot, slot_result(pilot, 4 + number, 80.0 - slot))
                for _, slot, pilot in slots
            ]
            assert await run(push_all, captures, api, multigp.url, chapter.api_key) == [True] * len(
                captures
            )
            flown.append([pilot for _, _, pilot in slots])
            wanted = number + 1
        assert flown == [["2001", "2002", "2003", "2004"], ["2005", "2006"]]

        # A timer that asks again for a round already flown is sent on to the live one.
        await join(multigp, chapter, race_id, 2003, 2001)
        data = await run(api.pull_additional_rounds, race_id, 1)
        assert data is not None and int(data["rounds"][0]["currentRound"]) == 3
        number, round_ = await run(next_round, api, race_id, 1)
        assert number == 3 and round_ is not None
        assert [p for _, _, p in filled_slots(round_)] == ["2003", "2001"]
        captures = [
            (str(race_id), 3, 1, slot, slot_result(pilot, 9, 75.0))
            for _, slot, pilot in filled_slots(round_)
        ]
        assert await run(push_all, captures, api, multigp.url, chapter.api_key) == [True, True]
        assert await run(api.pull_additional_rounds, race_id, 4) == {"rounds": []}
    finally:
        api.close()

    board = await leaderboard(multigp, race_id, 6)
    top = {row["subject_id"] for row in board["rows"][:2]}
    assert top == {await person_of(multigp, "2001"), await person_of(multigp, "2003")}
    # Aggregate Laps: 5 laps in round 1 and 9 in round 3.
    assert all(row["display"].startswith("14 laps") for row in board["rows"][:2])


# ---- refusals --------------------------------------------------------------------------------


async def test_wrong_api_key(multigp: MultiGP, caplog: pytest.LogCaptureFixture) -> None:
    chapter = await multigp.chapter()
    race_id = await multigp.race(chapter, pilots=2, cycles=1)
    for key in ("not-a-key", chapter.api_key[:-1] + ("0" if chapter.api_key[-1] != "0" else "1")):
        with connect(multigp.url, key) as api:
            assert await run(api.pull_chapter) is None
            assert api._chapter_id is None
            assert await run(api.pull_races) is None
            assert await run(api.pull_race_data, race_id) is None
            assert await run(api.pull_additional_rounds, race_id, 1) is None
            capture = (str(race_id), 1, 1, 1, slot_result("1001", 3, 60.0))
            assert await run(api.push_slot_and_score, capture) is False
            ranking = [{"orderNumber": 1, "pilotId": 1001}]
            assert await run(api.push_overall_race_results, race_id, ranking) is False
    assert "MultiGP API key cannot be verified." in caplog.text
    assert chapter.api_key not in caplog.text
    # Nothing was written.
    results = (await native(multigp, f"/competitions/{race_id}/results"))["data"]
    assert results == []


async def test_another_chapters_race(multigp: MultiGP) -> None:
    ours = await multigp.chapter("Ours")
    theirs = await multigp.chapter("Theirs")
    their_race = await multigp.race(theirs, pilots=2, cycles=1, name="Their Race")
    their_q = await multigp.race(theirs, pilots=0, zippyq=True, name="Their Q")
    our_race = await multigp.race(ours, pilots=2, cycles=1, first_pilot=3001, name="Our Race")
    with connect(multigp.url, ours.api_key) as api:
        assert await run(api.pull_chapter) == "Ours"
        assert await run(api.pull_races) == {our_race: "Our Race"}
        assert await run(api.pull_race_data, their_race) is None
        assert await run(api.pull_additional_rounds, their_q, 1) is None
        capture = (str(their_race), 1, 1, 1, slot_result("1001", 3, 60.0))
        assert await run(api.push_slot_and_score, capture) is False
        ranking = [{"orderNumber": 1, "pilotId": 1001}]
        assert await run(api.push_overall_race_results, their_race, ranking) is False
        # Our own pilot in our race is fine; their pilot in our race is not.
        ours_ok = (str(our_race), 1, 1, 1, slot_result("3001", 3, 60.0))
        assert await run(api.push_slot_and_score, ours_ok) is True
        theirs_in_ours = (str(our_race), 1, 1, 2, slot_result("1002", 3, 60.0))
        assert await run(api.push_slot_and_score, theirs_in_ours) is False
    with connect(multigp.url, theirs.api_key) as api:
        assert await run(api.pull_chapter) == "Theirs"
        race = await run(api.pull_race_data, their_race)
    assert race is not None
    heat = race["schedule"]["rounds"][0]["heats"][0]["entries"]
    assert all(slot.get("totalLaps") is None for slot in heat)
    assert (await native(multigp, f"/competitions/{their_race}/results"))["data"] == []


# ---- reconnection ----------------------------------------------------------------------------


@contextmanager
def serving(settings: Settings, port: int) -> Iterator[None]:
    """A second Podium process-alike on a fixed port, to stop and start again."""
    config = uvicorn.Config(
        create_app(settings, run_migrations=False),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(1000):
        if server.started or not thread.is_alive():
            break
        threading.Event().wait(0.02)
    assert server.started, "the server did not start"
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=20)


async def test_reconnects_after_a_server_restart(multigp: MultiGP, settings: Settings) -> None:
    """The Toolkit gives up after one connection error; this client carries on."""
    chapter = await multigp.chapter()
    race_id = await multigp.race(chapter, pilots=2, cycles=1)
    port = free_port()
    url = f"http://127.0.0.1:{port}{wire.BASE_PATH}"
    api = connect(url, chapter.api_key, retries=1, backoff=0.05)
    try:
        assert await run(api.pull_chapter) is None  # not up yet: refused, retried, given up
        with serving(settings, port):
            assert await run(api.pull_chapter) == "Skyline FPV"  # kept-alive connection now
        # Down again: the pooled connection is dead and new ones are refused.
        capture = (str(race_id), 1, 1, 1, slot_result("1001", 4, 61.0))
        assert await run(api.push_slot_and_score, capture) is False
        with serving(settings, port):
            assert await run(api.push_slot_and_score, capture) is True
            assert await run(api.pull_races) == {race_id: "Club Race"}

        # A call made while the server is down succeeds if it comes back within the retries.
        patient = connect(url, chapter.api_key, retries=8, backoff=0.1)
        try:
            started, done = threading.Event(), threading.Event()

            def restart_later() -> None:
                threading.Event().wait(0.4)
                with serving(settings, port):
                    started.set()
                    done.wait(20)

            restarter = threading.Thread(target=restart_later)
            restarter.start()
            try:
                assert await run(patient.pull_chapter) == "Skyline FPV"
                assert started.is_set()
            finally:
                done.set()
                await asyncio.to_thread(restarter.join)
        finally:
            patient.close()
    finally:
        api.close()
    heat = (await multigp.call("POST", f"/race/view?id={race_id}", chapter))["data"]["schedule"]
    assert heat["rounds"][0]["heats"][0]["entries"][0]["totalLaps"] == "4"


# ---- bad input and an absent server ----------------------------------------------------------


async def test_malformed_pushes_change_nothing(multigp: MultiGP) -> None:
    chapter = await multigp.chapter()
    race_id = await multigp.race(chapter, pilots=2, cycles=1)
    rid = str(race_id)
    bad: list[Capture] = [
        (rid, 1, 1, 1, {"totalLaps": 3}),
        (rid, 1, 1, 1, {"pilotId": "1001", "totalLaps": "many"}),
        (rid, 1, 1, 1, {"pilotId": "1001", "totalTime": "-3"}),
        (rid, 1, 1, 1, {"pilotId": "99999", "totalLaps": 3}),
        (rid, 0, 1, 1, slot_result("1001", 3, 60.0)),
        (rid, 1, 1, 0, slot_result("1001", 3, 60.0)),
    ]
    with connect(multigp.url, chapter.api_key) as api:
        for capture in bad:
            assert await run(api.push_slot_and_score, capture) is False, capture
        ranking = [{"orderNumber": "first", "pilotId": 1001}]
        assert await run(api.push_overall_race_results, race_id, ranking) is False
        race = await run(api.pull_race_data, race_id)
    assert race is not None
    heat = race["schedule"]["rounds"][0]["heats"][0]["entries"]
    assert all(slot.get("totalLaps") is None for slot in heat)
    assert (await native(multigp, f"/competitions/{race_id}/results"))["data"] == []


async def test_nothing_listening_fails_fast() -> None:
    with (
        closed_port() as port,
        connect(
            f"http://127.0.0.1:{port}{wire.BASE_PATH}",
            "any-key",
            retries=1,
            backoff=0.05,
            timeout=1.0,
        ) as api,
    ):
        started = time.monotonic()
        assert await run(api.pull_chapter) is None
        assert await run(api.pull_race_data, 1) is None
        assert await run(api._request_and_parse, "POST", "/race/view?id=1", {}) == {"status": False}
        assert await run(api.push_slot_and_score, ("1", 1, 1, 1, slot_result("1", 1, 9.0))) is False
        assert time.monotonic() - started < 3
