"""``python -m bench [--size N]``: run every benchmark and print each ratio and verdict."""

from __future__ import annotations

import argparse

from bench import (
    feed_latency,
    index_insert,
    keyed_reads,
    memory,
    multigp_push,
    nadeo_leaderboard,
    position_lookup,
    redis_lookup,
    web_load,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000, help="records per board")
    size = parser.parse_args().size
    outcomes = []
    for name, bench in [
        ("position lookup", lambda: position_lookup.run(size)),
        ("index insert", lambda: index_insert.run(size)),
        ("memory", lambda: memory.run(size)),
        ("redis", lambda: redis_lookup.run(size)),
        ("http", lambda: web_load.run(size, ingest_rows=min(100_000, size))),
        ("keyed reads", keyed_reads.run),
        ("nadeo", lambda: nadeo_leaderboard.run(size)),
        ("live feed", feed_latency.run),
        ("multigp push", multigp_push.run),
    ]:
        print(f"running {name} ...", flush=True)
        for outcome in bench():
            print("  " + outcome.line(), flush=True)
            outcomes.append(outcome)
    missed = [o for o in outcomes if not o.met]
    print(f"\n{len(outcomes) - len(missed)} of {len(outcomes)} targets met.")


if __name__ == "__main__":
    main()
