"""ICPC contest tables at seconds precision, from a contest's submissions.

The leaderboard engine ranks contests at minute precision (``scoring.icpc``, as the
CLICS scoreboard counts); Mooshak's ranking rows show times to the second, so they
are computed here from the submissions themselves. The rules are Mooshak's:
- a problem is solved by its first Accepted; later tries are ignored;
- each rejected try before it adds the penalty (20 minutes), and every verdict
  other than Accepted counts, Compile Time Error included (unless turned off);
- pending submissions ("Evaluating") and ones not to be considered count for nothing;
- the total is the sum over solved problems of solve time plus penalties.
Rows are sorted best first: more solved, less total time, earlier last solve, name.
Equal solved, total and last solve share a rank.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.ranking.scoring import ACCEPTED, PENDING_VERDICTS, Options
from podium.store.tables import Challenge, Competition, Entry, Person, Result, Team

COMPILE_ERROR = "Compile Time Error"
# What a submission behind a scoreboard freeze counts as: pending.
FROZEN = "Pending"


@dataclass(frozen=True)
class ContestSubmission:
    id: int
    team: int  # entry id
    problem: int  # challenge id
    contest_seconds: int
    verdict: str
    consider: bool = True


@dataclass(frozen=True)
class ContestProblem:
    id: int
    label: str
    name: str
    color: str | None = None


@dataclass(frozen=True)
class ContestTeam:
    id: int
    name: str
    group: str = ""
    group_name: str = ""
    flag: str = ""
    color: str = ""


@dataclass(frozen=True)
class Cell:
    problem: int
    tries: int  # rejected tries before the first Accepted, or all of them if unsolved
    pending: int
    solved: bool
    solved_seconds: int | None
    first_to_solve: bool = False


@dataclass(frozen=True)
class Row:
    team: ContestTeam
    rank: int
    solved: int
    total_seconds: int
    last_solved_seconds: int
    cells: list[Cell] = field(default_factory=list)


@dataclass(frozen=True)
class Table:
    problems: list[ContestProblem]
    rows: list[Row]


def icpc_table(
    problems: Sequence[ContestProblem],
    teams: Sequence[ContestTeam],
    submissions: Sequence[ContestSubmission],
    *,
    penalty_minutes: int = 20,
    compile_errors_count: bool = True,
) -> Table:
    """Every team's row, best first, with shared ranks and first solvers marked."""
    by_cell: dict[tuple[int, int], list[ContestSubmission]] = {}
    for sub in submissions:
        if sub.consider:
            by_cell.setdefault((sub.team, sub.problem), []).append(sub)
    first: dict[int, tuple[int, int, int]] = {}  # problem -> (seconds, submission id, team)
    unsorted: list[Row] = []
    for team in teams:
        cells: list[Cell] = []
        solved = total = last = 0
        for problem in problems:
            tries = pending = 0
            solved_at: int | None = None
            ordered = sorted(by_cell.get((team.id, problem.id), ()), key=_order)
            for sub in ordered:
                if sub.verdict in PENDING_VERDICTS:
                    pending += 1
                elif sub.verdict == ACCEPTED:
                    solved_at = sub.contest_seconds
                    key = (sub.contest_seconds, sub.id, team.id)
                    if problem.id not in first or key < first[problem.id]:
                        first[problem.id] = key
                    break
                elif compile_errors_count or sub.verdict != COMPILE_ERROR:
                    tries += 1
            if solved_at is not None:
                solved += 1
                total += solved_at + tries * penalty_minutes * 60
                last = max(last, solved_at)
            cells.append(Cell(problem.id, tries, pending, solved_at is not None, solved_at))
        unsorted.append(Row(team, 0, solved, total, last, cells))
    unsorted.sort(key=lambda r: (-r.solved, r.total_seconds, r.last_solved_seconds, r.team.name))
    rows: list[Row] = []
    for n, row in enumerate(unsorted):
        tied = rows and _score(rows[-1]) == _score(row)
        rank = rows[-1].rank if tied else n + 1
        cells = [
            Cell(
                c.problem,
                c.tries,
                c.pending,
                c.solved,
                c.solved_seconds,
                c.solved and first.get(c.problem, (0, 0, -1))[2] == row.team.id,
            )
            for c in row.cells
        ]
        rows.append(
            Row(row.team, rank, row.solved, row.total_seconds, row.last_solved_seconds, cells)
        )
    return Table(list(problems), rows)


def _order(sub: ContestSubmission) -> tuple[int, int]:
    return (sub.contest_seconds, sub.id)


def _score(row: Row) -> tuple[int, int, int]:
    return (row.solved, row.total_seconds, row.last_solved_seconds)


def contest_options(contest: Competition) -> Options:
    """The contest's ICPC settings, from the same attribute the leaderboard engine reads."""
    return Options.of(contest.attributes)


def _looks(*sources: dict[str, Any]) -> dict[str, str]:
    """Group, flag and colour of a team: the entry's attributes win over the team's."""
    found: dict[str, str] = {}
    for key in ("group", "group_name", "flag", "color"):
        for source in sources:
            value = source.get(key)
            if value not in (None, ""):
                found[key] = str(value)
                break
    return found


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _contest_seconds(elapsed_ms: int | None, recorded_at: datetime, start: datetime | None) -> int:
    """Contest time of a submission: its own elapsed time, else wall time since the start."""
    if elapsed_ms is not None:
        return max(0, elapsed_ms // 1000)
    if start is None:
        return 0
    at = recorded_at if recorded_at.tzinfo else recorded_at.replace(tzinfo=UTC)
    return max(0, int((at - start).total_seconds()))


async def load_contest(
    session: AsyncSession, competition_id: int, *, hidden_after: datetime | None = None
) -> tuple[Competition, Table] | None:
    """The contest and its table, read in one query per table (no query per team).

    Submissions made at or after ``hidden_after`` (a frozen scoreboard, as readers
    without the ``judge`` permission see it) count as pending whatever their verdict.
    """
    contest = await session.get(Competition, competition_id)
    if contest is None:
        return None
    challenges = (
        await session.scalars(
            select(Challenge)
            .where(Challenge.competition_id == contest.id, Challenge.kind == "problem")
            .order_by(Challenge.position, Challenge.id)
        )
    ).all()
    problems = [
        ContestProblem(c.id, c.code or str(c.id), c.name, (c.attributes or {}).get("color"))
        for c in challenges
    ]
    entries = (
        await session.execute(
            select(Entry, Team.name, Team.attributes, Person.name)
            .outerjoin(Team, Entry.team_id == Team.id)
            .outerjoin(Person, Entry.person_id == Person.id)
            .where(Entry.competition_id == contest.id)
            .order_by(Entry.id)
        )
    ).all()
    teams: list[ContestTeam] = []
    # Results that name only a team or a person still belong to that entry.
    entry_of: dict[tuple[str, int], int] = {}
    for entry, team_name, team_attributes, person_name in entries:
        teams.append(
            ContestTeam(
                entry.id,
                team_name or person_name or f"#{entry.id}",
                **_looks(entry.attributes or {}, team_attributes or {}),
            )
        )
        if entry.team_id is not None:
            entry_of.setdefault(("team", entry.team_id), entry.id)
        if entry.person_id is not None:
            entry_of.setdefault(("person", entry.person_id), entry.id)
    start = contest.starts_at
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    rows = (
        await session.execute(
            select(
                Result.id,
                Result.entry_id,
                Result.team_id,
                Result.person_id,
                Result.challenge_id,
                Result.elapsed_ms,
                Result.recorded_at,
                Result.attributes,
            ).where(Result.competition_id == contest.id, Result.challenge_id.is_not(None))
        )
    ).all()
    submissions = []
    for rid, entry_id, team_id, person_id, challenge_id, elapsed_ms, recorded_at, attrs in rows:
        owner = entry_id
        if owner is None and team_id is not None:
            owner = entry_of.get(("team", team_id))
        if owner is None and person_id is not None:
            owner = entry_of.get(("person", person_id))
        if owner is None or challenge_id is None:
            continue
        attrs = attrs or {}
        verdict = str(attrs.get("verdict") or "")
        if hidden_after is not None and _aware(recorded_at) >= hidden_after:
            verdict = FROZEN
        submissions.append(
            ContestSubmission(
                rid,
                owner,
                challenge_id,
                _contest_seconds(elapsed_ms, recorded_at, start),
                verdict,
                attrs.get("consider", True) not in (False, "no"),
            )
        )
    options = contest_options(contest)
    table = icpc_table(
        problems,
        teams,
        submissions,
        penalty_minutes=options.penalty_minutes,
        compile_errors_count=options.compile_errors_count,
    )
    return contest, table
