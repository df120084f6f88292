"""MultiGP races as core objects: chapters, pilots, entries and the schedule.

A chapter is an organization; a race is a competition of kind ``mgp_race`` (child
races are child competitions) whose RaceSync settings live in
``attributes["multigp"]``; a pilot is a person with a ``multigp`` external id; a race
entry is an entry (aircraft, band, channel, frequency); cycles, heats and slots are
rounds, heats and slots.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import external_ids, resources
from podium.core.competitions import COMPETITIONS, CompetitionCreate, CompetitionUpdate
from podium.core.entries import ENTRIES, EntryCreate
from podium.core.people import PEOPLE, PersonCreate
from podium.core.principal import Principal
from podium.core.schedule import (
    HEATS,
    ROUNDS,
    SLOTS,
    HeatCreate,
    HeatUpdate,
    RoundCreate,
    SlotCreate,
)
from podium.dialects.multigp import wire
from podium.store.tables import Competition, Entry, Heat, Person, Round, Slot

RACE = "mgp_race"
SCHEME = "multigp"
# Key of the PostgreSQL advisory lock that serialises pushes to one race.
RACE_LOCK = 0x4D47 << 48


@dataclass(frozen=True)
class PilotSpec:
    pilot_id: str
    first_name: str
    last_name: str
    user_name: str = ""
    aircraft: str | None = None


@dataclass(frozen=True)
class RaceSpec:
    name: str
    scoring_format: str = "0"
    zippyq: bool = False
    cycles: int = 1
    slots: int = 8
    profile: str = "raceband"
    max_zippyq_depth: int = 5
    race_type: str = "1"
    scoring_disabled: bool = False
    starts_at: datetime | None = None
    content: str = ""


def settings(race: Competition) -> dict[str, Any]:
    stored = race.attributes.get("multigp")
    return dict(stored) if isinstance(stored, dict) else {}


def is_zippyq(race: Competition) -> bool:
    return bool(settings(race).get("disableSlotAutoPopulation", "0") != "0")


def profile(race: Competition) -> tuple[tuple[str, str, int], ...]:
    info = settings(race)
    slots = int(info.get("slots", 8))
    base = wire.PROFILES.get(str(info.get("profile", "raceband")), wire.RACEBAND)
    return tuple(base[i % len(base)] for i in range(slots))


async def lock_race(session: AsyncSession, race_id: int) -> None:
    """Serialise writes to one race's schedule (SQLite already has a single writer)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(RACE_LOCK + race_id)))


async def find_race(session: AsyncSession, race_id: int) -> Competition | None:
    race = await session.get(Competition, race_id)
    return race if race is not None and race.kind == RACE else None


async def children(session: AsyncSession, race_id: int) -> list[Competition]:
    rows = await session.scalars(
        select(Competition)
        .where(Competition.parent_id == race_id, Competition.kind == RACE)
        .order_by(Competition.id)
    )
    return list(rows.all())


async def child_counts(session: AsyncSession, race_ids: list[int]) -> dict[int, int]:
    """race id -> how many child races it has, for a page of races in one query."""
    if not race_ids:
        return {}
    rows = await session.execute(
        select(Competition.parent_id, func.count())
        .where(Competition.parent_id.in_(race_ids), Competition.kind == RACE)
        .group_by(Competition.parent_id)
    )
    return {parent: count for parent, count in rows if parent is not None}


async def pilot(session: AsyncSession, pilot_id: str) -> Person | None:
    person_id = await external_ids.find(session, "person", SCHEME, pilot_id)
    return await session.get(Person, person_id) if person_id is not None else None


async def ensure_pilot(
    session: AsyncSession, principal: Principal, organization_id: int, spec: PilotSpec
) -> Person:
    found = await pilot(session, spec.pilot_id)
    if found is not None:
        return found
    return await resources.create(
        session,
        principal,
        PEOPLE,
        PersonCreate(
            name=f"{spec.first_name} {spec.last_name}".strip() or spec.user_name or spec.pilot_id,
            given_name=spec.first_name[:100] or None,
            family_name=spec.last_name[:100] or None,
            organization_id=organization_id,
            attributes={"userName": spec.user_name},
            external_ids={SCHEME: spec.pilot_id},
        ),
    )


async def entries(session: AsyncSession, race_id: int) -> list[Entry]:
    rows = await session.scalars(
        select(Entry).where(Entry.competition_id == race_id).order_by(Entry.id)
    )
    return list(rows.all())


async def entry_of(session: AsyncSession, race_id: int, person_id: int) -> Entry | None:
    found: Entry | None = await session.scalar(
        select(Entry).where(Entry.competition_id == race_id, Entry.person_id == person_id)
    )
    return found


async def enter(
    session: AsyncSession,
    principal: Principal,
    race: Competition,
    person: Person,
    aircraft: str | None = None,
) -> Entry:
    existing = await entry_of(session, race.id, person.id)
    if existing is not None:
        return existing
    created: Entry = await resources.create(
        session,
        principal,
        ENTRIES,
        EntryCreate(person_id=person.id, equipment=aircraft),
        competition_id=race.id,
    )
    return created


async def create_race(
    session: AsyncSession,
    principal: Principal,
    organization_id: int,
    spec: RaceSpec,
    pilots: list[PilotSpec],
    *,
    parent_id: int | None = None,
) -> Competition:
    """A race with its pilots entered and, unless it is ZippyQ, its schedule generated."""
    if spec.scoring_format not in wire.SCORING_FORMATS:
        raise ValueError(f"Unknown scoringFormat {spec.scoring_format!r}.")
    race = await resources.create(
        session,
        principal,
        COMPETITIONS,
        CompetitionCreate(
            organization_id=organization_id,
            parent_id=parent_id,
            name=spec.name,
            kind=RACE,
            starts_at=spec.starts_at,
            scoring=wire.SCORING_FORMATS[spec.scoring_format],
            attributes={
                "multigp": {
                    "scoringFormat": spec.scoring_format,
                    "raceType": spec.race_type,
                    "scoringDisabled": wire.flag(spec.scoring_disabled),
                    "disableSlotAutoPopulation": wire.flag(spec.zippyq),
                    "maxZippyqDepth": spec.max_zippyq_depth if spec.zippyq else 0,
                    "cycleCount": spec.cycles,
                    "slots": spec.slots,
                    "profile": spec.profile,
                    "content": spec.content,
                    "queue": [],
                }
            },
        ),
    )
    made = []
    for item in pilots:
        person = await ensure_pilot(session, principal, organization_id, item)
        made.append(await enter(session, principal, race, person, item.aircraft))
    if not spec.zippyq and made:
        await generate_schedule(session, principal, race, made, spec.cycles)
    return race


async def generate_schedule(
    session: AsyncSession, principal: Principal, race: Competition, pilots: list[Entry], cycles: int
) -> None:
    """Heats of up to one frequency profile's worth of pilots, the same in every round."""
    lineup = profile(race)
    heats = [pilots[i : i + len(lineup)] for i in range(0, len(pilots), len(lineup))]
    for number in range(1, cycles + 1):
        round_ = await resources.create(
            session,
            principal,
            ROUNDS,
            RoundCreate(number=number, name=f"Round {number}"),
            competition_id=race.id,
        )
        for heat_number, heat_pilots in enumerate(heats, start=1):
            heat = await resources.create(
                session, principal, HEATS, HeatCreate(number=heat_number), round_id=round_.id
            )
            for index, (band, channel, mhz) in enumerate(lineup):
                entry = heat_pilots[index] if index < len(heat_pilots) else None
                await resources.create(
                    session,
                    principal,
                    SLOTS,
                    SlotCreate(
                        number=index + 1,
                        entry_id=entry.id if entry else None,
                        band=band,
                        channel=channel,
                        frequency_mhz=mhz,
                    ),
                    heat_id=heat.id,
                )
                if entry is not None and number == 1:
                    entry.band, entry.channel, entry.frequency_mhz = band, channel, mhz


async def heat_at(
    session: AsyncSession, principal: Principal, race: Competition, cycle: int, heat: int
) -> Heat:
    """The heat, creating its round, the heat and its profile's slots when missing."""
    round_ = await session.scalar(
        select(Round).where(Round.competition_id == race.id, Round.number == cycle)
    )
    if round_ is None:
        round_ = await resources.create(
            session,
            principal,
            ROUNDS,
            RoundCreate(number=cycle, name=f"Round {cycle}"),
            competition_id=race.id,
        )
    found = await session.scalar(
        select(Heat).where(Heat.round_id == round_.id, Heat.number == heat)
    )
    if found is None:
        found = await resources.create(
            session, principal, HEATS, HeatCreate(number=heat), round_id=round_.id
        )
        for index, (band, channel, mhz) in enumerate(profile(race)):
            await resources.create(
                session,
                principal,
                SLOTS,
                SlotCreate(number=index + 1, band=band, channel=channel, frequency_mhz=mhz),
                heat_id=found.id,
            )
    return found


async def slot_at(session: AsyncSession, principal: Principal, heat: Heat, number: int) -> Slot:
    found = await session.scalar(select(Slot).where(Slot.heat_id == heat.id, Slot.number == number))
    if found is None:
        found = await resources.create(
            session, principal, SLOTS, SlotCreate(number=number), heat_id=heat.id
        )
    return found


async def update_settings(
    session: AsyncSession, principal: Principal, race: Competition, **changes: Any
) -> Competition:
    attributes = dict(race.attributes)
    attributes["multigp"] = {**settings(race), **changes}
    return await resources.update(
        session, principal, COMPETITIONS, race.id, CompetitionUpdate(attributes=attributes)
    )


async def start_heat(
    session: AsyncSession, principal: Principal, race: Competition, cycle: int, heat: int
) -> Heat:
    """RotorHazard started this heat: it is running, and any other running heat is over."""
    started = await heat_at(session, principal, race, cycle, heat)
    running = await session.scalars(
        select(Heat)
        .join(Round, Heat.round_id == Round.id)
        .where(Round.competition_id == race.id, Heat.status == "running", Heat.id != started.id)
    )
    for other in running.all():
        await resources.update(session, principal, HEATS, other.id, HeatUpdate(status="finished"))
    if started.status != "running":
        await resources.update(session, principal, HEATS, started.id, HeatUpdate(status="running"))
    return started
