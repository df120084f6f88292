"""The rest of /Rest: auth forms, login, races, participants, result sets, errors, limits."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from podium.dialects.runsignup import wire
from podium.store.database import Database
from podium.store.tables import Competition, Credential
from podium.store.types import utcnow
from tests.conftest import PATIENT, make_token
from tests.dialects.runsignup.conftest import Race, RunSignup, first, results_of


async def call(
    runsignup: RunSignup,
    method: str,
    path: str,
    params: dict[str, Any] | None = None,
    **kwargs: Any,
) -> httpx.Response:
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        response = await http.request(
            method, f"{runsignup.url}{path}", params={"format": "json", **(params or {})}, **kwargs
        )
    assert response.status_code in (200, 413), response.text
    return response


def user_result(race: Race, clock: str = "00:20:00") -> dict[str, str]:
    registration_id, _ = first(race.registrations)
    return {
        "event_id": str(race.virtual_event_id),
        "request_format": "json",
        "request": json.dumps(
            {"virtual_results": [{"registration_id": registration_id, "clock_time": clock}]}
        ),
    }


async def test_every_auth_form(runsignup: RunSignup, database: Database) -> None:
    race = await runsignup.race()
    path = f"/race/{race.race_id}/results/user-results"
    assert (
        "virtual_results"
        in (await call(runsignup, "POST", path, race.key, data=user_result(race))).json()
    )
    v2 = await call(
        runsignup,
        "POST",
        path,
        {"rsu_api_key": race.api_key},
        headers={"X-RSU-API-SECRET": race.api_secret},
        data=user_result(race),
    )
    assert "virtual_results" in v2.json()
    token = await make_token(database, ["write"], runsignup.org_id)
    bearer = await call(
        runsignup,
        "POST",
        path,
        headers={"Authorization": f"Bearer {token}"},
        data=user_result(race),
    )
    assert "virtual_results" in bearer.json()
    reader = await make_token(database, ["read"], runsignup.org_id)
    read_only = await call(
        runsignup,
        "POST",
        path,
        headers={"Authorization": f"Bearer {reader}"},
        data=user_result(race),
    )
    assert read_only.json()["error"]["error_code"] == wire.PERMISSION_DENIED
    await runsignup.user("rd@example.com", "correct horse", [race.race_id])
    login = (
        await call(
            runsignup,
            "POST",
            "/login",
            data={"email": "RD@example.com", "password": "correct horse"},
        )
    ).json()
    assert login["user"]["email"] == "rd@example.com"
    tmp = {"tmp_key": login["tmp_key"], "tmp_secret": login["tmp_secret"]}
    assert (
        "virtual_results"
        in (await call(runsignup, "POST", path, tmp, data=user_result(race))).json()
    )
    mixed = await call(runsignup, "POST", path, {**tmp, **race.key}, data=user_result(race))
    assert mixed.json()["error"]["error_code"] == wire.INVALID_PARAMETERS
    assert (await call(runsignup, "POST", "/logout", tmp)).json() == {"success": "T"}
    after = await call(runsignup, "POST", path, tmp, data=user_result(race))
    assert after.json()["error"]["error_code"] == wire.KEY_AUTH_FAILED


async def test_bad_and_missing_credentials(runsignup: RunSignup) -> None:
    race = await runsignup.race()
    other = await runsignup.race(name="Other Race")
    path = f"/race/{race.race_id}/results/user-results"
    none = await call(runsignup, "POST", path, data=user_result(race))
    assert none.json()["error"]["error_code"] == wire.PERMISSION_DENIED
    wrong = await call(
        runsignup, "POST", path, {**race.key, "api_secret": "nope"}, data=user_result(race)
    )
    assert wrong.json() == {"error": {"error_code": 6, "error_msg": "Key authentication failed."}}
    elsewhere = await call(runsignup, "POST", path, other.key, data=user_result(race))
    assert elsewhere.json()["error"]["error_code"] == wire.PERMISSION_DENIED
    no_header = await call(
        runsignup, "POST", path, {"rsu_api_key": race.api_key}, data=user_result(race)
    )
    assert no_header.json()["error"]["error_code"] == wire.KEY_AUTH_FAILED
    bad_bearer = await call(
        runsignup, "POST", path, headers={"Authorization": "Bearer nope"}, data=user_result(race)
    )
    assert bad_bearer.json()["error"]["error_code"] == wire.KEY_AUTH_FAILED


async def test_login_failures_and_tmp_expiry(runsignup: RunSignup, database: Database) -> None:
    race = await runsignup.race()
    await runsignup.user("rd@example.com", "pw-123456", [race.race_id])
    unknown = await call(
        runsignup, "POST", "/login", data={"email": "x@example.com", "password": "p"}
    )
    assert unknown.json()["error"]["error_code"] == wire.USER_NOT_FOUND
    bad = await call(runsignup, "POST", "/login", data={"email": "rd@example.com", "password": "p"})
    assert bad.json()["error"]["error_code"] == wire.BAD_LOGIN
    as_get = await call(runsignup, "GET", "/login")
    assert as_get.json()["error"]["error_code"] == wire.METHOD_NOT_SUPPORTED
    login = (
        await call(
            runsignup, "POST", "/login", data={"email": "rd@example.com", "password": "pw-123456"}
        )
    ).json()
    tmp = {"tmp_key": login["tmp_key"], "tmp_secret": login["tmp_secret"]}
    # Using the key moves its expiry to an hour after the use ...
    async with database.write() as session:
        row = await session.scalar(
            select(Credential).where(Credential.identifier == login["tmp_key"])
        )
        assert row is not None
        row.expires_at = utcnow() + timedelta(minutes=10)
    path = f"/race/{race.race_id}/results/user-results"
    assert (
        "virtual_results"
        in (await call(runsignup, "POST", path, tmp, data=user_result(race))).json()
    )
    async with database.read() as session:
        row = await session.scalar(
            select(Credential).where(Credential.identifier == login["tmp_key"])
        )
        assert row is not None and row.expires_at is not None
        assert row.expires_at > utcnow() + timedelta(minutes=55)
    # ... and an hour without use ends it.
    async with database.write() as session:
        row = await session.scalar(
            select(Credential).where(Credential.identifier == login["tmp_key"])
        )
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
    expired = await call(runsignup, "POST", path, tmp, data=user_result(race))
    assert expired.json()["error"]["error_code"] == wire.KEY_AUTH_FAILED


async def test_races_and_race(runsignup: RunSignup) -> None:
    race = await runsignup.race()
    listed = (await call(runsignup, "GET", "/races", {"events": "T"})).json()
    (item,) = listed["races"]
    assert item["race"]["race_id"] == race.race_id
    assert [e["event_id"] for e in item["race"]["events"]] == [race.event_id, race.virtual_event_id]
    one = (await call(runsignup, "GET", f"/race/{race.race_id}")).json()["race"]
    assert one["name"] == "Harbor 10K"
    assert {e["event_id"]: e["is_virtual_event"] for e in one["events"]} == {
        race.event_id: "F",
        race.virtual_event_id: "T",
    }
    legacy = (await call(runsignup, "GET", "/race", {"race_id": race.race_id})).json()
    assert legacy["race"]["race_id"] == race.race_id
    missing = (await call(runsignup, "GET", "/race/999999")).json()
    assert missing["error"]["error_code"] == wire.RACE_NOT_FOUND
    xml = await call(runsignup, "GET", f"/race/{race.race_id}", {"format": "xml"})
    root = wire.parse_xml(xml.content)
    assert root.tag == "race" and root.findtext("race_id") == str(race.race_id)
    assert len(root.findall("./events/event")) == 2


async def test_participants_shape(runsignup: RunSignup) -> None:
    race = await runsignup.race(people=3)
    path = f"/race/{race.race_id}/participants"
    refused = (await call(runsignup, "GET", path, {"event_id": race.virtual_event_id})).json()
    assert refused["error"]["error_code"] == wire.PERMISSION_DENIED
    body = (
        await call(
            runsignup,
            "GET",
            path,
            {"event_id": f"{race.virtual_event_id},{race.event_id}", **race.key},
        )
    ).json()
    assert isinstance(body, list) and len(body) == 2
    assert body[0]["event"] == {"event_id": race.virtual_event_id, "participants": []}
    people = body[0]["participants"]
    assert [p["registration_id"] for p in people] == sorted(race.registrations)
    assert {p["registration_id"]: p["bib_num"] for p in people} == race.registrations
    assert people[0]["user"]["first_name"] == "Runner0"
    paged = (
        await call(
            runsignup,
            "GET",
            path,
            {"event_id": race.virtual_event_id, "page": 2, "results_per_page": 2, **race.key},
        )
    ).json()
    assert len(paged[0]["participants"]) == 1


async def test_result_set_management(runsignup: RunSignup) -> None:
    race = await runsignup.race()
    base = f"/race/{race.race_id}/results"
    made = (
        await call(
            runsignup,
            "POST",
            f"{base}/new-result-set",
            race.key,
            data={
                "event_id": str(race.virtual_event_id),
                "request_format": "xml",
                "request": "<request>"
                "<individual_result_set_name>Overall</individual_result_set_name>"
                "<public_results>F</public_results><pace_type>t</pace_type></request>",
            },
        )
    ).json()
    set_id = made["individual_result_set_id"]
    sets = (
        await call(
            runsignup,
            "GET",
            f"{base}/get-result-sets",
            {"event_id": race.virtual_event_id, **race.key},
        )
    ).json()["individual_results_sets"]
    assert [
        (s["individual_result_set_name"], s["public_results"], s["pace_type"]) for s in sets
    ] == [("Overall", "F", "t")]
    # A private set is invisible without a key.
    public = (
        await call(runsignup, "GET", f"{base}/get-result-sets", {"event_id": race.virtual_event_id})
    ).json()
    assert public["individual_results_sets"] == []
    edited = await call(
        runsignup,
        "POST",
        f"{base}/edit-result-set",
        race.key,
        data={
            "event_id": str(race.virtual_event_id),
            "individual_result_set_id": str(set_id),
            "request_format": "json",
            "request": json.dumps({"individual_result_set_name": "Final", "public_results": "T"}),
        },
    )
    assert edited.json() == {"individual_result_set_id": set_id}
    sets = (
        await call(runsignup, "GET", f"{base}/get-result-sets", {"event_id": race.virtual_event_id})
    ).json()["individual_results_sets"]
    # The edit omitted pace_type, so it went back to its default.
    assert [(s["individual_result_set_name"], s["pace_type"]) for s in sets] == [("Final", "T")]
    await call(runsignup, "POST", f"{base}/user-results", race.key, data=user_result(race))
    cleared = await call(
        runsignup,
        "POST",
        f"{base}/clear-results",
        race.key,
        data={"event_id": str(race.virtual_event_id), "individual_result_set_id": str(set_id)},
    )
    assert cleared.json() == {"individual_result_set_id": set_id, "num_results_cleared": 1}
    deleted = await call(
        runsignup,
        "POST",
        f"{base}/delete-result-set",
        {**race.key, "event_id": race.virtual_event_id, "individual_result_set_id": set_id},
    )
    assert deleted.json()["success"] == "T"
    again = await call(
        runsignup,
        "POST",
        f"{base}/delete-result-set",
        {**race.key, "event_id": race.virtual_event_id, "individual_result_set_id": set_id},
    )
    assert again.json()["error"]["error_code"] == wire.INVALID_ID


async def test_get_results_pages_and_filters(runsignup: RunSignup) -> None:
    race = await runsignup.race(people=5)
    rows = [
        {"registration_id": registration_id, "clock_time": f"00:2{n}:00"}
        for n, registration_id in enumerate(race.registrations)
    ]
    await call(
        runsignup,
        "POST",
        f"/race/{race.race_id}/results/user-results",
        race.key,
        data={
            "event_id": str(race.virtual_event_id),
            "request_format": "json",
            "request": json.dumps({"virtual_results": rows}),
        },
    )
    path = f"/race/{race.race_id}/results/get-results"
    params = {"event_id": race.virtual_event_id, "results_per_page": 2}
    pages = [
        results_of((await call(runsignup, "GET", path, {**params, "page": page})).json())
        for page in (1, 2, 3, 4)
    ]
    assert [len(p) for p in pages] == [2, 2, 1, 0]
    assert [row["place"] for page in pages for row in page] == [1, 2, 3, 4, 5]
    assert pages[0][0]["clock_time"] == "20:00"
    body = (await call(runsignup, "GET", path, {"event_id": race.virtual_event_id})).json()
    headers = body["individual_results_sets"][0]["results_headers"]
    assert set(results_of(body)[0]) == set(headers)
    bib = race.registrations[list(race.registrations)[3]]
    by_bib = results_of((await call(runsignup, "GET", path, {**params, "bib_num": bib})).json())
    assert [row["bib"] for row in by_bib] == [bib]
    by_name = results_of(
        (
            await call(
                runsignup, "GET", path, {"event_id": race.virtual_event_id, "first_name": "runner4"}
            )
        ).json()
    )
    assert [row["first_name"] for row in by_name] == ["Runner4"]


async def test_errors_are_in_band_and_in_the_asked_format(runsignup: RunSignup) -> None:
    race = await runsignup.race()
    unknown = await call(runsignup, "GET", "/nothing")
    assert unknown.json() == {"error": {"error_code": 1, "error_msg": "Unknown method."}}
    wrong_verb = await call(runsignup, "GET", f"/race/{race.race_id}/results/user-results")
    assert wrong_verb.json()["error"]["error_code"] == wire.METHOD_NOT_SUPPORTED
    bad_event = await call(
        runsignup, "GET", f"/race/{race.race_id}/results/get-results", {"event_id": 999999}
    )
    assert bad_event.json()["error"]["error_code"] == wire.EVENT_NOT_VALID
    missing = await call(runsignup, "GET", f"/race/{race.race_id}/results/get-results")
    assert missing.json()["error"]["error_code"] == wire.INVALID_PARAMETERS
    csv = await call(runsignup, "GET", f"/race/{race.race_id}", {"format": "csv"})
    assert b"<error_code>10</error_code>" in csv.content
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        xml = await http.get(f"{runsignup.url}/nothing")
    root = wire.parse_xml(xml.content)
    assert root.tag == "error" and root.findtext("error_code") == "1"
    bad_json = await call(
        runsignup,
        "POST",
        f"/race/{race.race_id}/results/user-results",
        race.key,
        data={"event_id": str(race.virtual_event_id), "request_format": "json", "request": "{nope"},
    )
    assert bad_json.json()["error"]["error_code"] == wire.INVALID_PARAMETERS


@pytest.mark.parametrize("prefix", ["/rest", "/REST", "/Rest"])
async def test_paths_are_case_insensitive(runsignup: RunSignup, prefix: str) -> None:
    race = await runsignup.race()
    assert runsignup.server is not None
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        response = await http.get(
            f"{runsignup.server.url}{prefix}/Race/{race.race_id}/Results/Get-Result-Sets",
            params={"format": "json", "event_id": race.virtual_event_id},
        )
    assert "individual_results_sets" in response.json()


async def test_legacy_request_type_dispatch(runsignup: RunSignup) -> None:
    race = await runsignup.race()
    response = await call(
        runsignup,
        "GET",
        f"/race/{race.race_id}/results",
        {"request_type": "get-result-sets", "event_id": race.virtual_event_id},
    )
    assert "individual_results_sets" in response.json()


async def test_an_xml_bomb_is_refused(runsignup: RunSignup) -> None:
    race = await runsignup.race()
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{"&lol{};".format(i - 1 if i > 1 else "") * 10}">'
            for i in range(1, 10)
        )
        + "]><request><virtual_result><clock_time>&lol9;</clock_time></virtual_result></request>"
    )
    response = await call(
        runsignup,
        "POST",
        f"/race/{race.race_id}/results/user-results",
        race.key,
        data={"event_id": str(race.virtual_event_id), "request_format": "xml", "request": bomb},
    )
    assert response.json()["error"]["error_code"] == wire.INVALID_PARAMETERS
    external = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<request><virtual_result><clock_time>&x;</clock_time></virtual_result></request>"
    )
    response = await call(
        runsignup,
        "POST",
        f"/race/{race.race_id}/results/user-results",
        race.key,
        data={"event_id": str(race.virtual_event_id), "request_format": "xml", "request": external},
    )
    assert response.json()["error"]["error_code"] == wire.INVALID_PARAMETERS
    assert "root:" not in response.text


async def test_a_50_mb_request_is_refused(runsignup: RunSignup) -> None:
    race = await runsignup.race()

    async def chunks() -> Any:
        yield b"event_id=1&request="
        for _ in range(50):
            yield b"x" * (1024 * 1024)

    async with httpx.AsyncClient(timeout=60) as http:
        response = await http.post(
            f"{runsignup.url}/race/{race.race_id}/results/user-results",
            params={"format": "json", **race.key},
            content=chunks(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 413
    assert response.json()["error"]["error_code"] == wire.INVALID_PARAMETERS


async def test_draft_races_are_listed_only_to_their_keys(
    runsignup: RunSignup, database: Database
) -> None:
    race = await runsignup.race(name="Draft Race")
    other = await runsignup.race(name="Public Race")
    async with database.write() as session:
        row = await session.get(Competition, race.race_id)
        assert row is not None
        row.public = False
    anonymous = (await call(runsignup, "GET", "/races")).json()["races"]
    assert [r["race"]["race_id"] for r in anonymous] == [other.race_id]
    keyed = (await call(runsignup, "GET", "/races", race.key)).json()["races"]
    assert sorted(r["race"]["race_id"] for r in keyed) == sorted([race.race_id, other.race_id])
    assert (await call(runsignup, "GET", f"/race/{race.race_id}")).json()["error"][
        "error_code"
    ] == 201
