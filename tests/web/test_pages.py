"""The server-rendered pages on both backends, read anonymously like a visitor would."""

from __future__ import annotations

import csv
import io

import httpx
from sqlalchemy import select

from podium import demo
from podium.core import resources, results
from podium.core.competitions import COMPETITIONS, CompetitionCreate
from podium.core.people import PEOPLE, PersonCreate
from podium.core.principal import SYSTEM
from podium.core.results import ResultCreate
from podium.store.database import Database
from podium.store.tables import Competition, Organization, Person


async def ids(database: Database) -> dict[str, int]:
    """Demo competitions by name."""
    async with database.read() as session:
        rows = (await session.execute(select(Competition.name, Competition.id))).all()
    return {name: cid for name, cid in rows}


async def loaded(database: Database) -> dict[str, int]:
    await demo.load(database)
    return await ids(database)


async def test_home_lists_organizations_and_competitions(
    client: httpx.AsyncClient, database: Database
) -> None:
    found = await loaded(database)
    page = await client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for org in ("Skyline FPV Chapter", "Harbor Running Club", "Code Cup", "Nightdrive TM Club"):
        assert org in page.text
    assert f'href="/competitions/{found["Harbor Lights 10K"]}"' in page.text
    assert '<a class="skip" href="#main">' in page.text and 'href="/static/podium.css"' in page.text
    # Results of a race's events count for the race.
    assert '<td class="num">24</td>' in page.text


async def test_static_files_are_served(client: httpx.AsyncClient) -> None:
    script = await client.get("/static/live.js")
    assert script.status_code == 200 and "EventSource" in script.text
    style = await client.get("/static/podium.css")
    assert style.status_code == 200 and "focus-visible" in style.text


async def test_competition_page_shows_formatted_leaderboard(
    client: httpx.AsyncClient, database: Database
) -> None:
    found = await loaded(database)
    ten_k = found["10K"]
    page = await client.get(f"/competitions/{ten_k}")
    assert page.status_code == 200
    text = page.text
    assert "<h1>10K</h1>" in text and "Harbor Lights 10K" in text  # breadcrumb to the race
    assert 'aria-live="polite"' in text and f"competition_id={ten_k}" in text
    assert "Leaderboard of 10K: 11 ranked" in text
    # Ranked by the engine, times as it displays them, the DNF after the finishers.
    standings = (await client.get(f"/api/v1/competitions/{ten_k}/standings")).status_code
    assert standings == 401  # the API needs a token; the page does not
    first = text.index("James Okafor")
    assert "41:01.5" in text[first : first + 200]
    assert text.index("Maria Lopez") < text.index("Tom Walsh")
    assert "Did not finish" in text[text.index("Tom Walsh") :]
    assert f"/competitions/{ten_k}/results.csv" in text
    assert f"/api/v1/competitions/{ten_k}/results/export?format=csv" in text


async def test_fragment_is_the_live_region(client: httpx.AsyncClient, database: Database) -> None:
    found = await loaded(database)
    fragment = await client.get(f"/competitions/{found['10K']}/leaderboard.html")
    assert fragment.status_code == 200 and fragment.headers["cache-control"] == "no-store"
    assert fragment.text.lstrip().startswith('<p class="caption"')
    assert "<html" not in fragment.text
    assert "James Okafor" in fragment.text


async def test_race_page_shows_rounds_heats_and_slots(
    client: httpx.AsyncClient, database: Database
) -> None:
    found = await loaded(database)
    series = await client.get(f"/competitions/{found['Skyline Summer Series']}")
    assert series.status_code == 200
    assert f'href="/competitions/{found["Round 1: Warehouse Rumble"]}"' in series.text
    race = await client.get(f"/competitions/{found['Round 1: Warehouse Rumble']}")
    text = race.text
    assert "Rounds and heats" in text
    assert "Qualifier 1, heat 1" in text and "Qualifier 2, heat 2" in text
    assert "Ava Sky" in text and "5658 MHz" in text
    assert " laps / " in text  # most_laps results as the engine displays them
    assert "Warehouse Spiral" in text


async def test_contest_page_is_an_icpc_scoreboard(
    client: httpx.AsyncClient, database: Database
) -> None:
    found = await loaded(database)
    page = await client.get(f"/competitions/{found['Spring Programming Cup']}")
    text = page.text
    assert '<h2 id="board-title">Scoreboard</h2>' in text
    assert "4 teams, 3 problems" in text
    for label, name in (("A", "Apples"), ("B", "Bridges"), ("C", "Cycles")):
        assert f'<abbr title="{name}">{label}</abbr>' in text
    assert "team-dijk" in text and "Solved first at" in text
    fragment = await client.get(f"/competitions/{found['Spring Programming Cup']}/leaderboard.html")
    assert "scoreboard" in fragment.text and "team-ada" in fragment.text


async def test_person_page_lists_their_results(
    client: httpx.AsyncClient, database: Database
) -> None:
    await loaded(database)
    async with database.read() as session:
        ava = await session.scalar(select(Person).where(Person.name == "Ava Sky"))
        tom = await session.scalar(select(Person).where(Person.name == "Tom Walsh"))
    assert ava is not None and tom is not None
    page = await client.get(f"/people/{ava.id}")
    assert page.status_code == 200 and "<h1>Ava Sky</h1>" in page.text
    assert "Round 1: Warehouse Rumble" in page.text and "Skyline Summer Series" in page.text
    assert "Rank <strong>" in page.text and "Round 2, heat 1" in page.text
    dnf = await client.get(f"/people/{tom.id}")
    assert "Not ranked." in dnf.text and "Did not finish" in dnf.text and "Bib 108" in dnf.text


async def test_organization_page_by_slug_and_id(
    client: httpx.AsyncClient, database: Database
) -> None:
    await loaded(database)
    by_slug = await client.get("/organizations/harbor-runners")
    assert by_slug.status_code == 200 and "5K Virtual" in by_slug.text
    async with database.read() as session:
        org = await session.scalar(select(Organization).where(Organization.slug == "code-cup"))
    assert org is not None
    by_id = await client.get(f"/organizations/{org.id}")
    assert "Spring Programming Cup" in by_id.text


async def test_unknown_ids_get_a_404_page(client: httpx.AsyncClient, database: Database) -> None:
    await loaded(database)
    for path in (
        "/competitions/999999",
        "/competitions/abc",
        "/competitions/0",
        "/competitions/99999999999999999999",
        "/competitions/999999/leaderboard.html",
        "/competitions/999999/results.csv",
        "/people/999999",
        "/people/-1",
        "/organizations/nobody",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html"), path
        assert "<h1>Not found</h1>" in response.text and '<html lang="en">' in response.text


async def test_public_downloads_match_the_api(
    client: httpx.AsyncClient, api: httpx.AsyncClient, database: Database
) -> None:
    found = await loaded(database)
    ten_k = found["10K"]
    page_csv = await client.get(f"/competitions/{ten_k}/results.csv")
    api_csv = await api.get(f"/competitions/{ten_k}/results/export", params={"format": "csv"})
    assert page_csv.status_code == 200 and page_csv.text == api_csv.text
    rows = list(csv.DictReader(io.StringIO(page_csv.text)))
    assert len(rows) == 12 and {r["status"] for r in rows} == {"OK", "DNF"}
    standings = (await client.get(f"/competitions/{ten_k}/standings.json")).json()
    assert standings["rows"][0]["display"] == "41:01.5"
    assert (await client.get(f"/competitions/{ten_k}/other.csv")).status_code == 422


async def test_non_public_competitions_are_hidden(
    client: httpx.AsyncClient, database: Database
) -> None:
    found = await loaded(database)
    async with database.write() as session:
        org = await session.scalar(select(Organization).where(Organization.slug == "tm-club"))
        assert org is not None
        secret = await resources.create(
            session,
            SYSTEM,
            COMPETITIONS,
            CompetitionCreate(organization_id=org.id, name="Secret Scrims", public=False),
        )
        inside = await resources.create(
            session,
            SYSTEM,
            COMPETITIONS,
            CompetitionCreate(organization_id=org.id, name="Scrim 1", parent_id=secret.id),
        )
        racer = await resources.create(
            session, SYSTEM, PEOPLE, PersonCreate(name="Hidden Racer", organization_id=org.id)
        )
        await results.create_many(
            session, SYSTEM, secret.id, [ResultCreate(person_id=racer.id, elapsed_ms=61_000)]
        )
    for path in (
        f"/competitions/{secret.id}",
        f"/competitions/{secret.id}/leaderboard.html",
        f"/competitions/{secret.id}/results.json",
        f"/competitions/{inside.id}",  # public itself, but under a hidden parent
        f"/people/{racer.id}",  # known only from a hidden competition
    ):
        assert (await client.get(path)).status_code == 404, path
    for path in ("/", "/organizations/tm-club"):
        text = (await client.get(path)).text
        assert "Secret Scrims" not in text and "Scrim 1" not in text
    assert (await client.get(f"/competitions/{found['Nightdrive Campaign']}")).status_code == 200


async def test_names_are_escaped(client: httpx.AsyncClient, database: Database) -> None:
    found = await loaded(database)
    evil = '<script>alert("x")</script>'
    async with database.write() as session:
        person = await resources.create(session, SYSTEM, PEOPLE, PersonCreate(name=evil))
        await results.create_many(
            session,
            SYSTEM,
            found["5K Virtual"],
            [ResultCreate(person_id=person.id, elapsed_ms=1_000_000)],
        )
    for path in (
        f"/competitions/{found['5K Virtual']}",
        f"/competitions/{found['5K Virtual']}/leaderboard.html",
        f"/people/{person.id}",
    ):
        text = (await client.get(path)).text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text, path
        assert evil not in text, path
