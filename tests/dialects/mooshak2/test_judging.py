"""Judging end to end on a live server: verdicts arrive, persist across a restart,
and move the contest's ranking and leaderboard."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from podium.config import Settings
from podium.store.database import Database
from tests.conftest import PATIENT, LiveServer
from tests.dialects.mooshak2.test_routes import seed

CORRECT = b"a, b = map(int, input().split())\nprint(a + b)\n"
WRONG = b"a, b = map(int, input().split())\nprint(a - b)\n"
BROKEN_C = b"int main( { return 0; }\n"


def _settings(settings: Settings, workers: int) -> Settings:
    return settings.model_copy(update={"judge_workers": workers})


async def _login(base: str, username: str, password: str) -> dict[str, str]:
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        response = await http.post(
            f"{base}auth/login",
            json={"username": username, "password": password, "contest": "proto_icpc"},
        )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def _submit(base: str, headers: dict[str, str], source: bytes, name: str) -> str:
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        response = await http.post(
            f"{base}data/contests/proto_icpc/problems/A/evaluate",
            files={"program": (name, source)},
            headers=headers,
        )
    response.raise_for_status()
    submission_id: str = response.json()["id"]
    return submission_id


async def _get(url: str, headers: dict[str, str]) -> Any:
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        response = await http.get(url, headers=headers)
    return response.json()


async def _verdict(base: str, headers: dict[str, str], submission: str, wait: float = 30) -> Any:
    deadline = time.monotonic() + wait
    while True:
        summary = await _get(
            f"{base}data/contests/proto_icpc/submissions/{submission}/evaluation-summary", headers
        )
        if summary["status"] != "Evaluating" or time.monotonic() > deadline:
            return summary
        await asyncio.sleep(0.1)


async def test_verdicts_summary_and_ranking(settings: Settings, database: Database) -> None:
    await seed(database)
    with LiveServer(_settings(settings, 2)) as server:
        base = f"{server.url}/mooshak/api/"
        team = await _login(base, "team1", "pw1")
        other = await _login(base, "team2", "pw2")
        # team2: a compile error (counts as a penalty), then Accepted.
        broken = await _submit(base, other, BROKEN_C, "sum.c")
        wrong = await _submit(base, team, WRONG, "sum.py")
        right = await _submit(base, team, CORRECT, "sum.py")
        assert (await _verdict(base, other, broken))["status"] == "Compile Time Error"
        fixed = await _submit(base, other, CORRECT, "sum.py")
        summary = await _verdict(base, team, wrong)
        assert summary["status"] == "Wrong Answer"
        assert summary["mark"] < 100
        done = await _verdict(base, team, right)
        assert done["status"] == "Accepted" and done["mark"] == 100
        assert done["state"] == "final"
        assert isinstance(done["evaluatedAt"], int)
        assert set(done["metrics"]) == {
            "executionTime",
            "cpuUsage",
            "memoryUsage",
            "programSize",
            "linesOfCode",
        }
        assert done["metrics"]["programSize"] == len(CORRECT)
        assert done["language"]
        assert (await _verdict(base, other, fixed))["status"] == "Accepted"
        submission = await _get(f"{base}data/contests/proto_icpc/submissions/{right}", team)
        assert submission["classify"] == "Accepted"
        rows = await _get(f"{base}data/contests/proto_icpc/rankings", team)
        by_team = {row["team"]: row for row in rows}
        assert by_team["team1"]["solved"] == "1"
        assert by_team["team1"]["A"].endswith("(1)")
        assert by_team["team2"]["A"].endswith("(1)")
        assert all(isinstance(v, str) for row in rows for v in row.values())


async def test_a_submission_accepted_before_a_restart_is_judged_after_it(
    settings: Settings, database: Database
) -> None:
    await seed(database)
    with LiveServer(_settings(settings, 0)) as idle:
        base = f"{idle.url}/mooshak/api/"
        team = await _login(base, "team1", "pw1")
        submission = await _submit(base, team, CORRECT, "sum.py")
        await asyncio.sleep(0.3)
        assert (await _verdict(base, team, submission, wait=0))["status"] == "Evaluating"
    with LiveServer(_settings(settings, 1)) as server:
        base = f"{server.url}/mooshak/api/"
        # The token from before the restart still works: the key is persisted.
        assert (await _verdict(base, team, submission))["status"] == "Accepted"


async def test_judging_moves_the_native_leaderboard(
    settings: Settings, database: Database, admin_token: str
) -> None:
    await seed(database)
    with LiveServer(_settings(settings, 1)) as server:
        base = f"{server.url}/mooshak/api/"
        team = await _login(base, "team1", "pw1")
        await _verdict(base, team, await _submit(base, team, CORRECT, "sum.py"))
        native = {"Authorization": f"Bearer {admin_token}"}
        competitions = await _get(f"{server.url}/api/v1/competitions?kind=contest", native)
        competition = next(c for c in competitions["data"] if c["name"] == "Prototype ICPC")
        board = await _get(
            f"{server.url}/api/v1/competitions/{competition['id']}/leaderboard", native
        )
        first = board["rows"][0]
        assert first["rank"] == 1
        assert first["subject_id"] is not None
