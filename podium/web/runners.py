"""Results people look up at the event: find a bib or name, and one runner's result page.

The result page is keyed by the entry id (stable, and what a bib belongs to), so
its URL can be printed as a QR code on a bib or a results board. Ranks come from
the live leaderboard index, like the leaderboard's; nothing here sorts the field.
Times read as the competition's display settings say (``attributes.display``);
split places come from one counting query, not from loading the field.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import JSON, and_, case, column, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core.limits import text_offence
from podium.proxy import root_of
from podium.ranking.display import RACE_TIME_FORMATS, DisplaySettings, display
from podium.ranking.leaderboards import BoardKey, Format, Leaderboards, competitor_of
from podium.ranking.pace import format_pace, parse_distance
from podium.ranking.scoring import Performance, ranked_ms
from podium.store.database import Database
from podium.store.tables import Competition, Entry, Organization, Person, Result, Team
from podium.web.render import clock, not_found, page, parse_id
from podium.web.standings import STATUS_WORDS
from podium.web.visibility import public_competition

router = APIRouter(include_in_schema=False)

MAX_QUERY = 100  # characters of a search; longer is not a bib or a name
MAX_MATCHES = 50
# Attributes (of the entry, then the person) shown when present, with their labels.
FACTS = (
    ("club", "Club"),
    ("team", "Team"),
    ("city", "City"),
    ("age", "Age"),
    ("age_group", "Age group"),
    ("category", "Category"),
    ("division", "Division"),
)
TIMES = (("gun_time", "Gun time"), ("chip_time", "Chip time"))
# Results that crossed the split mats: a split place counts them, not DQ or DNS.
SPLIT_STATUSES = ("OK", "DNF")


@dataclass(frozen=True)
class Match:
    entry_id: int
    bib: str | None
    name: str


@dataclass
class Found:
    """What a search answers: matches, a message, or one bib to go straight to."""

    query: str = ""
    matches: list[Match] = field(default_factory=list)
    more: bool = False
    error: str | None = None
    exact: int | None = None


def clean_query(raw: str) -> tuple[str, str | None]:
    """The search text trimmed, or why it cannot be searched for."""
    text = " ".join(raw.split())
    problem = text_offence(text)
    if problem is not None:
        return "", problem
    if len(text) > MAX_QUERY:
        return "", f"Search for at most {MAX_QUERY} characters."
    return text, None


async def find(session: AsyncSession, competition_id: int, raw: str) -> Found:
    """Entries whose bib is ``raw`` exactly or whose name contains it (any case)."""
    query, error = clean_query(raw)
    if error is not None or not query:
        return Found(query, error=error or "Type a bib number or part of a name.")
    bib = await session.scalar(
        select(Entry.id).where(Entry.competition_id == competition_id, Entry.bib == query)
    )
    if bib is not None:
        return Found(query, exact=bib)
    name = func.coalesce(Person.name, Team.name, "")
    rows = (
        await session.execute(
            select(Entry.id, Entry.bib, name)
            .outerjoin(Person, Entry.person_id == Person.id)
            .outerjoin(Team, Entry.team_id == Team.id)
            .where(
                Entry.competition_id == competition_id,
                or_(
                    func.lower(Person.name).contains(query.lower(), autoescape=True),
                    func.lower(Team.name).contains(query.lower(), autoescape=True),
                ),
            )
            .order_by(name, Entry.id)
            .limit(MAX_MATCHES + 1)
        )
    ).all()
    matches = [Match(eid, bib, shown) for eid, bib, shown in rows[:MAX_MATCHES]]
    return Found(query, matches, len(rows) > MAX_MATCHES)


@dataclass(frozen=True)
class Split:
    name: str
    time: str
    place: int | None = None  # among the results with this split; equal times share it
    of: int | None = None
    pace: str | None = None


@dataclass(frozen=True)
class Timing:
    """The time that ranks, labelled gun or chip, the other one beside it, and the pace."""

    ranked: str
    ranked_by: str  # "chip" or "gun"
    other: str | None
    pace: str | None

    @property
    def other_by(self) -> str:
        return "gun" if self.ranked_by == "chip" else "chip"


def chip_ms(result: Result) -> int | None:
    """The chip time RunSignup posts beside the gun (clock) time, when it is a time."""
    value = (result.attributes or {}).get("chip_time_ms")
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _performance(result: Result) -> Performance:
    return Performance(result.id, result.status, result.elapsed_ms, chip_ms=chip_ms(result))


def counted_result(rows: list[Result], fmt: Format) -> Result | None:
    """The result the page is about: for a race time the OK one that ranks (fastest by
    the competition's gun or chip rule, first recorded on a tie), otherwise the first
    OK one; a runner without one is shown by their first result's status."""
    finished = [r for r in rows if r.status == "OK"]
    if fmt.scoring in RACE_TIME_FORMATS:
        timed = [
            (ms, r.id, r)
            for r in finished
            if (ms := ranked_ms(_performance(r), fmt.options)) is not None
        ]
        if timed:
            return min(timed, key=lambda t: (t[0], t[1]))[2]
    return finished[0] if finished else (rows[0] if rows else None)


def timing(result: Result, fmt: Format, settings: DisplaySettings) -> Timing | None:
    """Gun and chip time of a race-time result as the competition shows them."""
    if fmt.scoring not in RACE_TIME_FORMATS or result.status != "OK":
        return None
    perf = _performance(result)
    ms = ranked_ms(perf, fmt.options)
    if ms is None:
        return None
    by_chip = fmt.options.rank_by == "chip" and perf.chip_ms is not None
    other = perf.elapsed_ms if by_chip else perf.chip_ms
    return Timing(
        settings.time_text(fmt.scoring, ms),
        "chip" if by_chip else "gun",
        None if other is None else settings.time_text(fmt.scoring, other),
        settings.pace_text(fmt.scoring, ms),
    )


def _split_rows(result: Result) -> list[tuple[str, int]]:
    """(name, ms) of a result's well-formed splits, the first of each name."""
    seen: dict[str, int] = {}
    for split in result.splits or []:
        if not isinstance(split, dict):
            continue
        name, ms = split.get("name"), split.get("elapsed_ms")
        if isinstance(name, str) and isinstance(ms, int) and not isinstance(ms, bool):
            seen.setdefault(name, ms)
    return list(seen.items())


async def split_places(
    session: AsyncSession, competition_id: int, mine: list[tuple[str, int]]
) -> dict[str, tuple[int, int]]:
    """(place, of) at each of ``mine``'s split names, in one query over the competition.

    The place is one more than the results with a strictly smaller time at that split,
    so equal times share a place and the next is skipped (1, 2, 2, 4); ``of`` counts
    the results that have the split. Results counted are those that crossed the mats
    (``SPLIT_STATUSES``), one per result, as a timer's split ranking counts them.
    """
    if not mine:
        return {}
    postgres = session.get_bind().dialect.name == "postgresql"
    expand = func.jsonb_array_elements if postgres else func.json_each
    each = expand(Result.splits).table_valued(column("value", JSON), joins_implicitly=True)
    crossed = (
        select(
            each.c.value["name"].as_string().label("name"),
            each.c.value["elapsed_ms"].as_float().label("ms"),
        )
        .select_from(Result, each)
        .where(Result.competition_id == competition_id, Result.status.in_(SPLIT_STATUSES))
        .subquery()
    )
    ahead = case(*((and_(crossed.c.name == n, crossed.c.ms < ms), 1) for n, ms in mine), else_=0)
    rows = await session.execute(
        select(crossed.c.name, func.count(), func.sum(ahead))
        .where(crossed.c.name.in_([n for n, _ in mine]), crossed.c.ms.is_not(None))
        .group_by(crossed.c.name)
    )
    return {name: (int(faster or 0) + 1, int(total)) for name, total, faster in rows}


def _facts(*sources: dict[str, Any], names: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """(label, value) of the first source that has each attribute, as short text."""
    out = []
    for key, label in names:
        for source in sources:
            value = source.get(key)
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                out.append((label, str(value)[:200]))
                break
    return out


def _time(value: str) -> str:
    """An attribute time: milliseconds shown as the engine's clock, text as it is."""
    return clock(int(value)) if value.isascii() and value.isdigit() else value


def _split_pace(scoring: str, settings: DisplaySettings, name: str, ms: int) -> str | None:
    """The pace to a split named for its distance ("5 km", "Half Marathon")."""
    distance = parse_distance(name)
    if distance is None or scoring not in RACE_TIME_FORMATS or settings.pace == "none":
        return None
    return format_pace(ms, distance, settings.pace)


def page_url(request: Request, competition_id: int, entry_id: int) -> str:
    """The result page's absolute address, as a phone scanning the QR code needs it."""
    root = root_of(request.scope)
    base = f"{request.url.scheme}://{request.url.netloc}{root}"
    return f"{base}/competitions/{competition_id}/results/{entry_id}"


async def _entry(
    session: AsyncSession, competition_id: str, key: str
) -> tuple[Competition, Entry] | None:
    wanted, entry_id = parse_id(competition_id), parse_id(key)
    competition = await public_competition(session, wanted) if wanted else None
    if competition is None or entry_id is None:
        return None
    entry = await session.get(Entry, entry_id)
    if entry is None or entry.competition_id != competition.id:
        return None
    return competition, entry


@router.get("/competitions/{competition_id}/results/{key}", response_class=HTMLResponse)
async def runner_page(competition_id: str, key: str, request: Request) -> HTMLResponse:
    database: Database = request.app.state.database
    async with database.read() as session:
        found = await _entry(session, competition_id, key)
        if found is None:
            return not_found(request, f"No public result {key} in competition {competition_id}.")
        competition, entry = found
        organization = await session.get(Organization, competition.organization_id)
        person = await session.get(Person, entry.person_id) if entry.person_id else None
        team = await session.get(Team, entry.team_id) if entry.team_id else None
        mine = [Result.entry_id == entry.id]
        if entry.person_id is not None:
            mine.append(Result.person_id == entry.person_id)
        rows = list(
            (
                await session.scalars(
                    select(Result)
                    .where(Result.competition_id == competition.id, or_(*mine))
                    .order_by(Result.id)
                    .limit(100)
                )
            ).all()
        )
    board, fmt = await request.app.state.leaderboards.board(BoardKey(competition.id))
    result = counted_result(rows, fmt)
    settings = DisplaySettings.of(competition.attributes)
    own_splits = _split_rows(result) if result is not None else []
    places: dict[str, tuple[int, int]] = {}
    if own_splits and result is not None and result.status in SPLIT_STATUSES:
        async with database.read() as session:
            places = await split_places(session, competition.id, own_splits)
    if result is not None:
        competitor = competitor_of(result.person_id, result.team_id, result.entry_id)
    else:
        competitor = competitor_of(entry.person_id, entry.team_id, entry.id)
    row = await board.get(competitor, fmt.tie_rule) if competitor is not None else None
    total = await board.count()
    leaderboards: Leaderboards = request.app.state.leaderboards
    category_places = (
        [
            (group.title, place.rank, of)
            for group, place, of in await leaderboards.places(competition.id, competitor)
        ]
        if row is not None and competitor is not None
        else []
    )
    clocks = timing(result, fmt, settings) if result is not None and row is not None else None
    attributes = [
        entry.attributes or {},
        (result.attributes if result else None) or {},
        (person.attributes if person else None) or {},
    ]
    facts = _facts(*attributes, names=FACTS)
    if person is not None and person.gender:
        facts.append(("Gender", person.gender))
    # Times kept as text attributes (an import's columns) show unless timing has them.
    shown_kinds = set() if clocks is None else {clocks.ranked_by}
    if clocks is not None and clocks.other is not None:
        shown_kinds.add("gun" if clocks.ranked_by == "chip" else "chip")
    texts = tuple((k, label) for k, label in TIMES if k.removesuffix("_time") not in shown_kinds)
    times = [(label, _time(value)) for label, value in _facts(*attributes, names=texts)]
    splits = []
    for split_name, ms in own_splits:
        place, of = places.get(split_name, (None, None))
        shown_ms = settings.time_text(fmt.scoring, ms)
        pace = _split_pace(fmt.scoring, settings, split_name, ms)
        splits.append(Split(split_name, shown_ms, place, of, pace))
    shown = None if row is None else display(fmt.scoring, row.score, settings)
    if clocks is not None:
        shown = clocks.ranked  # the ranked time of the result this page is about
    name = (person.name if person else None) or (team.name if team else None)
    status = result.status if result else None
    context = {
        "title": f"{name or 'Bib ' + (entry.bib or str(entry.id))} · {competition.name}",
        "competition": competition,
        "organization": organization,
        "entry": entry,
        "name": name or f"Bib {entry.bib or entry.id}",
        "person": person,
        "team": team,
        "facts": facts,
        "times": times,
        "result": result,
        "status": status,
        "status_text": STATUS_WORDS.get(status, status) if status else None,
        "provisional": any(r.review is not None for r in rows),
        "rank": row.rank if row else None,
        "total": total,
        "places": category_places,
        "shown": shown,
        "timing": clocks,
        "splits": splits,
        "url": page_url(request, competition.id, entry.id),
    }
    return page(request, "runner.html", context)


def qr_svg(url: str) -> bytes:
    """A standalone SVG document (with its namespace, so browsers show it as an image)."""
    out = io.BytesIO()
    code = segno.make(url, error="m", micro=False)
    code.save(out, kind="svg", scale=4, title="QR code of this result page's address")
    return out.getvalue()


@router.get("/competitions/{competition_id}/results/{key}/qr.svg")
async def runner_qr(competition_id: str, key: str, request: Request) -> Response:
    """The result page's address as a QR code (SVG: sharp at any size, prints well)."""
    database: Database = request.app.state.database
    async with database.read() as session:
        found = await _entry(session, competition_id, key)
    if found is None:
        return not_found(request, f"No public result {key} in competition {competition_id}.")
    competition, entry = found
    return Response(
        qr_svg(page_url(request, competition.id, entry.id)),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )
