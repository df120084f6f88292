"""Category places over HTTP: group leaderboards, a competitor's places, downloads."""

from __future__ import annotations

import csv
import io

import httpx

from podium.api import Client
from tests.conftest import LiveServer

# name, gender, birth date (race on 2026-06-06), division, team, time in seconds
FIELD = [
    ("Ada", "F", "1986-06-06", "Elite", "Wolves", 2000),  # 40 on the day
    ("Bea", "F", "1986-06-07", "Open", "Hares", 1900),  # 39 on the day
    ("Cal", "M", "1990-01-01", "Elite", "Wolves", 1800),
    ("Dan", "M", "1960-02-29", "Open", "Wolves", 2100),  # leap-day birthday
    ("Eve", "F", "2000-05-05", "Open", "Hares", 2000),  # ties Ada
]


async def race(api: httpx.AsyncClient) -> tuple[int, dict[str, int]]:
    org = (await api.post("/organizations", json={"slug": "cats", "name": "Cats"})).json()
    comp = (
        await api.post(
            "/competitions",
            json={
                "organization_id": org["id"],
                "name": "10K",
                "starts_at": "2026-06-06T09:00:00Z",
                "attributes": {"categories": {"age_groups": "10"}},
            },
        )
    ).json()
    teams = {}
    for name in ("Wolves", "Hares"):
        teams[name] = (await api.post("/teams", json={"name": name})).json()["id"]
    people = {}
    rows = []
    for bib, (name, gender, born, division, team, seconds) in enumerate(FIELD, start=101):
        person = (
            await api.post("/people", json={"name": name, "gender": gender, "birth_date": born})
        ).json()
        people[name] = person["id"]
        entry = await api.post(
            f"/competitions/{comp['id']}/entries",
            json={
                "person_id": person["id"],
                "bib": str(bib),
                "team_id": teams[team],
                "attributes": {"category": division},
            },
        )
        assert entry.status_code == 201, entry.text
        rows.append({"person_id": person["id"], "elapsed_ms": seconds * 1000})
    posted = await api.post(f"/competitions/{comp['id']}/results/bulk", json={"results": rows})
    assert posted.status_code == 201, posted.text
    return comp["id"], people


async def test_group_leaderboards_and_the_category_list(api: httpx.AsyncClient) -> None:
    competition_id, people = await race(api)
    listed = (await api.get(f"/competitions/{competition_id}/categories")).json()["categories"]
    assert {(c["group"], c["total"]) for c in listed} == {
        ("gender:F", 3),
        ("gender:M", 2),
        ("age:F:40-49", 1),
        ("age:F:30-39", 1),
        ("age:F:20-29", 1),
        ("age:M:30-39", 1),
        ("age:M:60-69", 1),
        ("division:Elite", 2),
        ("division:Open", 3),
        ("team:Wolves", 3),
        ("team:Hares", 2),
    }
    women = (
        await api.get(f"/competitions/{competition_id}/leaderboard", params={"group": "gender:F"})
    ).json()
    assert women["group"] == "gender:F" and women["total"] == 3
    assert [(r["rank"], r["subject_id"]) for r in women["rows"]] == [
        (1, people["Bea"]),
        (2, people["Ada"]),
        (2, people["Eve"]),
    ]
    mine = (
        await api.get(f"/competitions/{competition_id}/leaderboard/person/{people['Eve']}")
    ).json()
    assert mine["row"]["rank"] == 3  # overall: Cal, Bea, then Ada and Eve
    assert {p["group"]: (p["rank"], p["total"]) for p in mine["places"]} == {
        "gender:F": (2, 3),
        "age:F:20-29": (1, 1),
        "division:Open": (2, 3),
        "team:Hares": (2, 2),
    }


async def test_a_changed_gender_moves_the_runner_between_boards(api: httpx.AsyncClient) -> None:
    competition_id, people = await race(api)
    url = f"/competitions/{competition_id}/leaderboard"
    assert (await api.get(url, params={"group": "gender:M"})).json()["total"] == 2
    changed = await api.patch(f"/people/{people['Ada']}", json={"gender": "M"})
    assert changed.status_code == 200, changed.text
    men = (await api.get(url, params={"group": "gender:M"})).json()
    assert [r["subject_id"] for r in men["rows"]] == [people["Cal"], people["Ada"], people["Dan"]]
    assert (await api.get(url, params={"group": "gender:F"})).json()["total"] == 2


async def test_bad_groups_are_clear_errors(api: httpx.AsyncClient) -> None:
    competition_id, _people = await race(api)
    url = f"/competitions/{competition_id}/leaderboard"
    for group in ("F", "sex:F", "age:F", "x" * 401):
        response = await api.get(url, params={"group": group})
        assert response.status_code in (400, 422), (group, response.text)
        assert "group" in response.text
    both = await api.get(url, params={"group": "gender:F", "challenge_id": 1})
    assert both.status_code == 422 and "whole competition" in both.text
    empty = await api.get(url, params={"group": "division:Nobody"})
    assert empty.status_code == 200 and empty.json()["total"] == 0
    settings = await api.patch(
        f"/competitions/{competition_id}",
        json={"attributes": {"categories": {"age_groups": [50, 40]}}},
    )
    assert settings.status_code in (400, 422) and "must rise" in settings.text
    for attributes, words in (
        ({"series": {"points": "lots"}}, "series points"),
        ({"display": {"time": "sundial"}}, "display"),
        ({"scoring_options": {"rank_by": "feet"}}, "rank_by"),
    ):
        refused = await api.patch(
            f"/competitions/{competition_id}", json={"attributes": attributes}
        )
        assert refused.status_code == 422 and words in refused.text, refused.text


async def test_downloads_carry_names_bibs_categories_and_places(api: httpx.AsyncClient) -> None:
    competition_id, people = await race(api)
    rows = (await api.get(f"/competitions/{competition_id}/standings")).json()["rows"]
    eve = next(r for r in rows if r["subject_id"] == people["Eve"])
    assert {k: eve[k] for k in ("name", "bib", "gender", "age", "age_group", "division")} == {
        "name": "Eve",
        "bib": "105",
        "gender": "F",
        "age": 26,
        "age_group": "20-29",
        "division": "Open",
    }
    assert (eve["gender_place"], eve["age_group_place"], eve["division_place"]) == (2, 1, 2)
    assert eve["team"] == "Hares" and eve["team_place"] == 2
    dan = next(r for r in rows if r["subject_id"] == people["Dan"])
    assert dan["age"] == 66  # born 29 February 1960: 66 since 1 March 2026
    text = (
        await api.get(f"/competitions/{competition_id}/standings", params={"format": "csv"})
    ).text
    table = list(csv.DictReader(io.StringIO(text)))
    assert [(r["name"], r["bib"], r["gender_place"]) for r in table] == [
        ("Cal", "103", "1"),
        ("Bea", "102", "1"),
        ("Ada", "101", "2"),
        ("Eve", "105", "2"),
        ("Dan", "104", "2"),
    ]
    export = await api.get(f"/competitions/{competition_id}/results/export")
    exported = list(csv.DictReader(io.StringIO(export.text)))
    assert {(r["name"], r["bib"]) for r in exported} == {
        (name, str(bib)) for bib, (name, *_rest) in enumerate(FIELD, start=101)
    }


def test_the_client_reads_categories(live_server: LiveServer, admin_token: str) -> None:
    with Client(live_server.url, admin_token) as client:
        org = client.create_organization(slug="catc", name="Cats client")
        race = client.create_competition(organization_id=org.id, name="5K")
        people = [
            client.create_person(name=name, gender=gender).id
            for name, gender in (("A", "F"), ("B", "M"), ("C", "F"))
        ]
        client.bulk_create_results(
            race.id,
            [{"person_id": p, "elapsed_ms": 20_000 - i} for i, p in enumerate(people)],
        )
        listed = client.get_categories(race.id)
        assert [(c.group, c.title, c.total) for c in listed.categories] == [
            ("gender:F", "Women", 2),
            ("gender:M", "Men", 1),
        ]
        women = client.get_leaderboard(race.id, group="gender:F")
        assert [r.subject_id for r in women.rows] == [people[2], people[0]]
        assert client.get_standing(race.id, "person", people[0]).places[0].rank == 2
