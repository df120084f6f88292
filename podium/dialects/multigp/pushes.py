"""Results pushed by a timer: one pilot's slot result, and the overall ranking.

``assign_slot`` is safe under concurrent pushes to one race (the race is locked for
the transaction), creates rounds and heats on demand beyond ``cycleCount``, and keeps
a pilot in one slot per round: a second push for the same pilot in a round moves
them, and the slot's result is replaced, never duplicated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import resources
from podium.core import results as core_results
from podium.core.principal import Principal
from podium.core.result_sets import RESULT_SETS, ResultSetCreate
from podium.core.results import RESULTS, ResultCreate
from podium.core.schedule import SLOTS, SlotUpdate
from podium.dialects.multigp import races, wire
from podium.store.tables import Competition, Heat, Result, ResultSet, Round, Slot

OVERALL_SET = "MultiGP overall results"

# Each result field and every spelling a pusher may use for it.
SPELLINGS: dict[str, tuple[str, ...]] = {
    "total_time": ("totalTime",),
    "fastest_lap": ("fastestLapTime", "fastestLap"),
    "fastest_3": (
        "fastest3ConsecutiveLapsTime",
        "fastest3ConsecutiveLapTime",
        "fastest3Laps",
    ),
    "fastest_2": (
        "fastest2ConsecutiveLapsTime",
        "fastest2ConsecutiveLapTime",
        "fastest2Laps",
    ),
    "live_url": ("liveTimeEventUrl", "liveTimeRaceUrl"),
}


class PushError(ValueError):
    """A push that cannot be stored; the message goes back in ``statusDescription``."""


@dataclass(frozen=True)
class SlotResult:
    pilot_id: str
    laps: int | None
    total_ms: int | None
    best_ms: dict[str, int]
    score: float | None
    live_url: str | None


def _first(data: dict[str, Any], names: tuple[str, ...]) -> Any:
    return next((data[n] for n in names if data.get(n) not in (None, "")), None)


def parse_slot(data: Any) -> SlotResult:
    if not isinstance(data, dict):
        raise PushError("data must be an object with the slot result.")
    pilot_id = data.get("pilotId")
    if pilot_id in (None, "") or not str(pilot_id).strip().isdigit():
        raise PushError("data.pilotId is required and must be a MultiGP pilot id.")
    try:
        laps_raw = data.get("totalLaps")
        laps = None if laps_raw in (None, "") else int(str(laps_raw).split(".")[0])
        if laps is not None and laps < 0:
            raise ValueError(laps_raw)
        total = wire.seconds_to_ms(_first(data, SPELLINGS["total_time"]))
        best = {
            key: ms
            for key, field in (("1", "fastest_lap"), ("2", "fastest_2"), ("3", "fastest_3"))
            if (ms := wire.seconds_to_ms(_first(data, SPELLINGS[field]))) is not None
        }
        score_raw = data.get("score")
        score = None if score_raw in (None, "") else float(score_raw)
    except (TypeError, ValueError) as exc:
        raise PushError(f"data has a value that is not a number: {exc}.") from None
    live = _first(data, SPELLINGS["live_url"])
    return SlotResult(str(pilot_id).strip(), laps, total, best, score, str(live) if live else None)


async def assign_slot(
    session: AsyncSession,
    principal: Principal,
    race: Competition,
    cycle: int,
    heat_number: int,
    slot_number: int,
    pushed: SlotResult,
) -> Result:
    await races.lock_race(session, race.id)
    person = await races.pilot(session, pushed.pilot_id)
    if person is None or person.organization_id not in (race.organization_id, None):
        raise PushError(f"Pilot {pushed.pilot_id} is not known to this chapter.")
    entry = await races.enter(session, principal, race, person)
    heat = await races.heat_at(session, principal, race, cycle, heat_number)
    slot = await races.slot_at(session, principal, heat, slot_number)
    # One slot per pilot per round: leave any other slot of this round.
    others = await session.scalars(
        select(Slot)
        .join(Heat, Heat.id == Slot.heat_id)
        .where(Heat.round_id == heat.round_id, Slot.entry_id == entry.id, Slot.id != slot.id)
    )
    for other in list(others.all()):
        await _clear_results(session, principal, other.id)
        await resources.update(session, principal, SLOTS, other.id, SlotUpdate(entry_id=None))
    if slot.entry_id != entry.id:
        await _clear_results(session, principal, slot.id)
        await resources.update(session, principal, SLOTS, slot.id, SlotUpdate(entry_id=entry.id))
    else:
        await _clear_results(session, principal, slot.id)
    attributes: dict[str, Any] = {"best_ms": pushed.best_ms, "source": "multigp"}
    if pushed.live_url:
        attributes["liveTimeEventUrl"] = pushed.live_url
    if pushed.score is not None:
        attributes["score"] = pushed.score
    return await core_results.create_one(
        session,
        principal,
        race.id,
        ResultCreate(
            entry_id=entry.id,
            heat_id=heat.id,
            slot_id=slot.id,
            laps=pushed.laps,
            elapsed_ms=pushed.total_ms,
            points=pushed.score,
            attributes=attributes,
        ),
    )


async def _clear_results(session: AsyncSession, principal: Principal, slot_id: int) -> None:
    ids = list(await session.scalars(select(Result.id).where(Result.slot_id == slot_id)))
    for result_id in ids:
        await resources.delete(session, principal, RESULTS, result_id)


async def capture_overall(
    session: AsyncSession, principal: Principal, race: Competition, ranking: Any
) -> int:
    """Replace the race's overall ranking (orderNumber 1 = winner) with ``ranking``."""
    if not isinstance(ranking, list) or not ranking:
        raise PushError("data.bracketResults must be a non-empty list.")
    rows: list[tuple[int, str]] = []
    for index, item in enumerate(ranking):
        try:
            order = int(item["orderNumber"])
            pilot_id = str(int(str(item["pilotId"]).strip()))
        except (KeyError, TypeError, ValueError):
            raise PushError(
                f"bracketResults[{index}] needs an integer orderNumber and pilotId."
            ) from None
        if order < 1:
            raise PushError(f"bracketResults[{index}].orderNumber must be 1 or more.")
        rows.append((order, pilot_id))
    await races.lock_race(session, race.id)
    overall = await session.scalar(
        select(ResultSet).where(ResultSet.competition_id == race.id, ResultSet.name == OVERALL_SET)
    )
    if overall is None:
        overall = await resources.create(
            session,
            principal,
            RESULT_SETS,
            ResultSetCreate(name=OVERALL_SET),
            competition_id=race.id,
        )
    else:
        old = list(
            await session.scalars(select(Result.id).where(Result.result_set_id == overall.id))
        )
        for result_id in old:
            await resources.delete(session, principal, RESULTS, result_id)
    commands = []
    for order, pilot_id in rows:
        person = await races.pilot(session, pilot_id)
        if person is None:
            raise PushError(f"Pilot {pilot_id} is not known to this chapter.")
        entry = await races.enter(session, principal, race, person)
        commands.append(
            ResultCreate(
                entry_id=entry.id,
                result_set_id=overall.id,
                place=order,
                attributes={"source": "multigp_overall"},
            )
        )
    await core_results.create_many(session, principal, race.id, commands)
    return len(commands)


async def flown_rounds(session: AsyncSession, race_id: int) -> set[int]:
    """Numbers of the rounds that have at least one pushed slot result."""
    found = await session.scalars(
        select(Round.number)
        .join(Heat, Heat.round_id == Round.id)
        .join(Result, Result.heat_id == Heat.id)
        .where(Round.competition_id == race_id)
        .distinct()
    )
    return set(found.all())
