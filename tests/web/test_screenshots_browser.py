"""Every public page at desktop, phone and projector sizes, saved for review.

One server with the demo (and a regional final whose scoreboard is frozen), one
browser, one context per size. Each page must answer with its status and, on a phone,
must not scroll sideways. The screenshots land in
``artifacts/screenshots/pages/{desktop,phone,projector}/``; they are what the README
describes, so regenerate them with this module when a page changes.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from podium import demo
from podium.config import Settings
from podium.store.database import Database
from podium.store.tables import Competition, Entry, Person
from tests.browsing import PHONE, in_thread, shoot
from tests.conftest import LiveServer
from tests.web.test_scoreboard_phone_browser import add_frozen_final

SIZES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1366, "height": 768}},
    "phone": {"viewport": PHONE, "is_mobile": True, "has_touch": True},
    "projector": {"viewport": {"width": 1920, "height": 1080}},
}
MISSING = "/competitions/999999"


@dataclass
class Site:
    url: str
    pages: dict[str, str]  # screenshot name -> path


@pytest.fixture(scope="module")
def site(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo and the frozen final on SQLite over HTTP, with every public page's path."""
    folder = tmp_path_factory.mktemp("screenshots")
    path = folder / "podium.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"

    async def prepare() -> dict[str, str]:
        database = Database(url)
        try:
            await demo.load(database)
            async with database.write() as session:
                final = await add_frozen_final(session)
                ids = dict((await session.execute(select(Competition.name, Competition.id))).all())
                people = dict((await session.execute(select(Person.name, Person.id))).all())
                bib_101 = await session.scalar(
                    select(Entry.id).where(Entry.competition_id == ids["10K"], Entry.bib == "101")
                )
        finally:
            await database.dispose()
        ten_k = f"/competitions/{ids['10K']}"
        return {
            "home": "/",
            "organization": "/organizations/harbor-runners",
            "organization-polympics": "/organizations/polympics",
            "road-race": f"/competitions/{ids['Harbor Lights 10K']}",
            "road-race-event": ten_k,
            "virtual-race-event": f"/competitions/{ids['5K Virtual']}",
            "search-results": f"{ten_k}?q=ra",
            "runner": f"{ten_k}/results/{bib_101}",
            "awards": f"{ten_k}/awards",
            "drone-series": f"/competitions/{ids['Skyline Summer Series']}",
            "drone-race-heats": f"/competitions/{ids['Round 1: Warehouse Rumble']}",
            "contest-scoreboard": f"/competitions/{ids['Spring Programming Cup']}",
            "contest-scoreboard-frozen": f"/competitions/{final}",
            "trackmania-campaign": f"/competitions/{ids['Nightdrive Campaign']}",
            "person-runner": f"/people/{people['Maria Lopez']}",
            "person-pilot": f"/people/{people['Ava Sky']}",
            "not-found": MISSING,
        }

    pages = in_thread(prepare)
    settings = Settings(database_url=url, data_dir=folder / "data", redis_url=None, log_json=False)
    with LiveServer(settings) as server:
        yield Site(server.url, pages)


def settle(page: Page) -> None:
    """Shown, and on live pages connected and past live.js's catch-up swap of the board,
    so the picture and the measurements are of the page's steady state."""
    expect(page.locator("h1")).to_be_visible()
    if page.locator("#live-status").count():
        expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
        page.wait_for_function("window.podiumLive.updates >= 1")


def projected(path: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}view=projector"


@pytest.mark.parametrize("size", list(SIZES))
def test_every_public_page(browser: Browser, site: Site, size: str) -> None:
    context = browser.new_context(**SIZES[size])
    page = context.new_page()
    sideways: dict[str, int] = {}
    try:
        for name, path in site.pages.items():
            address = projected(path) if size == "projector" else path
            response = page.goto(f"{site.url}{address}")
            assert response is not None, address
            assert response.status == (404 if path == MISSING else 200), address
            settle(page)
            if size == "projector":
                assert page.evaluate("document.body.classList.contains('projector')"), address
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                sideways[name] = overflow
            shoot(page, f"pages/{size}/{name}")
    finally:
        context.close()
    if size == "phone":
        assert not sideways, f"pages that scroll sideways on a phone (px): {sideways}"
