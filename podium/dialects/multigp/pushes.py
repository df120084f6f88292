"""Results pushed by a timer: one pilot's slot result, and the overall ranking.

``assign_slot`` is safe under concurrent pushes to one race (the race is locked for
the transaction), creates rounds and heats on demand beyond ``cycleCount``, and keeps
a pilot in one slot per round: a second push for the same pilot in a round moves
them, and the slot's result is replaced, never duplicated. ``capture_overall``
declares the pushed ranking the race's final result (``podium.core.final_ranking``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import corrections, final_ranking, resources
from podium.core import results as core_results
from podium.core.corrections import ResultCorrection
from podium.core.principal import Principal
from podium.core.results import RESULTS, ResultCreate
from podium.core.schedule import SLOTS, SlotUpdate
from podium.dialects.multigp import races, wire
from podium.store.tables import Competition, Heat, Result, Round, Slot

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


# What a result can store (the core refuses more); beyond it a push is malformed.
MAX_LAPS = 100_000
MAX_SCORE = 1e12
MAX_PLACE = 10_000_000
MAX_URL = 2000


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
    """One slot push as RotorHazard sends it (fields may be numbers or strings).

    A pilot with no completed lap arrives as ``totalLaps: 0`` with zero times, or
    (older RotorHazard) as ``{pilotId, totalLaps: 0}`` alone; zeros are kept as sent
    and the core reads a zero time as no time.
    """
    if not isinstance(data, dict):
        raise PushError("data must be an object with the slot result.")
    pilot_id = wire.pilot_id(data.get("pilotId"))
    if pilot_id is None:
        raise PushError("data.pilotId is required and must be a MultiGP pilot id.")
    try:
        laps_raw = data.get("totalLaps")
        laps = None if laps_raw in (None, "") else wire.whole_number(laps_raw)
        if laps_raw not in (None, "") and (laps is None or laps > MAX_LAPS):
            raise ValueError(laps_raw)
        total = wire.seconds_to_ms(_first(data, SPELLINGS["total_time"]))
        best = {
            key: ms
            for key, field in (("1", "fastest_lap"), ("2", "fastest_2"), ("3", "fastest_3"))
            if (ms := wire.seconds_to_ms(_first(data, SPELLINGS[field]))) is not None
        }
        if any(ms > wire.MAX_MS for ms in (total or 0, *best.values())):
            raise ValueError("a time beyond the longest one stored")
        score_raw = data.get("score")
        if isinstance(score_raw, bool):
            raise ValueError(score_raw)
        score = None if score_raw in (None, "") else float(score_raw)
        if score is not None and not abs(score) <= MAX_SCORE:  # also refuses NaN
            raise ValueError(score_raw)
    except (TypeError, ValueError) as exc:
        raise PushError(f"data has a value that is not a number: {exc}.") from None
    live = _first(data, SPELLINGS["live_url"])
    if live is not None and (not isinstance(live, str) or len(live) > MAX_URL):
        raise PushError(f"data.liveTimeEventUrl must be a URL of at most {MAX_URL} characters.")
    return SlotResult(pilot_id, laps, total, best, score, live)


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
    kept: int | None = None
    if slot.entry_id != entry.id:
        await _clear_results(session, principal, slot.id)
        await resources.update(session, principal, SLOTS, slot.id, SlotUpdate(entry_id=entry.id))
    else:
        # The same pilot pushed again: a correction of the slot's result, kept in place.
        kept = await _clear_results(session, principal, slot.id, keep_first=True)
    attributes: dict[str, Any] = {
        "best_ms": pushed.best_ms,
        "source": "multigp",
        "liveTimeEventUrl": pushed.live_url or None,
        "score": pushed.score,
    }
    if kept is not None:
        correction = ResultCorrection(
            laps=pushed.laps, elapsed_ms=pushed.total_ms, points=pushed.score, attributes=attributes
        )
        return await corrections.correct(
            session, principal, kept, correction, reason="Slot result pushed again"
        )
    attributes = {key: value for key, value in attributes.items() if value is not None}
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


async def _clear_results(
    session: AsyncSession, principal: Principal, slot_id: int, *, keep_first: bool = False
) -> int | None:
    """Delete the slot's results (all, or all but the first); the id kept, if any."""
    query = select(Result.id).where(Result.slot_id == slot_id).order_by(Result.id)
    ids = list(await session.scalars(query))
    kept = ids.pop(0) if keep_first and ids else None
    for result_id in ids:
        await resources.delete(session, principal, RESULTS, result_id)
    return kept


def parse_ranking(ranking: Any) -> list[tuple[int | None, str]]:
    """``bracketResults`` as (orderNumber or None, pilot id), best place kept per pilot.

    RotorHazard sends ``orderNumber: null`` for a registered pilot with no time in
    the class: such a pilot is listed unplaced, not a reason to refuse the ranking.
    ``pilotId`` comes as an int here (a string in slot pushes).
    """
    if not isinstance(ranking, list):
        raise PushError("data.bracketResults must be a list.")
    best: dict[str, int | None] = {}
    for index, item in enumerate(ranking):
        if not isinstance(item, dict):
            raise PushError(f"bracketResults[{index}] must be an object.")
        pilot_id = wire.pilot_id(item.get("pilotId"))
        if pilot_id is None:
            raise PushError(f"bracketResults[{index}].pilotId must be a MultiGP pilot id.")
        raw = item.get("orderNumber")
        order = None if raw in (None, "") else wire.whole_number(raw)
        if raw not in (None, "") and (order is None or not 1 <= order <= MAX_PLACE):
            raise PushError(f"bracketResults[{index}].orderNumber must be 1 or more, or null.")
        kept = best.get(pilot_id)
        if pilot_id not in best or (order is not None and (kept is None or order < kept)):
            best[pilot_id] = order
    return [(order, pilot_id) for pilot_id, order in best.items()]


async def capture_overall(
    session: AsyncSession, principal: Principal, race: Competition, ranking: Any
) -> tuple[int, int]:
    """Declare ``ranking`` the race's final result, replacing an earlier one.

    Returns (placed, unplaced) counts. An empty list clears the final result.
    """
    rows = parse_ranking(ranking)
    await races.lock_race(session, race.id)
    commands = []
    for order, pilot_id in rows:
        person = await races.pilot(session, pilot_id)
        if person is None or person.organization_id not in (race.organization_id, None):
            raise PushError(f"Pilot {pilot_id} is not known to this chapter.")
        entry = await races.enter(session, principal, race, person)
        commands.append(
            ResultCreate(entry_id=entry.id, place=order, attributes={"source": "multigp_overall"})
        )
    await final_ranking.declare(session, principal, race.id, OVERALL_SET, commands)
    placed = sum(1 for order, _ in rows if order is not None)
    return placed, len(rows) - placed


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
