"""Heat line-ups at the results desk: move a pilot, retune a slot, add rounds and slots.

A heat is flown on radio channels, one per slot (a timer node), so the desk keeps
three rules, checked on the whole line-up a command would leave before anything is
written (a refusal changes nothing):

- two pilots in one heat never share a channel (band + channel, so ``R`` + ``1`` is
  ``R1``) or a frequency: they would blind each other's video;
- a pilot is in a heat once;
- a pilot flies in one heat per round, as MultiGP has it and as the RotorHazard
  pushes keep it (``podium.dialects.multigp.pushes``).

Only conflicts a command would create are refused; an empty slot's channel is a
plan, not a conflict. Moving onto a taken slot swaps the two pilots (the desk's
usual "put Ana in heat 2 instead of Bruno"), unless the caller asks to be refused.
The channel belongs to the slot, so a moved pilot takes the new slot's channel.
Slots that already hold results are not re-seated or removed: a result names its
pilot and slot, and re-seating would hand one pilot's laps to another.

These are rules of the desk's commands. A timer's push reports what was flown and
is never refused for them, and the native API's slot rows stay plain CRUD.
Every row changed goes through ``podium.core.resources``, so each records its event
(with the desk's reason) in the command's one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Annotated

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import resources
from podium.core.competitions import COMPETITIONS
from podium.core.errors import Conflict, Invalid, NotFound
from podium.core.fields import Id, Reason
from podium.core.principal import Principal
from podium.core.resources import Command
from podium.core.schedule import (
    HEATS,
    ROUNDS,
    SLOTS,
    Band,
    HeatCreate,
    Label,
    Mhz,
    RoundCreate,
    SlotCreate,
    SlotUpdate,
)
from podium.store.tables import Competition, Entry, Heat, Person, Result, Round, Slot, Team

MAX_HEATS = 100
MAX_SLOTS = 64
# The advisory lock key a MultiGP push takes for a race
# (``podium.dialects.multigp.races.RACE_LOCK``): the desk and a timer pushing results
# to the same race never interleave their checks and writes.
SCHEDULE_LOCK = 0x4D47 << 48


class Move(Command):
    """Where a pilot goes: a slot (swapped if taken, unless ``swap`` is off) or a
    heat (its first free slot)."""

    to_slot_id: Id | None = None
    to_heat_id: Id | None = None
    swap: bool = True
    reason: Reason | None = None


class Tune(Command):
    """A slot's new channel; fields left out keep their value, ``None`` clears one."""

    band: Band | None = None
    channel: Band | None = None
    frequency_mhz: Mhz | None = None
    reason: Reason | None = None


class SlotAdd(Command):
    entry_id: Id | None = None
    band: Band | None = None
    channel: Band | None = None
    frequency_mhz: Mhz | None = None


class SlotRemove(Command):
    reason: Reason | None = None


class RoundAdd(Command):
    """A new round of ``heats`` heats. Each heat's slots and channels follow the same
    heat of ``like_round_id`` (default: the last round; heats beyond it follow its
    first heat); ``slots`` sets how many each heat has. ``pilots`` copies the seating."""

    name: Label = ""
    heats: Annotated[int, Field(ge=1, le=MAX_HEATS)] = 1
    slots: Annotated[int, Field(ge=1, le=MAX_SLOTS)] | None = None
    like_round_id: Id | None = None
    pilots: bool = False


@dataclass(frozen=True)
class Moved:
    entry_id: int
    from_slot_id: int
    to_slot_id: int
    # The pilot who was in the target slot and now sits where the moved one was.
    swapped_entry_id: int | None


@dataclass(eq=False)
class _Seat:
    """A slot as a command plans it: stored values, then the planned ones on top."""

    slot_id: int | None  # None: a slot about to be added
    number: int | None
    heat_id: int  # negative: a heat about to be added
    heat_number: int
    round_id: int
    round_number: int
    entry_id: int | None
    band: str | None
    channel: str | None
    mhz: int | None

    @property
    def where(self) -> str:
        return f"Heat {self.heat_number} of round {self.round_number}"

    @property
    def name(self) -> str:
        return f"slot {self.number}" if self.number is not None else "the new slot"

    @property
    def channel_label(self) -> str | None:
        """``R1`` from band ``R`` and channel ``1`` (or channel ``R1`` alone)."""
        if not self.channel:
            return None
        return f"{self.band or ''}{self.channel}"


# ---- loading and checking ------------------------------------------------------------


async def lock_schedule(session: AsyncSession, competition_id: int) -> None:
    """Serialise schedule changes to one competition (SQLite has a single writer)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(SCHEDULE_LOCK + competition_id)))


async def _competition(
    session: AsyncSession, principal: Principal, competition_id: int
) -> Competition:
    competition = await resources.get(session, principal, COMPETITIONS, competition_id)
    principal.require("setup", competition.organization_id)
    await lock_schedule(session, competition.id)
    return competition


async def _seats(session: AsyncSession, round_ids: Iterable[int]) -> list[_Seat]:
    """Every slot of these rounds, in round, heat and slot order."""
    rows = await session.execute(
        select(Slot, Heat, Round)
        .join(Heat, Heat.id == Slot.heat_id)
        .join(Round, Round.id == Heat.round_id)
        .where(Round.id.in_(sorted(set(round_ids))))
        .order_by(Round.number, Heat.number, Slot.number)
    )
    return [
        _Seat(
            slot.id,
            slot.number,
            heat.id,
            heat.number,
            round_.id,
            round_.number,
            slot.entry_id,
            slot.band,
            slot.channel,
            slot.frequency_mhz,
        )
        for slot, heat, round_ in rows
    ]


async def _slot_in(session: AsyncSession, competition_id: int, slot_id: int) -> Round:
    """The round of the slot, which must belong to the competition."""
    found = await session.scalar(
        select(Round)
        .join(Heat, Heat.round_id == Round.id)
        .join(Slot, Slot.heat_id == Heat.id)
        .where(Slot.id == slot_id, Round.competition_id == competition_id)
    )
    if found is None:
        raise NotFound(f"No slot {slot_id} in this competition.", kind="slot", id=slot_id)
    return found


async def _heat_in(session: AsyncSession, competition_id: int, heat_id: int) -> tuple[Heat, Round]:
    found = (
        await session.execute(
            select(Heat, Round)
            .join(Round, Round.id == Heat.round_id)
            .where(Heat.id == heat_id, Round.competition_id == competition_id)
        )
    ).first()
    if found is None:
        raise NotFound(f"No heat {heat_id} in this competition.", kind="heat", id=heat_id)
    return found[0], found[1]


async def names(session: AsyncSession, entry_ids: Iterable[int]) -> dict[int, str]:
    """entry id -> the pilot's name (the team's, else ``entry N``)."""
    wanted = sorted({i for i in entry_ids if i is not None})
    rows = await session.execute(
        select(Entry.id, Person.name, Team.name)
        .outerjoin(Person, Person.id == Entry.person_id)
        .outerjoin(Team, Team.id == Entry.team_id)
        .where(Entry.id.in_(wanted or [0]))
    )
    found = {entry_id: person or team or f"entry {entry_id}" for entry_id, person, team in rows}
    return {i: found.get(i, f"entry {i}") for i in wanted}


def _same_channel(a: _Seat, b: _Seat) -> str | None:
    """What two seats would share on air, if anything."""
    label_a, label_b = a.channel_label, b.channel_label
    if label_a and label_b and label_a.casefold() == label_b.casefold():
        return label_a + (f" ({a.mhz} MHz)" if a.mhz else "")
    if a.mhz is not None and a.mhz == b.mhz:
        return f"{a.mhz} MHz" + (f" ({label_a} and {label_b})" if label_a and label_b else "")
    return None


async def _check(session: AsyncSession, seats: Sequence[_Seat], changed: Sequence[_Seat]) -> None:
    """Refuse the planned line-up if a changed seat breaks a rule; say who and where."""
    touched = {id(s) for s in changed}
    by_heat: dict[int, list[_Seat]] = defaultdict(list)
    for seat in seats:
        if seat.entry_id is not None:
            by_heat[seat.heat_id].append(seat)
    for heat_seats in by_heat.values():
        for a, b in combinations(heat_seats, 2):
            if id(a) not in touched and id(b) not in touched:
                continue
            if a.entry_id == b.entry_id:
                who = (await names(session, [a.entry_id or 0]))[a.entry_id or 0]
                raise Conflict(
                    f"{a.where}: {who} would be in it twice ({a.name} and {b.name}). "
                    "A pilot flies once in a heat.",
                    field="entry_id",
                    heat_id=a.heat_id,
                    entry_id=a.entry_id,
                )
            shared = _same_channel(a, b)
            if shared is not None:
                found = await names(session, [a.entry_id or 0, b.entry_id or 0])
                raise Conflict(
                    f"{a.where}: {found[a.entry_id or 0]} ({a.name}) and "
                    f"{found[b.entry_id or 0]} ({b.name}) would both fly on {shared}. "
                    "Give one of them another channel or another heat.",
                    field="channel",
                    heat_id=a.heat_id,
                    entry_ids=[a.entry_id, b.entry_id],
                )
    by_round: dict[tuple[int, int], list[_Seat]] = defaultdict(list)
    for seat in seats:
        if seat.entry_id is not None:
            by_round[(seat.round_id, seat.entry_id)].append(seat)
    for (_round_id, entry_id), placed in by_round.items():
        heats = {s.heat_id: s for s in placed}
        if len(heats) > 1 and any(id(s) in touched for s in placed):
            who = (await names(session, [entry_id]))[entry_id]
            listed = " and ".join(f"heat {s.heat_number}" for s in heats.values())
            raise Conflict(
                f"Round {placed[0].round_number}: {who} would fly in {listed}. "
                "A pilot flies in one heat per round: move the pilot instead.",
                field="entry_id",
                entry_id=entry_id,
            )


async def _no_results(session: AsyncSession, seats: Iterable[_Seat]) -> None:
    """Refuse to re-seat slots whose results name the pilot sitting there."""
    by_id = {s.slot_id: s for s in seats if s.slot_id is not None}
    flown = await session.scalar(
        select(Result.slot_id).where(Result.slot_id.in_(sorted(by_id) or [0])).limit(1)
    )
    if flown is not None:
        seat = by_id[flown]
        raise Conflict(
            f"{seat.where}, {seat.name} already has results: the line-up of a flown slot is "
            "what was flown. Correct or delete its results first.",
            field="slot_id",
            slot_id=flown,
        )


async def _seat_entry(
    session: AsyncSession,
    principal: Principal,
    seat: _Seat,
    entry_id: int | None,
    reason: str | None,
) -> None:
    assert seat.slot_id is not None
    await resources.update(
        session, principal, SLOTS, seat.slot_id, SlotUpdate(entry_id=entry_id), reason=reason
    )


# ---- commands ------------------------------------------------------------------------


async def move(
    session: AsyncSession,
    principal: Principal,
    competition_id: int,
    slot_id: int,
    command: Move,
) -> Moved:
    """Move the pilot in ``slot_id`` to another slot or heat (see ``Move``)."""
    competition = await _competition(session, principal, competition_id)
    if (command.to_slot_id is None) == (command.to_heat_id is None):
        raise Invalid("Say where the pilot goes: one heat or one slot.", field="to_slot_id")
    source_round = await _slot_in(session, competition.id, slot_id)
    target_heat: Heat | None = None
    if command.to_slot_id is not None:
        target_round = await _slot_in(session, competition.id, command.to_slot_id)
    else:
        target_heat, target_round = await _heat_in(session, competition.id, command.to_heat_id or 0)
    seats = await _seats(session, {source_round.id, target_round.id})
    source = next(s for s in seats if s.slot_id == slot_id)
    if source.entry_id is None:
        raise Invalid(f"{source.where}, {source.name} is empty: there is no pilot to move.")
    if target_heat is None:
        target = next(s for s in seats if s.slot_id == command.to_slot_id)
    else:
        if target_heat.id == source.heat_id:
            raise Invalid(f"The pilot already flies in {source.where.lower()}.", field="to_heat_id")
        free = [s for s in seats if s.heat_id == target_heat.id and s.entry_id is None]
        if not free:
            raise Conflict(
                f"Heat {target_heat.number} of round {target_round.number} has no free slot: "
                "choose a slot to swap with, or add a slot.",
                field="to_heat_id",
            )
        target = free[0]
    if target is source:
        raise Invalid("The pilot is already in that slot.", field="to_slot_id")
    moving, other = source.entry_id, target.entry_id
    if other is not None and not command.swap:
        found = await names(session, [moving, other])
        raise Conflict(
            f"{target.where}, {target.name} is taken by {found[other]}: "
            f"{found[moving]} was not moved. Swap them, or choose a free slot.",
            field="to_slot_id",
        )
    await _no_results(session, [source, target])
    target.entry_id, source.entry_id = moving, other
    await _check(session, seats, [source, target])
    await _seat_entry(session, principal, target, moving, command.reason)
    await _seat_entry(session, principal, source, other, command.reason)
    assert source.slot_id is not None and target.slot_id is not None
    return Moved(moving, source.slot_id, target.slot_id, other)


async def tune(
    session: AsyncSession,
    principal: Principal,
    competition_id: int,
    slot_id: int,
    command: Tune,
) -> Slot:
    """Change a slot's band, channel or frequency; the pilot in it flies on the new one."""
    competition = await _competition(session, principal, competition_id)
    round_ = await _slot_in(session, competition.id, slot_id)
    seats = await _seats(session, [round_.id])
    seat = next(s for s in seats if s.slot_id == slot_id)
    given = command.model_fields_set
    if "band" in given:
        seat.band = command.band
    if "channel" in given:
        seat.channel = command.channel
    if "frequency_mhz" in given:
        seat.mhz = command.frequency_mhz
    await _check(session, seats, [seat])
    changes = command.model_dump(include={"band", "channel", "frequency_mhz"} & given)
    return await resources.update(
        session, principal, SLOTS, slot_id, SlotUpdate(**changes), reason=command.reason
    )


async def add_slot(
    session: AsyncSession,
    principal: Principal,
    competition_id: int,
    heat_id: int,
    command: SlotAdd,
) -> Slot:
    """A slot at the end of the heat, empty or with a pilot of the competition in it."""
    competition = await _competition(session, principal, competition_id)
    heat, round_ = await _heat_in(session, competition.id, heat_id)
    seats = await _seats(session, [round_.id])
    mine = [s for s in seats if s.heat_id == heat.id]
    if len(mine) >= MAX_SLOTS:
        raise Conflict(f"Heat {heat.number} of round {round_.number} has {MAX_SLOTS} slots.")
    if command.entry_id is not None:
        entry = await session.get(Entry, command.entry_id)
        if entry is None or entry.competition_id != competition.id:
            raise Invalid(
                f"entry_id {command.entry_id} is not an entry of this competition.",
                field="entry_id",
            )
    seat = _Seat(
        None,
        None,
        heat.id,
        heat.number,
        round_.id,
        round_.number,
        command.entry_id,
        command.band,
        command.channel,
        command.frequency_mhz,
    )
    await _check(session, [*seats, seat], [seat])
    values = command.model_dump(include={"entry_id", "band", "channel", "frequency_mhz"})
    return await resources.create(session, principal, SLOTS, SlotCreate(**values), heat_id=heat.id)


async def remove_slot(
    session: AsyncSession,
    principal: Principal,
    competition_id: int,
    slot_id: int,
    command: SlotRemove,
) -> None:
    """Remove a slot (and the pilot's place in it); one with results stays."""
    competition = await _competition(session, principal, competition_id)
    round_ = await _slot_in(session, competition.id, slot_id)
    seats = await _seats(session, [round_.id])
    await _no_results(session, [s for s in seats if s.slot_id == slot_id])
    await resources.delete(session, principal, SLOTS, slot_id, reason=command.reason)


async def add_round(
    session: AsyncSession,
    principal: Principal,
    competition_id: int,
    command: RoundAdd,
) -> Round:
    """The next round, its heats and their slots, laid out like an earlier round."""
    competition = await _competition(session, principal, competition_id)
    if command.like_round_id is not None:
        like = await session.get(Round, command.like_round_id)
        if like is None or like.competition_id != competition.id:
            raise Invalid(
                f"Round {command.like_round_id} is not a round of this competition.",
                field="like_round_id",
            )
    else:
        like = await session.scalar(
            select(Round)
            .where(Round.competition_id == competition.id)
            .order_by(Round.number.desc())
            .limit(1)
        )
    if like is None and command.slots is None:
        raise Invalid(
            "Say how many slots each heat has: there is no earlier round to copy.", field="slots"
        )
    template: dict[int, list[_Seat]] = defaultdict(list)
    heat_order: list[int] = []
    if like is not None:
        heat_order = list(
            await session.scalars(
                select(Heat.id).where(Heat.round_id == like.id).order_by(Heat.number)
            )
        )
        for seat in await _seats(session, [like.id]):
            template[seat.heat_id].append(seat)
    last = await session.scalar(
        select(func.max(Round.number)).where(Round.competition_id == competition.id)
    )
    number = (last or 0) + 1
    planned: list[list[_Seat]] = []
    for index in range(command.heats):
        same = index < len(heat_order)
        model = template[heat_order[index] if same else heat_order[0]] if heat_order else []
        count = command.slots if command.slots is not None else len(model)
        row = []
        for position in range(count):
            source = model[position] if position < len(model) else None
            row.append(
                _Seat(
                    None,
                    position + 1,
                    -(index + 1),
                    index + 1,
                    -1,
                    number,
                    source.entry_id if source and same and command.pilots else None,
                    source.band if source else None,
                    source.channel if source else None,
                    source.mhz if source else None,
                )
            )
        planned.append(row)
    everything = [seat for row in planned for seat in row]
    await _check(session, everything, everything)
    round_ = await resources.create(
        session,
        principal,
        ROUNDS,
        RoundCreate(number=number, name=command.name),
        competition_id=competition.id,
    )
    for index, row in enumerate(planned, start=1):
        heat = await resources.create(
            session, principal, HEATS, HeatCreate(number=index), round_id=round_.id
        )
        for seat in row:
            await resources.create(
                session,
                principal,
                SLOTS,
                SlotCreate(
                    number=seat.number,
                    entry_id=seat.entry_id,
                    band=seat.band,
                    channel=seat.channel,
                    frequency_mhz=seat.mhz,
                ),
                heat_id=heat.id,
            )
    return round_
