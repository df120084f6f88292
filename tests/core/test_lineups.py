"""Line-up commands: moves and swaps, retuning, added rounds and slots, and the rules
a heat keeps (one pilot a channel, a pilot once a heat and once a round)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from podium.core import lineups, resources
from podium.core.competitions import COMPETITIONS, CompetitionCreate
from podium.core.entries import ENTRIES, EntryCreate
from podium.core.errors import Conflict, Forbidden, Invalid, NotFound
from podium.core.organizations import OrganizationCreate, create_organization
from podium.core.people import PEOPLE, PersonCreate
from podium.core.principal import SYSTEM, Principal
from podium.core.results import ResultCreate, create_one
from podium.core.schedule import HEATS, ROUNDS, SLOTS, HeatCreate, RoundCreate, SlotCreate
from podium.dialects.multigp import races
from podium.store.database import Database
from podium.store.tables import Event, Heat, Round, Slot

CHANNELS = [("R", "1", 5658), ("R", "2", 5695), ("R", "3", 5732)]
NAMES = ["Ana", "Bruno", "Carla", "Duarte", "Eva", "Filipe"]


@dataclass
class Race:
    competition_id: int
    organization_id: int
    entries: dict[str, int]  # name -> entry id
    heats: list[int]  # heat ids of round 1
    slots: list[list[int]]  # slot ids by heat, then slot


async def make_race(db: Database) -> Race:
    """Round 1: heat 1 Ana, Bruno, Carla on R1-R3; heat 2 Duarte, Eva and an empty R3."""
    async with db.write() as session:
        org = await create_organization(
            session, SYSTEM, OrganizationCreate(slug="sky", name="Skyline")
        )
        comp = await resources.create(
            session,
            SYSTEM,
            COMPETITIONS,
            CompetitionCreate(organization_id=org.id, name="Club race", kind="race"),
        )
        entries = {}
        for name in NAMES:
            person = await resources.create(session, SYSTEM, PEOPLE, PersonCreate(name=name))
            entry = await resources.create(
                session, SYSTEM, ENTRIES, EntryCreate(person_id=person.id), competition_id=comp.id
            )
            entries[name] = entry.id
        round_ = await resources.create(
            session, SYSTEM, ROUNDS, RoundCreate(), competition_id=comp.id
        )
        heats, slots = [], []
        for pilots in (["Ana", "Bruno", "Carla"], ["Duarte", "Eva", None]):
            heat = await resources.create(session, SYSTEM, HEATS, HeatCreate(), round_id=round_.id)
            heats.append(heat.id)
            row = []
            for pilot, (band, channel, mhz) in zip(pilots, CHANNELS, strict=True):
                slot = await resources.create(
                    session,
                    SYSTEM,
                    SLOTS,
                    SlotCreate(
                        entry_id=entries[pilot] if pilot else None,
                        band=band,
                        channel=channel,
                        frequency_mhz=mhz,
                    ),
                    heat_id=heat.id,
                )
                row.append(slot.id)
            slots.append(row)
    return Race(comp.id, org.id, entries, heats, slots)


async def lineup(db: Database, race: Race) -> list[list[list[str | None]]]:
    """Pilot names by round, heat and slot."""
    by_id = {v: k for k, v in race.entries.items()}
    async with db.read() as session:
        rows = await session.execute(
            select(Round.number, Heat.number, Slot.entry_id)
            .join(Heat, Heat.id == Slot.heat_id)
            .join(Round, Round.id == Heat.round_id)
            .where(Round.competition_id == race.competition_id)
            .order_by(Round.number, Heat.number, Slot.number)
        )
        out: dict[int, dict[int, list[str | None]]] = {}
        for round_number, heat_number, entry_id in rows:
            heat = out.setdefault(round_number, {}).setdefault(heat_number, [])
            heat.append(by_id[entry_id] if entry_id else None)
    return [list(heats.values()) for _n, heats in sorted(out.items())]


async def slot_rows(
    db: Database,
) -> list[tuple[int, int | None, str | None, str | None, int | None]]:
    async with db.read() as session:
        rows = await session.execute(
            select(Slot.id, Slot.entry_id, Slot.band, Slot.channel, Slot.frequency_mhz).order_by(
                Slot.id
            )
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def events(db: Database) -> list[Event]:
    async with db.read() as session:
        return list((await session.scalars(select(Event).order_by(Event.seq))).all())


async def test_move_to_a_free_slot_of_another_heat(database: Database) -> None:
    race = await make_race(database)
    before = len(await events(database))
    async with database.write() as session:
        moved = await lineups.move(
            session,
            SYSTEM,
            race.competition_id,
            race.slots[0][0],
            lineups.Move(to_slot_id=race.slots[1][2], reason="Ana's goggles are on R1 only"),
        )
    assert moved == lineups.Moved(race.entries["Ana"], race.slots[0][0], race.slots[1][2], None)
    assert await lineup(database, race) == [
        [[None, "Bruno", "Carla"], ["Duarte", "Eva", "Ana"]],
    ]
    logged = (await events(database))[before:]
    assert [(e.type, e.object_id) for e in logged] == [
        ("slot.updated", race.slots[1][2]),
        ("slot.updated", race.slots[0][0]),
    ]
    assert {e.reason for e in logged} == {"Ana's goggles are on R1 only"}
    assert logged[0].payload and logged[0].payload["entry_id"] == race.entries["Ana"]
    assert logged[1].before and logged[1].before["entry_id"] == race.entries["Ana"]


async def test_move_to_a_heat_takes_its_first_free_slot(database: Database) -> None:
    race = await make_race(database)
    async with database.write() as session:
        moved = await lineups.move(
            session,
            SYSTEM,
            race.competition_id,
            race.slots[0][1],
            lineups.Move(to_heat_id=race.heats[1]),
        )
    assert moved.to_slot_id == race.slots[1][2]
    assert await lineup(database, race) == [[["Ana", None, "Carla"], ["Duarte", "Eva", "Bruno"]]]
    # Heat 2 is full now: moving another pilot there is refused, nothing changes.
    with pytest.raises(Conflict, match="Heat 2 of round 1 has no free slot"):
        async with database.write() as session:
            await lineups.move(
                session,
                SYSTEM,
                race.competition_id,
                race.slots[0][0],
                lineups.Move(to_heat_id=race.heats[1]),
            )
    assert await lineup(database, race) == [[["Ana", None, "Carla"], ["Duarte", "Eva", "Bruno"]]]


async def test_a_taken_slot_swaps_or_refuses(database: Database) -> None:
    race = await make_race(database)
    async with database.write() as session:
        moved = await lineups.move(
            session,
            SYSTEM,
            race.competition_id,
            race.slots[0][0],
            lineups.Move(to_slot_id=race.slots[1][0]),
        )
    assert moved.swapped_entry_id == race.entries["Duarte"]
    assert await lineup(database, race) == [[["Duarte", "Bruno", "Carla"], ["Ana", "Eva", None]]]

    rows, logged = await slot_rows(database), len(await events(database))
    with pytest.raises(Conflict) as refused:
        async with database.write() as session:
            await lineups.move(
                session,
                SYSTEM,
                race.competition_id,
                race.slots[1][1],
                lineups.Move(to_slot_id=race.slots[0][1], swap=False),
            )
    assert "Heat 1 of round 1, slot 2 is taken by Bruno" in refused.value.message
    assert "Eva was not moved" in refused.value.message
    assert await slot_rows(database) == rows and len(await events(database)) == logged


async def test_two_pilots_on_one_channel_are_refused(database: Database) -> None:
    race = await make_race(database)
    rows, logged = await slot_rows(database), len(await events(database))
    with pytest.raises(Conflict) as refused:
        async with database.write() as session:
            await lineups.tune(
                session,
                SYSTEM,
                race.competition_id,
                race.slots[0][0],
                lineups.Tune(band="R", channel="2", frequency_mhz=5695),
            )
    message = refused.value.message
    assert message.startswith("Heat 1 of round 1: Ana (slot 1) and Bruno (slot 2)")
    assert "R2 (5695 MHz)" in message
    assert refused.value.details["heat_id"] == race.heats[0]
    # One frequency under another name is the same clash.
    with pytest.raises(
        Conflict, match=r"Ana \(slot 1\) and Carla \(slot 3\) would both fly on 5732"
    ):
        async with database.write() as session:
            await lineups.tune(
                session,
                SYSTEM,
                race.competition_id,
                race.slots[0][0],
                lineups.Tune(band="F", channel="9", frequency_mhz=5732),
            )
    assert await slot_rows(database) == rows and len(await events(database)) == logged

    # An empty slot's channel is only a plan; a pilot moved onto it is refused.
    async with database.write() as session:
        tuned = await lineups.tune(
            session,
            SYSTEM,
            race.competition_id,
            race.slots[1][2],
            lineups.Tune(band=None, channel="R1", reason="spare quad on R1"),
        )
    assert (tuned.band, tuned.channel, tuned.frequency_mhz) == (None, "R1", 5732)
    rows = await slot_rows(database)
    with pytest.raises(
        Conflict, match=r"Duarte \(slot 1\) and Carla \(slot 3\) would both fly on R1"
    ):
        async with database.write() as session:
            await lineups.move(
                session,
                SYSTEM,
                race.competition_id,
                race.slots[0][2],
                lineups.Move(to_slot_id=race.slots[1][2]),
            )
    assert await slot_rows(database) == rows


async def test_a_pilot_once_a_heat_and_once_a_round(database: Database) -> None:
    race = await make_race(database)
    rows = await slot_rows(database)
    with pytest.raises(Conflict, match=r"Heat 1 of round 1: Ana would be in it twice"):
        async with database.write() as session:
            await lineups.add_slot(
                session,
                SYSTEM,
                race.competition_id,
                race.heats[0],
                lineups.SlotAdd(entry_id=race.entries["Ana"], channel="F4", frequency_mhz=5800),
            )
    with pytest.raises(Conflict, match=r"Round 1: Ana would fly in heat 1 and heat 2"):
        async with database.write() as session:
            await lineups.add_slot(
                session,
                SYSTEM,
                race.competition_id,
                race.heats[1],
                lineups.SlotAdd(entry_id=race.entries["Ana"], channel="F4", frequency_mhz=5800),
            )
    assert await slot_rows(database) == rows
    async with database.write() as session:
        added = await lineups.add_slot(
            session,
            SYSTEM,
            race.competition_id,
            race.heats[1],
            lineups.SlotAdd(entry_id=race.entries["Filipe"], channel="F4", frequency_mhz=5800),
        )
    assert added.number == 4
    assert await lineup(database, race) == [
        [["Ana", "Bruno", "Carla"], ["Duarte", "Eva", None, "Filipe"]]
    ]


async def test_add_a_round_like_an_earlier_one(database: Database) -> None:
    race = await make_race(database)
    async with database.write() as session:
        second = await lineups.add_round(
            session, SYSTEM, race.competition_id, lineups.RoundAdd(heats=2, pilots=True)
        )
        third = await lineups.add_round(
            session,
            SYSTEM,
            race.competition_id,
            lineups.RoundAdd(name="Final", heats=3, slots=4, like_round_id=second.id),
        )
    assert (second.number, third.number, third.name) == (2, 3, "Final")
    assert await lineup(database, race) == [
        [["Ana", "Bruno", "Carla"], ["Duarte", "Eva", None]],
        [["Ana", "Bruno", "Carla"], ["Duarte", "Eva", None]],
        [[None] * 4, [None] * 4, [None] * 4],
    ]
    async with database.read() as session:
        final_heats = await session.execute(
            select(Heat.number, Slot.band, Slot.channel, Slot.frequency_mhz)
            .join(Slot, Slot.heat_id == Heat.id)
            .where(Heat.round_id == third.id)
            .order_by(Heat.number, Slot.number)
        )
        channels = [tuple(row) for row in final_heats]
    # Each heat takes its channels from the same heat of round 2 (the third from the
    # first); the fourth slot has none to copy.
    expected = [*CHANNELS, (None, None, None)]
    assert channels == [(h, *c) for h in (1, 2, 3) for c in expected]
    kinds = [e.type for e in await events(database)]
    assert kinds.count("round.created") == 3 and kinds.count("heat.created") == 7


async def test_the_first_round_needs_a_slot_count(database: Database) -> None:
    race = await make_race(database)
    async with database.write() as session:
        await session.execute(
            Slot.__table__.delete().where(Slot.heat_id.in_(race.heats))  # type: ignore[attr-defined]
        )
        await session.execute(Heat.__table__.delete())  # type: ignore[attr-defined]
        await session.execute(Round.__table__.delete())  # type: ignore[attr-defined]
    with pytest.raises(Invalid, match="how many slots"):
        async with database.write() as session:
            await lineups.add_round(session, SYSTEM, race.competition_id, lineups.RoundAdd())
    async with database.write() as session:
        await lineups.add_round(
            session, SYSTEM, race.competition_id, lineups.RoundAdd(heats=2, slots=3)
        )
    assert await lineup(database, race) == [[[None] * 3, [None] * 3]]
    for bad in ({"heats": 0}, {"heats": 101}, {"slots": 65}, {"heats": "many"}):
        with pytest.raises(Invalid):
            lineups.RoundAdd(**bad)


async def test_flown_slots_stay_and_removal_records_why(database: Database) -> None:
    race = await make_race(database)
    async with database.write() as session:
        await create_one(
            session,
            SYSTEM,
            race.competition_id,
            ResultCreate(
                entry_id=race.entries["Ana"],
                heat_id=race.heats[0],
                slot_id=race.slots[0][0],
                laps=3,
            ),
        )
    with pytest.raises(Conflict, match="Heat 1 of round 1, slot 1 already has results"):
        async with database.write() as session:
            await lineups.move(
                session,
                SYSTEM,
                race.competition_id,
                race.slots[0][0],
                lineups.Move(to_slot_id=race.slots[1][2]),
            )
    with pytest.raises(Conflict, match="already has results"):
        async with database.write() as session:
            await lineups.remove_slot(
                session, SYSTEM, race.competition_id, race.slots[0][0], lineups.SlotRemove()
            )
    async with database.write() as session:
        await lineups.remove_slot(
            session,
            SYSTEM,
            race.competition_id,
            race.slots[1][1],
            lineups.SlotRemove(reason="Eva withdrew"),
        )
    assert await lineup(database, race) == [[["Ana", "Bruno", "Carla"], ["Duarte", None]]]
    last = (await events(database))[-1]
    assert (last.type, last.reason, last.payload) == ("slot.deleted", "Eva withdrew", None)


async def test_setup_permission_and_this_competition_only(database: Database) -> None:
    race = await make_race(database)
    timer = Principal(
        kind="user",
        label="timer",
        organization_id=race.organization_id,
        scopes=frozenset({"read", "results"}),
    )
    rows = await slot_rows(database)
    with pytest.raises(Forbidden):
        async with database.write() as session:
            await lineups.move(
                session,
                timer,
                race.competition_id,
                race.slots[0][0],
                lineups.Move(to_slot_id=race.slots[1][2]),
            )
    async with database.write() as session:
        other = await resources.create(
            session,
            SYSTEM,
            COMPETITIONS,
            CompetitionCreate(organization_id=race.organization_id, name="Other"),
        )
    with pytest.raises(NotFound, match="No slot"):
        async with database.write() as session:
            await lineups.move(
                session,
                SYSTEM,
                other.id,
                race.slots[0][0],
                lineups.Move(to_slot_id=race.slots[1][2]),
            )
    for bad in (
        lineups.Move(),
        lineups.Move(to_slot_id=race.slots[1][2], to_heat_id=race.heats[1]),
        lineups.Move(to_slot_id=race.slots[0][0]),
    ):
        with pytest.raises(Invalid):
            async with database.write() as session:
                await lineups.move(session, SYSTEM, race.competition_id, race.slots[0][0], bad)
    with pytest.raises(Invalid, match="empty"):
        async with database.write() as session:
            await lineups.move(
                session,
                SYSTEM,
                race.competition_id,
                race.slots[1][2],
                lineups.Move(to_heat_id=race.heats[0]),
            )
    assert await slot_rows(database) == rows


def test_the_desk_and_multigp_pushes_take_one_lock() -> None:
    assert lineups.SCHEDULE_LOCK == races.RACE_LOCK
