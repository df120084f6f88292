"""4. A Nadeo map leaderboard of N records through the Live API.

The store is seeded directly (N accounts with Nadeo ids, one map, N personal bests);
Podium serves it as its own process. The benchmark checks the answers of ``top`` at
offset 9,900, ``surround`` and position-by-score against a ranking computed from
scratch, then measures ``top`` pages per second against the bare Starlette endpoint.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import sqlite3
import tempfile
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.common import Outcome
from bench.server import podium_cli, serve
from bench.web_load import load

STAMP = datetime(2026, 6, 6, 10, 0, 0)
MAP_UID = "BenchMapUid00000000000000001"


def seed(db_path: Path, n: int, org_id: int) -> list[tuple[int, int, str]]:
    """N records on one map; returns the from-scratch ranking as (score, set order, account)."""
    db = sqlite3.connect(db_path)
    stamp = STAMP.isoformat(sep=" ")
    db.execute(
        "INSERT INTO competitions (id, organization_id, name, kind, status, scoring, tie_rule,"
        " public, created_at, updated_at, attributes) VALUES (1000000, ?, 'Personal best',"
        " 'personal_best', 'running', 'personal_best', 'first_set', 1, ?, ?, '{}')",
        (org_id, stamp, stamp),
    )
    db.execute(
        "INSERT INTO challenges (id, organization_id, kind, name, code, position, created_at,"
        " updated_at, attributes) VALUES (1000000, ?, 'map', 'Bench map', ?, 0, ?, ?, ?)",
        (
            org_id,
            MAP_UID,
            stamp,
            stamp,
            json.dumps({"authorTime": 40_000, "mapId": str(uuid.uuid4())}),
        ),
    )
    rng = random.Random(11)
    accounts = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)]
    first = 10
    db.executemany(
        "INSERT INTO people (id, name, created_at, updated_at, attributes)"
        " VALUES (?, ?, ?, ?, '{}')",
        ((first + i, f"P{i}", stamp, stamp) for i in range(n)),
    )
    db.executemany(
        "INSERT INTO external_ids (object_kind, object_id, scheme, value)"
        " VALUES ('person', ?, 'nadeo', ?)",
        ((first + i, accounts[i]) for i in range(n)),
    )
    scores = [rng.randint(40_000, 120_000) for _ in range(n)]
    db.executemany(
        "INSERT INTO results (competition_id, challenge_id, person_id, status, elapsed_ms,"
        " lap_times_ms, splits, recorded_at, created_at, updated_at, attributes)"
        " VALUES (1000000, 1000000, ?, 'OK', ?, '[]', '[]', ?, ?, ?, '{}')",
        (
            (
                first + i,
                scores[i],
                (STAMP + timedelta(milliseconds=i)).isoformat(sep=" "),
                stamp,
                stamp,
            )
            for i in range(n)
        ),
    )
    db.commit()
    db.close()
    return sorted((scores[i], i, accounts[i]) for i in range(n))


def _token(base: str, login: str, password: str) -> str:
    basic = base64.b64encode(f"{login}:{password}".encode()).decode()
    response = httpx.post(
        f"{base}/nadeo/core/v2/authentication/token/basic",
        headers={"Authorization": f"Basic {basic}"},
        json={"audience": "NadeoLiveServices"},
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["accessToken"])


def _check(base: str, headers: dict[str, str], ranking: list[tuple[int, int, str]]) -> float:
    """Compare the three answers with the from-scratch ranking; returns the build time."""
    live = f"{base}/nadeo/live/api/token/leaderboard/group/Personal_Best/map/{MAP_UID}"
    started = datetime.now()
    top = httpx.get(
        f"{live}/top",
        params={"onlyWorld": "true", "length": 100, "offset": 9_900},
        headers=headers,
        timeout=900,
    ).json()
    build = (datetime.now() - started).total_seconds()
    got = [(e["position"], e["score"], e["accountId"]) for e in top["tops"][0]["top"]]
    want = [(9_901 + k, s, a) for k, (s, _i, a) in enumerate(ranking[9_900:10_000])]
    assert got == want, "top at offset 9,900 differs from the from-scratch ranking"
    probe = ranking[len(ranking) // 2][0] + 1
    expected = 1 + sum(1 for s, _i, _a in ranking if s <= probe)
    surround = httpx.get(
        f"{live}/surround/1/1", params={"score": probe}, headers=headers, timeout=60
    ).json()
    entries = surround["tops"][0]["top"]
    assert [e["position"] for e in entries] == [expected - 1, expected, expected + 1]
    assert (
        entries[0]["score"] == ranking[expected - 2][0]
        and entries[2]["score"] == ranking[expected - 1][0]
    )
    positions = httpx.post(
        f"{base}/nadeo/live/api/token/leaderboard/group/map",
        params={f"scores[{MAP_UID}]": probe},
        json={"maps": [{"mapUid": MAP_UID, "groupUid": "Personal_Best"}]},
        headers=headers,
        timeout=60,
    ).json()
    assert positions[0]["zones"][0]["ranking"]["position"] == expected
    return build


def run(n: int = 1_000_000, requests: int = 2_000, concurrency: int = 8) -> list[Outcome]:
    n = max(n, 10_100)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db_path = work / "bench.db"
        env = {"PODIUM_DATABASE_URL": f"sqlite:///{db_path}", "PODIUM_LOG_LEVEL": "warning"}
        podium_cli(["migrate"], env, work)  # only migrate, demo and serve create a store
        account: dict[str, Any] = json.loads(
            podium_cli(["nadeo", "account", "create", "--json"], env, work)
        )
        org_id = (
            sqlite3.connect(db_path)
            .execute("SELECT id FROM organizations WHERE slug='nadeo'")
            .fetchone()[0]
        )
        ranking = seed(db_path, n, org_id)
        with serve(["-m", "podium", "serve"], env, work) as base:
            headers = {
                "Authorization": f"nadeo_v1 t={_token(base, account['login'], account['password'])}"
            }
            build = _check(base, headers, ranking)
            page = (
                f"{base}/nadeo/live/api/token/leaderboard/group/Personal_Best/map/{MAP_UID}/top"
                "?onlyWorld=true&length=100&offset=9900"
            )
            ours = asyncio.run(load(page, headers, requests, concurrency))
        with serve([str(Path(__file__).with_name("bare_app.py"))], {}, work) as bare_base:
            bare = asyncio.run(load(f"{bare_base}/page", {}, requests, concurrency))
    print(f"(map board of {n:,} records built on first request in {build:.1f} s; answers match)")
    return [
        Outcome(
            f"Nadeo Live top, offset 9,900 of {n:,} (answers checked from scratch)",
            f"{ours:,.0f} req/s",
            f"bare Starlette JSON endpoint {bare:,.0f} req/s",
            ours / bare,
            ">= 0.5x",
            ours / bare >= 0.5,
        )
    ]
