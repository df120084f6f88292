"""Entries: a person (or team) taking part in one competition, with bib, chip, equipment."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import resources
from podium.core.competitions import COMPETITIONS
from podium.core.errors import Conflict
from podium.core.fields import Attributes, CleanText, Code, Id
from podium.core.people import PEOPLE
from podium.core.resources import Command, Resource, Scope
from podium.core.teams import TEAMS
from podium.store.tables import Entry

Status = Literal["registered", "confirmed", "withdrawn", "disqualified"]
Text200 = Annotated[str, StringConstraints(max_length=200), CleanText]
Chip = Annotated[str, StringConstraints(min_length=1, max_length=80), CleanText]
Band = Annotated[str, StringConstraints(max_length=20), CleanText]
Mhz = Annotated[int, Field(ge=1, le=100_000)]


class EntryCreate(Command):
    person_id: Id | None = None
    team_id: Id | None = None
    status: Status = "registered"
    bib: Code | None = None
    registration_id: Code | None = None
    chip: Chip | None = None
    equipment: Text200 | None = None
    band: Band | None = None
    channel: Band | None = None
    frequency_mhz: Mhz | None = None
    attributes: Attributes = {}


class EntryUpdate(Command):
    person_id: Id | None = None
    team_id: Id | None = None
    status: Status | None = None
    bib: Code | None = None
    registration_id: Code | None = None
    chip: Chip | None = None
    equipment: Text200 | None = None
    band: Band | None = None
    channel: Band | None = None
    frequency_mhz: Mhz | None = None
    attributes: Attributes | None = None


async def _scope(session: AsyncSession, entry: Entry) -> Scope:
    return await resources.scope_via(session, COMPETITIONS, entry.competition_id)


async def _validate(session: AsyncSession, entry: Entry) -> None:
    for column in ("bib", "registration_id", "person_id"):
        value = getattr(entry, column)
        if value is None:
            continue
        query = select(Entry.id).where(
            Entry.competition_id == entry.competition_id, getattr(Entry, column) == value
        )
        if entry.id is not None:
            query = query.where(Entry.id != entry.id)
        clash = await session.scalar(query)
        if clash is not None:
            raise Conflict(
                f"{column} {value} is already used by entry {clash} of this competition.",
                field=column,
            )


ENTRIES: Resource[Entry] = Resource(
    kind="entry",
    model=Entry,
    create=EntryCreate,
    update=EntryUpdate,
    competition_bound=True,
    scope=_scope,
    refs={"person_id": PEOPLE, "team_id": TEAMS},
    validate=_validate,
)
