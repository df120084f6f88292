"""A race's rounds, heats and slots with each heat's results, for the race page.

Each heat is ranked on its own by the competition's scoring (a pilot's place in
that heat), and its results and lap times are formatted by the ranking engine
(``display``, ``format_time``). The heat racing now is the first one running; the
next is the first scheduled heat after it (or the first scheduled at all when none
runs), so commentators and pilots see both at the top of the section.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.ranking.display import display
from podium.ranking.leaderboards import (
    Format,
    competition_format,
    competitor_of,
    scores_by_competitor,
)
from podium.ranking.ties import rank
from podium.ranking.times import format_time
from podium.store.tables import Entry, Heat, Person, Result, Round, Slot, Team

MOST_LAPS = 100  # lap times listed per pilot and heat; the rest are counted


@dataclass(frozen=True)
class Lap:
    number: int
    shown: str
    best: bool  # the pilot's fastest lap in the heat


@dataclass(frozen=True)
class SlotLine:
    number: int
    name: str
    person_id: int | None
    channel: str
    frequency_mhz: int | None
    place: int | None
    laps: int | None
    elapsed_ms: int | None
    result: str
    lap_times: tuple[Lap, ...] = ()
    more_laps: int = 0  # lap times beyond MOST_LAPS, not listed


@dataclass
class HeatView:
    id: int
    number: int
    status: str
    round_name: str
    slots: list[SlotLine] = field(default_factory=list)
    # "current" or "next" when this heat is racing now or comes next.
    mark: str | None = None

    @property
    def title(self) -> str:
        return f"{self.round_name}, heat {self.number}"


@dataclass
class RoundView:
    number: int
    name: str
    kind: str
    status: str
    heats: list[HeatView] = field(default_factory=list)


@dataclass(frozen=True)
class Heats:
    rounds: list[RoundView]
    current: HeatView | None = None
    next: HeatView | None = None


Place = tuple[int | None, str, Result | None]


def laps_of(times: list[int]) -> tuple[tuple[Lap, ...], int]:
    """Lap times as the engine writes them (``0:21.930``), the fastest marked.

    Only the first MOST_LAPS are listed; the count of the others comes second.
    """
    valid = [ms for ms in times if isinstance(ms, int) and not isinstance(ms, bool) and ms >= 0]
    fastest = min(valid, default=None)
    shown = tuple(
        Lap(number, format_time(ms, style="compact"), ms == fastest)
        for number, ms in enumerate(valid[:MOST_LAPS], start=1)
    )
    return shown, len(valid) - len(shown)


def now_and_next(heats: list[HeatView]) -> tuple[HeatView | None, HeatView | None]:
    """The first running heat, and the first scheduled one after it, in race order."""
    at = next((i for i, heat in enumerate(heats) if heat.status == "running"), None)
    start = 0 if at is None else at + 1
    upcoming = next((h for h in heats[start:] if h.status == "scheduled"), None)
    return (heats[at] if at is not None else None), upcoming


def _places(rows: list[Result], fmt: Format) -> dict[int, Place]:
    """competitor -> (place in the heat, result as displayed, their latest result)."""
    latest = {competitor_of(r.person_id, r.team_id, r.entry_id): r for r in rows}
    out: dict[int, Place] = {}
    for standing in rank(list(scores_by_competitor(rows, fmt).items()), fmt.tie_rule):
        competitor = standing.competitor
        assert isinstance(competitor, int)
        value = standing.score
        shown = (
            display(fmt.scoring, value.score, fmt.display)
            if value.score is not None
            else value.status
        )
        out[competitor] = (standing.rank, shown, latest.get(competitor))
    return out


async def load(session: AsyncSession, competition_id: int) -> Heats:
    fmt = await competition_format(session, competition_id)
    if fmt is None:
        return Heats([])
    rounds = (
        await session.scalars(
            select(Round).where(Round.competition_id == competition_id).order_by(Round.number)
        )
    ).all()
    if not rounds:
        return Heats([])
    heats = (
        await session.scalars(
            select(Heat)
            .where(Heat.round_id.in_([r.id for r in rounds]))
            .order_by(Heat.round_id, Heat.number)
        )
    ).all()
    heat_ids = [h.id for h in heats]
    slots = (
        await session.execute(
            select(Slot, Entry, Person.name, Team.name)
            .outerjoin(Entry, Slot.entry_id == Entry.id)
            .outerjoin(Person, Entry.person_id == Person.id)
            .outerjoin(Team, Entry.team_id == Team.id)
            .where(Slot.heat_id.in_(heat_ids))
            .order_by(Slot.heat_id, Slot.number)
        )
    ).all()
    results = (
        await session.scalars(
            select(Result).where(Result.heat_id.in_(heat_ids)).order_by(Result.id)
        )
    ).all()
    by_heat: dict[int, list[Result]] = {}
    for result in results:
        assert result.heat_id is not None
        by_heat.setdefault(result.heat_id, []).append(result)
    places = {heat_id: _places(rows, fmt) for heat_id, rows in by_heat.items()}
    names = {r.id: r.name or f"Round {r.number}" for r in rounds}
    views = {h.id: HeatView(h.id, h.number, h.status, names[h.round_id]) for h in heats}
    for slot, entry, person_name, team_name in slots:
        competitor = (
            competitor_of(entry.person_id, entry.team_id, entry.id) if entry is not None else None
        )
        place, shown, found = places.get(slot.heat_id, {}).get(competitor or 0, (None, "", None))
        lap_times, more_laps = laps_of(found.lap_times_ms if found is not None else [])
        views[slot.heat_id].slots.append(
            SlotLine(
                number=slot.number,
                name=person_name or team_name or ("Open slot" if entry is None else f"#{entry.id}"),
                person_id=entry.person_id if entry is not None else None,
                channel=f"{slot.band or ''}{slot.channel or ''}",
                frequency_mhz=slot.frequency_mhz,
                place=place,
                laps=found.laps if found is not None else None,
                elapsed_ms=found.elapsed_ms if found is not None else None,
                result=shown,
                lap_times=lap_times,
                more_laps=more_laps,
            )
        )
    out = []
    for rnd in rounds:
        view = RoundView(rnd.number, names[rnd.id], rnd.kind, rnd.status)
        view.heats = [views[h.id] for h in heats if h.round_id == rnd.id]
        out.append(view)
    # Race order: rounds by number, then heats by number (the query sorts by round id).
    current, upcoming = now_and_next([heat for view in out for heat in view.heats])
    if current is not None:
        current.mark = "current"
    if upcoming is not None:
        upcoming.mark = "next"
    return Heats(out, current, upcoming)
