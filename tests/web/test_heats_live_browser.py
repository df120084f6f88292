"""A race page's heats in headless Chromium, following a race as it is flown.

A MultiGP race (two heats of four) is served over real HTTP; while the page is open a
heat is started and finished through the native API, as the console does, and a pilot's
result is pushed through RaceSync's ``assignslot``, as RotorHazard does. "Racing now",
"Up next" and the heat tables must change without a reload. Screenshots of the race and
its series (desktop, phone, projector) go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from podium.config import Settings
from podium.core import organizations, resources
from podium.core.competitions import COMPETITIONS, CompetitionCreate
from podium.core.organizations import OrganizationCreate
from podium.core.principal import SYSTEM
from podium.dialects.multigp import auth, races
from podium.store.database import Database
from podium.store.tables import Entry, Heat, Person, Round, Slot
from tests.browsing import DESKTOP, PHONE, in_thread, shoot
from tests.conftest import LiveServer, make_token

PILOTS = [
    races.PilotSpec(str(2001 + n), first, last)
    for n, (first, last) in enumerate(
        [
            ("Ava", "Sky"),
            ("Ben", "Loop"),
            ("Cai", "Dive"),
            ("Dee", "Gate"),
            ("Eli", "Flip"),
            ("Fay", "Roll"),
            ("Gus", "Yaw"),
            ("Hal", "Pitch"),
        ]
    )
]
PROJECTOR = {"width": 1920, "height": 1080}


@dataclass
class Race:
    server: LiveServer
    race_id: int
    series_id: int
    heats: list[int]  # heat 1 and heat 2 of round 1
    slots: dict[str, tuple[int, int, int]]  # pilot name -> (heat id, slot id, entry id)
    chapter_key: str
    token: str

    def url(self, path: str) -> str:
        return f"{self.server.url}{path}"

    def native(self, method: str, path: str, body: dict[str, Any]) -> None:
        response = httpx.request(
            method,
            self.url(f"/api/v1{path}"),
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
        )
        assert response.status_code in (200, 201), response.text

    def heat_status(self, heat: int, status: str) -> None:
        """Start or finish a heat, as the console's results desk does."""
        self.native("PATCH", f"/heats/{self.heats[heat - 1]}", {"status": status})

    def push(self, heat: int, slot: int, data: dict[str, Any]) -> None:
        """One pilot's heat result, as RotorHazard's MultiGP Toolkit pushes it."""
        path = f"/race/assignslot/id/{self.race_id}/cycle/1/heat/{heat}/slot/{slot}"
        response = httpx.put(
            self.url(f"/mgp/multigpwebservice{path}"),
            json={"apiKey": self.chapter_key, "data": data},
        )
        assert response.status_code == 200 and response.json()["status"] is True, response.text


@pytest.fixture(scope="module")
def flying(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Race]:
    """A series with one MultiGP race on SQLite, served over HTTP, nothing flown yet."""
    folder = tmp_path_factory.mktemp("heats")
    path = folder / "podium.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"

    async def prepare() -> tuple[int, int, list[int], dict[str, tuple[int, int, int]], str, str]:
        database = Database(url)
        try:
            async with database.write() as session:
                org = await organizations.create_organization(
                    session, SYSTEM, OrganizationCreate(slug="skyline", name="Skyline FPV")
                )
                key = await auth.create_key(session, org.id, "Skyline FPV")
                series = await resources.create(
                    session,
                    SYSTEM,
                    COMPETITIONS,
                    CompetitionCreate(organization_id=org.id, name="Summer Series", kind="series"),
                )
                spec = races.RaceSpec("Warehouse Rumble", cycles=1, slots=4)
                race = await races.create_race(
                    session, SYSTEM, org.id, spec, PILOTS, parent_id=series.id
                )
            async with database.read() as session:
                rows = await session.execute(
                    select(Heat.id, Slot.id, Entry.id, Person.name)
                    .join(Round, Heat.round_id == Round.id)
                    .join(Slot, Slot.heat_id == Heat.id)
                    .join(Entry, Slot.entry_id == Entry.id)
                    .join(Person, Entry.person_id == Person.id)
                    .where(Round.competition_id == race.id)
                    .order_by(Heat.number, Slot.number)
                )
                slots = {name: (heat, slot, entry) for heat, slot, entry, name in rows}
            token = await make_token(database, ["admin"])
        finally:
            await database.dispose()
        heats = sorted({heat for heat, _, _ in slots.values()})
        return race.id, series.id, heats, slots, key, token

    race_id, series_id, heats, slots, key, token = in_thread(prepare)
    settings = Settings(database_url=url, data_dir=folder / "data", redis_url=None, log_json=False)
    with LiveServer(settings) as server:
        yield Race(server, race_id, series_id, heats, slots, key, token)


@pytest.fixture
def page(browser: Browser, flying: Race) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    opened = context.new_page()
    yield opened
    context.close()


def heat_row(page: Page, heat_id: int, name: str) -> Any:
    return page.locator(f'table[data-heat="{heat_id}"] tbody tr', has_text=name)


def test_heats_follow_the_race_without_a_reload(page: Page, flying: Race) -> None:
    page.goto(flying.url(f"/competitions/{flying.race_id}"))
    now, upcoming = page.locator(".now-racing"), page.locator(".up-next")
    expect(now).to_contain_text("No heat is running.")
    expect(upcoming).to_contain_text("Round 1, heat 1")
    # Connected to the feed (not the polling fallback) before anything happens.
    page.wait_for_function("window.podiumHeats && window.podiumHeats.mode === 'live'")
    page.evaluate("window.stillHere = 'same document'")

    flying.heat_status(1, "running")
    expect(now).to_contain_text("Round 1, heat 1", timeout=5000)
    expect(now).to_contain_text("Ava Sky")
    expect(upcoming).to_contain_text("Round 1, heat 2")
    expect(page.locator(f'table.heat-current[data-heat="{flying.heats[0]}"]')).to_have_count(1)

    heat_id, _, _ = flying.slots["Ben Loop"]
    ben = heat_row(page, heat_id, "Ben Loop")
    expect(ben).to_contain_text("\u2013")
    flying.push(
        1,
        2,
        {
            "pilotId": "2002",
            "score": 10,
            "totalLaps": 5,
            "totalTime": 101.25,
            "fastestLapTime": 19.5,
        },
    )
    expect(ben).to_contain_text("5 laps", timeout=5000)
    expect(ben.locator("td").nth(2)).to_have_text("1")  # place in the heat
    shoot(page, "race-heats-running-desktop")

    flying.heat_status(1, "finished")
    flying.heat_status(2, "running")
    expect(now).to_contain_text("Round 1, heat 2", timeout=5000)
    expect(now).to_contain_text("Hal Pitch")
    expect(upcoming).to_contain_text("No heat is scheduled after this one.")

    # A timer that sends every lap (native API): the pilot's lap times appear, fastest marked.
    heat_id, slot_id, entry_id = flying.slots["Eli Flip"]
    flying.native(
        "POST",
        f"/competitions/{flying.race_id}/results",
        {
            "entry_id": entry_id,
            "heat_id": heat_id,
            "slot_id": slot_id,
            "laps": 3,
            "lap_times_ms": [21_930, 20_118, 22_400],
            "elapsed_ms": 64_448,
        },
    )
    eli = heat_row(page, heat_id, "Eli Flip")
    laps = eli.locator("td.lap-times-col ol.laps li")
    expect(laps).to_have_count(3, timeout=5000)
    expect(eli.locator("td.lap-times-col ol.laps li.best")).to_contain_text("0:20.118")
    assert page.evaluate("window.stillHere") == "same document"  # no reload happened
    assert page.evaluate("window.podiumHeats.events") >= 3  # driven by the feed
    assert page.evaluate("window.podiumHeats.mode") == "live"
    shoot(page, "race-heats-desktop")


def test_race_and_series_pages_fit_a_phone_and_a_projector(browser: Browser, flying: Race) -> None:
    pages = {
        "race-heats": f"/competitions/{flying.race_id}",
        "series": f"/competitions/{flying.series_id}",
    }
    for size, viewport, query in (
        ("phone", PHONE, ""),
        ("desktop", DESKTOP, ""),
        ("projector", PROJECTOR, "?view=projector"),
    ):
        context = browser.new_context(viewport=viewport, is_mobile=size == "phone")  # type: ignore[arg-type]
        try:
            screen = context.new_page()
            for name, path in pages.items():
                response = screen.goto(flying.url(path + query))
                assert response is not None and response.status == 200, path
                expect(screen.locator("h1")).to_be_visible()
                overflow = screen.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, f"{path} scrolls sideways by {overflow}px ({size})"
                if name == "series":
                    expect(screen.locator("#series-title")).to_be_visible()
                else:
                    expect(screen.locator(".now-next")).to_be_visible()
                if size == "desktop" and name == "race-heats":
                    continue  # the live test shoots it with results in
                shoot(screen, f"{name}-{size}")
        finally:
            context.close()


def test_polling_takes_over_when_the_feed_fails(page: Page, flying: Race) -> None:
    page.route("**/api/v1/event-feed/**", lambda route: route.abort())
    flying.heat_status(2, "running")
    page.goto(flying.url(f"/competitions/{flying.race_id}"))
    now = page.locator(".now-racing")
    expect(now).to_contain_text("Round 1, heat 2")
    page.wait_for_function("window.podiumHeats && window.podiumHeats.mode === 'polling'")
    page.evaluate("window.stillHere = 'same document'")
    flying.heat_status(2, "finished")
    expect(now).to_contain_text("No heat is running.", timeout=5000)
    assert page.evaluate("window.stillHere") == "same document"
    assert page.evaluate("window.podiumHeats.events") == 0
