"""The contest scoreboard on a phone, frozen, in headless Chromium against a real server.

The demo's contest has three problems, which a phone could almost show as columns; a
regional final has twelve and long team names, so this one folds the columns into
tiles under each team or fails. Its scoreboard froze an hour before the end, so the
later submissions are pending for the public. ``add_frozen_final`` is shared with the
screenshots of every page.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from podium import demo
from podium.config import Settings
from podium.core import freeze, resources, results
from podium.core.challenges import CHALLENGES, ChallengeCreate
from podium.core.competitions import COMPETITIONS, CompetitionCreate
from podium.core.entries import ENTRIES, EntryCreate
from podium.core.organizations import by_slug
from podium.core.principal import SYSTEM
from podium.core.results import ResultCreate
from podium.core.teams import TEAMS, TeamCreate
from podium.store.database import Database
from podium.store.types import utcnow
from tests.browsing import DESKTOP, PHONE, in_thread, shoot
from tests.conftest import LiveServer

FINAL = "Regional Final"
PROBLEMS = "ABCDEFGHIJKL"
FINALISTS = [
    "Universidade do Porto: Os Compiladores Invencíveis",
    "KTH Royal Institute of Technology Blue",
    "Team Segfault",
    "ETH Zürich 1",
    "Åbo Akademi Heap Sorters",
    "Politecnico di Milano Gelato",
    "Tiny",
    "Warsaw Eagles",
]
HOURS = 5


async def add_frozen_final(session: AsyncSession) -> int:
    """A five-hour contest (in the demo's Code Cup) frozen for its last hour; its id.

    Team ``t`` tries problem ``p`` when ``(t + p) % 3`` allows: some solve at once,
    some after rejected tries, some only reject; every team's last two problems are
    submitted after the freeze, so the public sees them as pending.
    """
    org = await by_slug(session, "code-cup")
    assert org is not None
    start = utcnow() - timedelta(hours=HOURS)
    contest = await resources.create(
        session,
        SYSTEM,
        COMPETITIONS,
        CompetitionCreate(
            organization_id=org.id,
            name=FINAL,
            kind="contest",
            scoring="icpc",
            status="running",
            starts_at=start,
            ends_at=start + timedelta(hours=HOURS),
        ),
    )
    problems = [
        await resources.create(
            session,
            SYSTEM,
            CHALLENGES,
            ChallengeCreate(
                organization_id=org.id,
                competition_id=contest.id,
                kind="problem",
                name=f"Problem {label}",
                code=label,
                position=n,
            ),
        )
        for n, label in enumerate(PROBLEMS)
    ]
    frozen_at = start + timedelta(hours=HOURS - 1)
    rows = []
    for t, name in enumerate(FINALISTS):
        team = await resources.create(
            session, SYSTEM, TEAMS, TeamCreate(name=name, organization_id=org.id)
        )
        entry = await resources.create(
            session, SYSTEM, ENTRIES, EntryCreate(team_id=team.id), competition_id=contest.id
        )
        tried = [p for p in range(len(problems)) if (t + p) % 3 != 2 and p < 12 - t]
        for order, p in enumerate(tried):
            late = order >= len(tried) - 2
            minute = 250 + order if late else 10 + 17 * order + t
            verdicts = ["Accepted"] if (t + p) % 3 == 0 else ["Wrong Answer", "Accepted"]
            if (t * p) % 5 == 4:
                verdicts = ["Wrong Answer", "Time Limit Exceeded"]
            for k, verdict in enumerate(verdicts):
                rows.append(
                    ResultCreate(
                        entry_id=entry.id,
                        team_id=team.id,
                        challenge_id=problems[p].id,
                        points=1.0 if verdict == "Accepted" else 0.0,
                        elapsed_ms=(minute + k) * 60_000,
                        attributes={"verdict": verdict},
                        recorded_at=start + timedelta(minutes=minute + k),
                    )
                )
    await results.create_many(session, SYSTEM, contest.id, rows)
    await freeze.freeze(session, SYSTEM, contest.id, at=frozen_at, reason="the last hour")
    return contest.id


@pytest.fixture(scope="module")
def served(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo plus the frozen final on SQLite over HTTP: the final's page address."""
    folder = tmp_path_factory.mktemp("scoreboard")
    path = folder / "podium.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"

    async def prepare() -> int:
        database = Database(url)
        try:
            await demo.load(database)
            async with database.write() as session:
                return await add_frozen_final(session)
        finally:
            await database.dispose()

    final = in_thread(prepare)
    settings = Settings(database_url=url, data_dir=folder / "data", redis_url=None, log_json=False)
    with LiveServer(settings) as server:
        yield f"{server.url}/competitions/{final}"


def settled(page: Page) -> None:
    """Live, and past live.js's catch-up swap of the board, so nothing measured goes stale."""
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    page.wait_for_function("window.podiumLive.updates >= 1")


def sideways(page: Page, selector: str) -> int:
    """How many pixels ``selector`` is wider than its box (0 when it fits)."""
    return int(page.locator(selector).evaluate("e => e.scrollWidth - e.clientWidth"))


def test_the_frozen_scoreboard_folds_onto_a_phone(browser: Browser, served: str) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    phone = context.new_page()
    try:
        phone.goto(served)
        settled(phone)
        assert sideways(phone, "html") <= 0, "the page scrolls sideways"
        assert sideways(phone, "#live-board .scroll") <= 0, "the scoreboard scrolls sideways"
        notice = phone.locator("#live-board .alert.frozen")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("The scoreboard is frozen")
        # The problem columns are folded: their headers are gone, each cell says its letter.
        expect(phone.locator("thead th.problem").first).to_be_hidden()
        assert phone.locator("thead th:visible").count() == 4
        team = phone.locator("table.scoreboard tbody tr", has_text="Team Segfault")
        tiles = team.locator("td.cell")
        expect(tiles).to_have_count(len(PROBLEMS))
        expect(tiles.locator(".label").first).to_be_visible()
        assert tiles.locator(".label abbr").all_inner_texts()[:3] == ["A", "B", "C"]
        # Tiles sit under the team name, every one inside the screen.
        name = team.get_by_role("rowheader").bounding_box()
        assert name is not None
        width = phone.evaluate("document.documentElement.clientWidth")
        for box in (tiles.nth(i).bounding_box() for i in range(len(PROBLEMS))):
            assert box is not None
            assert box["y"] > name["y"] and box["x"] >= 0 and box["x"] + box["width"] <= width
        # Frozen: the last submissions are pending, shown by a symbol and words.
        pending = phone.locator("table.scoreboard td.cell.pending")
        assert pending.count() >= len(FINALISTS)
        expect(pending.first).to_contain_text("?")
        expect(pending.first).to_contain_text("pending")
        expect(phone.locator(".legend")).to_contain_text("made after the freeze")
        shoot(phone, "scoreboard-frozen-phone")
    finally:
        context.close()


def test_a_wide_screen_keeps_one_column_per_problem(browser: Browser, served: str) -> None:
    context = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    page = context.new_page()
    try:
        page.goto(served)
        settled(page)
        headers = page.locator("table.scoreboard thead th.problem")
        expect(headers).to_have_count(len(PROBLEMS))
        expect(headers.last).to_be_visible()
        expect(page.locator("table.scoreboard .label").first).to_be_hidden()
        assert (
            page.locator("table.scoreboard tbody tr").first.evaluate(
                "row => getComputedStyle(row).display"
            )
            == "table-row"
        )
        shoot(page, "scoreboard-frozen-desktop")
    finally:
        context.close()
