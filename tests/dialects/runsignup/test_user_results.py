"""The seed's rules for user-submitted virtual results, over HTTP, in JSON and in XML."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from podium.dialects.runsignup import wire
from tests.conftest import PATIENT
from tests.dialects.runsignup.conftest import Race, RunSignup, first, results_of

FORMATS = ["json", "xml"]


def payload(rows: list[dict[str, Any]], request_format: str) -> str:
    if request_format == "json":
        return json.dumps({"virtual_results": rows})
    parts = []
    for row in rows:
        fields = "".join(
            f"<{key}>{'' if value is None else value}</{key}>" for key, value in row.items()
        )
        parts.append(f"<virtual_result>{fields}</virtual_result>")
    return f"<request>{''.join(parts)}</request>"


async def post(
    runsignup: RunSignup,
    race: Race,
    rows: list[dict[str, Any]],
    request_format: str,
    *,
    event_id: int | None = None,
    set_id: int | None = None,
) -> dict[str, Any]:
    data = {
        "event_id": str(event_id or race.virtual_event_id),
        "request_format": request_format,
        "request": payload(rows, request_format),
    }
    if set_id is not None:
        data["individual_result_set_id"] = str(set_id)
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        response = await http.post(
            f"{runsignup.url}/race/{race.race_id}/results/user-results",
            params={"format": "json", **race.key},
            data=data,
        )
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def results(runsignup: RunSignup, race: Race, **params: Any) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        response = await http.get(
            f"{runsignup.url}/race/{race.race_id}/results/get-results",
            params={"format": "json", "event_id": race.virtual_event_id, **race.key, **params},
        )
    return results_of(response.json())


@pytest.mark.parametrize("request_format", FORMATS)
async def test_the_registration_wins_over_a_mismatched_bib(
    runsignup: RunSignup, request_format: str
) -> None:
    race = await runsignup.race()
    registration_id, bib = first(race.registrations)
    body = await post(
        runsignup,
        race,
        [{"registration_id": registration_id, "bib_num": 9999, "clock_time": "00:17:00.1"}],
        request_format,
    )
    (receipt,) = body["virtual_results"]
    assert receipt["registration_id"] == registration_id and receipt["bib_num"] == bib
    assert receipt["submitted_time_in_ms"] == 1_020_100
    assert receipt["result_approval_ts"] is None
    assert isinstance(receipt["results_received_ts"], int)
    (row,) = await results(runsignup, race)
    assert row["bib"] == bib and row["clock_time"] == "17:00.1"


@pytest.mark.parametrize("request_format", FORMATS)
async def test_a_bib_alone_finds_its_registration(
    runsignup: RunSignup, request_format: str
) -> None:
    race = await runsignup.race()
    registration_id, bib = list(race.registrations.items())[1]
    body = await post(
        runsignup, race, [{"bib_num": bib, "clock_time": "100:00:00"}], request_format
    )
    assert body["virtual_results"][0]["registration_id"] == registration_id
    assert body["virtual_results"][0]["submitted_time_in_ms"] == 360_000_000


@pytest.mark.parametrize("request_format", FORMATS)
async def test_tally_absent_keeps_null_clears_value_sets(
    runsignup: RunSignup, request_format: str
) -> None:
    race = await runsignup.race()
    registration_id, _bib = first(race.registrations)
    base = {"registration_id": registration_id, "clock_time": "00:20:00"}
    await post(runsignup, race, [{**base, "tally_value": 1.75}], request_format)
    assert (await results(runsignup, race))[0]["tally_value"] == 1.75
    await post(runsignup, race, [dict(base, clock_time="00:19:00")], request_format)
    (row,) = await results(runsignup, race)
    assert row["tally_value"] == 1.75 and row["clock_time"] == "19:00"  # unchanged, one row
    await post(runsignup, race, [{**base, "tally_value": None}], request_format)
    assert (await results(runsignup, race))[0]["tally_value"] is None
    if request_format == "json":
        await post(runsignup, race, [{**base, "tally_value": 3}], request_format)
        await post(runsignup, race, [{**base, "tally_value": ""}], request_format)
        assert (await results(runsignup, race))[0]["tally_value"] is None


@pytest.mark.parametrize("request_format", FORMATS)
async def test_elevation_is_required_when_allowed(
    runsignup: RunSignup, request_format: str
) -> None:
    race = await runsignup.race(elevation=True)
    (a, _), (b, _) = list(race.registrations.items())[:2]
    refused = await post(
        runsignup,
        race,
        [
            {"registration_id": a, "clock_time": "00:17:00", "elevation_gain_in_mm": 1200},
            {"registration_id": b, "clock_time": "00:18:00"},
        ],
        request_format,
    )
    assert refused["error"]["error_code"] == wire.INVALID_SUBMISSION
    assert [d["index"] for d in refused["error_details"]] == [1]
    assert "elevation_gain_in_mm" in refused["error_details"][0]["error_msg"]
    assert await results(runsignup, race) == []  # the good row was not stored either
    stored = await post(
        runsignup,
        race,
        [{"registration_id": b, "clock_time": "00:18:00", "elevation_gain_in_mm": 800}],
        request_format,
    )
    assert stored["virtual_results"][0]["elevation_gain_in_mm"] == 800


@pytest.mark.parametrize("request_format", FORMATS)
async def test_elevation_is_ignored_when_not_allowed(
    runsignup: RunSignup, request_format: str
) -> None:
    race = await runsignup.race(elevation=False)
    registration_id, _ = first(race.registrations)
    body = await post(
        runsignup,
        race,
        [{"registration_id": registration_id, "clock_time": "00:17:00", "elevation_gain_in_mm": 5}],
        request_format,
    )
    assert body["virtual_results"][0]["elevation_gain_in_mm"] is None
    assert (await results(runsignup, race))[0]["elevation_gain_in_mm"] is None


@pytest.mark.parametrize("request_format", FORMATS)
async def test_result_sets_created_reused_and_ambiguous(
    runsignup: RunSignup, request_format: str
) -> None:
    race = await runsignup.race()
    (a, _), (b, _) = list(race.registrations.items())[:2]
    created = await post(
        runsignup, race, [{"registration_id": a, "clock_time": "00:17:00"}], request_format
    )
    set_id = created["virtual_results"][0]["individual_result_set_id"]
    reused = await post(
        runsignup, race, [{"registration_id": b, "clock_time": "00:18:00"}], request_format
    )
    assert reused["virtual_results"][0]["individual_result_set_id"] == set_id
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        second = await http.post(
            f"{runsignup.url}/race/{race.race_id}/results/new-result-set",
            params={"format": "json", **race.key},
            data={
                "event_id": str(race.virtual_event_id),
                "request_format": "json",
                "request": json.dumps({"individual_result_set_name": "Second"}),
            },
        )
    other = second.json()["individual_result_set_id"]
    ambiguous = await post(
        runsignup, race, [{"registration_id": a, "clock_time": "00:17:00"}], request_format
    )
    assert ambiguous["error"]["error_code"] == wire.INVALID_PARAMETERS
    assert "individual_result_set_id" in ambiguous["error"]["error_msg"]
    named = await post(
        runsignup,
        race,
        [{"registration_id": a, "clock_time": "00:16:00"}],
        request_format,
        set_id=other,
    )
    assert named["virtual_results"][0]["individual_result_set_id"] == other
    wrong = await post(
        runsignup,
        race,
        [{"registration_id": a, "clock_time": "00:16:00"}],
        request_format,
        set_id=99999,
    )
    assert wrong["error"]["error_code"] == wire.INVALID_ID


@pytest.mark.parametrize("request_format", FORMATS)
@pytest.mark.parametrize("token", ["DQ", "DNS", "DNF", "DNQ", "dnf"])
async def test_status_tokens(runsignup: RunSignup, request_format: str, token: str) -> None:
    race = await runsignup.race(people=1)
    registration_id, _ = first(race.registrations)
    body = await post(
        runsignup, race, [{"registration_id": registration_id, "clock_time": token}], request_format
    )
    assert body["virtual_results"][0]["submitted_time_in_ms"] is None
    (row,) = await results(runsignup, race)
    assert row["clock_time"] == token.upper() and row["place"] is None


@pytest.mark.parametrize("request_format", FORMATS)
@pytest.mark.parametrize(
    "clock", ["17:00", "00:61:00", "00:17:60", "1234:00:00", "abc", "-0:17:00", ""]
)
async def test_malformed_times_are_refused(
    runsignup: RunSignup, request_format: str, clock: str
) -> None:
    race = await runsignup.race(people=1)
    registration_id, _ = first(race.registrations)
    body = await post(
        runsignup, race, [{"registration_id": registration_id, "clock_time": clock}], request_format
    )
    assert body["error"]["error_code"] == wire.INVALID_SUBMISSION
    assert body["error_details"][0]["index"] == 0
    assert await results(runsignup, race) == []


@pytest.mark.parametrize("request_format", FORMATS)
async def test_unknown_registrations_and_missing_ids(
    runsignup: RunSignup, request_format: str
) -> None:
    race = await runsignup.race(people=1)
    body = await post(
        runsignup,
        race,
        [
            {"registration_id": 424242, "clock_time": "00:17:00"},
            {"clock_time": "00:17:00"},
            {"bib_num": 31337, "clock_time": "00:17:00"},
        ],
        request_format,
    )
    assert [d["index"] for d in body["error_details"]] == [0, 1, 2]


async def test_only_virtual_events_take_user_results(runsignup: RunSignup) -> None:
    race = await runsignup.race(people=1)
    registration_id, _ = first(race.timer_registrations)
    body = await post(
        runsignup,
        race,
        [{"registration_id": registration_id, "clock_time": "00:17:00"}],
        "json",
        event_id=race.event_id,
    )
    assert body["error"]["error_code"] == wire.INVALID_PARAMETERS
    assert "virtual" in body["error"]["error_msg"]


async def test_xml_response_is_the_documented_shape(runsignup: RunSignup) -> None:
    race = await runsignup.race(people=1)
    registration_id, bib = first(race.registrations)
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        response = await http.post(
            f"{runsignup.url}/race/{race.race_id}/results/user-results",
            params=race.key,  # no format: XML is the default
            data={
                "event_id": str(race.virtual_event_id),
                "request": payload(
                    [{"registration_id": registration_id, "clock_time": "00:17:00.5"}], "xml"
                ),
            },
        )
    root = wire.parse_xml(response.content)
    assert root.tag == "event_individual_results_user_upload"
    (item,) = root.findall("./virtual_results/virtual_result")
    assert item.findtext("registration_id") == str(registration_id)
    assert item.findtext("bib_num") == str(bib)
    assert item.findtext("submitted_time_in_ms") == "1020500"
    assert item.findtext("result_approval_ts") == ""
