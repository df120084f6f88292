"""Heat line-ups in the console: what the desk changes, MultiGP's race/view and
getAdditionalRounds serve at once (over HTTP, from a real server on the same store);
a conflict is shown on the line-up page and changes nothing; a timer cannot change it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from podium.core import organizations
from podium.core.principal import SYSTEM
from podium.dialects.multigp import auth, races, wire
from podium.store.database import Database
from podium.store.tables import Event, Heat, Round, Slot
from tests.conftest import PATIENT, LiveServer
from tests.console.conftest import Browser, Org, add_user

# Six pilots, four slots a heat (R1-R4): heat 1 has 1001-1004, heat 2 has 1005, 1006.
BEFORE = [["1001", "1002", "1003", "1004"], ["1005", "1006", None, None]]


@dataclass
class Race:
    id: int
    api_key: str
    # slot ids by round, heat and slot number (all 1-based)
    slots: dict[tuple[int, int, int], int]
    heats: dict[tuple[int, int], int]

    @property
    def page(self) -> str:
        return f"/console/competitions/{self.id}/heats"

    def action(self, name: str) -> str:
        return f"{self.page}/{name}"


async def make_race(database: Database, org: Org) -> Race:
    specs = [races.PilotSpec(str(1001 + n), f"Pilot{n + 1}", "Flyer") for n in range(6)]
    spec = races.RaceSpec("Club Race", cycles=2, slots=4)
    async with database.write() as session:
        race = await races.create_race(session, SYSTEM, org.id, spec, specs)
        key = await auth.create_key(session, org.id, "RotorHazard")
    race_ = Race(race.id, key, {}, {})
    async with database.read() as session:
        rows = await session.execute(
            select(Round.number, Heat.number, Heat.id, Slot.number, Slot.id)
            .join(Heat, Heat.round_id == Round.id)
            .join(Slot, Slot.heat_id == Heat.id)
            .where(Round.competition_id == race.id)
        )
        for round_number, heat_number, heat_id, slot_number, slot_id in rows:
            race_.heats[(round_number, heat_number)] = heat_id
            race_.slots[(round_number, heat_number, slot_number)] = slot_id
    return race_


async def race_view(server: LiveServer, race: Race) -> dict[str, Any]:
    """``race/view`` as RotorHazard's MultiGP Toolkit calls it."""
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        answer = await http.post(
            f"{server.url}{wire.BASE_PATH}/race/view?id={race.id}", json={"apiKey": race.api_key}
        )
    body: dict[str, Any] = answer.json()
    assert body["status"] is True, body
    data: dict[str, Any] = body["data"]
    return data


def pilots(rounds: list[dict[str, Any]], number: int) -> list[list[str | None]]:
    return [
        [slot.get("pilotId") for slot in heat["entries"]] for heat in rounds[number - 1]["heats"]
    ]


async def lineup(server: LiveServer, race: Race, round_number: int = 1) -> list[list[str | None]]:
    return pilots((await race_view(server, race))["schedule"]["rounds"], round_number)


async def test_a_move_in_the_console_is_served_by_race_view(
    live_server: LiveServer,
    database: Database,
    org: Org,
    browsers: Callable[[], Browser],
) -> None:
    race = await make_race(database, org)
    assert await lineup(live_server, race) == BEFORE
    owner = browsers()
    await owner.login("owner@example.org")
    shown = await owner.http.get(race.page)
    assert shown.status_code == 200
    assert "Pilot1 Flyer (heat 1, slot 1)" in shown.text and "5658 MHz" in shown.text

    # Pilot 1001 to heat 2, slot 3 (free): flies on that slot's R3 from now on.
    done = await owner.submit(
        race.page,
        race.action("move"),
        slot=str(race.slots[(1, 1, 1)]),
        to=f"slot:{race.slots[(1, 2, 3)]}",
        swap="on",
        reason="goggles only do R3",
    )
    assert done.status_code == 303
    assert done.headers["location"].startswith(f"{race.page}?note=moved")
    view = await race_view(live_server, race)
    rounds = view["schedule"]["rounds"]
    assert pilots(rounds, 1) == [[None, "1002", "1003", "1004"], ["1005", "1006", "1001", None]]
    moved = rounds[0]["heats"][1]["entries"][2]
    assert (moved["band"], moved["channel"], moved["frequency"]) == ("R", "3", 5732)
    assert pilots(rounds, 2) == BEFORE  # the other round is untouched

    # getAdditionalRounds (what the timer asks for next) reads the same store.
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        more = await http.post(
            f"{live_server.url}{wire.BASE_PATH}/race/getAdditionalRounds"
            f"?id={race.id}&startFromRound=1",
            json={"apiKey": race.api_key},
        )
    assert pilots(more.json()["data"]["rounds"], 1) == pilots(rounds, 1)

    # A taken slot: the two pilots swap.
    done = await owner.submit(
        race.page,
        race.action("move"),
        slot=str(race.slots[(1, 1, 2)]),
        to=f"slot:{race.slots[(1, 2, 1)]}",
        swap="on",
    )
    assert done.headers["location"].startswith(f"{race.page}?note=swapped")
    assert await lineup(live_server, race) == [
        [None, "1005", "1003", "1004"],
        ["1002", "1006", "1001", None],
    ]
    after = await owner.http.get(done.headers["location"])
    assert "Swapped the two pilots." in after.text

    async with database.read() as session:
        reasons = list(
            await session.scalars(
                select(Event.reason).where(Event.type == "slot.updated").order_by(Event.seq)
            )
        )
    assert reasons[-4:] == ["goggles only do R3", "goggles only do R3", None, None]


async def test_a_conflict_shows_the_line_up_with_the_reason_and_changes_nothing(
    live_server: LiveServer,
    database: Database,
    org: Org,
    browsers: Callable[[], Browser],
) -> None:
    race = await make_race(database, org)
    owner = browsers()
    await owner.login("owner@example.org")
    # Pilot 1002's slot retuned to R1, where 1001 already flies in heat 1.
    refused = await owner.submit(
        race.page,
        race.action("tune"),
        slot=str(race.slots[(1, 1, 2)]),
        band="R",
        channel="1",
        frequency_mhz="5658",
    )
    assert refused.status_code == 409
    assert 'role="alert"' in refused.text
    assert (
        "Heat 1 of round 1: Pilot1 Flyer (slot 1) and Pilot2 Flyer (slot 2) would both fly "
        "on R1 (5658 MHz)." in refused.text
    )
    assert "<h1>Heats</h1>" in refused.text  # the line-up, not a bare error page
    view = await race_view(live_server, race)
    second = view["schedule"]["rounds"][0]["heats"][0]["entries"][1]
    assert (second["channel"], second["frequency"]) == ("2", 5695)

    # Moving without swapping onto a taken slot is refused too.
    refused = await owner.submit(
        race.page,
        race.action("move"),
        slot=str(race.slots[(1, 1, 1)]),
        to=f"slot:{race.slots[(1, 2, 1)]}",
    )
    assert refused.status_code == 409
    assert "slot 1 is taken by Pilot5 Flyer: Pilot1 Flyer was not moved" in refused.text
    # A pilot added to a heat of a round they already fly in.
    entry_1001 = await database_entry(database, race, "1001")
    refused = await owner.submit(
        race.page,
        race.action("slots/add"),
        heat=str(race.heats[(1, 2)]),
        entry=str(entry_1001),
        channel="F4",
        frequency_mhz="5800",
    )
    assert refused.status_code == 409
    assert "Round 1: Pilot1 Flyer would fly in heat 1 and heat 2" in refused.text
    assert await lineup(live_server, race) == BEFORE


async def database_entry(database: Database, race: Race, pilot_id: str) -> int:
    async with database.read() as session:
        person = await races.pilot(session, pilot_id)
        assert person is not None
        entry = await races.entry_of(session, race.id, person.id)
        assert entry is not None
        return entry.id


async def test_rounds_and_slots_added_and_removed_and_bad_input(
    live_server: LiveServer,
    database: Database,
    org: Org,
    browsers: Callable[[], Browser],
) -> None:
    race = await make_race(database, org)
    owner = browsers()
    await owner.login("owner@example.org")
    done = await owner.submit(
        race.page,
        race.action("rounds/add"),
        name="",
        heats="2",
        slots="",
        like=str(await round_id(database, race, 1)),
        pilots="on",
    )
    assert done.status_code == 303, done.text[:500]
    rounds = (await race_view(live_server, race))["schedule"]["rounds"]
    assert [r["name"] for r in rounds] == ["Round 1", "Round 2", "Round 3"]
    assert pilots(rounds, 3) == BEFORE

    done = await owner.submit(
        race.page,
        race.action("slots/add"),
        heat=str(race.heats[(1, 2)]),
        entry="",
        band="F",
        channel="4",
        frequency_mhz="5800",
    )
    assert done.status_code == 303
    done = await owner.submit(
        race.page, race.action("slots/remove"), slot=str(race.slots[(1, 1, 4)]), reason="no 4th"
    )
    assert done.status_code == 303
    heats = (await race_view(live_server, race))["schedule"]["rounds"][0]["heats"]
    assert [[(s["slot"], s.get("pilotId")) for s in h["entries"]] for h in heats] == [
        [(1, "1001"), (2, "1002"), (3, "1003")],
        [(1, "1005"), (2, "1006"), (3, None), (4, None), (5, None)],
    ]
    assert (heats[1]["entries"][4]["band"], heats[1]["entries"][4]["frequency"]) == ("F", 5800)

    # Bad input is a message on the page, never a 500, and nothing changes.
    before = await race_view(live_server, race)
    for action, fields, message in [
        ("move", {"slot": "1e3", "to": "slot:1"}, "Choose the pilot to move."),
        ("move", {"slot": str(race.slots[(1, 1, 1)]), "to": "slot:x"}, "Choose where the pilot"),
        ("move", {"slot": "9" * 30, "to": "heat:1"}, "Choose the pilot to move."),
        ("move", {"slot": "999999", "to": f"heat:{race.heats[(1, 2)]}"}, "No slot 999999"),
        ("tune", {"slot": str(race.slots[(1, 1, 1)]), "frequency_mhz": "5.8GHz"}, "whole number"),
        ("tune", {"slot": str(race.slots[(1, 1, 1)]), "channel": "x" * 21}, "channel"),
        ("slots/add", {"heat": "abc"}, "Choose a heat."),
        ("slots/add", {"heat": str(race.heats[(1, 1)]), "entry": "me"}, "Choose a pilot"),
        ("rounds/add", {"heats": "0"}, "Heats must be a whole number from 1 to 100."),
        ("rounds/add", {"heats": "2", "slots": "-1"}, "Slots per heat must be"),
        ("rounds/add", {"like": "first"}, "Choose a round to copy"),
        ("rounds/add", {"name": "n" * 201}, "name"),
    ]:
        refused = await owner.submit(race.page, race.action(action), **fields)
        assert refused.status_code in (400, 404, 409), (action, fields, refused.status_code)
        assert message in refused.text, (action, fields, refused.text[-2000:])
    assert await race_view(live_server, race) == before


async def round_id(database: Database, race: Race, number: int) -> int:
    async with database.read() as session:
        found = await session.scalar(
            select(Round.id).where(Round.competition_id == race.id, Round.number == number)
        )
    assert found is not None
    return found


async def test_a_timer_reads_the_heats_but_cannot_change_them(
    live_server: LiveServer,
    database: Database,
    org: Org,
    browsers: Callable[[], Browser],
) -> None:
    race = await make_race(database, org)
    await add_user(database, org.id, "timer@example.org", "timer")
    timer = browsers()
    await timer.login("timer@example.org")
    shown = await timer.http.get(race.page)
    assert shown.status_code == 200 and "Pilot1 Flyer" in shown.text
    assert "/heats/move" not in shown.text  # no forms for a reader
    for action, fields in [
        ("move", {"slot": str(race.slots[(1, 1, 1)]), "to": f"slot:{race.slots[(1, 2, 3)]}"}),
        ("tune", {"slot": str(race.slots[(1, 1, 1)]), "channel": "5"}),
        ("slots/add", {"heat": str(race.heats[(1, 1)])}),
        ("slots/remove", {"slot": str(race.slots[(1, 2, 4)])}),
        ("rounds/add", {"heats": "1"}),
    ]:
        refused = await timer.submit(race.page, race.action(action), **fields)
        assert refused.status_code == 403, (action, refused.status_code)
        assert "does not let you set up" in refused.text
    assert await lineup(live_server, race) == BEFORE
    # Someone outside the organization does not learn the competition exists.
    other = await add_outsider(database)
    stranger = browsers()
    await stranger.login(other)
    assert (await stranger.http.get(race.page)).status_code == 404


async def add_outsider(database: Database) -> str:
    async with database.write() as session:
        made = await organizations.create_organization(
            session, SYSTEM, organizations.OrganizationCreate(slug="elsewhere", name="Elsewhere")
        )
    await add_user(database, made.id, "outsider@example.org", "owner")
    return "outsider@example.org"
