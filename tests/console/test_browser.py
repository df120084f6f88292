"""An event day in the console, in headless Chromium against a real server.

The first owner logs in and invites a director; the director sets a password, builds
a race with two events and imports participants (a file with two bad rows first:
the preview shows them and nothing is stored); the owner makes a RunSignup key; a
timer posts through ``/Rest`` with it and the results appear on the public page. A
viewer is refused the set-up pages and a form without its token is refused.
Screenshots of each step go to ``artifacts/screenshots/console-*.png`` (the README's
walkthrough shows them).
"""

from __future__ import annotations

import json
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
from podium.store.database import Database
from tests.browsing import DESKTOP, PHONE, in_thread, shoot
from tests.conftest import PATIENT, LiveServer

OWNER, PASSWORD = "owner@harbor.example", "owner password 1"
BAD_CSV = (
    "First Name,Last Name,Date of birth,Sex,Club\n"
    "Ana,Silva,1990-02-31,F,Harbor RC\n"
    "Bruno,Costa,1985-07-14,M,Harbor RC\n"
    "Carla,Dias,1979-11-02,female,Lagos AC\n"
    "Duarte,Reis,1992-03-09,robot,\n"
)
GOOD_CSV = BAD_CSV.replace("1990-02-31", "1990-02-28").replace("robot", "M")


@dataclass
class Event:
    server: LiveServer

    def url(self, path: str) -> str:
        return f"{self.server.url}{path}"


@pytest.fixture(scope="module")
def event(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Event]:
    """A fresh store with one organization and its first owner (as `podium user create`
    makes them), served over HTTP."""
    folder = tmp_path_factory.mktemp("console")
    path = folder / "podium.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"

    async def prepare() -> None:
        database = Database(url)
        try:
            async with database.write() as session:
                org = await organizations.create_organization(
                    session,
                    SYSTEM,
                    organizations.OrganizationCreate(slug="harbor", name="Harbor Runners"),
                )
                user = await accounts.create_user(
                    session, SYSTEM, accounts.UserCreate(email=OWNER, password=PASSWORD)
                )
                await accounts.add_member(session, SYSTEM, user, org.id, "owner")
                viewer = await accounts.create_user(
                    session,
                    SYSTEM,
                    accounts.UserCreate(email="viewer@harbor.example", password=PASSWORD),
                )
                await accounts.add_member(session, SYSTEM, viewer, org.id, "viewer")
        finally:
            await database.dispose()

    in_thread(prepare)
    settings = Settings(database_url=url, data_dir=folder / "data", redis_url=None, log_json=False)
    with LiveServer(settings) as server:
        yield Event(server)


def log_in(page: Page, event: Event, email: str, password: str) -> None:
    page.goto(event.url("/console/"))
    expect(page.get_by_role("heading", name="Log in to the console")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your organizations")).to_be_visible()


def make_competition(page: Page, name: str, kind: str, parent: str | None = None) -> int:
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Kind").fill(kind)
    if parent is not None:
        page.get_by_label("Part of").select_option(label=parent)
    page.get_by_label("Time zone of the event").fill("Europe/Lisbon")
    page.get_by_label("Starts").fill("2027-04-18T09:30")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("status")).to_have_text("Created.")
    found = re.search(r"/console/competitions/(\d+)", page.url)
    assert found, page.url
    return int(found[1])


def test_an_event_day_from_first_login_to_results_on_the_public_page(
    browser: Browser, event: Event, tmp_path: Path
) -> None:
    owner = browser.new_context(viewport=DESKTOP).new_page()  # type: ignore[arg-type]
    log_in(owner, event, OWNER, PASSWORD)
    shoot(owner, "console-home")

    # The owner invites a director; the link is shown once.
    owner.get_by_role("link", name="Harbor Runners").first.click()
    owner.get_by_role("link", name="Members").click()
    invite = owner.locator("form", has=owner.get_by_role("button", name="Invite"))
    invite.get_by_label("Email").fill("dana@harbor.example")
    invite.get_by_label("Role").select_option("director")
    invite.get_by_role("button", name="Invite").click()
    link = owner.locator("#invite-link").inner_text()
    assert "/console/invite?ticket=" in link
    shoot(owner, "console-invitation")

    # The director follows the link, sets a password, and is in.
    director = browser.new_context(viewport=DESKTOP).new_page()  # type: ignore[arg-type]
    director.goto(link)
    expect(director.get_by_text("You are invited as director")).to_be_visible()
    director.get_by_label("Your name").fill("Dana Reis")
    director.get_by_label("Password", exact=True).fill("dana's password")
    director.get_by_label("Password again").fill("dana's password")
    director.get_by_role("button", name="Set the password and join").click()
    expect(director.get_by_role("heading", name="Your organizations")).to_be_visible()

    # A race with two events.
    director.goto(event.url("/console/orgs/harbor/competitions/new"))
    race = make_competition(director, "Harbor 10K", "race")
    shoot(director, "console-competition")
    director.get_by_role("link", name="Add a part").click()
    ten_k = make_competition(director, "10K", "event", parent="Harbor 10K")
    director.goto(event.url(f"/console/orgs/harbor/competitions/new?parent={race}"))
    make_competition(director, "5K", "event", parent="Harbor 10K")
    director.goto(event.url("/console/orgs/harbor/competitions"))
    expect(director.locator("table").get_by_role("link", name="5K")).to_be_visible()
    shoot(director, "console-competitions")

    # A participants file with two bad rows: both shown, nothing stored.
    bad = tmp_path / "entries.csv"
    bad.write_text(BAD_CSV)
    director.goto(event.url(f"/console/competitions/{ten_k}/participants"))
    director.get_by_label("CSV file", exact=True).set_input_files(str(bad))
    director.get_by_role("button", name="Check the file").click()
    problems = director.locator("table.problems tbody tr")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("1990-02-31 is not a date")
    expect(problems.nth(1)).to_contain_text("robot")
    expect(director.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)
    expect(director.get_by_text("No participants yet.")).to_be_visible()
    shoot(director, "console-import-preview")

    # Fixed and imported: bibs and registration ids are given out.
    good = tmp_path / "entries-fixed.csv"
    good.write_text(GOOD_CSV)
    director.get_by_label("CSV file", exact=True).set_input_files(str(good))
    director.get_by_role("button", name="Check the file").click()
    expect(director.get_by_text("No problems found.")).to_be_visible()
    director.get_by_role("button", name="Import 4 participants").click()
    expect(director.get_by_role("heading", name="Imported 4 participants")).to_be_visible()
    shoot(director, "console-import-report")
    report = director.locator("#report-caption").locator("xpath=..")
    registration = report.locator("tbody tr", has_text="Bruno Costa").locator("td").nth(2)
    bruno = registration.inner_text().strip()
    assert bruno.isdigit()

    # The owner makes a RunSignup key for the race; it is shown once with its URL.
    owner.goto(event.url("/console/orgs/harbor/credentials"))
    form = owner.locator("section", has_text="RunSignup API key").locator("form")
    form.get_by_label("Race").select_option(label="Harbor 10K")
    form.get_by_label("Name").fill("Timing tent")
    form.get_by_role("button", name="Make").click()
    expect(owner.get_by_role("heading", name="New RunSignup API key")).to_be_visible()
    assert owner.locator("#made-base").inner_text() == event.url("/Rest")
    api_key = owner.locator("#made-1").inner_text()
    api_secret = owner.locator("#made-2").inner_text()
    shoot(owner, "console-credential")

    # The timer posts a finish with it; the public page shows the result.
    posted = httpx.post(
        event.url(f"/Rest/race/{race}/results/full-results"),
        params={"format": "json", "api_key": api_key, "api_secret": api_secret},
        data={
            "event_id": str(ten_k),
            "request_format": "json",
            "request": json.dumps(
                {"results": [{"registration_id": int(bruno), "clock_time": "0:41:07.2"}]}
            ),
        },
        timeout=PATIENT,
    )
    assert posted.status_code == 200 and "results" in posted.json(), posted.text
    public = browser.new_context(viewport=PHONE).new_page()  # type: ignore[arg-type]
    public.goto(event.url(f"/competitions/{ten_k}"))
    expect(public.locator("#live-board tbody tr", has_text="Bruno Costa")).to_contain_text(
        "41:07.2"
    )
    director.goto(event.url(f"/console/competitions/{ten_k}"))
    expect(director.get_by_role("heading", name="Results are coming in")).to_be_visible()

    # A viewer reads but cannot reach set-up pages.
    viewer = browser.new_context(viewport=PHONE).new_page()  # type: ignore[arg-type]
    log_in(viewer, event, "viewer@harbor.example", PASSWORD)
    answer = viewer.goto(event.url("/console/orgs/harbor/competitions/new"))
    assert answer is not None and answer.status == 403
    expect(viewer.get_by_role("alert")).to_contain_text("does not let you set up")
    shoot(viewer, "console-viewer-refused")

    # A forged form (the session's cookie, but no token) is refused, nothing done.
    forged = director.request.post(
        event.url("/console/orgs/harbor/competitions/new"),
        form={"name": "Forged", "kind": "race"},
    )
    assert forged.status == 403
    director.goto(event.url("/console/orgs/harbor/competitions"))
    expect(director.get_by_text("Forged")).to_have_count(0)
    for page in (owner, director, public, viewer):
        page.context.close()
