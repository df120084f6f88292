"""Leaderboards from the ranking index, and full standings and results as CSV or JSON."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from podium.api import crud
from podium.api.bodies import LimitedRoute
from podium.api.deps import DB, Actor
from podium.api.models import Categories, Leaderboard, Position, Surround
from podium.api.responses import OrjsonResponse
from podium.core import categories, competitions, competitors, final_ranking, resources
from podium.core.categories import Facts, Group
from podium.core.competitors import Named
from podium.core.errors import Invalid, NotFound
from podium.core.final_ranking import FinalRanking
from podium.core.limits import INT64_MAX
from podium.core.principal import Principal
from podium.ranking import groups
from podium.ranking.display import POINT_FORMATS, TIME_FORMATS, display
from podium.ranking.index import Board, Row
from podium.ranking.leaderboards import (
    BoardKey,
    Format,
    Leaderboards,
    competition_format,
    competitor_of,
    scores_by_competitor,
    subject,
)
from podium.ranking.scoring import encode_points
from podium.ranking.ties import rank
from podium.ranking.times import format_time, parse_ms
from podium.store.tables import Result

router = APIRouter(route_class=LimitedRoute, tags=["leaderboard"])

ChallengeFilter = Annotated[
    int | None,
    Query(
        ge=1,
        le=INT64_MAX,
        description="Rank one challenge (map, course) instead of the whole competition.",
    ),
]
GroupFilter = Annotated[
    str | None,
    Query(
        max_length=400,
        description="Rank one category: gender:F, age:F:40-44, division:Spec, team:Wolves.",
    ),
]
Subject = Literal["person", "team", "entry"]
KIND_CODE = {"person": 1, "team": 2, "entry": 3}


def _row(fmt: Format, row: Row) -> dict[str, Any]:
    """A LeaderboardRow as a plain dict: pages are built on the hot path, once."""
    kind, object_id = subject(row.competitor)
    return {
        "rank": row.rank,
        "subject": kind,
        "subject_id": object_id,
        "score": row.score,
        "display": display(fmt.scoring, row.score, fmt.display),
        "set_at": datetime.fromtimestamp(row.set_ms / 1000, UTC),
    }


def _group(group: str | None, challenge_id: int | None) -> str | None:
    if group is None:
        return None
    if categories.title_of(group) is None:
        raise Invalid(
            "group names a category as kind:value — gender:F, age:F:40-44 (age::U20 without "
            "a gender), division:Spec or team:Wolves.",
            field="group",
        )
    if challenge_id is not None:
        raise Invalid("Categories rank the whole competition, not one challenge.", field="group")
    return group


async def _board(
    request: Request,
    actor: Principal,
    competition_id: int,
    challenge_id: int | None,
    group: str | None = None,
) -> tuple[Board, Format]:
    """The board, with access checked against the competition's cached organization."""
    leaderboards: Leaderboards = request.app.state.leaderboards
    key = BoardKey(competition_id, challenge_id, _group(group, challenge_id))
    try:
        board, fmt = await leaderboards.board(key)
    except LookupError:
        raise NotFound(f"No competition with id {competition_id}.") from None
    if not actor.allows("read", fmt.organization_id):
        raise NotFound(f"No competition with id {competition_id}.")
    return board, fmt


@router.get("/competitions/{competition_id}/leaderboard", response_model=Leaderboard)
async def leaderboard_top(
    competition_id: crud.ObjectId,
    request: Request,
    actor: Actor,
    challenge_id: ChallengeFilter = None,
    group: GroupFilter = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    """Ranked competitors with a score, best first: O(log n + limit) at any offset.

    With ``group`` the ranks are places within that category, from its own board.
    """
    board, fmt = await _board(request, actor, competition_id, challenge_id, group)
    rows = await board.top(offset, limit, fmt.tie_rule)
    return OrjsonResponse(
        {
            "competition_id": competition_id,
            "challenge_id": challenge_id,
            "group": group,
            "scoring": fmt.scoring,
            "tie_rule": fmt.tie_rule,
            "total": await board.count(),
            "offset": offset,
            "rows": [_row(fmt, r) for r in rows],
        }
    )


def _score_from_query(scoring: str, value: str | None, score: int | None) -> int:
    if score is not None:
        return score
    if value is None:
        raise Invalid("Give value= (a time or points) or score= (the encoded score).")
    if scoring in TIME_FORMATS:
        return parse_ms(value)
    if scoring in POINT_FORMATS:
        try:
            return encode_points(float(value))
        except ValueError:
            raise Invalid(f"value {value!r} is not a number of points.") from None
    raise Invalid(f"The {scoring} format takes score= (the encoded score), not value=.")


@router.get("/competitions/{competition_id}/leaderboard/position", response_model=Position)
async def leaderboard_position(
    competition_id: crud.ObjectId,
    request: Request,
    actor: Actor,
    challenge_id: ChallengeFilter = None,
    group: GroupFilter = None,
    value: Annotated[str | None, Query(max_length=40, description="A time or points.")] = None,
    score: Annotated[int | None, Query(ge=-(2**53), lt=2**53)] = None,
) -> Position:
    """The rank a new score would get (after existing equal ones under first_set)."""
    board, fmt = await _board(request, actor, competition_id, challenge_id, group)
    wanted = _score_from_query(fmt.scoring, value, score)
    return Position(
        position=await board.position_for(wanted, fmt.tie_rule), total=await board.count()
    )


@router.get(
    "/competitions/{competition_id}/leaderboard/{kind}/{subject_id}", response_model=Surround
)
async def leaderboard_subject(
    competition_id: crud.ObjectId,
    kind: Subject,
    subject_id: crud.ObjectId,
    request: Request,
    actor: Actor,
    challenge_id: ChallengeFilter = None,
    before: Annotated[int, Query(ge=0, le=50)] = 2,
    after: Annotated[int, Query(ge=0, le=50)] = 2,
) -> Surround:
    """A person's (team's, entry's) rank and the neighbours around it."""
    board, fmt = await _board(request, actor, competition_id, challenge_id)
    competitor = subject_id * 4 + KIND_CODE[kind]
    row = await board.get(competitor, fmt.tie_rule)
    if row is None:
        raise NotFound(f"{kind} {subject_id} has no score on this leaderboard.")
    around = await board.around(competitor, before, after, fmt.tie_rule)
    places = []
    if challenge_id is None:
        leaderboards: Leaderboards = request.app.state.leaderboards
        for group, place, total in await leaderboards.places(competition_id, competitor):
            places.append({**_category(group, total), "rank": place.rank})
    return Surround.model_validate(
        {
            "row": _row(fmt, row),
            "rows": [_row(fmt, r) for r in around],
            "total": await board.count(),
            "places": places,
        }
    )


def _category(group: Group, total: int) -> dict[str, Any]:
    return {"group": group.key, "kind": group.kind, "title": group.title, "total": total}


@router.get("/competitions/{competition_id}/categories", response_model=Categories)
async def category_list(
    competition_id: crud.ObjectId, request: Request, actor: Actor
) -> Categories:
    """The category boards of a competition, each with how many it ranks."""
    await _board(request, actor, competition_id, None)  # the access check
    leaderboards: Leaderboards = request.app.state.leaderboards
    groups, _fmt = await leaderboards.groups(competition_id)
    found = []
    for group in groups:
        board, _fmt = await leaderboards.board(BoardKey(competition_id, None, group.key))
        found.append(_category(group, await board.count()))
    return Categories.model_validate({"competition_id": competition_id, "categories": found})


# What format= chooses between, as the OpenAPI document declares it.
JSON_OR_CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}, "text/csv": {}}},
}
ExportFormat = Annotated[Literal["json", "csv"], Query(alias="format")]


def _csv(header: list[str], rows: list[list[Any]], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _final_rows(final: FinalRanking, board: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The final ranking's order, each row with its board standing beside it.

    ``rank`` is the declared place (None when listed unplaced); ``board_rank``,
    ``score`` and ``display`` come from the scoring-format board. Competitors with
    results but no line in the final ranking follow, unplaced, in board order.
    """
    by_subject = {(row["subject"], row["subject_id"]): row for row in board}
    out = []
    for placing in final.placings:
        row = by_subject.pop((placing.subject, placing.subject_id), None)
        out.append(
            {
                "rank": placing.place,
                "placed": placing.place is not None,
                "subject": placing.subject,
                "subject_id": placing.subject_id,
                "status": row["status"] if row else "OK",
                "board_rank": row["rank"] if row else None,
                "score": row["score"] if row else None,
                "display": row["display"] if row else "",
                "detail": row["detail"] if row else {},
                **{k: row[k] if row else None for k in (*PROFILE_COLUMNS, *PLACE_COLUMNS)},
            }
        )
    for row in board:
        if (row["subject"], row["subject_id"]) in by_subject:
            out.append({**row, "rank": None, "placed": False, "board_rank": row["rank"]})
    return out


def _final_json(final: FinalRanking | None) -> dict[str, Any] | None:
    if final is None:
        return None
    return {"name": final.name, "result_set_id": final.result_set_id, "set_at": final.set_at}


@router.get("/competitions/{competition_id}/standings", responses=JSON_OR_CSV)
async def standings(
    competition_id: crud.ObjectId,
    db: DB,
    actor: Actor,
    challenge_id: ChallengeFilter = None,
    export: ExportFormat = "json",
) -> Response:
    """Every competitor, finishers ranked first, then DNF, DNQ, DQ, DNS (computed in full).

    Once a final ranking is declared (``podium.core.final_ranking``) it is the
    competition's result: rows follow it, with the scoring-format board beside them
    (``board_rank``, ``score``, ``display``). A challenge's standings are its board.
    """
    async with db.read() as session:
        await resources.get(session, actor, competitions.COMPETITIONS, competition_id)
        fmt = await competition_format(session, competition_id)
        assert fmt is not None
        query = select(Result).where(Result.competition_id == competition_id)
        if challenge_id is not None:
            query = query.where(Result.challenge_id == challenge_id)
        results = (await session.scalars(query)).all()
        scores = scores_by_competitor(results, fmt)
        final = (
            None if challenge_id is not None else await final_ranking.load(session, competition_id)
        )
        names = await competitors.named(session, competition_id, set(scores))
        profiles = await groups.placed(session, competition_id, results)
    places = _category_places(scores, profiles, fmt)
    table = []
    for standing in rank(list(scores.items()), fmt.tie_rule):
        competitor = int(standing.competitor)  # type: ignore[call-overload]
        kind, object_id = subject(competitor)
        value = standing.score
        table.append(
            {
                "rank": standing.rank,
                "subject": kind,
                "subject_id": object_id,
                "status": value.status,
                "score": value.score,
                "display": display(fmt.scoring, value.score, fmt.display)
                if value.score is not None
                else value.status,
                "detail": value.detail,
                **_profile(names.get(competitor), profiles.get(competitor)),
                **places.get(competitor, dict.fromkeys(PLACE_COLUMNS)),
            }
        )
    header = ["rank", "subject", "subject_id", "status", "score", "display"]
    header += [*PROFILE_COLUMNS, *PLACE_COLUMNS]
    if final is not None:
        table = _final_rows(final, table)
        header = ["rank", "placed", "subject", "subject_id", "status", "board_rank", "score"]
        header += ["display", "board", *PROFILE_COLUMNS, *PLACE_COLUMNS]
        for row in table:
            row["board"] = fmt.scoring
    if export == "json":
        return OrjsonResponse(
            {
                "competition_id": competition_id,
                "scoring": fmt.scoring,
                "tie_rule": fmt.tie_rule,
                "ranked_by": "final_ranking" if final is not None else fmt.scoring,
                "final_ranking": _final_json(final),
                "rows": table,
            }
        )
    return _csv(
        header,
        [[r[k] if r[k] is not None else "" for k in header] for r in table],
        f"standings-{competition_id}.csv",
    )


PROFILE_COLUMNS = ("name", "bib", "gender", "age", "age_group", "division", "team")
PLACE_COLUMNS = ("gender_place", "age_group_place", "division_place", "team_place")
_PLACE_OF = {"gender": "gender_place", "age": "age_group_place"}


def _profile(name: Named | None, profile: tuple[Facts, list[Group]] | None) -> dict[str, Any]:
    """Who a row is: name, bib and the facts that place it in its categories."""
    facts, found = profile if profile is not None else (Facts(), [])
    band = next((g.key.rsplit(":", 1)[1] for g in found if g.kind == "age"), None)
    return {
        "name": name.name if name else None,
        "bib": name.bib if name else None,
        "gender": facts.gender,
        "age": facts.age,
        "age_group": band,
        "division": facts.division,
        "team": facts.team,
    }


def _category_places(
    scores: dict[int, Any], profiles: dict[int, tuple[Facts, list[Group]]], fmt: Format
) -> dict[int, dict[str, Any]]:
    """Each competitor's place within each of its categories, by the same tie rule.

    A download ranks the whole field in full anyway; the live boards (``?group=``)
    give the same places from the index.
    """
    members: dict[str, list[tuple[int, Any]]] = {}
    for competitor, (_facts, found) in profiles.items():
        value = scores.get(competitor)
        if value is None or value.score is None:
            continue
        for group in found:
            members.setdefault(group.key, []).append((competitor, value))
    out: dict[int, dict[str, Any]] = {}
    for key, scored in members.items():
        column = _PLACE_OF.get(key.split(":", 1)[0], f"{key.split(':', 1)[0]}_place")
        for standing in rank(scored, fmt.tie_rule):
            line = out.setdefault(int(standing.competitor), dict.fromkeys(PLACE_COLUMNS))  # type: ignore[call-overload]
            line[column] = standing.rank
    return out


RESULT_COLUMNS = [
    "id",
    "name",
    "bib",
    "entry_id",
    "person_id",
    "team_id",
    "challenge_id",
    "result_set_id",
    "heat_id",
    "slot_id",
    "status",
    "elapsed_ms",
    "time",
    "laps",
    "lap_times_ms",
    "points",
    "place",
    "recorded_at",
]


@router.get("/competitions/{competition_id}/results/export", responses=JSON_OR_CSV)
async def export_results(
    competition_id: crud.ObjectId, db: DB, actor: Actor, export: ExportFormat = "csv"
) -> Response:
    """Every result with its laps; CSV carries lap times as ``;``-separated milliseconds.

    The final ranking's results are among them (``place``, ``result_set_id``); JSON
    also names the final ranking and its order under ``final_ranking``.
    """
    async with db.read() as session:
        await resources.get(session, actor, competitions.COMPETITIONS, competition_id)
        rows = (
            await session.scalars(
                select(Result).where(Result.competition_id == competition_id).order_by(Result.id)
            )
        ).all()
        final = await final_ranking.load(session, competition_id)
        who = {r.id: competitor_of(r.person_id, r.team_id, r.entry_id) for r in rows}
        names = await competitors.named(
            session, competition_id, {c for c in who.values() if c is not None}
        )
    records: list[dict[str, Any]] = []
    for r in rows:
        named = names.get(who[r.id] or 0)
        records.append(
            {
                "id": r.id,
                "name": named.name if named else None,
                "bib": named.bib if named else None,
                "entry_id": r.entry_id,
                "person_id": r.person_id,
                "team_id": r.team_id,
                "challenge_id": r.challenge_id,
                "result_set_id": r.result_set_id,
                "heat_id": r.heat_id,
                "slot_id": r.slot_id,
                "status": r.status,
                "elapsed_ms": r.elapsed_ms,
                "time": format_time(r.elapsed_ms) if r.elapsed_ms is not None else r.status,
                "laps": r.laps,
                "lap_times_ms": list(r.lap_times_ms or []),
                "points": r.points,
                "place": r.place,
                "recorded_at": r.recorded_at.isoformat(),
                "splits": r.splits,
                "attributes": r.attributes,
            }
        )
    if export == "json":
        placed = _final_json(final)
        if placed is not None and final is not None:
            placed["rows"] = [
                {
                    "place": p.place,
                    "subject": p.subject,
                    "subject_id": p.subject_id,
                    "result_id": p.result_id,
                }
                for p in final.placings
            ]
        body = {"competition_id": competition_id, "final_ranking": placed, "results": records}
        return OrjsonResponse(body)
    table = []
    for rec in records:
        line = []
        for column in RESULT_COLUMNS:
            value = rec[column]
            if column == "lap_times_ms":
                value = ";".join(str(v) for v in value)
            line.append("" if value is None else value)
        table.append(line)
    return _csv(RESULT_COLUMNS, table, f"results-{competition_id}.csv")
