"""The CLICS scoreboard route over the native API, on both backends."""

from __future__ import annotations

from typing import Any

import httpx

from podium.store.database import Database
from tests.api.helpers import (
    make_challenge,
    make_competition,
    make_entry,
    make_org,
    make_team,
    ok,
    problem,
    with_token,
)

START = "2026-06-06T09:00:00Z"


async def contest(api: httpx.AsyncClient) -> dict[str, Any]:
    """Three teams, two problems; the submissions are worked out in the test below."""
    org = await make_org(api, "cup")
    comp = await make_competition(
        api, org["id"], "Cup", kind="contest", scoring="icpc", starts_at=START,
        ends_at="2026-06-06T14:00:00Z",
    )  # fmt: skip
    problems = [
        await make_challenge(api, org["id"], title, competition_id=comp["id"], kind="problem",
                             code=code, position=n)
        for n, (code, title) in enumerate((("A", "Apples"), ("B", "Bridges")))
    ]  # fmt: skip
    entries = {}
    for name in ("Ada", "Bool", "Cons"):
        team = await make_team(api, name, organization_id=org["id"])
        entries[name] = (await make_entry(api, comp["id"], team_id=team["id"]))["id"]
    a, b = (p["id"] for p in problems)

    def sub(name: str, challenge: int, minute_s: str, verdict: str) -> dict[str, Any]:
        minutes, seconds = (int(x) for x in minute_s.split(":"))
        return {
            "entry_id": entries[name],
            "challenge_id": challenge,
            "elapsed_ms": (minutes * 60 + seconds) * 1000,
            "attributes": {"verdict": verdict},
        }

    rows = [
        sub("Ada", a, "10:30", "Compile Time Error"),
        sub("Ada", a, "12:45", "Accepted"),
        sub("Ada", b, "40:00", "Evaluating"),
        sub("Bool", b, "30:59", "Accepted"),
        sub("Bool", a, "05:00", "Wrong Answer"),
        sub("Cons", a, "50:00", "Wrong Answer"),
    ]
    ok(await api.post(f"/competitions/{comp['id']}/results/bulk", json={"results": rows}), 201)
    return {"org": org, "competition": comp, "problems": problems, "entries": entries}


async def test_scoreboard(api: httpx.AsyncClient) -> None:
    made = await contest(api)
    a, b = (str(p["id"]) for p in made["problems"])
    team = {name: str(entry) for name, entry in made["entries"].items()}
    board = ok(await api.get(f"/competitions/{made['competition']['id']}/scoreboard"))
    assert set(board) == {"time", "contest_time", "state", "rows"}
    assert board["state"]["started"] == "2026-06-06T09:00:00.000+00:00"
    # Ada: A at minute 12 + 20 for the compile error = 32; B pending.
    # Bool: B at minute 30, A tried once = 30 -> 1 solved, less time than Ada.
    # Cons: A tried once, nothing solved.
    assert [(r["rank"], r["team_id"], r["score"]) for r in board["rows"]] == [
        (1, team["Bool"], {"num_solved": 1, "total_time": 30, "time": 30}),
        (2, team["Ada"], {"num_solved": 1, "total_time": 32, "time": 12}),
        (3, team["Cons"], {"num_solved": 0, "total_time": 0, "time": 0}),
    ]
    ada = board["rows"][1]["problems"]
    assert ada == [
        {"problem_id": a, "label": "A", "num_judged": 2, "num_pending": 0, "solved": True,
         "time": 12, "first_to_solve": True},
        {"problem_id": b, "label": "B", "num_judged": 0, "num_pending": 1, "solved": False,
         "first_to_solve": False},
    ]  # fmt: skip
    assert board["rows"][0]["problems"][1]["first_to_solve"] is True


async def test_scoreboard_access(api: httpx.AsyncClient, app: Any, database: Database) -> None:
    made = await contest(api)
    path = f"/competitions/{made['competition']['id']}/scoreboard"
    problem(await api.get("/competitions/999999/scoreboard"), 404)
    race = await make_competition(api, made["org"]["id"], "Race")
    problem(await api.get(f"/competitions/{race['id']}/scoreboard"), 404)
    async with with_token(app, database, ["read"], made["org"]["id"]) as reader:
        assert ok(await reader.get(path))["rows"]
    other = await make_org(api, "other")
    async with with_token(app, database, ["read"], other["id"]) as stranger:
        problem(await stranger.get(path), 404)
    problem(await api.get(path, headers={"Authorization": ""}), 401)
