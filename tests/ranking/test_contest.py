"""ICPC tables from submissions, checked against a table worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from podium.core.principal import SYSTEM
from podium.core.results import ResultCreate, create_many
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
from podium.store.tables import Entry, Person

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
