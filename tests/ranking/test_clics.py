"""The CLICS scoreboard of the hand-computed table, and where minutes change the ranks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from podium.ranking.clics import clics_scoreboard, contest_state, reltime
from podium.ranking.contest import ContestProblem, ContestSubmission, ContestTeam, icpc_table
from podium.store.tables import Competition
from tests.ranking.test_contest import SUBMISSIONS, TEAMS, A, B, C

START = datetime(2026, 6, 6, 9, 0, tzinfo=UTC)


def contest(status: str = "running", **options: Any) -> Competition:
    return Competition(
        id=7,
        organization_id=1,
        name="Cup",
        kind="contest",
        scoring="icpc",
        status=status,
        starts_at=START,
        ends_at=START + timedelta(hours=5),
        attributes={"scoring_options": options} if options else {},
    )


def cell(pid: int, label: str, judged: int = 0, pending: int = 0, time: int | None = None,
         first: bool = False) -> dict[str, Any]:  # fmt: skip
    out: dict[str, Any] = {
        "problem_id": str(pid),
        "label": label,
        "num_judged": judged,
        "num_pending": pending,
        "solved": time is not None,
        "first_to_solve": first,
    }
    if time is not None:
        out["time"] = time
    return out


def test_hand_table_as_clics() -> None:
    # Minutes (floor of the solve second) + 20 per rejected try before it:
    #   Bravo   A 20 + B 50           = 70, last 50, C pending  -> rank 1
    #   Alpha   A 15 + 20 (CE)        = 35, last 15, B 2 tries  -> rank 2
    #   Delta   A 15 + 20 (CE)        = 35, last 15             -> rank 2 (tie)
    #   Charlie B 45 + 20 (WA)        = 65, last 45, C 1 try    -> rank 4
    #   Echo    nothing                                         -> rank 5
    now = START + timedelta(hours=1, minutes=2, seconds=3, milliseconds=456)
    board = clics_scoreboard(contest(), icpc_table([A, B, C], TEAMS, SUBMISSIONS), now)
    assert board["time"] == "2026-06-06T10:02:03.456+00:00"
    assert board["contest_time"] == "1:02:03.456"
    assert board["state"] == {
        "started": "2026-06-06T09:00:00.000+00:00",
        "frozen": None,
        "ended": None,
        "thawed": None,
        "finalized": None,
        "end_of_updates": None,
    }
    assert board["rows"] == [
        {"rank": 1, "team_id": "2", "score": {"num_solved": 2, "total_time": 70, "time": 50},
         "problems": [cell(1, "A", 1, time=20), cell(2, "B", 1, time=50), cell(3, "C", 0, 1)]},
        {"rank": 2, "team_id": "1", "score": {"num_solved": 1, "total_time": 35, "time": 15},
         "problems": [cell(1, "A", 2, time=15, first=True), cell(2, "B", 2), cell(3, "C")]},
        {"rank": 2, "team_id": "4", "score": {"num_solved": 1, "total_time": 35, "time": 15},
         "problems": [cell(1, "A", 2, time=15), cell(2, "B"), cell(3, "C")]},
        {"rank": 4, "team_id": "3", "score": {"num_solved": 1, "total_time": 65, "time": 45},
         "problems": [cell(1, "A"), cell(2, "B", 2, time=45, first=True), cell(3, "C", 1)]},
        {"rank": 5, "team_id": "5", "score": {"num_solved": 0, "total_time": 0, "time": 0},
         "problems": [cell(1, "A"), cell(2, "B"), cell(3, "C")]},
    ]  # fmt: skip


def test_penalty_follows_the_contest_options() -> None:
    table = icpc_table([A, B, C], TEAMS, SUBMISSIONS, penalty_minutes=5)
    board = clics_scoreboard(contest(penalty_minutes=5), table, START)
    totals = {row["team_id"]: row["score"]["total_time"] for row in board["rows"]}
    assert totals == {"2": 70, "1": 20, "4": 20, "3": 50, "5": 0}


def test_minutes_can_tie_what_seconds_separate() -> None:
    # Xavier solves at 14:30, Yara at 14:59: different in seconds, both minute 14.
    p = ContestProblem(1, "A", "Apples")
    teams = [ContestTeam(1, "Yara"), ContestTeam(2, "Xavier")]
    subs = [
        ContestSubmission(1, 1, 1, 899, "Accepted"),
        ContestSubmission(2, 2, 1, 870, "Accepted"),
    ]
    table = icpc_table([p], teams, subs)
    assert [(r.team.name, r.rank) for r in table.rows] == [("Xavier", 1), ("Yara", 2)]
    rows = clics_scoreboard(contest(), table, START)["rows"]
    assert [(r["team_id"], r["rank"], r["score"]["total_time"]) for r in rows] == [
        ("2", 1, 14),
        ("1", 1, 14),
    ]


def test_last_solve_breaks_equal_totals() -> None:
    # Both 2 solved for 60 minutes: Quinn's last solve is minute 30, Pat's minute 50.
    p, q = ContestProblem(1, "A", "Apples"), ContestProblem(2, "B", "Bridges")
    teams = [ContestTeam(1, "Pat"), ContestTeam(2, "Quinn")]
    S = ContestSubmission
    subs = [S(1, 1, 1, 600, "Accepted"), S(2, 1, 2, 3000, "Accepted"),
            S(3, 2, 1, 1800, "Accepted"), S(4, 2, 2, 1800, "Accepted")]  # fmt: skip
    rows = clics_scoreboard(contest(), icpc_table([p, q], teams, subs), START)["rows"]
    assert [(r["team_id"], r["rank"], r["score"]) for r in rows] == [
        ("2", 1, {"num_solved": 2, "total_time": 60, "time": 30}),
        ("1", 2, {"num_solved": 2, "total_time": 60, "time": 50}),
    ]


def test_state_through_the_contest() -> None:
    before = contest_state(contest(), START - timedelta(seconds=5))
    assert set(before.values()) == {None}
    ended = contest_state(contest(), START + timedelta(hours=6))
    assert ended["started"] == "2026-06-06T09:00:00.000+00:00"
    assert ended["ended"] == "2026-06-06T14:00:00.000+00:00"
    assert ended["finalized"] is None
    final = contest_state(contest("finished"), START + timedelta(hours=6))
    assert final["finalized"] == final["end_of_updates"] == "2026-06-06T14:00:00.000+00:00"


def test_reltime() -> None:
    assert reltime(0) == "0:00:00.000"
    assert reltime(-5_000) == "-0:00:05.000"
    assert reltime(26 * 3_600_000 + 61_001) == "26:01:01.001"
