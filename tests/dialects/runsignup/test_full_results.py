"""Timers' full-results uploads: matching, editing by result_id, splits, and rejection."""

from __future__ import annotations

import json
from typing import Any

import httpx

from podium.dialects.runsignup import wire
from tests.conftest import PATIENT
from tests.dialects.runsignup.conftest import Race, RunSignup, results_of


async def upload(
    runsignup: RunSignup,
    race: Race,
    rows: list[dict[str, Any]],
    *,
    set_id: int | None = None,
    request_format: str = "json",
) -> dict[str, Any]:
    if request_format == "json":
        request = json.dumps({"results": rows})
    else:
        request = (
            "<request>"
            + "".join(
                "<result>" + "".join(f"<{k}>{v}</{k}>" for k, v in row.items()) + "</result>"
                for row in rows
            )
            + "</request>"
        )
    data = {"event_id": str(race.event_id), "request_format": request_format, "request": request}
    if set_id is not None:
        data["individual_result_set_id"] = str(set_id)
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        response = await http.post(
            f"{runsignup.url}/race/{race.race_id}/results/full-results",
            params={"format": "json", **race.key},
            data=data,
        )
    body: dict[str, Any] = response.json()
    return body


async def rows(runsignup: RunSignup, race: Race) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        response = await http.get(
            f"{runsignup.url}/race/{race.race_id}/results/get-results",
            params={"format": "json", "event_id": race.event_id},
        )
    return results_of(response.json())


async def test_matching_by_registration_bib_and_chip(runsignup: RunSignup) -> None:
    race = await runsignup.race(people=3)
    (r0, _b0), (_r1, b1), (r2, _b2) = list(race.timer_registrations.items())
    chip = f"CHIP{race.event_id}-2"
    body = await upload(
        runsignup,
        race,
        [
            {"registration_id": r0, "clock_time": "0:28:05.123", "place": 1},
            {"bib": b1, "clock_time": "28:10.5", "place": 2},
            {"chip_num": chip, "clock_time": "DNF"},
        ],
    )
    assert [(r["registration_id"], r["bib"]) for r in body["results"]] == [
        (r0, race.timer_registrations[r0]),
        (list(race.timer_registrations)[1], b1),
        (r2, race.timer_registrations[r2]),
    ]
    listed = await rows(runsignup, race)
    assert [(r["place"], r["clock_time"]) for r in listed] == [
        (1, "28:05.123"),
        (2, "28:10.5"),
        (None, "DNF"),
    ]


async def test_editing_by_result_id_and_splits(runsignup: RunSignup) -> None:
    race = await runsignup.race(people=1)
    registration_id = next(iter(race.timer_registrations))
    first = await upload(
        runsignup,
        race,
        [
            {
                "registration_id": registration_id,
                "clock_time": "40:00",
                "split-7": "20:00",
                "split-8": "30:00",
            }
        ],
    )
    result_id = first["results"][0]["result_id"]
    set_id = first["individual_result_set_id"]
    # Blank leaves a split, "X" clears it, a time replaces it; no new row is made.
    edited = await upload(
        runsignup,
        race,
        [
            {
                "result_id": result_id,
                "clock_time": "39:59.9",
                "split-7": "",
                "split-8": "X",
                "split-9": "35:00",
            }
        ],
        set_id=set_id,
    )
    assert edited["results"][0]["result_id"] == result_id
    (row,) = await rows(runsignup, race)
    assert row["clock_time"] == "39:59.9"
    assert row["split-7"] == "20:00" and row["split-9"] == "35:00" and "split-8" not in row


async def test_unmatched_rows_need_names_and_bad_rows_store_nothing(runsignup: RunSignup) -> None:
    race = await runsignup.race(people=1)
    refused = await upload(
        runsignup,
        race,
        [
            {"bib": 999, "clock_time": "30:00"},
            {"first_name": "Walk", "last_name": "In", "clock_time": "31:00"},
            {"registration_id": next(iter(race.timer_registrations)), "clock_time": "thirty"},
            {"result_id": 123456, "clock_time": "30:00"},
        ],
    )
    assert refused["error"]["error_code"] == wire.INVALID_SUBMISSION
    assert [d["index"] for d in refused["error_details"]] == [0, 2, 3]
    assert await rows(runsignup, race) == []
    walk_in = await upload(
        runsignup,
        race,
        [{"first_name": "Walk", "last_name": "In", "clock_time": "31:00"}],
        request_format="xml",
    )
    assert walk_in["results"][0]["registration_id"] is None
    (row,) = await rows(runsignup, race)
    assert (row["first_name"], row["last_name"], row["clock_time"]) == ("Walk", "In", "31:00")


async def test_division_placements_by_gender_and_age_group(runsignup: RunSignup) -> None:
    """Rows posted with gender and age are placed within Women/Men and 5-year groups."""
    race = await runsignup.race(people=0)
    posted = [
        ("Ann", "F", 41, "0:20:00"),
        ("Bob", "M", 33, "0:19:00"),
        ("Cat", "F", 44, "0:21:00"),
        ("Dov", "M", 30, "0:22:00"),
        ("Eli", "F", 29, "DNF"),
    ]
    body = await upload(
        runsignup,
        race,
        [
            {"first_name": n, "last_name": "Runner", "gender": g, "age": a, "clock_time": t}
            for n, g, a, t in posted
        ],
    )
    assert "error" not in body, body
    async with httpx.AsyncClient() as http:
        response = await http.get(
            f"{runsignup.url}/race/{race.race_id}/results/get-results",
            params={
                "format": "json",
                "event_id": race.event_id,
                "include_total_finishers": "T",
                "include_division_finishers": "T",
            },
        )
    result_set = response.json()["individual_results_sets"][0]
    columns = {
        title: column
        for column, title in result_set["results_headers"].items()
        if column.startswith("division-")
    }
    assert set(columns) == {"Women", "Men", "F 40-44", "M 30-34"}
    placed = {
        row["first_name"]: {title: row[column] for title, column in columns.items()}
        for row in result_set["results"]
    }
    assert placed["Ann"] == {"Women": 1, "Men": None, "F 40-44": 1, "M 30-34": None}
    assert placed["Cat"] == {"Women": 2, "Men": None, "F 40-44": 2, "M 30-34": None}
    assert placed["Bob"]["Men"] == 1 and placed["Dov"]["Men"] == 2
    assert placed["Dov"]["M 30-34"] == 2 and placed["Eli"]["Women"] is None  # DNF: no place
    counts = result_set["num_division_finishers"]
    assert counts[columns["Women"].split("-")[1]] == 2
    assert counts[columns["M 30-34"].split("-")[1]] == 2
    assert {row["first_name"]: row["age"] for row in result_set["results"]}["Bob"] == 33
