"""Find a result, page through the whole field, one runner's page, on both backends."""

from __future__ import annotations

import io
import random
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import httpx
import segno
from sqlalchemy import select, update

from podium.core import resources, results
from podium.core.competitions import COMPETITIONS, CompetitionCreate
from podium.core.entries import ENTRIES, EntryCreate
from podium.core.organizations import ORGANIZATIONS, OrganizationCreate
from podium.core.people import PEOPLE, PersonCreate
from podium.core.principal import SYSTEM
from podium.core.results import ResultCreate, Split
from podium.store.database import Database
from podium.store.tables import Competition, Entry, Result

FIELD = 250
ROW = re.compile(
    r'<td class="num">(\d+)</td>\s*<td class="num bib-col">[^<]*</td>\s*'
    r'<th scope="row"><a href="/competitions/\d+/results/(\d+)">'
)


@dataclass
class Race:
    id: int
    other: int
    entries: list[int]  # by bib order: entries[i] has bib 1000 + i
    dnf: int


async def race(database: Database) -> Race:
    """A 10K of ``FIELD`` finishers in shuffled order, and one DNF with a reason."""
    rng = random.Random(18)
    times = list(range(FIELD))
    rng.shuffle(times)
    async with database.write() as session:
        org = await resources.create(
            session, SYSTEM, ORGANIZATIONS, OrganizationCreate(slug="bay-runners", name="Bay")
        )
        competition = await resources.create(
            session,
            SYSTEM,
            COMPETITIONS,
            CompetitionCreate(organization_id=org.id, name="Bay 10K", status="running"),
        )
        other = await resources.create(
            session, SYSTEM, COMPETITIONS, CompetitionCreate(organization_id=org.id, name="Bay 5K")
        )
        entries, rows = [], []
        for i in range(FIELD + 1):
            person = await resources.create(
                session,
                SYSTEM,
                PEOPLE,
                PersonCreate(name=f"Runner {i:03d} Quill" if i == 7 else f"Runner {i:03d}"),
            )
            entry = await resources.create(
                session,
                SYSTEM,
                ENTRIES,
                EntryCreate(
                    person_id=person.id,
                    bib=str(1000 + i),
                    attributes={"club": "Harbor RC", "chip_time": "0:40:01"} if i == 7 else {},
                ),
                competition_id=competition.id,
            )
            entries.append(entry.id)
            if i == FIELD:
                rows.append(ResultCreate(entry_id=entry.id, status="DNF", status_reason="Cramp"))
                continue
            elapsed = 2_400_000 + times[i] * 1_000
            splits = [Split(name="5 km", elapsed_ms=elapsed // 2)] if i == 7 else None
            rows.append(ResultCreate(entry_id=entry.id, elapsed_ms=elapsed, splits=splits))
        await results.create_many(session, SYSTEM, competition.id, rows)
        await session.execute(
            update(Result).where(Result.entry_id == entries[FIELD]).values(review="Protest")
        )
    return Race(competition.id, other.id, entries[:FIELD], entries[FIELD])


async def test_search_by_bib_goes_to_the_runner(
    client: httpx.AsyncClient, database: Database
) -> None:
    bay = await race(database)
    found = await client.get(f"/competitions/{bay.id}", params={"q": " 1007 "})
    assert found.status_code == 303
    assert found.headers["location"] == f"/competitions/{bay.id}/results/{bay.entries[7]}"


async def test_search_by_name_lists_matches_and_is_bounded(
    client: httpx.AsyncClient, database: Database
) -> None:
    bay = await race(database)
    quill = await client.get(f"/competitions/{bay.id}", params={"q": "qUILL"})
    assert quill.status_code == 200
    assert f'href="/competitions/{bay.id}/results/{bay.entries[7]}">Runner 007 Quill</a>' in (
        quill.text
    )
    everyone = await client.get(f"/competitions/{bay.id}", params={"q": "runner"})
    assert everyone.text.count('<li><a href="/competitions/') == 50
    assert "type more to narrow it down" in everyone.text
    # LIKE wildcards are text, not patterns.
    wild = await client.get(f"/competitions/{bay.id}", params={"q": "%"})
    assert wild.status_code == 200 and "No bib or name matches" in wild.text
    none = await client.get(f"/competitions/{bay.id}", params={"q": "Nobody"})
    assert none.status_code == 200 and "No bib or name matches “Nobody”" in none.text
    # A bib of another competition is not found here.
    assert (await client.get(f"/competitions/{bay.other}", params={"q": "1007"})).status_code == 200


async def test_page_two_is_ranks_101_to_200_in_index_order(
    client: httpx.AsyncClient, database: Database
) -> None:
    bay = await race(database)
    async with database.read() as session:
        ordered = (
            await session.scalars(
                select(Result.entry_id)
                .where(Result.competition_id == bay.id, Result.status == "OK")
                .order_by(Result.elapsed_ms)
            )
        ).all()
    first = await client.get(f"/competitions/{bay.id}")
    assert "page 1 of 3 (ranks 1\u2013100)" in first.text and "Page 1 of 3" in first.text
    assert f'href="/competitions/{bay.id}?page=2#board-title"' in first.text
    second = await client.get(f"/competitions/{bay.id}", params={"page": "2"})
    assert second.status_code == 200 and "(ranks 101\u2013200)" in second.text
    rows = [(int(rank), int(entry)) for rank, entry in ROW.findall(second.text)]
    assert [rank for rank, _ in rows] == list(range(101, 201))
    assert [entry for _, entry in rows] == list(ordered[100:200])
    assert "Did not finish" not in second.text  # the unranked follow the last page
    # The live region keeps the page the reader is on.
    assert 'leaderboard.html?page=2"' in second.text
    fragment = await client.get(f"/competitions/{bay.id}/leaderboard.html", params={"page": "2"})
    assert [int(r) for r, _ in ROW.findall(fragment.text)] == list(range(101, 201))
    last = await client.get(f"/competitions/{bay.id}", params={"page": "3"})
    assert [int(r) for r, _ in ROW.findall(last.text)] == list(range(201, 251))
    assert "Did not finish" in last.text and 'rel="next"' not in last.text


async def test_runner_page_shows_rank_time_splits_and_status(
    client: httpx.AsyncClient, database: Database
) -> None:
    bay = await race(database)
    async with database.read() as session:
        ordered = (
            await session.scalars(
                select(Result.entry_id)
                .where(Result.competition_id == bay.id, Result.status == "OK")
                .order_by(Result.elapsed_ms)
            )
        ).all()
        elapsed = await session.scalar(
            select(Result.elapsed_ms).where(Result.entry_id == bay.entries[7])
        )
    assert elapsed is not None
    rank = ordered.index(bay.entries[7]) + 1
    page = await client.get(f"/competitions/{bay.id}/results/{bay.entries[7]}")
    assert page.status_code == 200
    text = page.text
    assert '<h1 id="runner-title">Runner 007 Quill</h1>' in text
    assert f'<span class="big">{rank}</span> of {FIELD}' in text
    minutes, seconds = divmod(elapsed // 1000, 60)
    assert f"0:{minutes:02d}:{seconds:02d}.000" in text
    assert "<caption>Splits of Runner 007 Quill</caption>" in text and "5 km" in text
    assert "<dt>Club</dt><dd>Harbor RC</dd>" in text and "Chip time" in text
    assert "<dt>Bib</dt><dd>1007</dd>" in text
    dnf = (await client.get(f"/competitions/{bay.id}/results/{bay.dnf}")).text
    assert "Did not finish" in dnf and "Cramp" in dnf and "Provisional: under review" in dnf
    assert "Not ranked" in dnf
    # Names on the leaderboard lead here.
    board = (await client.get(f"/competitions/{bay.id}", params={"page": "3"})).text
    assert f'href="/competitions/{bay.id}/results/{bay.dnf}"' in board


async def test_qr_code_is_svg_of_the_page_address(
    client: httpx.AsyncClient, database: Database
) -> None:
    bay = await race(database)
    urls, svgs = [], []
    for entry in bay.entries[:2]:
        page = (await client.get(f"/competitions/{bay.id}/results/{entry}")).text
        match = re.search(r'<p class="url"><a href="([^"]+)">', page)
        assert match is not None and match.group(1).endswith(f"/results/{entry}")
        urls.append(match.group(1))
        qr = await client.get(f"/competitions/{bay.id}/results/{entry}/qr.svg")
        assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
        assert "max-age" in qr.headers["cache-control"]
        assert ET.fromstring(qr.content).tag == "{http://www.w3.org/2000/svg}svg"
        expected = io.BytesIO()
        segno.make(urls[-1], error="m", micro=False).save(
            expected, kind="svg", scale=4, title="QR code of this result page's address"
        )
        assert qr.content == expected.getvalue()  # the page's own address, encoded
        svgs.append(qr.text)
    assert svgs[0] != svgs[1]


async def test_bad_inputs_are_pages_not_errors(
    client: httpx.AsyncClient, database: Database
) -> None:
    bay = await race(database)
    cases = {
        f"/competitions/{bay.id}?q=a%00b": 400,
        f"/competitions/{bay.id}?q=" + "x" * 5000: 400,
        f"/competitions/{bay.id}?page=99999999999999999999999": 404,
        f"/competitions/{bay.id}?page=4": 404,
        f"/competitions/{bay.id}?page=0": 404,
        f"/competitions/{bay.id}?page=-1": 404,
        f"/competitions/{bay.id}?page=two": 404,
        f"/competitions/{bay.id}/leaderboard.html?page=9": 404,
        f"/competitions/{bay.id}/results/999999999": 404,
        f"/competitions/{bay.id}/results/99999999999999999999999": 404,
        f"/competitions/{bay.id}/results/abc": 404,
        f"/competitions/{bay.other}/results/{bay.entries[0]}": 404,
        f"/competitions/{bay.id}/results/999999999/qr.svg": 404,
        f"/competitions/999999999/results/{bay.entries[0]}": 404,
    }
    for path, status in cases.items():
        response = await client.get(path)
        assert response.status_code == status, path
        assert response.headers["content-type"].startswith("text/html"), path
    nul = await client.get(f"/competitions/{bay.id}", params={"q": "a\x00b"})
    assert "may not contain NUL" in nul.text and 'aria-invalid="true"' in nul.text
    empty = await client.get(f"/competitions/{bay.id}", params={"q": " "})
    assert empty.status_code == 200 and "Type a bib number or part of a name." in empty.text
    async with database.read() as session:
        assert await session.scalar(select(Entry.id).where(Entry.bib == "1007")) is not None


@dataclass
class FiveK:
    id: int
    entries: list[int]  # runner i's entry; 10 finishers, then a DQ and a DNF
    gun: list[int]
    chip: list[int]
    splits: list[dict[str, int]]
    statuses: list[str]


async def five_k(
    database: Database, attributes: dict[str, object], scoring: str = "lowest_time"
) -> FiveK:
    """A 5K with gun and chip times (chip order differs) and 1 km / 3 km splits with ties."""
    gun = [1_200_000 + i * 10_000 for i in range(12)]
    chip = [g - (i % 3) * 26_000 for i, g in enumerate(gun)]
    splits = [{"1 km": 230_000 + (i % 4) * 5_000, "3 km": 700_000 + i * 3_000} for i in range(10)]
    splits += [{"1 km": 100_000}, {"1 km": 229_000}]  # the DQ is fastest but not placed
    statuses = ["OK"] * 10 + ["DQ", "DNF"]
    async with database.write() as session:
        org = await resources.create(
            session, SYSTEM, ORGANIZATIONS, OrganizationCreate(slug="park-5k", name="Park")
        )
        competition = await resources.create(
            session,
            SYSTEM,
            COMPETITIONS,
            CompetitionCreate(
                organization_id=org.id, name="Park 5K", scoring=scoring, attributes=attributes
            ),
        )
        entries, rows = [], []
        for i in range(12):
            person = await resources.create(
                session, SYSTEM, PEOPLE, PersonCreate(name=f"Park Runner {i:02d}")
            )
            entry = await resources.create(
                session,
                SYSTEM,
                ENTRIES,
                EntryCreate(person_id=person.id, bib=str(i + 1)),
                competition_id=competition.id,
            )
            entries.append(entry.id)
            finished = statuses[i] == "OK"
            rows.append(
                ResultCreate(
                    entry_id=entry.id,
                    status=statuses[i],
                    elapsed_ms=gun[i] if finished else None,
                    attributes={"chip_time_ms": chip[i]} if finished else None,
                    splits=[Split(name=n, elapsed_ms=ms) for n, ms in splits[i].items()],
                )
            )
        await results.create_many(session, SYSTEM, competition.id, rows)
    return FiveK(competition.id, entries, gun, chip, splits, statuses)


SPLIT_ROW = re.compile(
    r'<tr><th scope="row">([^<]+)</th><td class="num time">([^<]+)</td>'
    r'<td class="num">(\d+)<span class="of"> of (\d+)</span></td>'
    r'(?:<td class="num time">([^<]+)</td>)?</tr>'
)


async def test_chip_ranked_road_race_shows_both_times_pace_and_split_places(
    client: httpx.AsyncClient, database: Database
) -> None:
    park = await five_k(
        database,
        {"distance": "5K", "display": {"time": "road"}, "scoring_options": {"rank_by": "chip"}},
    )
    by_chip = sorted(range(10), key=lambda i: park.chip[i])
    placed = [i for i, s in enumerate(park.statuses) if s in ("OK", "DNF")]
    for i in range(12):
        text = (await client.get(f"/competitions/{park.id}/results/{park.entries[i]}")).text
        if i < 10:
            assert f'<span class="big">{by_chip.index(i) + 1}</span> of 10' in text
        seen = {
            name: (time, int(place), int(of), pace)
            for name, time, place, of, pace in (SPLIT_ROW.findall(text))
        }
        if park.statuses[i] == "DQ":
            assert "Place</th>" in text and not seen  # a DQ's splits are shown, not placed
            continue
        for name, ms in park.splits[i].items():
            having = [j for j in placed if name in park.splits[j]]
            faster = sum(park.splits[j][name] < ms for j in having)
            assert seen[name][1:3] == (faster + 1, len(having)), (i, name)
    # Runner 1: chip 19:44.0 ranks, gun 20:10.0 beside it; pace from the 5K's distance.
    one = (await client.get(f"/competitions/{park.id}/results/{park.entries[1]}")).text
    assert (
        '<span class="big time">19:44.0</span> <span class="ranked-by">chip time, ranked</span>'
        ' <span class="other-time">gun time <span class="time">20:10.0</span></span>'
    ) in one
    assert '<dd class="time pace">3:57/km</dd>' in one  # 1184 s / 5 km: 236.8 s
    rows = {name: rest for name, *rest in SPLIT_ROW.findall(one)}
    # Equal 1 km times share a place: runners 1, 5 and 9 are all behind 0, 4, 8 and the DNF.
    assert rows["1 km"] == ["3:55.0", "5", "11", "3:55/km"]
    assert rows["3 km"] == ["11:43.0", "2", "10", "3:54/km"]
    five = (await client.get(f"/competitions/{park.id}/results/{park.entries[5]}")).text
    assert SPLIT_ROW.findall(five)[0][2:4] == ("5", "11")


async def test_gun_ranked_by_default_with_chip_beside_it(
    client: httpx.AsyncClient, database: Database
) -> None:
    park = await five_k(database, {"display": {"time": "road", "pace": "mile"}})
    one = (await client.get(f"/competitions/{park.id}/results/{park.entries[1]}")).text
    assert (
        '<span class="big time">20:10.0</span> <span class="ranked-by">gun time, ranked</span>'
        ' <span class="other-time">chip time <span class="time">19:44.0</span></span>'
    ) in one
    assert '<span class="big">2</span> of 10' in one  # gun order is runner order
    assert "Pace</dt>" not in one  # no distance known: no pace, not a guess
    assert "Pace</th>" in one and "6:18/mi" in one  # the 1 km split names its distance


async def test_marathon_form_and_pace_per_mile(
    client: httpx.AsyncClient, database: Database
) -> None:
    park = await five_k(
        database, {"distance": "Marathon", "display": {"time": "auto", "pace": "mile"}}
    )
    async with database.write() as session:
        await session.execute(
            update(Result)
            .where(Result.entry_id == park.entries[0])
            .values(elapsed_ms=7_523_100, attributes={})
        )
    text = (await client.get(f"/competitions/{park.id}/results/{park.entries[0]}")).text
    assert '<span class="big time">2:05:24</span> <span class="ranked-by">gun time</span>' in text
    assert '<dd class="time pace">4:47/mi</dd>' in text  # 7523.1 s / 26.22 mi


async def test_drone_laps_read_as_laps_and_total(
    client: httpx.AsyncClient, database: Database
) -> None:
    park = await five_k(database, {"display": {"time": "laps"}}, scoring="most_laps")
    async with database.write() as session:
        await session.execute(
            update(Result).where(Result.entry_id == park.entries[0]).values(laps=6)
        )
        await session.execute(
            update(Result).where(Result.entry_id == park.entries[0]).values(elapsed_ms=131_053)
        )
    text = (await client.get(f"/competitions/{park.id}/results/{park.entries[0]}")).text
    assert '<span class="big time">6 laps / 2:11.053</span>' in text
    assert "ranked-by" not in text and "Pace" not in text.split("Splits of")[0]


async def test_display_settings_stored_unchecked_read_as_defaults(
    client: httpx.AsyncClient, database: Database
) -> None:
    """Settings written before they were checked never turn the page into an error."""
    park = await five_k(database, {})
    for broken in ({"time": ["road"], "decimals": 9}, "road", {"distance_m": -5}, None):
        async with database.write() as session:
            await session.execute(
                update(Competition)
                .where(Competition.id == park.id)
                .values(attributes={"display": broken, "distance": {"km": 5}})
            )
        page = await client.get(f"/competitions/{park.id}/results/{park.entries[1]}")
        assert page.status_code == 200
        assert '<span class="big time">0:20:10.000</span>' in page.text


async def test_runner_page_shows_category_places_from_their_boards(
    client: httpx.AsyncClient, database: Database, app: Any
) -> None:
    """Gender and age-group places on the runner's page are those of the category boards."""
    from podium.ranking.leaderboards import BoardKey
    from tests.web.test_pages import loaded

    ten_k = (await loaded(database))["10K"]
    async with database.read() as session:
        entries = (
            await session.execute(
                select(Entry.id, Entry.person_id).where(
                    Entry.competition_id == ten_k, Entry.person_id.is_not(None)
                )
            )
        ).all()
    groups, fmt = await app.state.leaderboards.groups(ten_k)
    by_title = {g.title: g for g in groups}
    checked: set[str] = set()
    for entry_id, person_id in entries:
        text = (await client.get(f"/competitions/{ten_k}/results/{entry_id}")).text
        for title, place, of in re.findall(
            r'<div><dt>([^<]+)</dt><dd><span class="big">(\d+)</span> of (\d+)</dd></div>', text
        ):
            if title == "Overall rank":
                continue
            board, _ = await app.state.leaderboards.board(
                BoardKey(ten_k, None, by_title[title].key)
            )
            row = await board.get(person_id * 4 + 1, fmt.tie_rule)
            assert row is not None and (row.rank, await board.count()) == (int(place), int(of))
            checked.add(by_title[title].kind)
    assert {"gender", "age"} <= checked  # the demo's runners have genders and birth dates
