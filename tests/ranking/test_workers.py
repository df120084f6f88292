"""Several real worker processes on one PostgreSQL and one Redis agree with SQL.

``podium serve --workers 4`` is started as a real process; twenty writers post,
correct and delete results while readers make the workers build boards at random
moments, and one competition's tie rule changes mid-run. Afterwards every worker's
board must equal a window-function ranking computed by PostgreSQL.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from podium.store.database import Database
from tests.conftest import PATIENT, make_token
from tests.processes import ServeProcess
from tests.ranking.test_leaderboards import T0, sql_ranking

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

WORKERS = 4
WRITERS = 20
OPS_PER_WRITER = 12
# Many competitors, so that a lost event is rarely healed by a later one.
PEOPLE = 400
COMPETITIONS = 3
# Stored before the run, so each board build takes long enough for other workers
# to apply events meanwhile (the window where boards used to go stale).
PRELOADED = 20_000


@pytest.fixture
def served(
    tmp_path: Path, postgres_store: Database, postgres_url: str, redis_url: str, redis_prefix: str
) -> Iterator[ServeProcess]:
    env = {
        "PODIUM_DATABASE_URL": postgres_url,
        "PODIUM_REDIS_URL": redis_url,
        "PODIUM_REDIS_PREFIX": redis_prefix,
    }
    with ServeProcess(tmp_path, env, workers=WORKERS) as server:
        yield server


async def _setup(api: httpx.AsyncClient) -> tuple[list[int], list[int]]:
    org = (await api.post("/organizations", json={"slug": "many", "name": "Many"})).json()
    comps = []
    for n in range(COMPETITIONS):
        made = await api.post(
            "/competitions",
            json={
                "organization_id": org["id"],
                "name": f"Heat {n}",
                "scoring": "personal_best",
                "tie_rule": ["shared", "dense", "first_set"][n % 3],
                "status": "running",
            },
        )
        assert made.status_code == 201, made.text
        comps.append(made.json()["id"])
    made_people = await asyncio.gather(
        *(api.post("/people", json={"name": f"Pilot {n}"}) for n in range(PEOPLE))
    )
    assert all(made.status_code == 201 for made in made_people)
    people = [made.json()["id"] for made in made_people]
    rng = random.Random(7)
    for comp in comps:
        rows = [
            {
                "person_id": rng.choice(people),
                "elapsed_ms": rng.randint(5, 60) * 1000,
                "recorded_at": (T0 + timedelta(seconds=rng.randint(0, 50))).isoformat(),
            }
            for _ in range(PRELOADED)
        ]
        made = await api.post(f"/competitions/{comp}/results/bulk", json={"results": rows})
        assert made.status_code == 201, made.text
    return comps, people


async def _writer(
    api: httpx.AsyncClient, rng: random.Random, comps: list[int], people: list[int]
) -> None:
    mine: list[tuple[int, int]] = []  # (result id, competition id)
    for _ in range(OPS_PER_WRITER):
        roll = rng.random()
        if mine and roll < 0.2:
            result_id, _comp = rng.choice(mine)
            answer = await api.patch(
                f"/results/{result_id}", json={"elapsed_ms": rng.randint(1, 40) * 1000}
            )
            assert answer.status_code == 200, answer.text
        elif mine and roll < 0.3:
            result_id, comp = mine.pop(rng.randrange(len(mine)))
            answer = await api.delete(f"/results/{result_id}")
            assert answer.status_code == 204, answer.text
        else:
            comp = rng.choice(comps)
            answer = await api.post(
                f"/competitions/{comp}/results",
                json={
                    "person_id": rng.choice(people),
                    "elapsed_ms": rng.randint(1, 40) * 1000,
                    "recorded_at": (T0 + timedelta(seconds=rng.randint(0, 50))).isoformat(),
                },
            )
            assert answer.status_code == 201, answer.text
            mine.append((answer.json()["id"], comp))


async def _reader(api: httpx.AsyncClient, rng: random.Random, comps: list[int]) -> None:
    for _ in range(OPS_PER_WRITER):
        answer = await api.get(f"/competitions/{rng.choice(comps)}/leaderboard?limit=1")
        assert answer.status_code == 200, answer.text


async def _served_board(api: httpx.AsyncClient, comp: int) -> tuple[str, list[tuple[int, ...]]]:
    rows: list[tuple[int, ...]] = []
    while True:
        page = (
            await api.get(f"/competitions/{comp}/leaderboard?limit=100&offset={len(rows)}")
        ).json()
        rows.extend((r["subject_id"], r["score"], r["rank"]) for r in page["rows"])
        if not page["rows"] or len(rows) >= page["total"]:
            return page["tie_rule"], rows


async def test_every_worker_agrees_with_sql_after_concurrent_writers(
    served: ServeProcess, postgres_store: Database
) -> None:
    token = await make_token(postgres_store, ["admin"])
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=WRITERS * 2, max_keepalive_connections=0)
    async with httpx.AsyncClient(
        base_url=f"{served.url}/api/v1", headers=headers, limits=limits, timeout=60
    ) as api:
        comps, people = await _setup(api)
        seed = random.Random(20261202)
        rngs = [random.Random(seed.random()) for _ in range(WRITERS * 2)]

        async def change_rules() -> None:
            await asyncio.sleep(0)  # after the first writes have started
            answer = await api.patch(f"/competitions/{comps[0]}", json={"tie_rule": "dense"})
            assert answer.status_code == 200, answer.text

        await asyncio.gather(
            *(_writer(api, rngs[n], comps, people) for n in range(WRITERS)),
            *(_reader(api, rngs[WRITERS + n], comps) for n in range(WRITERS)),
            change_rules(),
        )
        # Other workers apply the last writes within a poll or two: wait for that
        # (the condition, not a fixed time), then every worker must keep agreeing.
        for comp in comps:
            deadline = time.monotonic() + 60
            agreeing = 0
            last: Any = None
            while agreeing < 3 * WORKERS:
                rule, rows = await _served_board(api, comp)
                expected = await sql_ranking(postgres_store, comp, rule)
                if rows == [tuple(row) for row in expected]:
                    agreeing += 1
                    continue
                agreeing, last = 0, (rule, rows, expected)
                assert time.monotonic() < deadline, f"competition {comp} never agreed: {last}"
                await asyncio.sleep(0.05)
    assert served.started_pids() and len(served.started_pids()) == WORKERS


async def test_every_worker_logs_json_lines(served: ServeProcess, postgres_store: Database) -> None:
    token = await make_token(postgres_store, ["read"])
    async with httpx.AsyncClient(
        base_url=served.url,
        headers={"Authorization": f"Bearer {token}"},
        limits=httpx.Limits(max_keepalive_connections=0),
        timeout=PATIENT,
    ) as http:
        for _ in range(40):
            assert (await http.get("/api/v1/organizations")).status_code == 200
    deadline = time.monotonic() + 30
    while True:
        requests = [
            line
            for line in served.log_lines()
            if line.get("msg") == "request" and line.get("path") == "/api/v1/organizations"
        ]
        if len(requests) == 40 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    assert len(requests) == 40
    assert {line["pid"] for line in requests} <= served.started_pids()
    assert all(line["status"] == 200 and "logger" in line for line in requests)
