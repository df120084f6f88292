"""Races, events and registrations as core objects.

A race is a top-level competition of kind ``race``; its events are child
competitions (``attributes.virtual`` marks a virtual event, ``attributes.elevation``
one that records elevation gain). A registration is an entry of the event with a
numeric ``registration_id``, a ``bib`` and a ``chip``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import limits, resources
from podium.core.competitions import COMPETITIONS, CompetitionCreate
from podium.core.entries import ENTRIES, EntryCreate
from podium.core.people import PEOPLE, PersonCreate
from podium.core.principal import Principal
from podium.store.tables import Competition, Entry, Person

RACE = "race"


@dataclass(frozen=True)
class EventSpec:
    name: str
    virtual: bool = False
    elevation: bool = False
    distance: str | None = None
    starts_at: datetime | None = None


def is_virtual(event: Competition) -> bool:
    return bool(event.attributes.get("virtual"))


def allows_elevation(event: Competition) -> bool:
    return is_virtual(event) and bool(event.attributes.get("elevation"))


async def find_race(session: AsyncSession, race_id: int) -> Competition | None:
    race = await session.get(Competition, race_id)
    if race is None or race.kind != RACE or race.parent_id is not None:
        return None
    return race


async def events_of(session: AsyncSession, race_id: int) -> list[Competition]:
    rows = await session.scalars(
        select(Competition).where(Competition.parent_id == race_id).order_by(Competition.id)
    )
    return list(rows.all())


async def find_event(session: AsyncSession, race: Competition, event_id: int) -> Competition | None:
    event = await session.get(Competition, event_id)
    return event if event is not None and event.parent_id == race.id else None


async def create_race(
    session: AsyncSession,
    principal: Principal,
    organization_id: int,
    name: str,
    events: list[EventSpec],
    *,
    starts_at: datetime | None = None,
    attributes: dict[str, Any] | None = None,
) -> tuple[Competition, list[Competition]]:
    race = await resources.create(
        session,
        principal,
        COMPETITIONS,
        CompetitionCreate(
            organization_id=organization_id,
            name=name,
            kind=RACE,
            starts_at=starts_at,
            attributes=attributes or {},
        ),
    )
    made = []
    for spec in events:
        made.append(
            await resources.create(
                session,
                principal,
                COMPETITIONS,
                CompetitionCreate(
                    organization_id=organization_id,
                    parent_id=race.id,
                    name=spec.name,
                    kind="event",
                    starts_at=spec.starts_at or starts_at,
                    attributes={
                        "virtual": spec.virtual,
                        "elevation": spec.elevation and spec.virtual,
                        "distance": spec.distance,
                    },
                ),
            )
        )
    return race, made


async def _numbers(session: AsyncSession, race_id: int, column: Any) -> list[int]:
    values = await session.scalars(
        select(column)
        .join(Competition, Competition.id == Entry.competition_id)
        .where(Competition.parent_id == race_id, column.is_not(None))
    )
    return [int(v) for v in values if limits.digits(str(v))]


async def register(
    session: AsyncSession,
    principal: Principal,
    race: Competition,
    event: Competition,
    *,
    first_name: str,
    last_name: str,
    gender: str | None = None,
    birth_date: str | None = None,
    email: str | None = None,
    bib: str | None = None,
    chip: str | None = None,
    registration_id: str | None = None,
) -> Entry:
    """A new registrant: a person of the race's organization and an entry in the event.

    Registration ids and bibs not given are the next numbers free in the race.
    """
    if registration_id is None:
        taken = await _numbers(session, race.id, Entry.registration_id)
        registration_id = str(max(taken, default=race.id * 1000) + 1)
    if bib is None:
        bib = str(max(await _numbers(session, race.id, Entry.bib), default=0) + 1)
    person = await resources.create(
        session,
        principal,
        PEOPLE,
        PersonCreate(
            name=f"{first_name} {last_name}".strip() or "Unnamed",
            given_name=first_name or None,
            family_name=last_name or None,
            organization_id=race.organization_id,
            gender=gender,
            birth_date=birth_date,
            email=email,
        ),
    )
    entry: Entry = await resources.create(
        session,
        principal,
        ENTRIES,
        EntryCreate(person_id=person.id, bib=bib, chip=chip, registration_id=registration_id),
        competition_id=event.id,
    )
    return entry


async def people_of(session: AsyncSession, entries: list[Entry]) -> dict[int, Person]:
    ids = [e.person_id for e in entries if e.person_id is not None]
    if not ids:
        return {}
    rows = await session.scalars(select(Person).where(Person.id.in_(ids)))
    return {person.id: person for person in rows}
