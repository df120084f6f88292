"""A race page's heats: racing now, up next, lap times, the live fragment, the final result."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from podium.core import final_ranking, resources, results
from podium.core.competitions import COMPETITIONS, CompetitionCreate, CompetitionUpdate
from podium.core.entries import ENTRIES, EntryCreate
from podium.core.organizations import ORGANIZATIONS, OrganizationCreate
from podium.core.people import PEOPLE, PersonCreate
from podium.core.principal import SYSTEM
from podium.core.results import ResultCreate
from podium.core.schedule import (
    HEATS,
    ROUNDS,
    SLOTS,
    HeatCreate,
    HeatUpdate,
    RoundCreate,
    SlotCreate,
)
from podium.store.database import Database
from podium.web import heats

PILOTS = ("Ava Sky", "Ben Loop", "Cai Dive", "Dee Gate")
# Heat 1 is flown (Ava 3 laps, Ben 2), heat 2 is in the air, heat 3 waits.
LINEUPS = ((0, 1), (2, 3), (0, 2))
LAPS = {0: [21_930, 20_118, 22_400], 1: [23_050, 24_999]}


@dataclass
class Race:
    id: int
    organization_id: int
    heats: list[int]
    entries: list[int]
    slots: list[list[int]]


async def build_race(
    database: Database,
    *,
    name: str = "Night Heat",
    statuses: tuple[str, str, str] = ("finished", "running", "scheduled"),
    slug: str = "night-fpv",
) -> Race:
    """A drone race: four pilots, one round of three heats of two, heat 1 with results."""
    async with database.write() as session:
        org = await resources.create(
            session, SYSTEM, ORGANIZATIONS, OrganizationCreate(slug=slug, name="Night FPV")
        )
        race = await resources.create(
            session,
            SYSTEM,
            COMPETITIONS,
            CompetitionCreate(
                organization_id=org.id,
                name=name,
                kind="mgp_race",
                scoring="aggregate_laps",
                status="running",
            ),
        )
        entries = []
        for index, pilot in enumerate(PILOTS):
            person = await resources.create(
                session, SYSTEM, PEOPLE, PersonCreate(organization_id=org.id, name=pilot)
            )
            entry = await resources.create(
                session,
                SYSTEM,
                ENTRIES,
                EntryCreate(person_id=person.id, band="R", channel=str(index + 1)),
                competition_id=race.id,
            )
            entries.append(entry.id)
        rnd = await resources.create(
            session, SYSTEM, ROUNDS, RoundCreate(name="Qualifier 1"), competition_id=race.id
        )
        heat_ids, slot_ids, rows = [], [], []
        for lineup, status in zip(LINEUPS, statuses, strict=True):
            heat = await resources.create(
                session, SYSTEM, HEATS, HeatCreate(status=status), round_id=rnd.id
            )
            heat_ids.append(heat.id)
            slot_ids.append([])
            for pilot in lineup:
                slot = await resources.create(
                    session,
                    SYSTEM,
                    SLOTS,
                    SlotCreate(entry_id=entries[pilot], band="R", channel=str(pilot + 1)),
                    heat_id=heat.id,
                )
                slot_ids[-1].append(slot.id)
                if status == "finished":
                    laps = LAPS[pilot]
                    rows.append(
                        ResultCreate(
                            entry_id=entries[pilot],
                            heat_id=heat.id,
                            slot_id=slot.id,
                            laps=len(laps),
                            lap_times_ms=laps,
                            elapsed_ms=sum(laps),
                        )
                    )
        await results.create_many(session, SYSTEM, race.id, rows)
    return Race(race.id, org.id, heat_ids, entries, slot_ids)


async def set_status(database: Database, heat_id: int, status: str) -> None:
    async with database.write() as session:
        await resources.update(session, SYSTEM, HEATS, heat_id, HeatUpdate(status=status))


def between(text: str, start: str, end: str) -> str:
    first = text.index(start)
    return text[first : text.index(end, first)]


async def test_racing_now_and_up_next_lead_the_heats(
    client: httpx.AsyncClient, database: Database
) -> None:
    race = await build_race(database)
    page = await client.get(f"/competitions/{race.id}")
    assert page.status_code == 200
    text = page.text
    assert 'href="/static/heats.css"' in text and 'src="/static/heats.js"' in text
    heats_at = text.index('id="heats-title"')
    now = between(text, "<h3>Racing now</h3>", "</div>")
    assert (
        now.index(f'href="#heat-{race.heats[1]}"') < now.index("Cai Dive") < now.index("Dee Gate")
    )
    assert "Qualifier 1, heat 2" in now and "Ava Sky" not in now
    upcoming = between(text, "<h3>Up next</h3>", "</div>")
    assert "Qualifier 1, heat 3" in upcoming and "Ava Sky" in upcoming and "Cai Dive" in upcoming
    # Both sit above the first heat table, inside the live region that heats.js refreshes.
    assert heats_at < text.index("<h3>Racing now</h3>") < text.index('<table class="heat')
    region = between(text, '<div id="live-heats"', ">")
    assert f'data-fragment="/competitions/{race.id}/heats.html"' in region
    assert f"competition_id={race.id}&amp;types=results,heats,slots" in region
    assert f'<table class="heat heat-current" data-heat="{race.heats[1]}"' in text
    assert f'<table class="heat heat-next" data-heat="{race.heats[2]}"' in text
    assert f'<table class="heat" data-heat="{race.heats[0]}" data-status="finished">' in text


async def test_lap_times_per_pilot_as_the_engine_writes_them(
    client: httpx.AsyncClient, database: Database
) -> None:
    race = await build_race(database)
    text = (await client.get(f"/competitions/{race.id}")).text
    flown = between(text, f'data-heat="{race.heats[0]}"', "</table>")
    ava = between(flown, "Ava Sky", "</tr>")
    # In the lap-times column, and folded under the name for a phone.
    assert ava.count("<li") == 6 and ava.count('<details class="phone-laps">') == 1
    assert between(ava, 'class="lap-times-col"', "</td>").count("<li") == 3
    assert '<span class="sr">Lap 1: </span>0:21.930</li>' in ava
    # The fastest lap (20.118) is marked, in words too.
    assert '<li class="best"><span class="sr">Lap 2: </span>0:20.118' in ava
    column = between(ava, 'class="lap-times-col"', "</td>")
    assert column.count('class="best"') == 1 and "(fastest)" in column
    assert "3 laps / 0:01:04.448" in ava  # the heat result, by the engine's display
    ben = between(flown, "Ben Loop", "</tr>")
    assert "0:23.050" in ben and "0:24.999" in ben and '<td class="num">2</td>' in ben
    waiting = between(text, f'data-heat="{race.heats[2]}"', "</table>")
    assert "<ol" not in waiting  # nothing flown yet: a dash, no empty list


async def test_the_fragment_follows_status_changes_and_results(
    client: httpx.AsyncClient, database: Database
) -> None:
    race = await build_race(database)
    fragment = await client.get(f"/competitions/{race.id}/heats.html")
    assert fragment.status_code == 200 and fragment.headers["cache-control"] == "no-store"
    assert fragment.text.lstrip().startswith('<div class="now-next"')
    assert "<html" not in fragment.text
    # Heat 2 lands and heat 3 starts, as the console or a timer would record it.
    await set_status(database, race.heats[1], "finished")
    await set_status(database, race.heats[2], "running")
    async with database.write() as session:
        await results.create_many(
            session,
            SYSTEM,
            race.id,
            [
                ResultCreate(
                    entry_id=race.entries[2],
                    heat_id=race.heats[1],
                    slot_id=race.slots[1][0],
                    laps=1,
                    lap_times_ms=[19_500],
                    elapsed_ms=19_500,
                )
            ],
        )
    text = (await client.get(f"/competitions/{race.id}/heats.html")).text
    now = between(text, "<h3>Racing now</h3>", "</div>")
    assert "Qualifier 1, heat 3" in now
    assert "No heat is scheduled after this one." in between(text, "<h3>Up next</h3>", "</div>")
    landed = between(text, f'data-heat="{race.heats[1]}"', "</table>")
    assert "0:19.500" in landed and '<td class="num">1</td>' in landed


@pytest.mark.parametrize(
    ("statuses", "now", "upcoming"),
    [
        # Nothing running: up next is the first scheduled heat.
        (("finished", "scheduled", "scheduled"), None, 2),
        # The first running heat is the current one; the next is scheduled after it.
        (("running", "running", "scheduled"), 1, 3),
        # A cancelled heat is skipped; nothing left to run.
        (("finished", "running", "cancelled"), 2, None),
        (("scheduled", "cancelled", "running"), 3, None),
    ],
)
async def test_which_heat_is_current_and_next(
    client: httpx.AsyncClient,
    database: Database,
    statuses: tuple[str, str, str],
    now: int | None,
    upcoming: int | None,
) -> None:
    race = await build_race(database, statuses=statuses)
    text = (await client.get(f"/competitions/{race.id}/heats.html")).text
    current = between(text, "<h3>Racing now</h3>", "</div>")
    following = between(text, "<h3>Up next</h3>", "</div>")
    if now is None:
        assert "No heat is running." in current
    else:
        assert f"Qualifier 1, heat {now}</a>" in current
    if upcoming is None:
        assert "No heat is scheduled" in following
    else:
        assert f"Qualifier 1, heat {upcoming}</a>" in following


async def test_the_final_result_comes_before_the_heats(
    client: httpx.AsyncClient, database: Database
) -> None:
    race = await build_race(database)
    async with database.write() as session:
        await final_ranking.declare(
            session,
            SYSTEM,
            race.id,
            "Bracket final",
            [
                ResultCreate(entry_id=race.entries[1], place=1),
                ResultCreate(entry_id=race.entries[0], place=2),
            ],
        )
    text = (await client.get(f"/competitions/{race.id}")).text
    final = between(text, 'id="final-title"', "</table>")
    assert final.index("Ben Loop") < final.index("Ava Sky")
    assert text.index('id="final-title"') < text.index('id="heats-title"')


async def test_bad_ids_and_hidden_races_get_404(
    client: httpx.AsyncClient, database: Database
) -> None:
    race = await build_race(database)
    async with database.write() as session:
        await resources.update(
            session, SYSTEM, COMPETITIONS, race.id, CompetitionUpdate(public=False)
        )
    for path in (
        f"/competitions/{race.id}/heats.html",
        "/competitions/999999/heats.html",
        "/competitions/0/heats.html",
        "/competitions/abc/heats.html",
        "/competitions/99999999999999999999/heats.html",
        "/competitions/%E2%91%A0/heats.html",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "Not found" in response.text


async def test_a_race_without_rounds_has_no_heats_section(
    client: httpx.AsyncClient, database: Database
) -> None:
    async with database.write() as session:
        org = await resources.create(
            session, SYSTEM, ORGANIZATIONS, OrganizationCreate(slug="quiet", name="Quiet")
        )
        race = await resources.create(
            session, SYSTEM, COMPETITIONS, CompetitionCreate(organization_id=org.id, name="Q")
        )
    page = (await client.get(f"/competitions/{race.id}")).text
    assert 'id="live-heats"' not in page and "heats.js" not in page and "heats.css" not in page
    fragment = await client.get(f"/competitions/{race.id}/heats.html")
    assert fragment.status_code == 200 and "No heat is running." in fragment.text


def test_lap_lists_are_bounded_and_skip_nonsense() -> None:
    shown, more = heats.laps_of([30_000] * (heats.MOST_LAPS + 5) + [-1])
    assert len(shown) == heats.MOST_LAPS and more == 5
    shown, more = heats.laps_of([True, 25_000, -3, 24_000])  # type: ignore[list-item]
    assert [(lap.number, lap.shown, lap.best) for lap in shown] == [
        (1, "0:25.000", False),
        (2, "0:24.000", True),
    ]
    assert more == 0 and heats.laps_of([]) == ((), 0)
