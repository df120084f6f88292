"""Series standings on the series' page and as JSON, from each race's final or board."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import update

from podium.core import final_ranking, resources, results
from podium.core.competitions import COMPETITIONS, CompetitionCreate
from podium.core.organizations import ORGANIZATIONS, OrganizationCreate
from podium.core.people import PEOPLE, PersonCreate
from podium.core.principal import SYSTEM
from podium.core.results import ResultCreate
from podium.store.database import Database
from podium.store.tables import Competition

PILOTS = ("Ava Sky", "Ben Loop", "Cai Dive", "Dee Gate")
ROW = re.compile(r'<td class="num">(\d+)</td>\s*<th scope="row"><a href="/people/\d+">([^<]+)</a>')


@dataclass
class Series:
    id: int
    races: list[int]
    people: dict[str, int]
    hidden: int
    contest: int
    broken: int


async def build_series(database: Database) -> Series:
    """Three races: A and C ranked by their boards, B by a declared final ranking.

    A: Ava, Ben, Cai.  B: boards says Ava first, the final says Cai, Ben, Ava.
    C: Ben, Ava, Dee; Cai did not finish. A private race and a contest do not count.
    """
    async with database.write() as session:
        org = await resources.create(
            session, SYSTEM, ORGANIZATIONS, OrganizationCreate(slug="cup", name="Cup")
        )
        series = await resources.create(
            session,
            SYSTEM,
            COMPETITIONS,
            CompetitionCreate(
                organization_id=org.id,
                name="Winter Cup",
                kind="series",
                attributes={"series": {"points": [10, 6, 4], "best_of": 2}},
            ),
        )
        broken = await resources.create(
            session,
            SYSTEM,
            COMPETITIONS,
            CompetitionCreate(
                organization_id=org.id,
                name="Broken Cup",
                kind="series",
            ),
        )
        # Rules stored before they were checked on save: the page must still answer.
        await session.execute(
            update(Competition)
            .where(Competition.id == broken.id)
            .values(attributes={"series": {"points": "lots"}})
        )
        people = {}
        for name in PILOTS:
            person = await resources.create(
                session, SYSTEM, PEOPLE, PersonCreate(organization_id=org.id, name=name)
            )
            people[name] = person.id

        async def race(name: str, times: dict[str, int | None], **extra: Any) -> int:
            created = await resources.create(
                session,
                SYSTEM,
                COMPETITIONS,
                CompetitionCreate(organization_id=org.id, parent_id=series.id, name=name, **extra),
            )
            rows = [
                ResultCreate(person_id=people[who], elapsed_ms=ms)
                if ms is not None
                else ResultCreate(person_id=people[who], status="DNF")
                for who, ms in times.items()
            ]
            await results.create_many(session, SYSTEM, created.id, rows)
            return created.id

        a = await race("Race A", {"Ava Sky": 100_000, "Ben Loop": 110_000, "Cai Dive": 120_000})
        b = await race("Race B", {"Ava Sky": 90_000, "Ben Loop": 95_000, "Cai Dive": 99_000})
        c = await race(
            "Race C",
            {"Ben Loop": 80_000, "Ava Sky": 85_000, "Dee Gate": 86_000, "Cai Dive": None},
        )
        hidden = await race("Private Race", {"Dee Gate": 1_000}, public=False)
        contest = await race("Code Round", {}, scoring="icpc", kind="contest")
        await final_ranking.declare(
            session,
            SYSTEM,
            b,
            "Final",
            [
                ResultCreate(person_id=people["Cai Dive"], place=1),
                ResultCreate(person_id=people["Ben Loop"], place=2),
                ResultCreate(person_id=people["Ava Sky"], place=3),
            ],
        )
    return Series(series.id, [a, b, c], people, hidden, contest, broken.id)


async def test_series_page_shows_points_best_of_and_shared_ranks(
    client: httpx.AsyncClient, database: Database
) -> None:
    series = await build_series(database)
    page = await client.get(f"/competitions/{series.id}")
    assert page.status_code == 200
    text = page.text
    assert 'href="/static/heats.css"' in text
    table = text[text.index('id="series-title"') : text.index("</table>", text.index("series-"))]
    # Ava: A 10 + C 6 (B's 4 dropped); Ben: A 6 + C 10 (B's 6 dropped, the later of
    # two equal scores); level on countback (a win and a second each): rank shared.
    assert ROW.findall(table) == [
        ("1", "Ava Sky"),
        ("1", "Ben Loop"),
        ("3", "Cai Dive"),
        ("4", "Dee Gate"),
    ]
    ava = table[table.index("Ava Sky") : table.index("</tr>", table.index("Ava Sky"))]
    assert "<strong>16</strong>" in ava
    assert [
        re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r'<td class="num">(.*?)</td>', ava)
    ] == [
        "16",
        "P1 · 10",
        "(P3 · 4) dropped",
        "P2 · 6",
    ]
    cai = table[table.index("Cai Dive") : table.index("</tr>", table.index("Cai Dive"))]
    assert "P1 · 10" in cai and cai.count("\u2013") == 1  # did not finish race C: no place there
    assert "Points per place: 10, 6, 4; the best 2 races of each pilot count" in text
    # The races are the columns, B marked as ranked by its final; the others are left out.
    for race_id in series.races:
        assert f'<a href="/competitions/{race_id}">' in table
    assert 'Race B</a><small class="muted"> final</small>' in table
    assert "Private Race" not in table and "Code Round" not in table
    assert text.index('id="series-title"') < text.index('id="board-title"')
    assert f'href="/competitions/{series.id}/series.json"' in text


async def test_series_json_matches_the_page(client: httpx.AsyncClient, database: Database) -> None:
    series = await build_series(database)
    response = await client.get(f"/competitions/{series.id}/series.json")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["rules"] == {"points": [10, 6, 4], "best_of": 2}
    assert [(r["id"], r["ranked_by"]) for r in body["races"]] == [
        (series.races[0], "leaderboard"),
        (series.races[1], "final_ranking"),
        (series.races[2], "leaderboard"),
    ]
    names = {v: k for k, v in series.people.items()}
    assert [(r["rank"], names[r["subject_id"]], r["points"]) for r in body["rows"]] == [
        (1, "Ava Sky", 16),
        (1, "Ben Loop", 16),
        (3, "Cai Dive", 14),
        (4, "Dee Gate", 4),
    ]
    ben = body["rows"][1]
    assert ben["subject"] == "person" and body["total"] == 4
    assert [(r["place"], r["points"], r["counted"]) for r in ben["races"]] == [
        (2, 6, True),
        (2, 6, False),
        (1, 10, True),
    ]


async def test_bad_rules_show_a_notice_not_an_error(
    client: httpx.AsyncClient, database: Database
) -> None:
    series = await build_series(database)
    page = await client.get(f"/competitions/{series.broken}")
    assert page.status_code == 200
    assert "These standings cannot be worked out yet: series points must be a list" in page.text
    download = await client.get(f"/competitions/{series.broken}/series.json")
    assert download.status_code == 422
    assert download.json()["error"].startswith("series points must be a list")


async def test_races_are_not_series_and_bad_ids_are_not_found(
    client: httpx.AsyncClient, database: Database
) -> None:
    series = await build_series(database)
    race = await client.get(f"/competitions/{series.races[0]}")
    assert race.status_code == 200 and "Series standings" not in race.text
    assert f'<a href="/competitions/{series.id}">Winter Cup</a>' in race.text  # the crumb
    for path in (
        f"/competitions/{series.races[0]}/series.json",
        f"/competitions/{series.hidden}/series.json",
        "/competitions/999999/series.json",
        "/competitions/x/series.json",
        "/competitions/-1/series.json",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path


async def test_an_empty_series_says_so(client: httpx.AsyncClient, database: Database) -> None:
    async with database.write() as session:
        org = await resources.create(
            session, SYSTEM, ORGANIZATIONS, OrganizationCreate(slug="new", name="New")
        )
        empty = await resources.create(
            session,
            SYSTEM,
            COMPETITIONS,
            CompetitionCreate(organization_id=org.id, name="Next Season", kind="series"),
        )
    text = (await client.get(f"/competitions/{empty.id}")).text
    assert "No races in this series yet." in text
    body = (await client.get(f"/competitions/{empty.id}/series.json")).json()
    assert body["rows"] == [] and body["rules"]["points"][:3] == [25, 18, 15]
