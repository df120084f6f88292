"""The results desk in headless Chromium against a real server: a timer corrects a time
that came in through RunSignup, and the public page, RunSignup's ``get-results`` and
the native API all show the corrected result with no duplicate; a disqualification
with a reason shows on the public page, and undo takes it back.
Screenshots go to ``artifacts/screenshots/desk-*.png``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from podium.config import Settings
from podium.core import accounts, competitions, entries, organizations, people, resources
from podium.core.principal import SYSTEM
from podium.dialects.runsignup import auth as runsignup_auth
from podium.store.database import Database
from tests.browsing import DESKTOP, in_thread, shoot
from tests.conftest import PATIENT, LiveServer, make_token

TIMER, PASSWORD = "timer@harbor.example", "timer password 1"


@dataclass
class Day:
    server: LiveServer
    race: int
    event: int
    key: dict[str, str]
    token: str

    def url(self, path: str) -> str:
        return f"{self.server.url}{path}"


@pytest.fixture(scope="module")
def day(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Day]:
    """A race with a 10K event, two runners, a timer's account and a RunSignup key."""
    folder = tmp_path_factory.mktemp("desk")
    path = folder / "podium.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"

    async def prepare() -> tuple[int, int, dict[str, str], str]:
        database = Database(url)
        try:
            async with database.write() as session:
                org = await organizations.create_organization(
                    session,
                    SYSTEM,
                    organizations.OrganizationCreate(slug="harbor", name="Harbor Runners"),
                )
                user = await accounts.create_user(
                    session, SYSTEM, accounts.UserCreate(email=TIMER, password=PASSWORD)
                )
                await accounts.add_member(session, SYSTEM, user, org.id, "timer")
                race = await resources.create(
                    session,
                    SYSTEM,
                    competitions.COMPETITIONS,
                    competitions.CompetitionCreate(
                        organization_id=org.id, name="Harbor 10K", kind="race"
                    ),
                )
                event = await resources.create(
                    session,
                    SYSTEM,
                    competitions.COMPETITIONS,
                    competitions.CompetitionCreate(
                        organization_id=org.id, name="10K", kind="event", parent_id=race.id
                    ),
                )
                for bib, name in (("1", "Ana Silva"), ("2", "Bruno Costa")):
                    person = await resources.create(
                        session,
                        SYSTEM,
                        people.PEOPLE,
                        people.PersonCreate(name=name, organization_id=org.id),
                    )
                    await resources.create(
                        session,
                        SYSTEM,
                        entries.ENTRIES,
                        entries.EntryCreate(person_id=person.id, bib=bib),
                        competition_id=event.id,
                    )
                api_key, api_secret = await runsignup_auth.create_key(
                    session, race.id, org.id, "Timing tent"
                )
            token = await make_token(database, ["read"], org.id)
            return race.id, event.id, {"api_key": api_key, "api_secret": api_secret}, token
        finally:
            await database.dispose()

    race, event, key, token = in_thread(prepare)
    settings = Settings(database_url=url, data_dir=folder / "data", redis_url=None, log_json=False)
    with LiveServer(settings) as server:
        yield Day(server, race, event, key, token)


def runsignup_rows(day: Day) -> list[dict[str, object]]:
    answer = httpx.get(
        day.url(f"/Rest/race/{day.race}/results/get-results"),
        params={"format": "json", "event_id": str(day.event)},
        timeout=PATIENT,
    ).json()
    rows: list[dict[str, object]] = answer["individual_results_sets"][0]["results"]
    return rows


def native_results(day: Day) -> list[dict[str, object]]:
    answer = httpx.get(
        day.url(f"/api/v1/competitions/{day.event}/results"),
        headers={"Authorization": f"Bearer {day.token}"},
        timeout=PATIENT,
    ).json()
    found: list[dict[str, object]] = answer["data"]
    return found


def board_names(page: Page) -> list[str]:
    return [name.strip() for name in page.locator("table.board tbody th").all_inner_texts()]


def test_a_correction_and_a_disqualification_on_the_desk(browser: Browser, day: Day) -> None:
    posted = httpx.post(
        day.url(f"/Rest/race/{day.race}/results/full-results"),
        params={"format": "json", **day.key},
        data={
            "event_id": str(day.event),
            "request_format": "json",
            "request": json.dumps(
                {
                    "results": [
                        {"bib": "1", "clock_time": "0:40:00"},
                        {"bib": "2", "clock_time": "0:41:00"},
                    ]
                }
            ),
        },
        timeout=PATIENT,
    )
    assert posted.status_code == 200 and "error" not in posted.json(), posted.text
    public = browser.new_context(viewport=DESKTOP).new_page()  # type: ignore[arg-type]
    public.goto(day.url(f"/competitions/{day.event}"))
    expect(public.locator("table.board tbody th").first).to_have_text("Ana Silva")

    desk = browser.new_context(viewport=DESKTOP).new_page()  # type: ignore[arg-type]
    desk.goto(day.url("/console/"))
    desk.get_by_label("Email").fill(TIMER)
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Log in").click()
    expect(desk.get_by_role("heading", name="Your organizations")).to_be_visible()

    # Find bib 1 on the desk and correct the time: the chip was misread.
    desk.goto(day.url(f"/console/competitions/{day.event}/results"))
    expect(desk.locator("#results-caption")).to_have_text("2 results")
    desk.get_by_label("Bib or name").fill("1")
    desk.get_by_role("button", name="Show").click()
    expect(desk.locator("#results-caption")).to_have_text("1 result")
    shoot(desk, "desk-results")
    desk.get_by_role("link", name="Correct").click()
    correct = desk.locator("form", has=desk.get_by_role("button", name="Save the correction"))
    correct.get_by_label("Time").fill("0:42:00")
    correct.get_by_label("Why").fill("Chip misread at the finish")
    correct.get_by_role("button", name="Save the correction").click()
    expect(desk.get_by_role("status")).to_have_text("Corrected.")

    # Everyone sees the corrected time, and there is still one result per runner.
    public.reload()
    expect(public.locator("table.board tbody th").first).to_have_text("Bruno Costa")
    assert board_names(public) == ["Bruno Costa", "Ana Silva"]
    rows = runsignup_rows(day)
    assert sorted((r["bib"], r["clock_time"]) for r in rows) == [(1, "42:00"), (2, "41:00")]
    assert len(native_results(day)) == 2

    # Disqualified with a reason from the list and a detail: the public page says why.
    status = desk.locator("form", has=desk.get_by_role("button", name="Save the status"))
    status.get_by_label("Status", exact=True).select_option("DQ")
    status.get_by_label("Reason").select_option("Course cut")
    status.get_by_label("Details (shown with the status)").fill("missed the turn at km 3")
    status.get_by_role("button", name="Save the status").click()
    expect(desk.get_by_role("status")).to_have_text("Status saved.")
    shoot(desk, "desk-result")
    public.reload()
    dq = public.locator("table.board tbody tr", has_text="Ana Silva")
    expect(dq).to_contain_text("Disqualified")
    expect(dq).to_contain_text("Course cut — missed the turn at km 3")
    shoot(public, "desk-public-dq")

    # Undo takes the disqualification back; the corrected time stays.
    desk.get_by_role("button", name="Undo").click()
    expect(desk.get_by_role("status")).to_have_text("Undone.")
    public.reload()
    expect(public.locator("table.board tbody tr", has_text="Ana Silva")).not_to_contain_text(
        "Disqualified"
    )
    assert board_names(public) == ["Bruno Costa", "Ana Silva"]
    assert len(native_results(day)) == 2
