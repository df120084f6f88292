"""The contest results desk in headless Chromium against a real server.

A judge rejudges an Accepted submission after a problem's test is changed and sees
its verdict become Wrong Answer; then freezes the scoreboard: a team's later Accepted
stays pending on the public page (which says it is frozen) while the judges' view
shows it, and unfreezing shows it to everyone. The server runs no judge workers: the
test drives the judge queue itself until no job is due, so no step waits on a clock.
Screenshots go to ``artifacts/screenshots/contest-*.png``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from podium.config import Settings
from podium.core import accounts, organizations
from podium.core.principal import SYSTEM
from podium.dialects.mooshak2 import admin, storage
from podium.dialects.mooshak2.judging import JudgeQueue
from podium.store.database import Database
from tests.browsing import DESKTOP, PHONE, in_thread, shoot
from tests.conftest import PATIENT, LiveServer

JUDGE, PASSWORD = "judge@harbor.example", "judge password 1"
CONTEST = "harbor_cup"
CORRECT = b"a, b = map(int, input().split())\nprint(a + b)\n"
PLUS_ONE = b"a, b = map(int, input().split())\nprint(a + b + 1)\n"


@dataclass
class Desk:
    server: LiveServer
    url_of_store: str
    settings: Settings
    contest_id: int

    def url(self, path: str) -> str:
        return f"{self.server.url}{path}"

    def judge_queue(self) -> int:
        """What the server's workers would do, done here: judge every due job."""

        async def run() -> int:
            database = Database(self.url_of_store)
            try:
                return await JudgeQueue(database, self.settings).judge_ready()
            finally:
                await database.dispose()

        return in_thread(run)

    def break_problem(self) -> None:
        """Change problem A's expected output, so a right program now fails."""

        async def run() -> None:
            database = Database(self.url_of_store)
            try:
                async with database.write() as session:
                    contest = await storage.find_contest(session, CONTEST)
                    assert contest is not None
                    problem = await storage.find_problem(session, contest, "A")
                    assert problem is not None
                    tests = [{"input": "1 2\n", "output": "4\n", "public": False}]
                    await admin.update_problem(session, SYSTEM, problem, extra={"tests": tests})
            finally:
                await database.dispose()

        in_thread(run)

    def submit(self, team: str, source: bytes = CORRECT) -> int:
        base = self.url("/mooshak/api")
        login = httpx.post(
            f"{base}/auth/login",
            json={"username": team, "password": "pw", "contest": CONTEST},
            timeout=PATIENT,
        )
        assert login.status_code == 200, login.text
        response = httpx.post(
            f"{base}/data/contests/{CONTEST}/problems/A/evaluate",
            headers={"Authorization": f"Bearer {login.json()['token']}"},
            files={"program": ("sum.py", source)},
            timeout=PATIENT,
        )
        assert response.status_code == 200, response.text
        return int(response.json()["id"])


@pytest.fixture(scope="module")
def desk(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """An organization with a judge, a running contest with problem A and two teams."""
    folder = tmp_path_factory.mktemp("contest")
    path = folder / "podium.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"

    async def prepare() -> int:
        database = Database(url)
        try:
            async with database.write() as session:
                org = await organizations.create_organization(
                    session,
                    SYSTEM,
                    organizations.OrganizationCreate(slug="harbor", name="Harbor Coders"),
                )
                user = await accounts.create_user(
                    session, SYSTEM, accounts.UserCreate(email=JUDGE, password=PASSWORD)
                )
                await accounts.add_member(session, SYSTEM, user, org.id, "judge")
                contest = await admin.create_contest(
                    session,
                    SYSTEM,
                    contest_id=CONTEST,
                    designation="Harbor Cup",
                    organization_id=org.id,
                )
                await admin.add_problem(
                    session,
                    SYSTEM,
                    CONTEST,
                    problem_id="A",
                    label="A",
                    title="Sum two integers",
                    tests=[("1 2\n", "3\n"), ("10 20\n", "30\n")],
                )
                for team in ("Gulls", "Terns"):
                    await admin.create_user(
                        session, SYSTEM, username=team, password="pw", contest_id=CONTEST
                    )
                return contest.id
        finally:
            await database.dispose()

    contest_id = in_thread(prepare)
    settings = Settings(
        database_url=url,
        data_dir=folder / "data",
        redis_url=None,
        log_json=False,
        judge_workers=0,
    )
    with LiveServer(settings) as server:
        yield Desk(server, url, settings, contest_id)


def log_in(page: Page, desk: Desk) -> None:
    page.goto(desk.url("/console/"))
    page.get_by_label("Email").fill(JUDGE)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your organizations")).to_be_visible()


def solved(page: Page, team: str) -> str:
    row = page.locator("table.scoreboard tbody tr", has=page.get_by_role("rowheader", name=team))
    return row.locator("td").nth(1).inner_text().strip()


def test_a_judge_rejudges_and_freezes_the_scoreboard(browser: Browser, desk: Desk) -> None:
    first = desk.submit("Gulls")
    assert desk.judge_queue() == 1
    judge = browser.new_context(viewport=DESKTOP).new_page()  # type: ignore[arg-type]
    log_in(judge, desk)
    submissions = f"/console/competitions/{desk.contest_id}/submissions"
    judge.goto(desk.url(submissions))
    row = judge.locator(f'tr[data-submission="{first}"]')
    expect(row.locator("td.verdict")).to_have_text("Accepted")
    shoot(judge, "contest-submissions")

    # The problem's test changes; the judge rejudges; the verdict follows.
    desk.break_problem()
    row.get_by_role("link", name=str(first)).click()
    expect(judge.locator("pre.program")).to_contain_text("print(a + b)")
    judge.get_by_label("Reason (optional)").fill("expected output corrected")
    judge.get_by_role("button", name="Rejudge").click()
    expect(judge.get_by_role("status")).to_contain_text("Queued for rejudging")
    expect(judge.locator("#verdict")).to_have_text("Evaluating")
    assert desk.judge_queue() == 1
    judge.reload()
    expect(judge.locator("#verdict")).to_have_text("Wrong Answer")
    expect(judge.locator("table").get_by_text("expected output corrected")).to_be_visible()
    shoot(judge, "contest-rejudged")

    # The freeze: a later Accepted is pending for the public, visible to judges.
    judge.goto(desk.url(submissions))
    judge.get_by_role("button", name="Freeze the scoreboard").click()
    expect(judge.locator("#freeze-state")).to_contain_text("Frozen")
    shoot(judge, "contest-frozen")
    # Problem A now wants 4 for "1 2": the late team's program gives it.
    late = desk.submit("Terns", PLUS_ONE)
    assert desk.judge_queue() == 1

    public = browser.new_context(viewport=PHONE).new_page()  # type: ignore[arg-type]
    public.goto(desk.url(f"/competitions/{desk.contest_id}"))
    expect(public.get_by_text("The scoreboard is frozen")).to_be_visible()
    assert solved(public, "Terns") == "0"
    terns = public.locator("table.scoreboard tbody tr", has_text="Terns")
    expect(terns.locator("td.cell.pending")).to_have_count(1)
    shoot(public, "contest-public-frozen")

    judge.goto(desk.url(f"/console/competitions/{desk.contest_id}/scoreboard"))
    assert solved(judge, "Terns") == "1"
    shoot(judge, "contest-judges-view")
    judge.goto(desk.url(f"{submissions}/{late}"))
    expect(judge.locator("#verdict")).to_have_text("Accepted")

    # Unfrozen: everyone sees it.
    judge.goto(desk.url(submissions))
    judge.get_by_role("button", name="Unfreeze the scoreboard").click()
    expect(judge.get_by_role("status")).to_contain_text("unfrozen")
    public.reload()
    expect(public.get_by_text("The scoreboard is frozen")).to_have_count(0)
    assert solved(public, "Terns") == "1"
    shoot(public, "contest-public-unfrozen")
    assert re.search(r"/competitions/\d+$", public.url)
    for page in (judge, public):
        page.context.close()
