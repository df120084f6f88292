"""The front end in headless Chromium against a real server with the demo loaded.

Results are recorded through the RunSignup dialect over real HTTP while the page is
open; the leaderboard must change without a reload. Screenshots of the main pages
(desktop and phone) are saved under ``artifacts/screenshots/`` for review.

These tests are plain functions on purpose: Playwright's sync API cannot run inside
a running asyncio loop, and the server runs in its own thread.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from podium import demo
from podium.config import Settings
from podium.dialects.runsignup import auth
from podium.store.database import Database
from podium.store.tables import Competition, Person
from tests.browsing import DESKTOP, PHONE, in_thread, shoot
from tests.conftest import PATIENT, LiveServer


@dataclass
class Demo:
    server: LiveServer
    ids: dict[str, int]
    people: dict[str, int]
    key: dict[str, str]

    def url(self, path: str) -> str:
        return f"{self.server.url}{path}"

    def record(self, bib: int, clock: str) -> None:
        """Post one finish time through RunSignup's full-results upload."""
        request = {"results": [{"bib": bib, "clock_time": clock}]}
        response = httpx.post(
            self.url(f"/Rest/race/{self.ids['Harbor Lights 10K']}/results/full-results"),
            params={"format": "json", **self.key},
            data={
                "event_id": str(self.ids["10K"]),
                "request_format": "json",
                "request": json.dumps(request),
            },
            timeout=PATIENT,
        )
        assert response.status_code == 200 and "results" in response.json(), response.text


@pytest.fixture(scope="module")
def served(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo on SQLite, served over HTTP, with a RunSignup key for the 10K race."""
    folder = tmp_path_factory.mktemp("browser")
    path = folder / "podium.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"

    async def prepare() -> tuple[dict[str, int], dict[str, int], dict[str, str]]:
        database = Database(url)
        try:
            await demo.load(database)
            async with database.write() as session:
                ids = dict((await session.execute(select(Competition.name, Competition.id))).all())
                people = dict((await session.execute(select(Person.name, Person.id))).all())
                race = await session.get(Competition, ids["Harbor Lights 10K"])
                assert race is not None
                api_key, api_secret = await auth.create_key(session, race.id, race.organization_id)
        finally:
            await database.dispose()
        return ids, people, {"api_key": api_key, "api_secret": api_secret}

    ids, people, key = in_thread(prepare)
    settings = Settings(database_url=url, data_dir=folder / "data", redis_url=None, log_json=False)
    with LiveServer(settings) as server:
        yield Demo(server, ids, people, key)


@pytest.fixture
def page(browser: Browser, served: Demo) -> Iterator[Page]:
    """A desktop page; closed before the server so no feed stays open."""
    context = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    opened = context.new_page()
    yield opened
    context.close()


def settled(page: Page) -> None:
    """Visible, and on live pages connected, so screenshots show the steady state."""
    expect(page.locator("h1")).to_be_visible()
    if page.locator("#live-status").count():
        expect(page.locator("#live-status")).to_have_attribute("data-state", "live")


def row_of(page: Page, name: str) -> Any:
    return page.locator("#live-board tbody tr", has_text=name)


def test_leaderboard_follows_a_result_recorded_through_a_dialect(page: Page, served: Demo) -> None:
    page.goto(served.url(f"/competitions/{served.ids['10K']}"))
    expect(row_of(page, "Tom Walsh")).to_contain_text("DNF")
    # The feed is connected (not the polling fallback) before anything is recorded.
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live", timeout=5000)
    page.evaluate("window.stillHere = 'same document'")
    served.record(108, "0:39:00.000")
    tom = row_of(page, "Tom Walsh")
    expect(tom).to_contain_text("39:00.0", timeout=3000)
    expect(tom.locator("td").first).to_have_text("1")
    expect(page.locator("#live-board caption")).to_contain_text("12 ranked")
    assert page.evaluate("window.stillHere") == "same document"  # no reload happened
    assert page.evaluate("window.podiumLive.events") >= 1  # driven by the feed
    assert page.evaluate("window.podiumLive.mode") == "live"


def test_polling_takes_over_when_the_feed_fails(page: Page, served: Demo) -> None:
    page.route("**/api/v1/event-feed/**", lambda route: route.abort())
    page.goto(served.url(f"/competitions/{served.ids['10K']}"))
    expect(page.locator("#live-status")).to_have_attribute("data-state", "polling")
    page.evaluate("window.stillHere = 'same document'")
    served.record(101, "0:38:00.000")
    expect(row_of(page, "Maria Lopez")).to_contain_text("38:00.0", timeout=5000)
    assert page.evaluate("window.stillHere") == "same document"
    assert page.evaluate("window.podiumLive.events") == 0


def test_keyboard_reaches_the_skip_link_first(page: Page, served: Demo) -> None:
    page.goto(served.url(f"/competitions/{served.ids['Spring Programming Cup']}"))
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "[document.activeElement.className, document.activeElement.textContent]"
    )
    assert focused == ["skip", "Skip to content"]
    expect(page.locator("a.skip")).to_be_in_viewport()  # visible once focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    # Scrolling tables are reachable by keyboard too.
    assert page.locator(".scroll[tabindex='0'][aria-labelledby]").count() >= 1


def _pages(served: Demo) -> dict[str, str]:
    return {
        "home": "/",
        "race": f"/competitions/{served.ids['Round 1: Warehouse Rumble']}",
        "leaderboard": f"/competitions/{served.ids['10K']}",
        "contest": f"/competitions/{served.ids['Spring Programming Cup']}",
        "person": f"/people/{served.people['Ava Sky']}",
    }


def test_main_pages_on_desktop(page: Page, served: Demo) -> None:
    for name, path in _pages(served).items():
        response = page.goto(served.url(path))
        assert response is not None and response.status == 200, path
        settled(page)
        shoot(page, f"{name}-desktop")
    race = page.goto(served.url(_pages(served)["race"]))
    assert race is not None
    expect(page.locator("table.heat")).to_have_count(4)


def test_main_pages_on_a_phone(browser: Browser, served: Demo) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    phone = context.new_page()
    try:
        for name, path in _pages(served).items():
            phone.goto(served.url(path))
            settled(phone)
            overflow = phone.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
            shoot(phone, f"{name}-phone")
    finally:
        context.close()
