"""Both index backends against a naive oracle, over random operation sequences."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podium.ranking.index import MemoryBoard, RedisBoard, Row
from podium.ranking.ties import TIE_RULES, TieRule
from podium.store.redis import connect

_boards = itertools.count()

Op = tuple[str, int, int, int]
ops = st.lists(
    st.tuples(
        st.sampled_from(["put", "improve", "remove"]),
        st.integers(1, 12),  # competitor
        st.integers(-3, 6),  # score: few values, so ties are common
        st.integers(0, 5),  # set time
    ),
    max_size=40,
)


def oracle(state: dict[int, tuple[int, int]], rule: TieRule) -> list[Row]:
    ordered = sorted(state.items(), key=lambda kv: (kv[1][0], kv[1][1], kv[0]))
    scores = [score for _c, (score, _t) in ordered]
    rows = []
    for position, (competitor, (score, set_ms)) in enumerate(ordered, start=1):
        if rule == "first_set":
            rank = position
        elif rule == "shared":
            rank = 1 + sum(1 for s in scores if s < score)
        else:
            rank = 1 + len({s for s in scores if s < score})
        rows.append(Row(competitor, score, set_ms, rank))
    return rows


def apply(state: dict[int, tuple[int, int]], op: Op) -> None:
    kind, competitor, score, set_ms = op
    if kind == "remove":
        state.pop(competitor, None)
    elif kind == "put" or competitor not in state or score < state[competitor][0]:
        state[competitor] = (score, set_ms)


async def run_and_compare(
    board: MemoryBoard | RedisBoard,
    sequence: list[Op],
    initial: list[Op] = (),  # type: ignore[assignment]
) -> None:
    state: dict[int, tuple[int, int]] = {}
    if initial:  # a bulk load (a rebuild) first, then live changes on top
        await board.load((c, s, t) for _k, c, s, t in initial)
        state = {c: (s, t) for _k, c, s, t in initial}
    for op in sequence:
        kind, competitor, score, set_ms = op
        if kind == "remove":
            await board.remove(competitor)
        else:
            await board.upsert(competitor, score, set_ms, improve_only=kind == "improve")
        apply(state, op)
    assert await board.count() == len(state)
    for rule in TIE_RULES:
        expected = oracle(state, rule)
        assert await board.top(0, 100, rule) == expected
        assert await board.top(2, 3, rule) == expected[2:5]
        for row in expected:
            assert await board.get(row.competitor, rule) == row
            i = expected.index(row)
            assert await board.around(row.competitor, 1, 2, rule) == expected[max(i - 1, 0) : i + 3]
        for probe in range(-4, 8):
            better_or_equal = sum(1 for s, _t in state.values() if s <= probe)
            better = sum(1 for s, _t in state.values() if s < probe)
            distinct_better = len({s for s, _t in state.values() if s < probe})
            want = {"first_set": better_or_equal, "shared": better, "dense": distinct_better}
            assert await board.position_for(probe, rule) == want[rule] + 1
    assert await board.get(999, "shared") is None and await board.around(999, 1, 1, "dense") == []


@settings(max_examples=150, deadline=None)
@given(ops, ops)
async def test_memory_board_matches_oracle(initial: list[Op], sequence: list[Op]) -> None:
    await run_and_compare(MemoryBoard(), sequence, initial)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=ops, initial=ops)
async def test_redis_board_matches_oracle(
    redis_url: str, redis_prefix: str, sequence: list[Op], initial: list[Op]
) -> None:
    client = connect(redis_url)
    board = RedisBoard(client, f"{redis_prefix}:{next(_boards)}")
    try:
        await run_and_compare(board, sequence, initial)
    finally:
        await board.clear()
        await client.aclose()


async def test_improve_only_never_worsens_and_unchanged_is_no_op() -> None:
    board = MemoryBoard()
    assert await board.upsert(1, 50, 1, improve_only=True)
    assert not await board.upsert(1, 60, 2, improve_only=True)
    assert not await board.upsert(1, 50, 1)
    assert await board.upsert(1, 40, 3, improve_only=True)
    assert await board.get(1, "shared") == Row(1, 40, 3, 1)


def test_out_of_range_values_are_refused() -> None:
    board = MemoryBoard()
    for args in [(0, 1, 1), (1, 2**53, 1), (1, 1, -1), (2**44, 1, 1)]:
        with pytest.raises(ValueError):
            board.put(*args)
