"""ICPC tables from submissions, checked against a table worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from podium import demo
from podium.core import resources
from podium.core.challenges import CHALLENGES, ChallengeCreate
from podium.core.competitions import COMPETITIONS, CompetitionCreate
from podium.core.entries import ENTRIES, EntryCreate
from podium.core.organizations import OrganizationCreate, create_organization
from podium.core.principal import SYSTEM
from podium.core.results import ResultCreate, create_many
from podium.core.teams import TEAMS as TEAMS_RESOURCE
from podium.core.teams import TeamCreate
from podium.dialects.mooshak2 import admin
from podium.ranking.contest import (
    ContestProblem,
    ContestSubmission,
    ContestTeam,
    Table,
    icpc_table,
    load_contest,
)
from podium.store.database import Database
from podium.store.tables import Challenge, Competition, Entry, Person, Result, Team

A, B, C = (ContestProblem(1, "A", "Apples"), ContestProblem(2, "B", "Bridges"),
           ContestProblem(3, "C", "Cycles"))  # fmt: skip
TEAMS = [
    ContestTeam(n, name) for n, name in enumerate(("Alpha", "Bravo", "Charlie", "Delta", "Echo"), 1)
]
S = ContestSubmission
SUBMISSIONS = [
    # Alpha: A after a compile error (penalty), a WA after AC (ignored); B tried twice.
    S(1, 1, 1, 600, "Compile Time Error"),
    S(2, 1, 1, 900, "Accepted"),
    S(3, 1, 1, 1000, "Wrong Answer"),
    S(4, 1, 2, 1800, "Wrong Answer"),
    S(5, 1, 2, 2400, "Runtime Error"),
    # Bravo: A and B first time; C still being judged (counts for nothing).
    S(6, 2, 1, 1200, "Accepted"),
    S(7, 2, 2, 3000, "Accepted"),
    S(8, 2, 3, 3600, "Evaluating"),
    # Charlie: B after one WA; an A not to be considered; C tried once.
    S(9, 3, 2, 1500, "Wrong Answer"),
    S(10, 3, 2, 2700, "Accepted"),
    S(11, 3, 1, 300, "Accepted", consider=False),
    S(12, 3, 3, 60, "Time Limit Exceeded"),
    # Delta: exactly Alpha's A, so the two share a rank.
    S(14, 4, 1, 600, "Compile Time Error"),
    S(15, 4, 1, 900, "Accepted"),
    # Echo: nothing.
]

# Worked by hand (seconds; 20 min = 1200 s per rejected try before the first AC):
#   Bravo   A 1200 + B 3000                  = 4200, 2 solved, last 3000 -> rank 1
#   Alpha   A  900 + 1 try (CE)  = 2100      = 2100, 1 solved, last  900 -> rank 2
#   Delta   A  900 + 1 try (CE)  = 2100      = 2100, 1 solved, last  900 -> rank 2 (tie)
#   Charlie B 2700 + 1 try (WA)  = 3900      = 3900, 1 solved, last 2700 -> rank 4
#   Echo    nothing                          =    0, 0 solved            -> rank 5
# First to solve: A Alpha (900, submission 2 before Delta's 15), B Charlie (2700).
EXPECTED = [
    # name, rank, solved, total, (tries, solved_at) for A, B, C
    ("Bravo", 1, 2, 4200, [(0, 1200), (0, 3000), (0, None)]),
    ("Alpha", 2, 1, 2100, [(1, 900), (2, None), (0, None)]),
    ("Delta", 2, 1, 2100, [(1, 900), (0, None), (0, None)]),
    ("Charlie", 4, 1, 3900, [(0, None), (1, 2700), (1, None)]),
    ("Echo", 5, 0, 0, [(0, None), (0, None), (0, None)]),
]


def flat(table: Table) -> list[tuple[str, int, int, int, list[tuple[int, int | None]]]]:
    return [
        (r.team.name, r.rank, r.solved, r.total_seconds,
         [(c.tries, c.solved_seconds) for c in r.cells])
        for r in table.rows
    ]  # fmt: skip


def test_hand_computed_table() -> None:
    table = icpc_table([A, B, C], TEAMS, SUBMISSIONS)
    assert flat(table) == EXPECTED
    firsts = {
        (row.team.name, table.problems[i].label)
        for row in table.rows
        for i, cell in enumerate(row.cells)
        if cell.first_to_solve
    }
    assert firsts == {("Alpha", "A"), ("Charlie", "B")}
    bravo = table.rows[0]
    assert [c.pending for c in bravo.cells] == [0, 0, 1]


def test_compile_errors_can_be_free() -> None:
    table = icpc_table([A, B, C], TEAMS, SUBMISSIONS, compile_errors_count=False)
    totals = {r.team.name: (r.rank, r.total_seconds) for r in table.rows}
    assert totals == {
        "Bravo": (1, 4200),
        "Alpha": (2, 900),
        "Delta": (2, 900),
        "Charlie": (4, 3900),
        "Echo": (5, 0),
    }


def test_penalty_minutes_setting() -> None:
    table = icpc_table([A, B, C], TEAMS, SUBMISSIONS, penalty_minutes=5)
    assert {r.team.name: r.total_seconds for r in table.rows}["Charlie"] == 2700 + 300


async def test_load_contest_reads_the_store(database: Database) -> None:
    start = datetime(2026, 6, 6, 9, 0, tzinfo=UTC)
    async with database.write() as session:
        contest = await admin.create_contest(
            session, SYSTEM, contest_id="hand", designation="Hand", start=start
        )
        for label in "ABC":
            await admin.add_problem(
                session, SYSTEM, "hand", problem_id=label, label=label, title=label
            )
        for name in ("Alpha", "Bravo", "Charlie", "Delta", "Echo"):
            await admin.create_user(
                session, SYSTEM, username=name.lower(), password="pw", contest_id="hand", name=name
            )
    async with database.read() as session:
        loaded = await load_contest(session, contest.id)
        assert loaded is not None
        problems = {p.label: p.id for p in loaded[1].problems}
        entries = {
            name: entry_id
            for entry_id, name in (
                await session.execute(
                    select(Entry.id, Person.name).join(Person, Entry.person_id == Person.id)
                )
            ).all()
        }
    rows = []
    by_label = {1: "A", 2: "B", 3: "C"}
    for sub in SUBMISSIONS:
        name = TEAMS[sub.team - 1].name
        # Half the rows carry their contest time, half only their wall time.
        timing = (
            {"elapsed_ms": sub.contest_seconds * 1000}
            if sub.id % 2
            else {"recorded_at": start + timedelta(seconds=sub.contest_seconds)}
        )
        rows.append(
            ResultCreate(
                entry_id=entries[name],
                challenge_id=problems[by_label[sub.problem]],
                attributes={"verdict": sub.verdict, "consider": sub.consider},
                **timing,
            )
        )
    async with database.write() as session:
        await create_many(session, SYSTEM, contest.id, rows)
    async with database.read() as session:
        loaded = await load_contest(session, contest.id)
    assert loaded is not None
    assert flat(loaded[1]) == EXPECTED
    async with database.read() as session:
        assert await load_contest(session, 10**9) is None


def from_rows(
    problems: list[Challenge], entries: list[tuple[int, str]], results: list[Result]
) -> Table:
    """The table straight from stored rows, converted here independently of load_contest."""
    return icpc_table(
        [ContestProblem(p.id, p.code or "", p.name) for p in problems],
        [ContestTeam(entry_id, name) for entry_id, name in entries],
        [
            ContestSubmission(
                r.id,
                r.entry_id or 0,
                r.challenge_id or 0,
                (r.elapsed_ms or 0) // 1000,
                r.attributes["verdict"],
                r.attributes.get("consider", True),
            )
            for r in results
        ],
    )


async def test_load_contest_reads_the_demo(database: Database) -> None:
    await demo.load(database)
    async with database.read() as session:
        contest = (
            await session.scalars(select(Competition).where(Competition.kind == "contest"))
        ).one()
        problems = list(
            (
                await session.scalars(
                    select(Challenge)
                    .where(Challenge.competition_id == contest.id)
                    .order_by(Challenge.position)
                )
            ).all()
        )
        entries = [
            (entry_id, name)
            for entry_id, name in (
                await session.execute(
                    select(Entry.id, Team.name)
                    .join(Team, Entry.team_id == Team.id)
                    .where(Entry.competition_id == contest.id)
                    .order_by(Entry.id)
                )
            ).all()
        ]
        results = list(
            (await session.scalars(select(Result).where(Result.competition_id == contest.id))).all()
        )
        loaded = await load_contest(session, contest.id)
    assert loaded is not None and loaded[0].id == contest.id
    table = loaded[1]
    assert table == from_rows(problems, entries, results)
    assert [p.label for p in table.problems] == ["A", "B", "C"]
    assert len(table.rows) == 4
    # team-cons (demo seed): A rejected at 00:21, 02:48 and 04:40 (submitted out of
    # order), B rejected at 04:47, C accepted at 03:00:00 -> 1 solved, 10800 s.
    cons = next(r for r in table.rows if r.team.name == "team-cons")
    assert (cons.rank, cons.solved, cons.total_seconds, cons.last_solved_seconds) == (
        4,
        1,
        10_800,
        10_800,
    )
    assert [(c.tries, c.solved, c.solved_seconds) for c in cons.cells] == [
        (3, False, None),
        (1, False, None),
        (0, True, 10_800),
    ]


async def test_load_contest_options_looks_and_team_only_results(database: Database) -> None:
    start = datetime(2026, 6, 6, 9, 0, tzinfo=UTC)
    async with database.write() as session:
        org = await create_organization(session, SYSTEM, OrganizationCreate(slug="o", name="O"))
        contest = await resources.create(
            session,
            SYSTEM,
            COMPETITIONS,
            CompetitionCreate(
                organization_id=org.id,
                name="Options",
                kind="contest",
                scoring="icpc",
                starts_at=start,
                attributes={
                    "scoring_options": {"penalty_minutes": 5, "compile_errors_count": False}
                },
            ),
        )
        problem = await resources.create(
            session,
            SYSTEM,
            CHALLENGES,
            ChallengeCreate(
                organization_id=org.id,
                competition_id=contest.id,
                kind="problem",
                name="Apples",
                code="A",
                attributes={"color": "#00ff00"},
            ),
        )
        team = await resources.create(
            session,
            SYSTEM,
            TEAMS_RESOURCE,
            TeamCreate(
                name="Lisbon",
                organization_id=org.id,
                attributes={
                    "group": "PT",
                    "group_name": "Portugal",
                    "flag": "pt",
                    "color": "#111111",
                },
            ),
        )
        entry = await resources.create(
            session,
            SYSTEM,
            ENTRIES,
            EntryCreate(team_id=team.id, attributes={"color": "#222222"}),
            competition_id=contest.id,
        )
        rows = [
            # Only the team is named; the entry is found through it.
            ResultCreate(team_id=team.id, challenge_id=problem.id, elapsed_ms=60_000,
                         attributes={"verdict": "Compile Time Error"}),
            ResultCreate(team_id=team.id, challenge_id=problem.id, elapsed_ms=120_000,
                         attributes={"verdict": "Wrong Answer"}),
            ResultCreate(team_id=team.id, challenge_id=problem.id, elapsed_ms=150_000,
                         attributes={"verdict": "Accepted", "consider": "no"}),
            ResultCreate(team_id=team.id, challenge_id=problem.id, elapsed_ms=180_500,
                         attributes={"verdict": "Accepted"}),
        ]  # fmt: skip
        await create_many(session, SYSTEM, contest.id, rows)
    async with database.read() as session:
        loaded = await load_contest(session, contest.id)
    assert loaded is not None
    table = loaded[1]
    assert table.problems == [ContestProblem(problem.id, "A", "Apples", "#00ff00")]
    (row,) = table.rows
    assert row.team == ContestTeam(entry.id, "Lisbon", "PT", "Portugal", "pt", "#222222")
    # The compile error is free, the wrong answer costs 5 minutes: 180 + 300 s.
    assert (row.solved, row.total_seconds, row.cells[0].tries) == (1, 480, 1)
