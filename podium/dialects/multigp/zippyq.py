"""ZippyQ: an open queue of pilots that becomes rounds as the timer asks for them.

``race/join`` puts a pilot in the queue (a pilot may wait with up to
``maxZippyqDepth`` packs at once). ``race/getAdditionalRounds`` returns the rounds
from ``startFromRound`` on, starting at the first one not yet flown; when every
round is flown it forms the next one from the head of the queue (one heat of up to
a frequency profile's worth of distinct pilots). No round and an empty queue give
an empty list.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import resources
from podium.core.principal import Principal
from podium.core.schedule import HEATS, ROUNDS, SLOTS, HeatCreate, RoundCreate, SlotCreate
from podium.dialects.multigp import pushes, races
from podium.store.tables import Competition, Round


class QueueFull(ValueError):
    pass


async def join(
    session: AsyncSession, principal: Principal, race: Competition, pilot_id: str
) -> int:
    """Queue one pack for the pilot; how many the pilot now has waiting."""
    await races.lock_race(session, race.id)
    info = races.settings(race)
    queue = [str(p) for p in info.get("queue", [])]
    depth = int(info.get("maxZippyqDepth") or 0) or 1
    waiting = queue.count(pilot_id)
    if waiting >= depth:
        raise QueueFull(f"Pilot {pilot_id} already has {waiting} pack(s) queued (the most).")
    queue.append(pilot_id)
    await races.update_settings(session, principal, race, queue=queue)
    return waiting + 1


async def leave(
    session: AsyncSession, principal: Principal, race: Competition, pilot_id: str
) -> None:
    queue = [str(p) for p in races.settings(race).get("queue", []) if str(p) != pilot_id]
    await races.update_settings(session, principal, race, queue=queue)


async def next_rounds(
    session: AsyncSession, principal: Principal, race: Competition, start: int
) -> tuple[list[Round], int | None]:
    """The rounds to hand out from ``start``, and the current (first unflown) round."""
    await races.lock_race(session, race.id)
    flown = await pushes.flown_rounds(session, race.id)
    rounds = list(
        (
            await session.scalars(
                select(Round)
                .where(Round.competition_id == race.id, Round.number >= start)
                .order_by(Round.number)
            )
        ).all()
    )
    pending = [r for r in rounds if r.number not in flown]
    if not pending:
        formed = await _form_round(session, principal, race)
        if formed is None:
            return [], None
        pending = [formed]
    current = pending[0].number
    return [r for r in rounds + pending if r.number >= current and r.number not in flown], current


async def _form_round(
    session: AsyncSession, principal: Principal, race: Competition
) -> Round | None:
    queue = [str(p) for p in races.settings(race).get("queue", [])]
    lineup = races.profile(race)
    chosen: list[str] = []
    rest: list[str] = []
    for pilot_id in queue:
        if len(chosen) < len(lineup) and pilot_id not in chosen:
            chosen.append(pilot_id)
        else:
            rest.append(pilot_id)
    if not chosen:
        return None
    last = await session.scalar(
        select(func.max(Round.number)).where(Round.competition_id == race.id)
    )
    number = (last or 0) + 1
    round_ = await resources.create(
        session,
        principal,
        ROUNDS,
        RoundCreate(number=number, name=f"Round {number}"),
        competition_id=race.id,
    )
    heat = await resources.create(
        session, principal, HEATS, HeatCreate(number=1), round_id=round_.id
    )
    for index, (band, channel, mhz) in enumerate(lineup):
        entry_id = None
        if index < len(chosen):
            person = await races.pilot(session, chosen[index])
            if person is not None:
                entry_id = (await races.enter(session, principal, race, person)).id
        await resources.create(
            session,
            principal,
            SLOTS,
            SlotCreate(
                number=index + 1, entry_id=entry_id, band=band, channel=channel, frequency_mhz=mhz
            ),
            heat_id=heat.id,
        )
    await races.update_settings(session, principal, race, queue=rest, zippyqIterator=number)
    return round_
