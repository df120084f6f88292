"""A person's page: their standing and results in every public competition.

A person with nothing in a public competition is not shown at all: a name seen
only in private events stays private.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from podium.ranking.display import display
from podium.ranking.leaderboards import BoardKey, Leaderboards, competitor_of
from podium.store.database import Database
from podium.store.tables import Competition, Entry, Heat, Person, Result, Round
from podium.web.render import not_found, page, parse_id
from podium.web.standings import STATUS_WORDS
from podium.web.visibility import public_competition

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class ResultLine:
    status: str
    elapsed_ms: int | None
    laps: int | None
    points: float | None
    where: str


@dataclass
class Participation:
    competition: Competition
    within: str = ""  # the race or series it belongs to, when that is public too
    rank: int | None = None
    total: int = 0
    best: str = ""
    bib: str | None = None
    results: list[ResultLine] = field(default_factory=list)


def _where(heat_round: tuple[int, int] | None) -> str:
    return "" if heat_round is None else f"Round {heat_round[1]}, heat {heat_round[0]}"


@router.get("/people/{person_id}", response_class=HTMLResponse)
async def person_page(person_id: str, request: Request) -> HTMLResponse:
    wanted = parse_id(person_id)
    database: Database = request.app.state.database
    leaderboards: Leaderboards = request.app.state.leaderboards
    async with database.read() as session:
        person = await session.get(Person, wanted) if wanted else None
        if person is None:
            return not_found(request, f"No person {person_id}.")
        results = (
            await session.execute(
                select(Result, Heat.number, Round.number)
                .outerjoin(Heat, Result.heat_id == Heat.id)
                .outerjoin(Round, Heat.round_id == Round.id)
                .where(Result.person_id == person.id)
                .order_by(Result.competition_id, Result.recorded_at, Result.id)
            )
        ).all()
        entries = (await session.scalars(select(Entry).where(Entry.person_id == person.id))).all()
        ids = sorted(
            {r.competition_id for r, _h, _r in results} | {e.competition_id for e in entries}
        )
        shown: dict[int, Participation] = {}
        for competition_id in ids:
            competition = await public_competition(session, competition_id)
            if competition is not None:
                parent = (
                    await session.get(Competition, competition.parent_id)
                    if competition.parent_id
                    else None
                )
                shown[competition_id] = Participation(competition, parent.name if parent else "")
    if not shown:
        return not_found(request, f"No person {person_id}.")
    for entry in entries:
        if entry.competition_id in shown:
            shown[entry.competition_id].bib = entry.bib
    for result, heat_number, round_number in results:
        if result.competition_id in shown:
            shown[result.competition_id].results.append(
                ResultLine(
                    STATUS_WORDS.get(result.status, result.status),
                    result.elapsed_ms,
                    result.laps,
                    result.points,
                    _where((heat_number, round_number) if heat_number is not None else None),
                )
            )
    competitor = competitor_of(person.id, None, None)
    assert competitor is not None
    for part in shown.values():
        if not part.results:
            continue
        board, fmt = await leaderboards.board(BoardKey(part.competition.id))
        row = await board.get(competitor, fmt.tie_rule)
        part.total = await board.count()
        if row is not None:
            part.rank = row.rank
            part.best = display(fmt.scoring, row.score, fmt.display)
    context = {"title": person.name, "person": person, "participations": list(shown.values())}
    return page(request, "person.html", context)
