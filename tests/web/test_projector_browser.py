"""Big screens and paper in headless Chromium against a real server.

The 10K gets a field taller than a 1920x1080 screen, so projector mode has to scroll
by itself; a finish recorded through RunSignup meanwhile must still appear. The
awards list is checked under print emulation (``page.pdf()`` would need more than
this headless check gives), and both are saved as screenshots for review.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from podium import demo
from podium.config import Settings
from podium.core import resources, results
from podium.core.people import PEOPLE, PersonCreate
from podium.core.principal import SYSTEM
from podium.core.results import ResultCreate
from podium.dialects.runsignup import auth
from podium.store.database import Database
from podium.store.tables import Competition
from tests.browsing import in_thread, shoot
from tests.conftest import PATIENT, LiveServer

SCREEN = {"width": 1920, "height": 1080}
EXTRA_RUNNERS = 60


@dataclass
class Served:
    server: LiveServer
    ids: dict[str, int]
    key: dict[str, str]

    def url(self, path: str) -> str:
        return f"{self.server.url}{path}"

    def record(self, bib: int, clock: str) -> None:
        """Post one finish time through RunSignup's full-results upload."""
        response = httpx.post(
            self.url(f"/Rest/race/{self.ids['Harbor Lights 10K']}/results/full-results"),
            params={"format": "json", **self.key},
            data={
                "event_id": str(self.ids["10K"]),
                "request_format": "json",
                "request": json.dumps({"results": [{"bib": bib, "clock_time": clock}]}),
            },
            timeout=PATIENT,
        )
        assert response.status_code == 200 and "results" in response.json(), response.text


@pytest.fixture(scope="module")
def served(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The demo on SQLite with a long 10K field, served over HTTP, with a RunSignup key."""
    folder = tmp_path_factory.mktemp("projector")
    path = folder / "podium.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"

    async def prepare() -> tuple[dict[str, int], dict[str, str]]:
        database = Database(url)
        try:
            await demo.load(database)
            async with database.write() as session:
                ids = dict((await session.execute(select(Competition.name, Competition.id))).all())
                race = await session.get(Competition, ids["Harbor Lights 10K"])
                assert race is not None
                rows = []
                for i in range(EXTRA_RUNNERS):
                    runner = await resources.create(
                        session, SYSTEM, PEOPLE, PersonCreate(name=f"Pack Runner {i:02d}")
                    )
                    rows.append(ResultCreate(person_id=runner.id, elapsed_ms=3_000_000 + i * 7_000))
                await results.create_many(session, SYSTEM, ids["10K"], rows)
                api_key, api_secret = await auth.create_key(session, race.id, race.organization_id)
        finally:
            await database.dispose()
        return ids, {"api_key": api_key, "api_secret": api_secret}

    ids, key = in_thread(prepare)
    settings = Settings(database_url=url, data_dir=folder / "data", redis_url=None, log_json=False)
    with LiveServer(settings) as server:
        yield Served(server, ids, key)


@pytest.fixture
def screen(browser: Browser, served: Served) -> Iterator[Page]:
    """A 1920x1080 page; closed before the server so no feed stays open."""
    context = browser.new_context(viewport=SCREEN)  # type: ignore[arg-type]
    opened = context.new_page()
    yield opened
    context.close()


def wait_for(page: Page, script: str, seconds: float) -> object:
    """Poll a JavaScript expression until it is truthy, failing at the deadline."""
    deadline = time.monotonic() + seconds
    while True:
        value = page.evaluate(script)
        if value:
            return value
        assert time.monotonic() < deadline, f"still false after {seconds}s: {script}"
        page.wait_for_timeout(100)


def test_projector_is_big_dark_scrolls_and_stays_live(screen: Page, served: Served) -> None:
    screen.goto(served.url(f"/competitions/{served.ids['10K']}?view=projector"))
    expect(screen.locator("#live-status")).to_have_attribute("data-state", "live", timeout=5000)
    # live.js swaps the board in once on connecting: measure the board that stays.
    wait_for(screen, "window.podiumLive.updates >= 1", seconds=10)
    assert screen.evaluate("document.body.classList.contains('projector')")
    expect(screen.locator("header.site")).to_be_hidden()
    expect(screen.locator("footer.site")).to_be_hidden()
    expect(screen.locator(".downloads")).to_be_hidden()
    # Found and measured in one script: live.js may swap the board's rows in between two
    # calls, and a detached cell has no computed style.
    size = screen.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('#live-board tbody td')).fontSize)"
    )
    assert size >= 24, size
    background = screen.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(0, 0, 0)"
    taller = screen.evaluate("document.documentElement.scrollHeight - innerHeight")
    assert taller > 0, "the field must be longer than the screen"
    assert screen.evaluate("scrollY") == 0
    shoot(screen, "projector-1920")
    # Nobody touches the page: it scrolls by itself.
    wait_for(screen, "scrollY > 40", seconds=15)
    served.record(108, "0:39:00.000")  # Tom Walsh, DNF until now, takes the lead
    tom = screen.locator("#live-board tbody tr", has_text="Tom Walsh")
    expect(tom).to_contain_text("39:00.0", timeout=5000)
    expect(tom.locator("td").first).to_have_text("1")
    assert screen.evaluate("window.podiumLive.events") >= 1


def test_normal_page_has_no_projector_pieces(screen: Page, served: Served) -> None:
    screen.goto(served.url(f"/competitions/{served.ids['10K']}"))
    expect(screen.locator("header.site")).to_be_visible()
    assert screen.locator("script[src$='projector.js']").count() == 0
    assert screen.evaluate("typeof window.podiumProjector") == "undefined"


def test_awards_list_prints_without_the_site_around_it(screen: Page, served: Served) -> None:
    screen.goto(served.url(f"/competitions/{served.ids['10K']}/awards?top=3"))
    expect(screen.locator("#print-button")).to_be_visible()  # JS replaces the hint
    expect(screen.locator("#print-hint")).to_be_hidden()
    screen.emulate_media(media="print")
    expect(screen.locator("header.site")).to_be_hidden()
    expect(screen.locator("#print-button")).to_be_hidden()
    expect(screen.locator("h1")).to_contain_text("Awards: 10K")
    overall = screen.locator("section.awards", has_text="Overall")
    expect(overall.locator("tbody tr")).to_have_count(3)
    expect(screen.locator("section.awards", has_text="Women")).to_be_visible()
    color = screen.evaluate("getComputedStyle(document.body).color")
    assert color == "rgb(0, 0, 0)"
    shoot(screen, "awards-print")


def test_projector_rotates_through_the_categories(screen: Page, served: Served) -> None:
    """?rotate=categories: a board that fits the screen gives way to the next category."""
    ten_k = served.ids["10K"]
    screen.goto(
        served.url(f"/competitions/{ten_k}?view=projector&rotate=categories&group=gender:F")
    )
    expect(screen.locator("#live-board caption")).to_contain_text("Women")
    options = screen.eval_on_selector_all(
        "#board-group option", "os => os.map(o => [o.value, o.textContent])"
    )
    values = [value for value, _title in options]
    expected_value, expected_title = options[(values.index("gender:F") + 1) % len(options)]
    # Nobody touches the page: after a pause it shows the next category's board.
    screen.wait_for_url(
        lambda url: parse_qs(urlparse(url).query).get("group") == [expected_value],
        timeout=30_000,
    )
    assert "view=projector" in screen.url and "rotate=categories" in screen.url
    expect(screen.locator("#board-group")).to_have_value(expected_value)
    expect(screen.locator("#live-board caption")).to_contain_text(expected_title)
