"""The contest results desk: submissions, rejudging, a judge's override, the freeze.

Teams submit through the Mooshak API of the in-process app; the judge queue is
driven here (``JudgeQueue.judge_ready``) until no job is due, so every verdict is
awaited without sleeping or polling.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from podium.config import Settings
from podium.core.principal import SYSTEM
from podium.dialects.mooshak2 import admin, desk, storage
from podium.dialects.mooshak2.judging import JudgeQueue
from podium.store.database import Database
from podium.store.tables import Competition, Event, JudgeJob, Result
from tests.console.conftest import Browser, Org, add_user, csrf_of

CONTEST = "harbor_cup"
TESTS = [("1 2\n", "3\n"), ("10 20\n", "30\n")]
CORRECT = b"a, b = map(int, input().split())\nprint(a + b)\n"
WRONG = b"a, b = map(int, input().split())\nprint(a - b)\n"


async def _contest(database: Database, org: Org) -> int:
    """A running ICPC contest of the organization: problem A, two teams and a judge."""
    async with database.write() as session:
        row = await admin.create_contest(
            session, SYSTEM, contest_id=CONTEST, designation="Harbor Cup", organization_id=org.id
        )
        await admin.add_problem(
            session, SYSTEM, CONTEST, problem_id="A", label="A", title="sum", tests=TESTS
        )
        for team in ("team1", "team2"):
            await admin.create_user(
                session, SYSTEM, username=team, password="pw", contest_id=CONTEST
            )
        await admin.create_user(
            session, SYSTEM, username="judge1", password="pw", role="JUDGE", contest_id=CONTEST
        )
        return row.id


async def _token(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await client.post(
        "/mooshak/api/auth/login",
        json={"username": username, "password": "pw", "contest": CONTEST},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def _submit(client: httpx.AsyncClient, username: str, source: bytes) -> int:
    response = await client.post(
        f"/mooshak/api/data/contests/{CONTEST}/problems/A/evaluate",
        headers=await _token(client, username),
        files={"program": ("sum.py", source)},
    )
    assert response.status_code == 200, response.text
    return int(response.json()["id"])


async def _judge(database: Database, settings: Settings) -> int:
    """Run the judge until no job is due; how many judgements it made."""
    return await JudgeQueue(database, settings).judge_ready()


async def _verdict(database: Database, result_id: int) -> str:
    async with database.read() as session:
        row = await session.get(Result, result_id)
        assert row is not None
        return str(row.attributes.get("verdict"))


async def _rankings(client: httpx.AsyncClient, username: str) -> dict[str, dict[str, Any]]:
    response = await client.get(
        f"/mooshak/api/data/contests/{CONTEST}/rankings", headers=await _token(client, username)
    )
    assert response.status_code == 200, response.text
    return {row["team"]: row for row in response.json()}


def _public_solved(html: str, team: str) -> int:
    found = re.search(rf'<th scope="row">{team}</th>\s*<td class="num">(\d+)</td>', html)
    assert found, html[:2000]
    return int(found[1])


async def _owner(browsers: Callable[[], Browser]) -> Browser:
    browser = browsers()
    await browser.login("owner@example.org")
    return browser


async def test_the_list_filters_and_a_submission_shows_its_program(
    org: Org, database: Database, settings: Settings, client: httpx.AsyncClient, browsers: Any
) -> None:
    contest_id = await _contest(database, org)
    right = await _submit(client, "team1", CORRECT)
    wrong = await _submit(client, "team2", WRONG)
    assert await _judge(database, settings) == 2
    owner = await _owner(browsers)
    base = f"/console/competitions/{contest_id}/submissions"

    listing = await owner.http.get(base)
    assert listing.status_code == 200
    assert f'data-submission="{right}"' in listing.text
    assert f'data-submission="{wrong}"' in listing.text
    assert "Accepted" in listing.text and "Wrong Answer" in listing.text

    accepted = await owner.http.get(base, params={"verdict": "Accepted"})
    assert f'data-submission="{right}"' in accepted.text
    assert f'data-submission="{wrong}"' not in accepted.text
    async with database.read() as session:
        contest = await session.get(Competition, contest_id)
        assert contest is not None
        teams = dict((name, entry) for entry, name in await desk.teams(session, contest))
        (problem,) = await storage.problems_of(session, contest)
    by_team = await owner.http.get(base, params={"team": teams["team2"]})
    assert f'data-submission="{wrong}"' in by_team.text
    assert f'data-submission="{right}"' not in by_team.text
    by_problem = await owner.http.get(base, params={"problem": problem.id})
    assert f'data-submission="{right}"' in by_problem.text

    bad = await owner.http.get(base, params={"team": "x"})
    assert bad.status_code == 400
    assert "team filter" in bad.text

    one = await owner.http.get(f"{base}/{right}")
    assert one.status_code == 200
    assert "print(a + b)" in one.text
    assert 'id="verdict">Accepted<' in one.text

    elsewhere = await owner.http.get(f"{base}/{right + 1000}")
    assert elsewhere.status_code == 404


async def test_a_rejudge_after_a_test_fix_changes_the_verdict_once(
    org: Org, database: Database, settings: Settings, client: httpx.AsyncClient, browsers: Any
) -> None:
    contest_id = await _contest(database, org)
    submitted = await _submit(client, "team1", CORRECT)
    await _judge(database, settings)
    assert await _verdict(database, submitted) == "Accepted"
    before = await _rankings(client, "judge1")
    assert before["team1"]["solved"] == "1"

    # The problem's expected output is fixed "wrongly": the same program must now fail.
    async with database.write() as session:
        contest = await storage.find_contest(session, CONTEST)
        assert contest is not None
        problem = await storage.find_problem(session, contest, "A")
        assert problem is not None
        broken = [{"input": "1 2\n", "output": "4\n", "public": False}]
        await admin.update_problem(session, SYSTEM, problem, extra={"tests": broken})

    owner = await _owner(browsers)
    page = f"/console/competitions/{contest_id}/submissions/{submitted}"
    for _twice in range(2):
        done = await owner.submit(page, f"{page}/rejudge", reason="tests fixed")
        assert done.status_code == 303
        assert done.headers["location"] == f"{page}?note=rejudged"
    assert await _verdict(database, submitted) == "Evaluating"
    async with database.read() as session:
        jobs = (await session.scalars(select(JudgeJob))).all()
    assert [(j.result_id, j.state) for j in jobs] == [(submitted, "queued")]

    # Asked twice, judged once.
    assert await _judge(database, settings) == 1
    assert await _verdict(database, submitted) == "Wrong Answer"
    shown = await owner.http.get(page)
    assert 'id="verdict">Wrong Answer<' in shown.text
    after = await _rankings(client, "judge1")
    assert after["team1"]["solved"] == "0"
    async with database.read() as session:
        reasons = (
            await session.scalars(
                select(Event.reason).where(
                    Event.object_kind == "result", Event.object_id == submitted
                )
            )
        ).all()
    assert reasons.count("tests fixed") == 2


async def test_a_rejudge_asked_while_judging_waits_and_judges_again(
    org: Org, database: Database, settings: Settings, client: httpx.AsyncClient
) -> None:
    """A running judgement keeps its lease (no second judge starts), and its verdict,
    reached before the rejudge, is dropped for a fresh one."""
    contest_id = await _contest(database, org)
    submitted = await _submit(client, "team1", CORRECT)
    queue = JudgeQueue(database, settings)
    (running,) = await queue.claim(5)
    async with database.write() as session:
        contest = await storage.find_contest(session, CONTEST)
        assert contest is not None
        problem = await storage.find_problem(session, contest, "A")
        assert problem is not None
        broken = [{"input": "1 2\n", "output": "4\n", "public": False}]
        await admin.update_problem(session, SYSTEM, problem, extra={"tests": broken})
        await desk.rejudge_submission(session, SYSTEM, contest_id, submitted, "mid-run")
    assert await queue.judge_ready() == 0  # the lease stands: nobody else takes it
    await queue._judge(running)  # the old run ends; it judged with the old tests
    assert await _verdict(database, submitted) == "Evaluating"
    assert await queue.judge_ready() == 1
    assert await _verdict(database, submitted) == "Wrong Answer"


async def test_an_override_records_the_judge_and_the_reason(
    org: Org, database: Database, settings: Settings, client: httpx.AsyncClient, browsers: Any
) -> None:
    contest_id = await _contest(database, org)
    submitted = await _submit(client, "team2", WRONG)
    await _judge(database, settings)
    await add_user(database, org.id, "judge@example.org", "judge")
    judge = browsers()
    await judge.login("judge@example.org")
    page = f"/console/competitions/{contest_id}/submissions/{submitted}"

    blank = await judge.submit(page, f"{page}/override", verdict="Accepted", reason=" ")
    assert blank.status_code == 400
    assert "needs a reason" in blank.text
    nonsense = await judge.submit(page, f"{page}/override", verdict="Splendid", reason="x")
    assert nonsense.status_code == 400

    why = "The checker ignored trailing spaces; the output is right."
    done = await judge.submit(page, f"{page}/override", verdict="Accepted", reason=why)
    assert done.status_code == 303
    assert await _verdict(database, submitted) == "Accepted"
    async with database.read() as session:
        (event,) = (
            await session.scalars(
                select(Event).where(
                    Event.object_kind == "result",
                    Event.object_id == submitted,
                    Event.reason == why,
                )
            )
        ).all()
        result = await session.get(Result, submitted)
    assert event.type == "result.updated"
    assert event.actor == "user:judge@example.org"
    assert event.before is not None and event.payload is not None
    assert event.before["attributes"]["verdict"] == "Wrong Answer"
    assert event.payload["attributes"]["verdict"] == "Accepted"
    assert result is not None and result.points == 1.0
    assert (await _rankings(client, "judge1"))["team2"]["solved"] == "1"
    shown = await judge.http.get(page)
    assert why in shown.text


async def test_a_frozen_scoreboard_hides_later_verdicts_from_all_but_judges(
    org: Org, database: Database, settings: Settings, client: httpx.AsyncClient, browsers: Any
) -> None:
    contest_id = await _contest(database, org)
    await _submit(client, "team1", CORRECT)
    await _judge(database, settings)
    owner = await _owner(browsers)
    base = f"/console/competitions/{contest_id}/submissions"

    frozen = await owner.submit(base, f"{base}/freeze", at="", reason="last hour")
    assert frozen.status_code == 303
    late = await _submit(client, "team2", CORRECT)
    await _judge(database, settings)
    assert await _verdict(database, late) == "Accepted"

    public = await client.get(f"/competitions/{contest_id}")
    assert public.status_code == 200
    assert "The scoreboard is frozen" in public.text
    assert _public_solved(public.text, "team1") == 1
    assert _public_solved(public.text, "team2") == 0
    fragment = await client.get(f"/competitions/{contest_id}/leaderboard.html")
    assert _public_solved(fragment.text, "team2") == 0
    export = await client.get(f"/competitions/{contest_id}/results.csv")
    assert export.status_code == 403
    as_team = await _rankings(client, "team1")
    assert as_team["team1"]["solved"] == "1"
    assert as_team["team2"]["solved"] == "0"
    assert (await _rankings(client, "judge1"))["team2"]["solved"] == "1"
    # The public event feed says the late submission was judged, not what it got.
    feed = await client.get(
        "/api/v1/event-feed", params={"competition_id": contest_id, "stream": "false"}
    )
    lines = [json.loads(line) for line in feed.text.splitlines() if line.strip()]
    late_lines = [line for line in lines if line["type"] == "results" and line["id"] == str(late)]
    assert late_lines and {line["data"]["attributes"]["verdict"] for line in late_lines} == {
        "Pending"
    }
    assert "Accepted" in {
        line["data"]["attributes"].get("verdict") for line in lines if line["type"] == "results"
    }  # the submission before the freeze keeps its verdict
    judges_view = await owner.http.get(f"/console/competitions/{contest_id}/scoreboard")
    assert _public_solved(judges_view.text, "team2") == 1
    async with database.read() as session:
        reasons = (
            await session.scalars(
                select(Event.reason).where(
                    Event.object_kind == "competition", Event.object_id == contest_id
                )
            )
        ).all()
    assert "last hour" in reasons

    thawed = await owner.submit(base, f"{base}/unfreeze", reason="contest over")
    assert thawed.status_code == 303
    public = await client.get(f"/competitions/{contest_id}")
    assert "The scoreboard is frozen" not in public.text
    assert _public_solved(public.text, "team2") == 1
    assert (await _rankings(client, "team1"))["team2"]["solved"] == "1"
    assert (await client.get(f"/competitions/{contest_id}/results.csv")).status_code == 200
    feed = await client.get(
        "/api/v1/event-feed", params={"competition_id": contest_id, "stream": "false"}
    )
    verdicts = {
        json.loads(line)["data"]["attributes"].get("verdict")
        for line in feed.text.splitlines()
        if line.strip() and json.loads(line)["id"] == str(late)
    }
    assert "Accepted" in verdicts


async def test_a_freeze_time_is_read_in_the_contest_zone_and_bad_times_are_refused(
    org: Org, database: Database, browsers: Any
) -> None:
    contest_id = await _contest(database, org)
    owner = await _owner(browsers)
    base = f"/console/competitions/{contest_id}/submissions"
    bad = await owner.submit(base, f"{base}/freeze", at="tomorrow at noon")
    assert bad.status_code == 400
    assert "date and time" in bad.text
    nothing = await owner.submit(base, f"{base}/unfreeze")
    assert nothing.status_code == 400
    assert "not frozen" in nothing.text
    later = await owner.submit(base, f"{base}/freeze", at="2099-01-01T10:00")
    assert later.status_code == 303
    shown = await owner.http.get(base)
    assert "Freezes at 2099-01-01 10:00 (UTC)" in shown.text
    empty = await owner.submit(base, f"{base}/rejudge", scope="since", since="")
    assert empty.status_code == 400
    edge = await owner.submit(
        base, f"{base}/rejudge", scope="since", since="0001-01-01T00:00+05:00"
    )
    assert edge.status_code == 400, edge.text[:300]
    unknown = await owner.submit(base, f"{base}/rejudge", scope="everything")
    assert unknown.status_code == 400
    long = await owner.submit(base, f"{base}/freeze", reason="x" * 501)
    assert long.status_code == 400
    assert "longer than 500" in long.text


@pytest.mark.parametrize("role", ["viewer", "timer"])
async def test_a_role_without_judge_reads_but_cannot_judge(
    role: str,
    org: Org,
    database: Database,
    settings: Settings,
    client: httpx.AsyncClient,
    browsers: Any,
) -> None:
    contest_id = await _contest(database, org)
    submitted = await _submit(client, "team1", CORRECT)
    await _judge(database, settings)
    await add_user(database, org.id, f"{role}@example.org", role)
    reader = browsers()
    await reader.login(f"{role}@example.org")
    base = f"/console/competitions/{contest_id}/submissions"
    shown = await reader.http.get(f"{base}/{submitted}")
    assert shown.status_code == 200
    assert "Override the verdict" not in shown.text
    token = csrf_of(shown)
    for action, fields in (
        (f"{base}/{submitted}/rejudge", {}),
        (f"{base}/{submitted}/override", {"verdict": "Wrong Answer", "reason": "no"}),
        (f"{base}/rejudge", {"scope": "problem", "problem": "1"}),
        (f"{base}/freeze", {}),
    ):
        refused = await reader.http.post(action, data={"csrf": token, **fields})
        assert refused.status_code == 403, action
        assert "judge submissions" in refused.text
    assert await _verdict(database, submitted) == "Accepted"
    async with database.read() as session:
        contest = await session.get(Competition, contest_id)
        assert contest is not None and "scoreboard_freeze" not in contest.attributes


async def test_a_competition_that_is_not_a_contest_has_no_desk(
    org: Org, database: Database, browsers: Any
) -> None:
    owner = await _owner(browsers)
    form = await owner.http.get(f"/console/orgs/{org.slug}/competitions/new")
    made = await owner.http.post(
        f"/console/orgs/{org.slug}/competitions/new",
        data={"csrf": csrf_of(form), "name": "Harbor 10k", "kind": "race"},
    )
    assert made.status_code == 303
    race_id = made.headers["location"].split("/")[-1].split("?")[0]
    shown = await owner.http.get(f"/console/competitions/{race_id}/submissions")
    assert shown.status_code == 404
    assert "not a contest" in shown.text
