"""The benchmarks still run (tiny sizes); their figures are checked by ``make bench``, not here."""

from __future__ import annotations

import pytest

from bench import (
    feed_latency,
    index_insert,
    keyed_reads,
    memory,
    nadeo_leaderboard,
    position_lookup,
    redis_lookup,
    web_load,
)


@pytest.mark.parametrize(
    "run",
    [
        lambda: position_lookup.run(2_000, lookups=200, sql_lookups=5),
        lambda: index_insert.run(2_000),
        lambda: memory.run(2_000),
    ],
)
def test_in_process_benchmarks_report(run: object) -> None:
    outcomes = run()  # type: ignore[operator]
    assert outcomes and all(o.ratio > 0 and o.name for o in outcomes)


def test_redis_benchmark_reports(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODIUM_BENCH_REDIS_URL", redis_url)
    (outcome,) = redis_lookup.run(2_000, lookups=100)
    assert outcome.ratio > 0


def test_http_benchmark_reports() -> None:
    outcomes = web_load.run(12_000, requests=40, concurrency=2, ingest_rows=2_000)
    assert [o.name.split()[0] for o in outcomes] == ["HTTP", "bulk", "the"]
    assert all(o.ratio > 0 for o in outcomes)


def test_nadeo_benchmark_checks_its_answers() -> None:
    (outcome,) = nadeo_leaderboard.run(10_100, requests=20, concurrency=2)
    assert outcome.ratio > 0 and "checked from scratch" in outcome.name


def test_feed_latency_benchmark_reports() -> None:
    (outcome,) = feed_latency.run(events=5, pause=0.01)
    assert outcome.ratio > 0 and "SSE" in outcome.name


def test_keyed_reads_benchmark_checks_its_answers() -> None:
    outcomes = keyed_reads.run(requests=20, backends=("sqlite",), accounts=5)
    assert [o.name.split()[3] for o in outcomes] == [
        "/polympics/account/{id}",
        "/api/v1/people/{id}",
    ]
    assert all(o.ratio > 0 for o in outcomes)
