"""/Rest and the native API share one store, and results move the event's leaderboard."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from podium.store.database import Database
from tests.conftest import PATIENT, make_token
from tests.dialects.runsignup.conftest import RunSignup, results_of


async def test_posted_results_are_native_results_on_the_leaderboard(
    runsignup: RunSignup, database: Database
) -> None:
    race = await runsignup.race(people=3)
    rows = [
        {"registration_id": registration_id, "clock_time": f"00:1{9 - n}:00"}
        for n, registration_id in enumerate(race.registrations)
    ]
    token = await make_token(database, ["admin"])
    async with httpx.AsyncClient(
        headers={"Authorization": f"Bearer {token}"}, timeout=PATIENT
    ) as http:
        posted = await http.post(
            f"{runsignup.url}/race/{race.race_id}/results/user-results",
            params={"format": "json", **race.key},
            data={
                "event_id": str(race.virtual_event_id),
                "request_format": "json",
                "request": json.dumps({"virtual_results": rows}),
            },
        )
        assert "virtual_results" in posted.json()
        api = f"{runsignup.server.url}/api/v1" if runsignup.server else ""
        native = (await http.get(f"{api}/competitions/{race.virtual_event_id}/results")).json()
        assert sorted(r["elapsed_ms"] for r in native["data"]) == [1_020_000, 1_080_000, 1_140_000]
        board: dict[str, Any] = {}
        for _ in range(100):
            board = (
                await http.get(f"{api}/competitions/{race.virtual_event_id}/leaderboard")
            ).json()
            if board["total"] == 3:
                break
            await asyncio.sleep(0.05)
        assert board["total"] == 3
        fastest = board["rows"][0]
        assert fastest["rank"] == 1 and fastest["display"] == "0:17:00.000"
        last_registrant = list(race.registrations)[-1]
        entry = (
            await http.get(
                f"{api}/competitions/{race.virtual_event_id}/entries",
                params={"limit": 50},
            )
        ).json()["data"]
        by_registration = {e["registration_id"]: e for e in entry}
        assert fastest["subject"] == "person"
        assert fastest["subject_id"] == by_registration[str(last_registrant)]["person_id"]


async def test_native_writes_show_through_rest(runsignup: RunSignup, database: Database) -> None:
    assert runsignup.server is not None
    api = f"{runsignup.server.url}/api/v1"
    token = await make_token(database, ["admin"])
    async with httpx.AsyncClient(
        headers={"Authorization": f"Bearer {token}"}, timeout=PATIENT
    ) as http:
        org = (
            await http.post(f"{api}/organizations", json={"slug": "club", "name": "Club"})
        ).json()
        made = await http.post(
            f"{api}/runsignup/races",
            json={
                "organization_id": org["id"],
                "name": "Native Race",
                "events": [{"name": "Virtual Mile", "virtual": True}],
            },
        )
        assert made.status_code == 201, made.text
        race_id, event_id = made.json()["race_id"], made.json()["events"][0]["event_id"]
        people = await http.post(
            f"{api}/runsignup/races/{race_id}/participants",
            json={"event_id": event_id, "participants": [{"first_name": "Ada", "last_name": "L"}]},
        )
        assert people.status_code == 201, people.text
        (person,) = people.json()
        key = (await http.post(f"{api}/runsignup/races/{race_id}/keys")).json()
        result_set = (
            await http.post(
                f"{api}/competitions/{event_id}/result-sets", json={"name": "Native Set"}
            )
        ).json()
        await http.post(
            f"{api}/competitions/{event_id}/results",
            json={
                "entry_id": person["entry_id"],
                "result_set_id": result_set["id"],
                "elapsed_ms": 400_000,
            },
        )
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        race = (await http.get(f"{runsignup.url}/race/{race_id}", params={"format": "json"})).json()
        assert race["race"]["events"][0]["is_virtual_event"] == "T"
        body = (
            await http.get(
                f"{runsignup.url}/race/{race_id}/results/get-results",
                params={"format": "json", "event_id": event_id},
            )
        ).json()
        (row,) = results_of(body)
        assert row["clock_time"] == "6:40" and row["bib"] == person["bib_num"]
        listed = (
            await http.get(
                f"{runsignup.url}/race/{race_id}/participants",
                params={
                    "format": "json",
                    "event_id": event_id,
                    "api_key": key["api_key"],
                    "api_secret": key["api_secret"],
                },
            )
        ).json()
        assert listed[0]["participants"][0]["registration_id"] == person["registration_id"]
