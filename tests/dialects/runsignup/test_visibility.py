"""One rule for anonymous readers (``core.public_competition``): a non-public event of
a public race is never shown to them, and its id answers exactly as an id that does
not exist; a key of the race (or a reading token of its organization) sees both."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from podium.dialects.runsignup import wire
from podium.store.database import Database
from tests.conftest import PATIENT, make_token
from tests.dialects.runsignup.conftest import Race, RunSignup, first

MISSING = 987_654_321


async def _get(runsignup: RunSignup, path: str, **params: Any) -> httpx.Response:
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        response = await http.get(f"{runsignup.url}{path}", params={"format": "json", **params})
    assert response.status_code == 200, response.text
    return response


async def _post(runsignup: RunSignup, race: Race, action: str, data: dict[str, str]) -> Any:
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        response = await http.post(
            f"{runsignup.url}/race/{race.race_id}/results/{action}",
            params={"format": "json", **race.key},
            data=data,
        )
    body = response.json()
    assert "error" not in body, body
    return body


async def _hidden_race(runsignup: RunSignup, admin: str) -> tuple[Race, int]:
    """A public race whose virtual event is not public, with results in both events
    and a public result set on the public event naming the hidden one."""
    race = await runsignup.race()
    async with httpx.AsyncClient(
        base_url=f"{runsignup.server.url if runsignup.server else ''}/api/v1",
        headers={"Authorization": f"Bearer {admin}"},
        timeout=PATIENT,
    ) as api:
        hidden = await api.patch(f"/competitions/{race.virtual_event_id}", json={"public": False})
        assert hidden.status_code == 200, hidden.text
    registration_id, _bib = first(race.registrations)
    await _post(
        runsignup,
        race,
        "user-results",
        {
            "event_id": str(race.virtual_event_id),
            "request_format": "json",
            "request": json.dumps(
                {"virtual_results": [{"registration_id": registration_id, "clock_time": "0:21:00"}]}
            ),
        },
    )
    made = await _post(
        runsignup,
        race,
        "new-result-set",
        {
            "event_id": str(race.event_id),
            "request_format": "json",
            "request": json.dumps(
                {
                    "individual_result_set_name": "Overall",
                    "public_results": "T",
                    "alt_event_ids": [race.virtual_event_id],
                }
            ),
        },
    )
    set_id = int(made["individual_result_set_id"])
    timer_id, _ = first(race.timer_registrations)
    await _post(
        runsignup,
        race,
        "full-results",
        {
            "event_id": str(race.event_id),
            "individual_result_set_id": str(set_id),
            "request_format": "json",
            "request": json.dumps(
                {"results": [{"registration_id": timer_id, "clock_time": "0:40:00"}]}
            ),
        },
    )
    return race, set_id


def _event_ids(race_json: dict[str, Any]) -> list[int]:
    return [e["event_id"] for e in race_json.get("events", [])]


async def test_anonymous_readers_never_see_a_hidden_event(
    runsignup: RunSignup, database: Database
) -> None:
    admin = await make_token(database, ["admin"])
    race, set_id = await _hidden_race(runsignup, admin)
    other = await runsignup.race(name="Other Race")
    shown, hidden = race.event_id, race.virtual_event_id
    # Lists of races, and the race itself, in JSON and XML.
    listed = (await _get(runsignup, "/races", events="T")).json()["races"]
    by_id = {r["race"]["race_id"]: r["race"] for r in listed}
    assert _event_ids(by_id[race.race_id]) == [shown]
    for path, params in ((f"/race/{race.race_id}", {}), ("/race", {"race_id": race.race_id})):
        one = (await _get(runsignup, path, events="T", **params)).json()["race"]
        assert _event_ids(one) == [shown]
    xml = await _get(runsignup, f"/race/{race.race_id}", format="xml", events="T")
    assert [
        e.findtext("event_id") for e in wire.parse_xml(xml.content).findall("./events/event")
    ] == [str(shown)]
    races_xml = await _get(runsignup, "/races", format="xml", events="T")
    race_ids = [e.findtext("race_id") for e in wire.parse_xml(races_xml.content).iter("race")]
    listed_events = [e.text for e in wire.parse_xml(races_xml.content).iter("event_id")]
    assert str(race.race_id) in race_ids and str(hidden) not in listed_events
    assert str(shown) in listed_events
    # Guessing the hidden id answers exactly as an id that does not exist.
    base = f"/race/{race.race_id}/results"
    for action in ("get-results", "get-result-sets"):
        for fmt in ("json", "xml"):
            seen = await _get(runsignup, f"{base}/{action}", event_id=hidden, format=fmt)
            none = await _get(runsignup, f"{base}/{action}", event_id=MISSING, format=fmt)
            assert seen.content == none.content, (action, fmt)
            assert b"223" in seen.content
        legacy = await _get(runsignup, base, request_type=action, event_id=hidden)
        assert (
            legacy.content
            == (await _get(runsignup, base, request_type=action, event_id=MISSING)).content
        )
    # The public event's public set reads, without naming the hidden event.
    sets = (await _get(runsignup, f"{base}/get-result-sets", event_id=shown)).json()
    (only,) = sets["individual_results_sets"]
    assert only["individual_result_set_id"] == set_id and only["alt_event_ids"] == []
    results = (await _get(runsignup, f"{base}/get-results", event_id=shown)).json()
    assert [len(s["results"]) for s in results["individual_results_sets"]] == [1]
    assert results["individual_results_sets"][0]["alt_event_ids"] == []
    # A key of another race reads as anonymous readers do.
    elsewhere = await _get(runsignup, f"{base}/get-results", event_id=hidden, **other.key)
    assert elsewhere.json()["error"]["error_code"] == wire.EVENT_NOT_VALID


@pytest.mark.parametrize("who", ["key", "reader"])
async def test_readers_of_the_race_see_both_events(
    runsignup: RunSignup, database: Database, who: str
) -> None:
    admin = await make_token(database, ["admin"])
    race, _set_id = await _hidden_race(runsignup, admin)
    reader = await make_token(database, ["read"], runsignup.org_id)
    async with httpx.AsyncClient(
        base_url=runsignup.url,
        params={"format": "json", **(race.key if who == "key" else {})},
        headers={"Authorization": f"Bearer {reader}"} if who == "reader" else {},
        timeout=PATIENT,
    ) as http:
        one = (await http.get(f"/race/{race.race_id}", params={"events": "T"})).json()["race"]
        assert _event_ids(one) == [race.event_id, race.virtual_event_id]
        listed = (await http.get("/races", params={"events": "T"})).json()["races"]
        assert _event_ids(listed[0]["race"]) == [race.event_id, race.virtual_event_id]
        base = f"/race/{race.race_id}/results"
        hidden = await http.get(f"{base}/get-results", params={"event_id": race.virtual_event_id})
        assert [len(s["results"]) for s in hidden.json()["individual_results_sets"]] == [1]
        sets = await http.get(f"{base}/get-result-sets", params={"event_id": race.event_id})
        assert sets.json()["individual_results_sets"][0]["alt_event_ids"] == [race.virtual_event_id]
        # Reading is not writing: the reading token still may not post.
        posted = await http.post(
            f"{base}/clear-results",
            params={"event_id": race.virtual_event_id, "individual_result_set_id": 1},
        )
        if who == "reader":
            assert posted.json()["error"]["error_code"] == wire.PERMISSION_DENIED


async def test_a_hidden_race_answers_as_a_missing_one(
    runsignup: RunSignup, database: Database
) -> None:
    race = await runsignup.race()
    admin = await make_token(database, ["admin"])
    assert runsignup.server is not None
    async with httpx.AsyncClient(
        base_url=f"{runsignup.server.url}/api/v1",
        headers={"Authorization": f"Bearer {admin}"},
        timeout=PATIENT,
    ) as api:
        assert (
            await api.patch(f"/competitions/{race.race_id}", json={"public": False})
        ).status_code == 200
    for path, params in (
        ("/race/{}", {}),
        ("/race/{}/results/get-results", {"event_id": race.event_id}),
        ("/race/{}/results/get-result-sets", {"event_id": race.event_id}),
    ):
        for fmt in ("json", "xml"):
            seen = await _get(runsignup, path.format(race.race_id), format=fmt, **params)
            none = await _get(runsignup, path.format(MISSING), format=fmt, **params)
            assert seen.content == none.content, (path, fmt)
    assert race.race_id not in [
        r["race"]["race_id"] for r in (await _get(runsignup, "/races")).json()["races"]
    ]
