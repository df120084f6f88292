"""Finding a bib on a phone, in headless Chromium against a real server with the demo.

A plain function like the other browser tests: Playwright's sync API cannot run
inside a running asyncio loop, and the server runs in its own thread.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from podium import demo
from podium.config import Settings
from podium.store.database import Database
from podium.store.tables import Competition, Entry
from tests.browsing import DESKTOP, PHONE, in_thread, shoot
from tests.conftest import LiveServer


@pytest.fixture(scope="module")
def served(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, int, int]]:
    """The demo on SQLite over HTTP: (server, the 10K's id, the entry of bib 101)."""
    folder = tmp_path_factory.mktemp("runners")
    path = folder / "podium.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"

    async def prepare() -> tuple[int, int]:
        database = Database(url)
        try:
            await demo.load(database)
            async with database.read() as session:
                ten_k = await session.scalar(
                    select(Competition.id).where(Competition.name == "10K")
                )
                entry = await session.scalar(
                    select(Entry.id).where(Entry.competition_id == ten_k, Entry.bib == "101")
                )
        finally:
            await database.dispose()
        assert ten_k is not None and entry is not None
        return ten_k, entry

    ten_k, entry = in_thread(prepare)
    settings = Settings(database_url=url, data_dir=folder / "data", redis_url=None, log_json=False)
    with LiveServer(settings) as server:
        yield server, ten_k, entry


def test_find_a_bib_on_a_phone(browser: Browser, served: tuple[LiveServer, int, int]) -> None:
    server, ten_k, entry = served
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    phone = context.new_page()
    try:
        phone.goto(f"{server.url}/competitions/{ten_k}")
        phone.get_by_label("Find a bib or name").fill("101")
        phone.get_by_role("button", name="Find").click()
        phone.wait_for_url(f"**/competitions/{ten_k}/results/{entry}")
        expect(phone.locator("h1")).to_be_visible()
        expect(phone.get_by_role("heading", name="Result")).to_be_visible()
        expect(phone.locator("dd", has_text="101").first).to_be_visible()
        qr = phone.get_by_role("img", name="QR code of this page's address")
        expect(qr).to_be_visible()
        # The SVG loaded: wait for the image to finish loading, then check it decoded.
        phone.wait_for_function("image => image.complete", arg=qr.element_handle(), timeout=30_000)
        assert qr.evaluate("image => image.naturalWidth") > 0
        fits = phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert fits, "the runner's page scrolls sideways on a phone"
        shoot(phone, "runner-phone")
    finally:
        context.close()


def test_find_by_name_on_a_desktop(browser: Browser, served: tuple[LiveServer, int, int]) -> None:
    server, ten_k, _entry = served
    context = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    desktop = context.new_page()
    try:
        desktop.goto(f"{server.url}/competitions/{ten_k}")
        desktop.get_by_label("Find a bib or name").fill("a")
        desktop.keyboard.press("Enter")
        expect(desktop.locator(".find-list li").first).to_be_visible()
        expect(desktop.locator("#live-status")).to_have_attribute("data-state", "live")
        shoot(desktop, "find-desktop")
    finally:
        context.close()
