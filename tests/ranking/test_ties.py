"""Tie rules on a hand-checked field, with non-finishers placed after finishers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from podium.ranking.scoring import Score
from podium.ranking.ties import rank

T0 = datetime(2026, 6, 6, tzinfo=UTC)


def s(value: int | None, minute: int = 0, status: str = "OK", result: int = 0) -> Score:
    return Score(value, status, result or minute + 1, T0 + timedelta(minutes=minute))


FIELD = [
    ("dnf", s(None, status="DNF")),
    ("b", s(100, minute=5)),
    ("dns", s(None, status="DNS")),
    ("a", s(90)),
    ("c", s(100, minute=2)),
    ("dq", s(None, status="DQ")),
    ("d", s(120)),
    ("ok-no-score", s(None)),
    ("dnq", s(None, status="DNQ")),
]


@pytest.mark.parametrize(
    ("rule", "ranks"),
    [
        ("shared", [1, 2, 2, 4]),
        ("dense", [1, 2, 2, 3]),
        ("first_set", [1, 2, 3, 4]),
    ],
)
def test_rules(rule: str, ranks: list[int]) -> None:
    standings = rank(FIELD, rule)  # type: ignore[arg-type]
    order = [x.competitor for x in standings]
    assert order == ["a", "c", "b", "d", "ok-no-score", "dnf", "dnq", "dq", "dns"]
    assert [x.rank for x in standings[:4]] == ranks
    assert all(x.rank is None for x in standings[4:])


def test_first_set_breaks_exact_time_ties_by_result_order() -> None:
    same = [("late", s(50, minute=1, result=9)), ("early", s(50, minute=1, result=3))]
    assert [x.competitor for x in rank(same, "first_set")] == ["early", "late"]


def test_empty_field() -> None:
    assert rank([], "shared") == []
