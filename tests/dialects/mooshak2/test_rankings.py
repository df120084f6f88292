"""Mooshak's ranking rows for the hand-computed table of tests/ranking/test_contest.py."""

from __future__ import annotations

from podium.dialects.mooshak2.rankings import clock, mooshak_rows, total
from podium.ranking.contest import ContestProblem, ContestSubmission, ContestTeam, icpc_table
from tests.ranking.test_contest import SUBMISSIONS, TEAMS, A, B, C

MAX = 2_147_483_647


def test_rows_for_the_hand_table() -> None:
    rows = mooshak_rows(icpc_table([A, B, C], TEAMS, SUBMISSIONS))
    blank = {"#": "0", "group": "", "groupName": "", "flag": "", "color": ""}
    assert rows == [
        {**blank, "team": "Bravo", "A": "00:20:00 (0)", "B": "00:50:00 (0)", "C": "",
         "solved": "2", "points": "01:10:00", "order": f"002:{MAX - 4200}"},
        {**blank, "team": "Alpha", "A": "00:15:00 (1)", "B": "------ (2)", "C": "",
         "solved": "1", "points": "00:35:00", "order": f"001:{MAX - 2100}"},
        {**blank, "team": "Delta", "A": "00:15:00 (1)", "B": "", "C": "",
         "solved": "1", "points": "00:35:00", "order": f"001:{MAX - 2100}"},
        {**blank, "team": "Charlie", "A": "", "B": "00:45:00 (1)", "C": "------ (1)",
         "solved": "1", "points": "01:05:00", "order": f"001:{MAX - 3900}"},
        {**blank, "team": "Echo", "A": "", "B": "", "C": "",
         "solved": "0", "points": "00:00:00", "order": f"000:{MAX}"},
    ]  # fmt: skip
    assert all(isinstance(v, str) for row in rows for v in row.values())


def test_clock_formats() -> None:
    assert clock(0) == "00:00:00"
    assert clock(3723) == "01:02:03"
    assert clock(30 * 3600) == "30:00:00"
    assert total(86_399) == "23:59:59"
    assert total(86_400 + 3600 + 120) == "001 01:02"


def test_team_looks_and_a_total_over_a_day() -> None:
    # Three problems solved at 10:00:00, 20:00:00 and 30:00:00 after 3 rejected tries
    # on the last: 36000 + 72000 + 108000 + 3 * 1200 = 219600 s = 2 days 13:00.
    problems = [ContestProblem(n, label, label) for n, label in enumerate("XYZ", 1)]
    team = ContestTeam(9, "Night Owls", "PT", "Portugal", "pt", "#123456")
    S = ContestSubmission
    subs = [S(1, 9, 1, 36_000, "Accepted"), S(2, 9, 2, 72_000, "Accepted")]
    subs += [S(3 + n, 9, 3, 100_000 + n, "Wrong Answer") for n in range(3)]
    subs += [S(9, 9, 3, 108_000, "Accepted")]
    (row,) = mooshak_rows(icpc_table(problems, [team], subs))
    assert row == {
        "#": "0", "team": "Night Owls", "group": "PT", "groupName": "Portugal", "flag": "pt",
        "color": "#123456", "X": "10:00:00 (0)", "Y": "20:00:00 (0)", "Z": "30:00:00 (3)",
        "solved": "3", "points": "002 13:00", "order": f"003:{MAX - 219_600}",
    }  # fmt: skip
