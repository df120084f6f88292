"""Series standings: points per place, best-of, countback and shared ranks."""

from __future__ import annotations

from typing import Any

import pytest

from podium.core.errors import Invalid
from podium.core.series import DEFAULT_POINTS, RacePlaces, Rules, is_series, rules_of, standings

A, B, C, D = 11, 22, 33, 44


def table(races: list[dict[int, int | None]], rules: Rules | None = None) -> list[tuple[Any, ...]]:
    """(rank, competitor, points) of the standings over races numbered 1, 2, ..."""
    given = [RacePlaces(number, places) for number, places in enumerate(races, start=1)]
    return [(s.rank, s.competitor, s.points) for s in standings(given, rules or Rules())]


def test_points_per_place_add_up_over_the_races() -> None:
    assert table([{A: 1, B: 2, C: 3}, {B: 1, A: 3, C: 2}]) == [
        (1, B, 43),
        (2, A, 40),
        (3, C, 33),
    ]


def test_a_shared_race_place_earns_each_its_full_points() -> None:
    # A and B tie for 2nd (standard ranking: the next one is 4th).
    assert table([{C: 1, A: 2, B: 2, D: 4}]) == [(1, C, 25), (2, A, 18), (2, B, 18), (4, D, 12)]


def test_equal_points_with_equal_places_share_the_rank() -> None:
    # A 25 + 18 = 43, B 18 + 25 = 43: one win and one second each, level on countback.
    assert table([{A: 1, B: 2, C: 3}, {B: 1, A: 2, C: 3}, {C: 1}]) == [
        (1, C, 55),
        (2, A, 43),
        (2, B, 43),
    ]


def test_countback_looks_at_places_best_first() -> None:
    # A 1st + 4th = 8, B 2nd + 3rd = 8: A has the win.
    assert table([{A: 1, B: 2}, {A: 4, B: 3}], Rules(points=(8, 4, 4, 0))) == [
        (1, A, 8),
        (2, B, 8),
    ]
    # Same wins, then more seconds: C (1st, 2nd) beats D (1st, 3rd) at equal points.
    assert table([{D: 1, C: 2}, {C: 1, D: 3}], Rules(points=(5, 3, 3))) == [
        (1, C, 8),
        (2, D, 8),
    ]


def test_an_extra_placing_beyond_the_points_wins_countback() -> None:
    rules = Rules(points=(10,))
    # Both 10 points from a win; B also finished 5th once (no points, but a placing).
    assert table([{A: 1, B: 5}, {B: 1}], rules) == [(1, B, 10), (2, A, 10)]


def test_the_best_of_rule_drops_the_worst_scores() -> None:
    rules = Rules(best_of=2)
    races: list[dict[int, int | None]] = [{A: 1, B: 2}, {A: 10, B: 1}, {A: 1, B: 3}]
    given = [RacePlaces(n, places) for n, places in enumerate(races, start=1)]
    out = standings(given, rules)
    assert [(s.rank, s.competitor, s.points) for s in out] == [(1, A, 50), (2, B, 43)]
    a = out[0].scores
    assert (a[2].place, a[2].points, a[2].counted) == (10, 1, False)
    assert a[1].counted and a[3].counted
    # Without best_of the same races: A 51, B 58.
    assert table(races) == [(1, B, 58), (2, A, 51)]


def test_best_of_keeps_the_earlier_race_among_equal_scores() -> None:
    out = standings(
        [RacePlaces(7, {A: 2}), RacePlaces(3, {A: 2}), RacePlaces(5, {A: 2})], Rules(best_of=2)
    )
    assert {race: s.counted for race, s in out[0].scores.items()} == {7: True, 3: True, 5: False}


def test_countback_uses_only_the_counted_races() -> None:
    # Both count 25 + 18 = 43; A's dropped 3rd does not beat B's nothing.
    rules = Rules(best_of=2)
    races: list[dict[int, int | None]] = [{A: 1, B: 2}, {A: 2, B: 1}, {A: 3}]
    assert table(races, rules) == [(1, A, 43), (1, B, 43)]


def test_unplaced_competitors_are_listed_with_no_points() -> None:
    assert table([{A: 1, B: None}, {}]) == [(1, A, 25), (2, B, 0)]
    assert table([]) == [] and table([{}]) == []


def test_rules_default_and_validate() -> None:
    assert rules_of({}) == Rules(DEFAULT_POINTS, None)
    assert rules_of({"series": {}}) == Rules()
    assert rules_of({"series": {"points": [3, 2, 1.5], "best_of": 4}}) == Rules((3, 2, 1.5), 4)
    assert rules_of({"series": {"points": None, "best_of": None}}) == Rules()
    assert Rules((3, 2)).points_for(2) == 2 and Rules((3, 2)).points_for(3) == 0
    assert Rules().points_for(None) == 0


@pytest.mark.parametrize(
    "raw",
    [
        [25, 18],
        "25,18",
        {"points": []},
        {"points": "25,18"},
        {"points": [25, -1]},
        {"points": [25, True]},
        {"points": [25, float("nan")]},
        {"points": [25, "18"]},
        {"points": [1] * 1001},
        {"points": [10**6]},
        {"best_of": 0},
        {"best_of": True},
        {"best_of": "3"},
        {"best_of": 2.0},
        {"drop": 1},
    ],
)
def test_bad_rules_are_refused_with_a_reason(raw: Any) -> None:
    with pytest.raises(Invalid) as refused:
        rules_of({"series": raw})
    assert refused.value.message.startswith(("attributes.series", "series "))


def test_what_counts_as_a_series() -> None:
    assert is_series("series", {}) and is_series("mgp_race", {"series": {}})
    assert not is_series("mgp_race", {}) and not is_series("race", {"multigp": {}})
