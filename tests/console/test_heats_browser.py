"""The heats desk in headless Chromium against a real server: a director moves a pilot
to another heat, RotorHazard's view of the race (MultiGP ``race/view``) has the pilot
there at once, and a channel clash is shown on the line-up with nothing changed.
Screenshots go to ``artifacts/screenshots/console-heats-*.png``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from podium.config import Settings
from podium.core import accounts, organizations
from podium.core.principal import SYSTEM
from podium.dialects.multigp import auth, races, wire
from podium.store.database import Database
from tests.browsing import DESKTOP, in_thread, shoot
from tests.conftest import PATIENT, LiveServer

DIRECTOR, PASSWORD = "dana@skyline.example", "dana's password"


@dataclass
class Field:
    server: LiveServer
    race_id: int
    api_key: str

    def url(self, path: str) -> str:
        return f"{self.server.url}{path}"

    def race_view(self) -> dict[str, Any]:
        answer = httpx.post(
            self.url(f"{wire.BASE_PATH}/race/view?id={self.race_id}"),
            json={"apiKey": self.api_key},
            timeout=PATIENT,
        )
        body: dict[str, Any] = answer.json()
        assert body["status"] is True, body
        data: dict[str, Any] = body["data"]
        return data

    def heats(self, round_number: int = 1) -> list[list[str | None]]:
        rounds = self.race_view()["schedule"]["rounds"]
        return [[s.get("pilotId") for s in h["entries"]] for h in rounds[round_number - 1]["heats"]]


@pytest.fixture(scope="module")
def field(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Field]:
    """A chapter with a director, a RotorHazard key and a race of six pilots in two
    heats of four slots (R1-R4), served over HTTP."""
    folder = tmp_path_factory.mktemp("heats")
    path = folder / "podium.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"

    async def prepare() -> tuple[int, str]:
        database = Database(url)
        try:
            async with database.write() as session:
                org = await organizations.create_organization(
                    session,
                    SYSTEM,
                    organizations.OrganizationCreate(slug="skyline", name="Skyline FPV"),
                )
                user = await accounts.create_user(
                    session, SYSTEM, accounts.UserCreate(email=DIRECTOR, password=PASSWORD)
                )
                await accounts.add_member(session, SYSTEM, user, org.id, "director")
                pilots = [
                    races.PilotSpec(str(1001 + n), name, "Reis")
                    for n, name in enumerate(("Ana", "Bruno", "Carla", "Duarte", "Eva", "Filipe"))
                ]
                race = await races.create_race(
                    session, SYSTEM, org.id, races.RaceSpec("Skyline Spring Race", slots=4), pilots
                )
                key = await auth.create_key(session, org.id, "RotorHazard")
            return race.id, key
        finally:
            await database.dispose()

    race_id, key = in_thread(prepare)
    settings = Settings(database_url=url, data_dir=folder / "data", redis_url=None, log_json=False)
    with LiveServer(settings) as server:
        yield Field(server, race_id, key)


def test_a_director_moves_a_pilot_to_another_heat(browser: Browser, field: Field) -> None:
    assert field.heats() == [["1001", "1002", "1003", "1004"], ["1005", "1006", None, None]]
    page = browser.new_context(viewport=DESKTOP).new_page()  # type: ignore[arg-type]
    page.goto(field.url(f"/console/competitions/{field.race_id}/heats"))
    page.get_by_label("Email").fill(DIRECTOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Heats", exact=True)).to_be_visible()
    heat_1 = page.get_by_role("table", name="Round 1, heat 1")
    expect(heat_1.get_by_role("row", name="Ana Reis")).to_contain_text("R1")
    shoot(page, "console-heats")

    # Ana goes to heat 2, its first free slot (slot 3, R3).
    move = page.get_by_role("form", name="Move a pilot in Round 1")
    move.get_by_label("Pilot").select_option(label="Ana Reis (heat 1, slot 1)")
    move.get_by_label("Move to").select_option(label="Heat 2: first free slot")
    move.get_by_label("Why (optional)").fill("Ana only has R3 on her goggles")
    move.get_by_role("button", name="Move").click()
    expect(page.get_by_role("status")).to_have_text("Moved.")
    heat_2 = page.get_by_role("table", name="Round 1, heat 2")
    expect(heat_2.get_by_role("row", name="Ana Reis")).to_contain_text("5732 MHz")
    expect(heat_1.get_by_role("row", name="Ana Reis")).to_have_count(0)
    shoot(page, "console-heats-moved")

    # RotorHazard's next pull of the race has her there.
    assert field.heats() == [[None, "1002", "1003", "1004"], ["1005", "1006", "1001", None]]
    seat = field.race_view()["schedule"]["rounds"][0]["heats"][1]["entries"][2]
    assert (seat["pilotId"], seat["band"], seat["channel"], seat["frequency"]) == (
        "1001",
        "R",
        "3",
        5732,
    )

    # Bruno's slot retuned onto Carla's channel: refused, shown with the line-up.
    bruno = heat_1.get_by_role("row", name="Bruno Reis")
    bruno.get_by_text("Edit channel").click()
    bruno.get_by_label("Channel", exact=True).fill("3")
    bruno.get_by_label("Frequency (MHz)").fill("5732")
    bruno.get_by_role("button", name="Save the channel").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Heat 1 of round 1: Bruno Reis (slot 2) and Carla Reis (slot 3) would both fly on R3"
    )
    expect(page.get_by_role("table", name="Round 1, heat 1")).to_be_visible()
    shoot(page, "console-heats-conflict")
    second = field.race_view()["schedule"]["rounds"][0]["heats"][0]["entries"][1]
    assert (second["pilotId"], second["channel"], second["frequency"]) == ("1002", "2", 5695)
    page.context.close()
