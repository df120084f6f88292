"""Series standings on a series' page, and as a public JSON download.

The races are the series' public children. A race's places come from its declared
final ranking when it has one, else from its leaderboard index walked best first
(as the awards list walks it), so the standings agree with every race page; the
points arithmetic is ``podium.core.series``. Contests are left out: places on a
frozen scoreboard are not public yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from podium.core import final_ranking
from podium.core.errors import Invalid
from podium.core.series import RacePlaces, Rules, Standing, is_series, rules_of, standings
from podium.ranking.leaderboards import BoardKey, Leaderboards, subject
from podium.store.database import Database
from podium.store.tables import Competition
from podium.web.render import not_found, parse_id
from podium.web.standings import KIND_CODES, names_of
from podium.web.visibility import public_children, public_competition

router = APIRouter(include_in_schema=False)

CHUNK = 500  # index rows read at a time
MOST_WALKED = 20_000  # places read from one race's index at most
MOST_LINES = 1000  # standings lines a page (and the download) lists


@dataclass(frozen=True)
class SeriesRace:
    id: int
    name: str
    status: str
    ranked_by: str  # "final_ranking" or "leaderboard"


@dataclass(frozen=True)
class Cell:
    place: int | None
    points: str
    counted: bool


@dataclass(frozen=True)
class SeriesLine:
    rank: int
    name: str
    person_id: int | None
    points: str
    cells: tuple[Cell | None, ...]  # one per race, None where they did not race
    standing: Standing


@dataclass(frozen=True)
class SeriesView:
    races: list[SeriesRace]
    lines: list[SeriesLine]
    total: int
    rules: Rules
    error: str | None = None

    @property
    def points_text(self) -> str:
        return ", ".join(points_text(p) for p in self.rules.points)


def points_text(value: float) -> str:
    """Points as people write them: ``25``, ``12.5``."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0")


async def _places(
    database: Database, leaderboards: Leaderboards, race: Competition
) -> tuple[str, dict[int, int | None]]:
    """How the race is ranked, and competitor -> place in it."""
    async with database.read() as session:
        declared = await final_ranking.load(session, race.id)
    if declared is not None:
        return "final_ranking", {
            p.subject_id * 4 + KIND_CODES[p.subject]: p.place for p in declared.placings
        }
    board, fmt = await leaderboards.board(BoardKey(race.id))
    places: dict[int, int | None] = {}
    while len(places) < MOST_WALKED:
        rows = await board.top(len(places), CHUNK, fmt.tie_rule)
        places.update((row.competitor, row.rank) for row in rows)
        if len(rows) < CHUNK:
            break
    return "leaderboard", places


async def load(request: Request, competition: Competition) -> SeriesView | None:
    """The standings of ``competition`` when it is a series, else None."""
    if not is_series(competition.kind, competition.attributes):
        return None
    try:
        rules = rules_of(competition.attributes)
    except Invalid as exc:
        return SeriesView([], [], 0, Rules(), exc.message)
    database: Database = request.app.state.database
    async with database.read() as session:
        children = await public_children(session, competition.id)
    races, outcomes = [], []
    for race in children:
        if race.scoring == "icpc":
            continue
        ranked_by, places = await _places(database, request.app.state.leaderboards, race)
        races.append(SeriesRace(race.id, race.name, race.status, ranked_by))
        outcomes.append(RacePlaces(race.id, places))
    table = standings(outcomes, rules)
    shown = table[:MOST_LINES]
    async with database.read() as session:
        names = await names_of(session, {s.competitor for s in shown})
    lines = []
    for standing in shown:
        name, person_id = names.get(standing.competitor, ("(removed)", None))
        cells = tuple(
            Cell(score.place, points_text(score.points), score.counted)
            if (score := standing.scores.get(race.id)) is not None
            else None
            for race in races
        )
        lines.append(
            SeriesLine(
                standing.rank, name, person_id, points_text(standing.points), cells, standing
            )
        )
    return SeriesView(races, lines, len(table), rules)


def _json(competition: Competition, view: SeriesView) -> dict[str, Any]:
    rows = []
    for line in view.lines:
        kind, object_id = subject(line.standing.competitor)
        races = [
            {
                "race_id": score.race_id,
                "place": score.place,
                "points": score.points,
                "counted": score.counted,
            }
            for score in line.standing.scores.values()
        ]
        rows.append(
            {
                "rank": line.rank,
                "subject": kind,
                "subject_id": object_id,
                "name": line.name,
                "points": line.standing.points,
                "races": races,
            }
        )
    return {
        "competition_id": competition.id,
        "name": competition.name,
        "rules": {"points": list(view.rules.points), "best_of": view.rules.best_of},
        "races": [
            {"id": r.id, "name": r.name, "status": r.status, "ranked_by": r.ranked_by}
            for r in view.races
        ],
        "total": view.total,
        "rows": rows,
    }


@router.get("/competitions/{competition_id}/series.json")
async def series_download(competition_id: str, request: Request) -> Response:
    """The standings as JSON, for anyone (the series must be public)."""
    wanted = parse_id(competition_id)
    database: Database = request.app.state.database
    async with database.read() as session:
        competition = await public_competition(session, wanted) if wanted else None
    view = await load(request, competition) if competition is not None else None
    if competition is None or view is None:
        return not_found(request, f"No public series {competition_id}.")
    if view.error is not None:
        return JSONResponse({"error": view.error}, status_code=Invalid.status)
    return JSONResponse(_json(competition, view), headers={"Cache-Control": "no-store"})
