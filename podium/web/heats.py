"""A race's rounds, heats and slots with each heat's results, for the race page.

Each heat is ranked on its own by the competition's scoring (a pilot's place in
that heat), and its results are formatted by the ranking engine's ``display``.
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
from podium.store.tables import Entry, Heat, Person, Result, Round, Slot, Team


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


@dataclass
class HeatView:
    id: int
    number: int
    status: str
    slots: list[SlotLine] = field(default_factory=list)


@dataclass
class RoundView:
    number: int
    name: str
    kind: str
    status: str
    heats: list[HeatView] = field(default_factory=list)


Place = tuple[int | None, str, Result | None]


def _places(rows: list[Result], fmt: Format) -> dict[int, Place]:
    """competitor -> (place in the heat, result as displayed, their latest result)."""
    latest = {competitor_of(r.person_id, r.team_id, r.entry_id): r for r in rows}
    out: dict[int, Place] = {}
    for standing in rank(list(scores_by_competitor(rows, fmt).items()), fmt.tie_rule):
        competitor = standing.competitor
        assert isinstance(competitor, int)
        value = standing.score
        shown = display(fmt.scoring, value.score) if value.score is not None else value.status
        out[competitor] = (standing.rank, shown, latest.get(competitor))
    return out


async def load(session: AsyncSession, competition_id: int) -> list[RoundView]:
    fmt = await competition_format(session, competition_id)
    if fmt is None:
        return []
    rounds = (
        await session.scalars(
            select(Round).where(Round.competition_id == competition_id).order_by(Round.number)
        )
    ).all()
    if not rounds:
        return []
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
    views = {h.id: HeatView(h.id, h.number, h.status) for h in heats}
    for slot, entry, person_name, team_name in slots:
        competitor = (
            competitor_of(entry.person_id, entry.team_id, entry.id) if entry is not None else None
        )
        place, shown, found = places.get(slot.heat_id, {}).get(competitor or 0, (None, "", None))
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
            )
        )
    out = []
    for rnd in rounds:
        view = RoundView(rnd.number, rnd.name or f"Round {rnd.number}", rnd.kind, rnd.status)
        view.heats = [views[h.id] for h in heats if h.round_id == rnd.id]
        out.append(view)
    return out
