"""Every scoring format against hand-checked tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from podium.core.errors import Invalid
from podium.ranking.scoring import (
    MAX_SCORE,
    Options,
    Performance,
    decode_laps,
    encode_icpc,
    encode_laps,
    score,
)

T0 = datetime(2026, 6, 6, 9, 0, tzinfo=UTC)
_ids = iter(range(1, 10_000))


def perf(**fields: object) -> Performance:
    minute = fields.pop("at", 0)
    assert isinstance(minute, int)
    return Performance(
        result_id=next(_ids),
        recorded_at=T0 + timedelta(minutes=minute),
        **fields,  # type: ignore[arg-type]
    )


def test_lowest_time_takes_best_finish_and_ignores_non_finishes() -> None:
    s = score("lowest_time", [perf(elapsed_ms=61_000), perf(status="DNF"), perf(elapsed_ms=59_500)])
    assert (s.score, s.status, s.detail["elapsed_ms"]) == (59_500, "OK", 59_500)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [(["DNS", "DNF"], "DNF"), (["DQ", "DNS"], "DQ"), (["DNQ", "DQ"], "DNQ"), ([], "DNS")],
)
def test_no_finish_reports_best_status(statuses: list[str], expected: str) -> None:
    s = score("lowest_time", [perf(status=x) for x in statuses])
    assert s.score is None and s.status == expected


def test_most_laps_then_total_time() -> None:
    five_slow = score("most_laps", [perf(lap_times_ms=[20_000] * 5)])
    five_fast = score("most_laps", [perf(laps=5, elapsed_ms=95_000)])
    four = score("most_laps", [perf(lap_times_ms=[15_000] * 4)])
    assert five_fast.score is not None and five_slow.score is not None and four.score is not None
    assert five_fast.score < five_slow.score < four.score
    assert five_slow.detail == {"laps": 5, "total_ms": 100_000}
    assert decode_laps(encode_laps(7, 123_456)) == (7, 123_456)


def test_most_laps_best_result_across_heats() -> None:
    s = score("most_laps", [perf(laps=3, elapsed_ms=60_000), perf(laps=4, elapsed_ms=90_000)])
    assert s.detail == {"laps": 4, "total_ms": 90_000}


def test_aggregate_laps_sums_results_then_total_time() -> None:
    # 5 + 5 laps beat one heat of 8 (most_laps would rank the 8 first).
    steady = [perf(laps=5, elapsed_ms=100_000), perf(laps=5, elapsed_ms=101_000)]
    one_good = [perf(laps=8, elapsed_ms=120_000), perf(laps=1, elapsed_ms=30_000)]
    a, b = score("aggregate_laps", steady), score("aggregate_laps", one_good)
    assert a.detail == {"laps": 10, "total_ms": 201_000, "counted": 2}
    assert a.score is not None and b.score is not None and a.score < b.score
    best_b = score("most_laps", one_good).score
    assert best_b is not None and best_b < (score("most_laps", steady).score or 0)
    # Equal laps: less total time first; DNF, DQ and place-only results do not count.
    quick = score("aggregate_laps", [perf(laps=10, elapsed_ms=190_000), perf(status="DQ", laps=9)])
    assert quick.score is not None and quick.score < a.score
    assert quick.detail["counted"] == 1
    assert score("aggregate_laps", [perf(points=10.0)]).score is None
    assert score("aggregate_laps", [perf(status="DNF", laps=4)]).status == "DNF"


def test_zero_or_missing_time_is_no_time() -> None:
    """What timers push for a pilot with no completed lap: 0 laps, 0 best lap, 0 total."""
    crashed = perf(laps=0, elapsed_ms=0, best_ms={1: 0, 3: 0})
    old_form = perf(laps=0)  # older RotorHazard: {"pilotId", "totalLaps": 0} only
    flew = perf(laps=3, elapsed_ms=65_000, best_ms={1: 20_000, 3: 65_000})
    for fmt in ("fastest_lap", "fastest_3_consecutive"):
        for row in (crashed, old_form):
            missing = score(fmt, [row])
            assert missing.score is None and missing.status == "OK", (fmt, row)
        assert score(fmt, [crashed, flew]).deciding_result == flew.result_id
    assert score("fastest_lap", [perf(lap_times_ms=[0, 0])]).score is None
    assert score("fastest_lap", [perf(lap_times_ms=[0, 21_000])]).score == 21_000
    assert score("fastest_2_consecutive", [perf(lap_times_ms=[0, 20_000, 21_000])]).score == 41_000
    # Lap formats rank them by their laps (0), after anyone with 0 laps and a time.
    holeshot = score("most_laps", [perf(laps=0, elapsed_ms=2_500)])
    for fmt in ("most_laps", "aggregate_laps"):
        none_a, none_b = score(fmt, [crashed]), score(fmt, [old_form])
        assert none_a.score is not None and none_a.score == none_b.score
        assert none_a.detail["total_ms"] is None
        assert holeshot.score is not None and holeshot.score < none_a.score
        assert (score(fmt, [flew]).score or 0) < none_a.score


def test_fastest_lap() -> None:
    s = score("fastest_lap", [perf(lap_times_ms=[21_000, 19_500]), perf(lap_times_ms=[19_800])])
    assert s.score == 19_500


def test_consecutive_windows_stay_within_one_result() -> None:
    rows = [
        perf(lap_times_ms=[20_000, 18_000, 30_000, 17_000]),
        perf(lap_times_ms=[16_000, 16_500]),
    ]
    two = score("fastest_2_consecutive", rows)
    assert two.score == 32_500  # 16_000 + 16_500, in the second heat
    three = score("fastest_3_consecutive", rows)
    assert three.score == 65_000  # 18_000 + 30_000 + 17_000 beats 20+18+30
    short = score("fastest_3_consecutive", [perf(lap_times_ms=[10_000, 10_000])])
    assert short.score is None and short.status == "OK"


def test_points_formats() -> None:
    rows = [perf(points=10), perf(points=7.5), perf(points=3), perf(status="DQ", points=50)]
    assert score("highest_points", rows).detail["points"] == 10
    total = score("aggregate_points", rows)
    assert total.detail == {"points": 20.5, "counted": 3}
    best_two = score("aggregate_points", rows, Options(best_of=2))
    assert best_two.detail == {"points": 17.5, "counted": 2}
    assert best_two.score is not None and total.score is not None and total.score < best_two.score


def test_icpc_penalties_including_compile_errors() -> None:
    rows = [
        perf(challenge_id=1, elapsed_ms=10 * 60_000, verdict="Compile Time Error"),
        perf(challenge_id=1, elapsed_ms=25 * 60_000, verdict="Wrong Answer"),
        perf(challenge_id=1, elapsed_ms=40 * 60_000 + 59_000, verdict="Accepted"),
        perf(challenge_id=1, elapsed_ms=50 * 60_000, verdict="Wrong Answer"),  # after: ignored
        perf(challenge_id=2, elapsed_ms=70 * 60_000, verdict="Accepted"),
        perf(challenge_id=3, elapsed_ms=80 * 60_000, verdict="Time Limit Exceeded"),
        perf(challenge_id=3, elapsed_ms=90 * 60_000, verdict="Evaluating"),  # pending
    ]
    s = score("icpc", rows)
    # Problem 1: minute 40 + 2 rejected x 20; problem 2: minute 70.
    assert s.detail["solved"] == 2 and s.detail["penalty_minutes"] == 150
    assert s.detail["problems"]["3"] == {"minute": -1, "rejected": 1}
    assert s.score == encode_icpc(2, 150, 70)
    lenient = score("icpc", rows, Options(compile_errors_count=False, penalty_minutes=10))
    assert lenient.detail["penalty_minutes"] == 40 + 10 + 70


def test_icpc_order_solved_then_penalty_then_last_accepted() -> None:
    assert encode_icpc(3, 500, 200) < encode_icpc(2, 10, 10)
    assert encode_icpc(2, 100, 90) < encode_icpc(2, 101, 10)
    assert encode_icpc(2, 100, 50) < encode_icpc(2, 100, 60)


def test_icpc_without_verdicts_uses_points() -> None:
    s = score("icpc", [perf(challenge_id=1, elapsed_ms=600_000, points=1.0)])
    assert s.detail["solved"] == 1 and s.detail["penalty_minutes"] == 10


def test_personal_best_keeps_first_set_of_equal_times() -> None:
    first = perf(elapsed_ms=30_000, at=5)
    s = score(
        "personal_best", [perf(elapsed_ms=31_000, at=1), first, perf(elapsed_ms=30_000, at=9)]
    )
    assert s.score == 30_000 and s.deciding_result == first.result_id


def test_scores_fit_in_a_redis_double() -> None:
    huge = score("most_laps", [perf(laps=10**9, elapsed_ms=10**13)])
    assert huge.score is not None and 0 <= huge.score <= MAX_SCORE
    assert float(MAX_SCORE) == MAX_SCORE


def test_encodings_decode_back() -> None:
    from podium.ranking.scoring import decode_icpc, decode_points, encode_points

    assert decode_icpc(encode_icpc(4, 321, 250)) == (4, 321, 250)
    assert decode_points(encode_points(17.25)) == 17.25


def test_summaries_stand_in_for_missing_lap_lists() -> None:
    """A timer that pushes only its best lap and best consecutive laps is ranked on them."""
    summary = Performance(
        result_id=1, laps=5, elapsed_ms=100_000, best_ms={1: 19_000, 2: 39_000, 3: 58_000}
    )
    laps = Performance(result_id=2, lap_times_ms=(20_000, 19_500, 19_600))
    assert score("fastest_lap", [summary, laps]).score == 19_000
    assert score("fastest_2_consecutive", [summary]).score == 39_000
    assert score("fastest_3_consecutive", [summary]).score == 58_000
    # A real lap list wins over a summary of the same result.
    both = Performance(result_id=3, lap_times_ms=(21_000,), best_ms={1: 1})
    assert score("fastest_lap", [both]).score == 21_000
    assert score("fastest_3_consecutive", [Performance(result_id=4, best_ms={1: 5})]).score is None


CHIP = Options(rank_by="chip")


def test_chip_time_ranks_when_the_competition_says_so() -> None:
    """Gun 40:30 / chip 39:50 beats gun 40:10 / chip 40:05 on chip, loses on gun."""
    late_starter = perf(elapsed_ms=2_430_000, chip_ms=2_390_000)
    front = perf(elapsed_ms=2_410_000, chip_ms=2_405_000)
    on_gun = [score("lowest_time", [r]) for r in (late_starter, front)]
    on_chip = [score("lowest_time", [r], CHIP) for r in (late_starter, front)]
    assert [s.score for s in on_gun] == [2_430_000, 2_410_000]
    assert [s.score for s in on_chip] == [2_390_000, 2_405_000]
    assert on_chip[0].detail == {"elapsed_ms": 2_390_000, "ranked_by": "chip"}
    assert on_gun[0].detail == {"elapsed_ms": 2_430_000, "ranked_by": "gun"}
    assert score("personal_best", [late_starter, front], CHIP).deciding_result == (
        late_starter.result_id
    )


def test_chip_ranking_falls_back_to_gun_without_a_chip_time() -> None:
    """A runner who missed the start mat has only a gun time; it still counts."""
    missed_mat = perf(elapsed_ms=2_400_000)
    s = score("lowest_time", [missed_mat], CHIP)
    assert (s.score, s.detail["ranked_by"]) == (2_400_000, "gun")
    # Best of a runner's results is taken on the ranked time of each.
    rows = [perf(elapsed_ms=2_300_000), perf(elapsed_ms=2_400_000, chip_ms=2_250_000)]
    assert score("lowest_time", rows, CHIP).score == 2_250_000
    assert score("lowest_time", rows).score == 2_300_000
    # Chip time never ranks a result that did not finish.
    assert score("lowest_time", [perf(status="DNF", chip_ms=1_000)], CHIP).score is None


def test_options_from_settings_reads_every_key() -> None:
    options = Options.from_settings(
        {
            "best_of": 3,
            "penalty_minutes": 5,
            "compile_errors_count": False,
            "rank_by": "chip",
            "from_a_newer_version": 1,
        }
    )
    assert options == Options(
        best_of=3, penalty_minutes=5, compile_errors_count=False, rank_by="chip"
    )
    assert Options.from_settings({}) == Options()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ([], "scoring_options must be an object."),
        ({"rank_by": "net"}, 'scoring_options.rank_by must be "gun" or "chip".'),
        ({"rank_by": None}, "scoring_options.rank_by must be"),
        (
            {"best_of": 0},
            "scoring_options.best_of must be a whole number from 1 to 10000, or null.",
        ),
        ({"best_of": "3"}, "scoring_options.best_of must be"),
        ({"best_of": True}, "scoring_options.best_of must be"),
        ({"penalty_minutes": -1}, "scoring_options.penalty_minutes must be a whole number"),
        ({"penalty_minutes": 2.5}, "scoring_options.penalty_minutes must be"),
        ({"compile_errors_count": "no"}, "scoring_options.compile_errors_count must be true"),
    ],
)
def test_bad_options_are_refused_by_name(settings: object, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        Options.from_settings(settings)
    assert caught.value.message.startswith(message)
    assert str(caught.value.details["field"]).startswith("attributes.scoring_options")


def test_options_of_stored_attributes_never_fail() -> None:
    assert Options.of({"scoring_options": {"rank_by": "chip"}}) == CHIP
    assert Options.of({"scoring_options": {"rank_by": "net"}}) == Options()
    assert Options.of({"scoring_options": None}) == Options.of(None) == Options()
