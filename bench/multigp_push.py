"""RotorHazard's result push: ten ``race/assignslot`` calls in flight, the slowest one.

The MultiGP Toolkit pushes a class's results through a pool of 10 parallel requests
with a 5 s timeout each, and every push to one race takes that race's lock, so the
ten wait on each other. A real ``podium serve`` on loopback, on SQLite and (when
reachable) on PostgreSQL with Redis; a race of 40 pilots in heats of 8 over 3
rounds; each round's 40 slots pushed 10 at a time the way the Toolkit builds them
(score, laps, times, a 2-lap window for a pilot with only 2 laps, a no-lap pilot).
Measured: the slowest single push, the first ten arriving at a server that has not
verified the key yet. Baseline: one push on its own (median), in the same run.
Target: the slowest under 1 s, a fifth of the Toolkit's timeout.

``python -m bench.multigp_push`` runs this one alone.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from bench.common import Outcome
from bench.server import podium_cli, serve
from podium.store.database import Database

PILOTS = 40
SLOTS = 8
ROUNDS = 3
TARGET_S = 1.0
TIMEOUT_S = 5.0  # the Toolkit's


def _slot_data(pilot: int, cycle: int) -> dict[str, Any]:
    """A push as ``generate_formated_race_data`` builds it."""
    n = pilot - 1001
    if n % 13 == 12:
        return {"pilotId": str(pilot), "totalLaps": 0}  # no result at all
    if n % 11 == 10:  # two laps: the consecutive base drops to 2
        return {
            "pilotId": str(pilot),
            "score": 1,
            "totalLaps": 2,
            "totalTime": 48.75,
            "fastestLapTime": 22.5,
            "fastest2ConsecutiveLapsTime": 46.25,
        }
    laps = 3 + (n + cycle) % 4
    return {
        "pilotId": str(pilot),
        "score": [10, 6, 4, 2, 1, 0, 0, 0][n % 8],
        "totalLaps": laps,
        "totalTime": round(laps * 21.0 + n / 7, 3),
        "fastestLapTime": round(19.5 + n / 50, 3),
        "fastest3ConsecutiveLapsTime": round(60.0 + n / 20, 3),
        "liveTimeEventUrl": "https://fpvscores.example/event/42",
    }


def _pushes(race_id: int, cycle: int) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for index in range(PILOTS):
        heat, slot = divmod(index, SLOTS)
        path = f"/race/assignslot/id/{race_id}/cycle/{cycle}/heat/{heat + 1}/slot/{slot + 1}"
        out.append((path, _slot_data(1001 + index, cycle)))
    return out


def _measure(base: str, key: str, race_id: int) -> tuple[float, float, float, int]:
    """(slowest push, slowest after the first ten, median lone push, failures), in s.

    The pool runs first, on a server that has not yet verified the key nor built
    the race's board (a timer that pushes right after the server starts); the lone
    pushes, the floor any push costs on this server, come after.
    """
    url = f"{base}/mgp/multigpwebservice"
    failures = 0
    durations: list[float] = []
    clients = [httpx.Client(timeout=TIMEOUT_S) for _ in range(10)]

    def one(job: tuple[int, tuple[str, dict[str, Any]]]) -> tuple[float, bool]:
        index, (path, data) = job
        start = time.perf_counter()
        try:
            reply = clients[index % 10].put(url + path, json={"apiKey": key, "data": data})
            ok = reply.json().get("status") is True
        except httpx.TimeoutException:
            ok = False
        return time.perf_counter() - start, ok

    try:
        with ThreadPoolExecutor(10) as pool:
            for cycle in range(1, ROUNDS + 1):
                for seconds, ok in pool.map(one, enumerate(_pushes(race_id, cycle))):
                    durations.append(seconds)
                    failures += not ok
    finally:
        for client in clients:
            client.close()
    lone: list[float] = []
    with httpx.Client(timeout=TIMEOUT_S) as client:
        for path, data in _pushes(race_id, 1)[:20]:
            start = time.perf_counter()
            reply = client.put(url + path, json={"apiKey": key, "data": data})
            lone.append(time.perf_counter() - start)
            failures += reply.json().get("status") is not True
    return max(durations), max(durations[10:]), statistics.median(lone), failures


def _backend(name: str, env: dict[str, str], work: Path) -> Outcome:
    podium_cli(["migrate"], env, work)
    chapter = json.loads(
        podium_cli(["multigp", "chapter", "create", "Bench FPV", "--json"], env, work)
    )
    pilots = work / "pilots.csv"
    pilots.write_text(
        "pilotId,firstName,lastName,userName\n"
        + "".join(f"{1001 + n},First{n},Last{n},pilot{n}\n" for n in range(PILOTS))
    )
    race = json.loads(
        podium_cli(
            [
                "multigp",
                "race",
                "create",
                "Bench race",
                "--chapter",
                str(chapter["chapter_id"]),
                "--pilots",
                str(pilots),
                "--slots",
                str(SLOTS),
                "--cycles",
                str(ROUNDS),
                "--scoring",
                "2",
                "--json",
            ],
            env,
            work,
        )
    )
    with serve(["-m", "podium", "serve"], env, work) as base:
        slowest, warm, lone, failures = _measure(base, chapter["api_key"], race["race_id"])
    return Outcome(
        f"MultiGP push, 10 in flight ({name}, {ROUNDS * PILOTS} pushes, {failures} failed)",
        f"slowest {slowest * 1000:.0f} ms (after the first ten {warm * 1000:.0f} ms)",
        f"one push alone {lone * 1000:.0f} ms",
        slowest / lone,
        f"slowest < {TARGET_S * 1000:.0f} ms (Toolkit timeout {TIMEOUT_S:.0f} s)",
        slowest < TARGET_S and failures == 0,
    )


async def _create_database(url: str, name: str, drop: bool = False) -> None:
    admin = Database(url)
    try:
        async with admin.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            if not drop:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()


def run() -> list[Outcome]:
    outcomes = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {
            "PODIUM_DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
            "PODIUM_LOG_LEVEL": "warning",
        }
        outcomes.append(_backend("SQLite", env, work))
    url = os.environ.get("PODIUM_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"podium_bench_push_{os.getpid()}"
    try:
        asyncio.run(_create_database(url, name))
    except OSError as exc:
        print(f"skipped PostgreSQL push benchmark: {url} unreachable ({exc})")
        return outcomes
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                "PODIUM_DATABASE_URL": f"{url.rpartition('/')[0]}/{name}",
                "PODIUM_LOG_LEVEL": "warning",
            }
            redis = os.environ.get("PODIUM_BENCH_REDIS_URL")
            if redis:
                env["PODIUM_REDIS_URL"] = redis
            outcomes.append(_backend("PostgreSQL", env, Path(tmp)))
    finally:
        asyncio.run(_create_database(url, name, drop=True))
    return outcomes


if __name__ == "__main__":
    for outcome in run():
        print(outcome.line())
