"""Rounds → heats → slots: the schedule of a race (MultiGP cycles, heats and slots)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import resources
from podium.core.competitions import COMPETITIONS
from podium.core.entries import ENTRIES
from podium.core.errors import Conflict
from podium.core.fields import Attributes, CleanText, Id
from podium.core.resources import Command, Resource, Scope
from podium.store.tables import Heat, Round, Slot

Status = Literal["scheduled", "running", "finished", "cancelled"]
Position = Annotated[int, Field(ge=1, le=100_000)]
Label = Annotated[str, StringConstraints(max_length=200), CleanText]
Band = Annotated[str, StringConstraints(max_length=20), CleanText]
Kind = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{0,19}$")]
Mhz = Annotated[int, Field(ge=1, le=100_000)]


class RoundCreate(Command):
    number: Position | None = None
    name: Label = ""
    kind: Kind = "qualifying"
    status: Status = "scheduled"
    attributes: Attributes = {}


class RoundUpdate(Command):
    name: Label | None = None
    kind: Kind | None = None
    status: Status | None = None
    attributes: Attributes | None = None


class HeatCreate(Command):
    number: Position | None = None
    status: Status = "scheduled"
    attributes: Attributes = {}


class HeatUpdate(Command):
    status: Status | None = None
    attributes: Attributes | None = None


class SlotCreate(Command):
    number: Position | None = None
    entry_id: Id | None = None
    band: Band | None = None
    channel: Band | None = None
    frequency_mhz: Mhz | None = None
    attributes: Attributes = {}


class SlotUpdate(Command):
    entry_id: Id | None = None
    band: Band | None = None
    channel: Band | None = None
    frequency_mhz: Mhz | None = None
    attributes: Attributes | None = None


async def _round_scope(session: AsyncSession, round_: Round) -> Scope:
    return await resources.scope_via(session, COMPETITIONS, round_.competition_id)


async def _heat_scope(session: AsyncSession, heat: Heat) -> Scope:
    return await resources.scope_via(session, ROUNDS, heat.round_id)


async def _slot_scope(session: AsyncSession, slot: Slot) -> Scope:
    return await resources.scope_via(session, HEATS, slot.heat_id)


def _numbering(
    model: type[Round] | type[Heat] | type[Slot], parent_column: str
) -> Callable[[AsyncSession, Any], Awaitable[None]]:
    """Validation that fills in the next free number and rejects a taken one."""

    async def validate(session: AsyncSession, obj: Round | Heat | Slot) -> None:
        parent = getattr(model, parent_column)
        parent_id = getattr(obj, parent_column)
        if obj.number is None:
            last = await session.scalar(select(func.max(model.number)).where(parent == parent_id))
            obj.number = (last or 0) + 1
            return
        query = select(model.id).where(parent == parent_id, model.number == obj.number)
        if obj.id is not None:
            query = query.where(model.id != obj.id)
        if await session.scalar(query) is not None:
            raise Conflict(f"Number {obj.number} is already taken here.", field="number")

    return validate


ROUNDS: Resource[Round] = Resource(
    kind="round",
    model=Round,
    create=RoundCreate,
    update=RoundUpdate,
    competition_bound=True,
    scope=_round_scope,
    validate=_numbering(Round, "competition_id"),
)
HEATS: Resource[Heat] = Resource(
    kind="heat",
    model=Heat,
    create=HeatCreate,
    update=HeatUpdate,
    competition_bound=True,
    scope=_heat_scope,
    validate=_numbering(Heat, "round_id"),
)
SLOTS: Resource[Slot] = Resource(
    kind="slot",
    model=Slot,
    create=SlotCreate,
    update=SlotUpdate,
    competition_bound=True,
    scope=_slot_scope,
    refs={"entry_id": ENTRIES},
    validate=_numbering(Slot, "heat_id"),
)
