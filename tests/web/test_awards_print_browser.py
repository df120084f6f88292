"""The awards list as it prints: print preview in headless Chromium, saved as PNG and PDF.

``test_projector_browser`` checks the print colours and the overall top 3; this one
checks that none of the site's screen furniture (navigation, search, live status,
controls, footer) reaches the paper, that every group does, and keeps the PDF an
organizer would hand out (``artifacts/screenshots/awards-print-preview.pdf``).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from podium import demo
from podium.config import Settings
from podium.store.database import Database
from podium.store.tables import Competition
from tests.browsing import DESKTOP, SCREENSHOTS, in_thread, shoot
from tests.conftest import LiveServer

SCREEN_ONLY = ["header.site", "footer.site", "a.skip", "nav", "form", "button", ".live"]


@pytest.fixture(scope="module")
def awards_url(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo on SQLite over HTTP: the address of the 10K's awards list."""
    folder = tmp_path_factory.mktemp("awards-print")
    path = folder / "podium.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"

    async def prepare() -> int:
        database = Database(url)
        try:
            await demo.load(database)
            async with database.read() as session:
                found = await session.scalar(
                    select(Competition.id).where(Competition.name == "10K")
                )
        finally:
            await database.dispose()
        assert found is not None
        return found

    ten_k = in_thread(prepare)
    settings = Settings(database_url=url, data_dir=folder / "data", redis_url=None, log_json=False)
    with LiveServer(settings) as server:
        yield f"{server.url}/competitions/{ten_k}/awards"


def test_print_preview_shows_the_lists_and_nothing_else(browser: Browser, awards_url: str) -> None:
    context = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    page = context.new_page()
    try:
        page.goto(awards_url)
        groups = page.locator("section.awards")
        titles = [title.strip() for title in groups.locator("h2").all_inner_texts()]
        assert "Overall" in titles and len(titles) >= 3, titles  # overall, genders, more
        expect(page.locator("header.site nav")).to_be_visible()  # on screen it is there
        page.emulate_media(media="print")
        for selector in SCREEN_ONLY:
            shown = page.locator(selector).evaluate_all(
                "all => all.filter(e => e.getClientRects().length > 0).length"
            )
            assert shown == 0, f"{selector} is on the paper"
        expect(page.locator("h1")).to_contain_text("Awards: 10K")
        expect(page.locator(".awards-status")).to_contain_text("Provisional")
        for title in titles:
            group = groups.filter(has=page.get_by_role("heading", name=title, exact=True))
            expect(group).to_be_visible()
            if title == "Overall":
                expect(group.locator("tbody tr")).to_have_count(3)
        shoot(page, "awards-print-preview")
        pdf = page.pdf(format="A4", print_background=False)
        assert pdf.startswith(b"%PDF-")
        assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / "awards-print-preview.pdf").write_bytes(pdf)
    finally:
        context.close()
