"""The Mooshak API over HTTP (in process): auth, errors, contests, problems, submissions.

Judging needs the app's lifespan; these tests submit with the queue idle and check
what the API answers at once. ``test_judging.py`` covers verdicts end to end.
"""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from podium.core import jws
from podium.core.principal import SYSTEM
from podium.dialects.mooshak2 import admin, tokens
from podium.store.database import Database
from podium.store.tables import Event, JudgeJob, Result

API = "/mooshak/api/"
SUM = [("1 2\n", "3\n"), ("10 20\n", "30\n")]


async def seed(database: Database) -> None:
    async with database.write() as session:
        await admin.create_contest(
            session, SYSTEM, contest_id="proto_icpc", designation="Prototype ICPC"
        )
        await admin.create_contest(
            session, SYSTEM, contest_id="other", designation="Other", status="READY"
        )
        await admin.add_problem(
            session,
            SYSTEM,
            "proto_icpc",
            problem_id="A",
            label="A",
            title="Sum",
            statement="<p>Add two integers.</p>",
            timeout_seconds=1.0,
            tests=SUM,
            public_tests=1,
        )
        await admin.add_problem(
            session, SYSTEM, "other", problem_id="X", label="X", title="Other", tests=SUM
        )
        await admin.create_user(session, SYSTEM, username="admin", password="adminpw", role="ADMIN")
        await admin.create_user(
            session, SYSTEM, username="team1", password="pw1", contest_id="proto_icpc"
        )
        await admin.create_user(
            session, SYSTEM, username="team2", password="pw2", contest_id="proto_icpc"
        )
        await admin.create_user(
            session, SYSTEM, username="judge", password="pwj", role="JUDGE", contest_id="proto_icpc"
        )
        await admin.create_user(session, SYSTEM, username="t9", password="pw9", contest_id="other")


@pytest.fixture
async def mk(client: httpx.AsyncClient, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    await seed(database)
    client.base_url = httpx.URL("http://podium.test" + API)
    yield client


async def login(mk: httpx.AsyncClient, username: str, password: str, contest: str | None) -> str:
    body: dict[str, Any] = {"username": username, "password": password}
    if contest is not None:
        body["contest"] = contest
    response = await mk.post("auth/login/", json=body)
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_error(response: httpx.Response, status: int, message: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert body["path"].startswith("/mooshak/api/")
    if message is not None:
        assert body["message"] == message


async def test_welcome_with_and_without_slash(mk: httpx.AsyncClient) -> None:
    # Without the slash the mount redirects to the endpoint clients are given.
    for url in ("", "http://podium.test/mooshak/api"):
        response = await mk.get(url, follow_redirects=True)
        assert response.status_code == 200
        assert response.json()["result"]["value"] == "Welcome to Mooshak 2.0 API"
    assert response.headers["access-control-allow-origin"] == "*"


async def test_login_token_claims(mk: httpx.AsyncClient) -> None:
    token = await login(mk, "team1", "pw1", "proto_icpc")
    header, payload, _sig = token.split(".")
    assert jws.unb64(header).startswith(b'{"alg":"HS512"')
    claims = __import__("json").loads(jws.unb64(payload))
    assert claims["sub"] == "team1"
    assert claims["refreshCount"] == 0 and claims["refreshLimit"] == 5
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["iss"].endswith("/mooshak/api/auth/login")
    admin_token = await login(mk, "admin", "adminpw", None)
    assert (await mk.get("data", headers=auth(admin_token))).json()["result"]["value"] == "admin"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"password": "x"}, 422, "Username is required."),
        ({"username": "team1"}, 422, "Password is required."),
        ({"username": "nobody", "password": "x", "contest": "proto_icpc"}, 403,
         "Authentication failed. Reason: Unknown user"),
        ({"username": "team1", "password": "bad", "contest": "proto_icpc"}, 403,
         "Authentication failed. Reason: Invalid password"),
        ({"username": "team1", "password": "pw1"}, 403,
         "Authentication failed. Reason: Unknown user"),
        ({"username": "team1", "password": "pw1", "contest": "other"}, 403,
         "Authentication failed. Reason: Unknown user"),
    ],
)  # fmt: skip
async def test_login_failures(
    mk: httpx.AsyncClient, body: dict[str, Any], status: int, message: str
) -> None:
    assert_error(await mk.post("auth/login", json=body), status, message)


async def test_login_bad_json(mk: httpx.AsyncClient) -> None:
    response = await mk.post(
        "auth/login", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400)


async def test_refresh_counts_and_stops_after_five(mk: httpx.AsyncClient) -> None:
    token = await login(mk, "team1", "pw1", "proto_icpc")
    jti = None
    for count in range(1, 6):
        response = await mk.post("auth/refresh/", headers=auth(token))
        assert response.status_code == 200, response.text
        token = response.json()["token"]
        claims = tokens.parse(token, mk_key(mk))
        assert claims.refresh_count == count
        jti = jti or claims.raw["jti"]
        assert claims.raw["jti"] == jti
    assert_error(
        await mk.post("auth/refresh", headers=auth(token)),
        403,
        "This token has exceeded the refresh limit.",
    )
    # The last token still works until it expires.
    assert (await mk.get("data/contests/proto_icpc", headers=auth(token))).status_code == 200


def mk_key(mk: httpx.AsyncClient) -> bytes:
    transport = mk._transport
    assert isinstance(transport, httpx.ASGITransport)
    app: Any = transport.app
    mooshak = next(r for r in app.routes if getattr(r, "path", "") == "/mooshak/api")
    key: bytes = mooshak.app.state.mooshak.key
    return key


async def test_bad_tokens(mk: httpx.AsyncClient) -> None:
    assert_error(
        await mk.get("data/contests/proto_icpc"),
        403,
        "Authentication is required to perform this action.",
    )
    assert_error(
        await mk.get("data/contests/proto_icpc", headers={"Authorization": "Basic abc"}),
        403,
        "Invalid authorization header.",
    )
    assert_error(
        await mk.get("data/contests/proto_icpc", headers=auth("not.a.jwt")),
        403,
        "The token that you have provided is not valid.",
    )
    key = mk_key(mk)
    expired = jws.encode(
        {
            "sub": "team1",
            "sessionId": "1",
            "role": "TEAM",
            "contest": "proto_icpc",
            "refreshCount": 0,
            "refreshLimit": 5,
            "exp": int(time.time()) - 5,
        },
        key,
        "HS512",
    )
    assert_error(
        await mk.get("data/contests/proto_icpc", headers=auth(expired)),
        403,
        "The token that you have provided has expired.",
    )
    forged = jws.encode({"sub": "admin"}, b"wrong key", "HS512")
    assert_error(await mk.get("data", headers=auth(forged)), 403)


async def test_contest_list_is_public_and_reduced(mk: httpx.AsyncClient) -> None:
    response = await mk.get("data/contests/")
    assert response.status_code == 200
    contests = {c["id"]: c for c in response.json()}
    assert set(contests) == {"proto_icpc", "other"}
    assert contests["proto_icpc"]["designation"] == "Prototype ICPC"
    assert contests["proto_icpc"]["contestStatus"] == "RUNNING"
    assert contests["other"]["contestStatus"] == "READY"
    assert "policy" not in contests["proto_icpc"]
    token = await login(mk, "team1", "pw1", "proto_icpc")
    full = (await mk.get("data/contests/proto_icpc/", headers=auth(token))).json()
    assert full["policy"] == "ICPC" and full["designation"] == "Prototype ICPC"


async def test_domain_check(mk: httpx.AsyncClient) -> None:
    token = await login(mk, "team1", "pw1", "proto_icpc")
    assert_error(
        await mk.get("data/contests/other", headers=auth(token)),
        403,
        "You don't have enough permissions to perform this action.",
    )
    assert_error(await mk.get("data/contests/other/problems", headers=auth(token)), 403)
    admin_token = await login(mk, "admin", "adminpw", None)
    assert (await mk.get("data/contests/other", headers=auth(admin_token))).status_code == 200


async def test_unknown_ids_and_routes(mk: httpx.AsyncClient) -> None:
    token = await login(mk, "admin", "adminpw", None)
    assert_error(
        await mk.get("data/contests/nope", headers=auth(token)),
        404,
        "The contest nope does not exist.",
    )
    assert_error(
        await mk.get("data/contests/proto_icpc/problems/Z", headers=auth(token)),
        404,
        "The problem Z does not exist.",
    )
    assert_error(await mk.get("data/contests/proto_icpc/submissions/999", headers=auth(token)), 404)
    assert_error(await mk.get("no/such/route"), 404)


async def test_admin_contest_crud(mk: httpx.AsyncClient, database: Database) -> None:
    team = await login(mk, "team1", "pw1", "proto_icpc")
    body = {"id": "new1", "designation": "New", "contestStatus": "READY", "type": "contest"}
    assert_error(await mk.post("data/contests/", json=body, headers=auth(team)), 403)
    token = await login(mk, "admin", "adminpw", None)
    created = await mk.post("data/contests/", json=body, headers=auth(token))
    assert created.status_code == 201, created.text
    assert created.json()["contestStatus"] == "READY"
    assert_error(await mk.post("data/contests", json=body, headers=auth(token)), 409)
    # mooshak2api's update echoes every field it has seen plus "type".
    echoed = {**created.json(), "designation": "Renamed", "contestStatus": "RUNNING"}
    updated = await mk.put("data/contests/new1/", json=echoed, headers=auth(token))
    assert updated.status_code == 200, updated.text
    assert updated.json()["designation"] == "Renamed"
    assert updated.json()["contestStatus"] == "RUNNING"
    # X-HTTP-Method-Override turns a POST into a DELETE.
    gone = await mk.post(
        "data/contests/new1", headers={**auth(token), "X-HTTP-Method-Override": "DELETE"}
    )
    assert gone.status_code == 204
    assert_error(await mk.get("data/contests/new1", headers=auth(token)), 404)
    bad = await mk.post("data/contests", json={"id": "x y"}, headers=auth(token))
    assert_error(bad, 422)


async def test_problems(mk: httpx.AsyncClient) -> None:
    token = await login(mk, "team1", "pw1", "proto_icpc")
    problems = (await mk.get("data/contests/proto_icpc/problems/", headers=auth(token))).json()
    assert problems == [{"id": "A", "name": "A", "title": "Sum", "timeout": 1}]
    one = await mk.get("data/contests/proto_icpc/problems/A", headers=auth(token))
    assert one.json()["title"] == "Sum"
    view = (await mk.get("data/contests/proto_icpc/problems/A/view", headers=auth(token))).json()
    assert view == {
        "id": "A",
        "label": "A",
        "title": "Sum",
        "statement": "<p>Add two integers.</p>",
        "pdfviewable": False,
    }
    brief = await mk.get(
        "data/contests/proto_icpc/problems/A/view",
        params={"complete": "false"},
        headers=auth(token),
    )
    assert "statement" not in brief.json()
    html = await mk.get("data/contests/proto_icpc/problems/A/statement", headers=auth(token))
    assert html.headers["content-type"].startswith("text/html")
    assert html.text == "<p>Add two integers.</p>"
    tests = await mk.get("data/contests/proto_icpc/problems/A/public-tests", headers=auth(token))
    assert tests.json() == [{"input": "1 2\n", "output": "3\n"}]
    assert_error(
        await mk.get("data/contests/proto_icpc/problems/A/pdf-statement", headers=auth(token)),
        404,
        "No PDF found for problem",
    )
    assert_error(
        await mk.put(
            "data/contests/proto_icpc/problems/A", json={"title": "x"}, headers=auth(token)
        ),
        403,
    )


async def test_admin_problem_edits(mk: httpx.AsyncClient) -> None:
    token = await login(mk, "admin", "adminpw", None)
    made = await mk.post(
        "data/contests/proto_icpc/problems",
        json={"id": "B", "name": "B", "title": "Bridges", "timeout": "2"},
        headers=auth(token),
    )
    assert made.status_code == 201, made.text
    assert made.json() == {"id": "B", "name": "B", "title": "Bridges", "timeout": 2}
    edited = await mk.put(
        "data/contests/proto_icpc/problems/B",
        json={**made.json(), "title": "Bridges II", "type": "problem", "color": "#ff0000"},
        headers=auth(token),
    )
    assert edited.json()["title"] == "Bridges II" and edited.json()["color"] == "#ff0000"
    assert (
        await mk.delete("data/contests/proto_icpc/problems/B", headers=auth(token))
    ).status_code == 204
    assert_error(await mk.get("data/contests/proto_icpc/problems/B", headers=auth(token)), 404)


async def submit(
    mk: httpx.AsyncClient, token: str, source: bytes, name: str = "sum.py", problem: str = "A"
) -> httpx.Response:
    return await mk.post(
        f"data/contests/proto_icpc/problems/{problem}/evaluate",
        files={"program": (name, source)},
        headers=auth(token),
    )


async def test_evaluate_stores_submission_and_job(
    mk: httpx.AsyncClient, database: Database
) -> None:
    token = await login(mk, "team1", "pw1", "proto_icpc")
    async with database.read() as session:
        before = await session.scalar(select(func.max(Event.seq)))
    response = await submit(mk, token, b"print(sum(map(int, input().split())))\n")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["classify"] == body["status"] == "Evaluating"
    assert body["state"] == "pending" and body["consider"] == "yes"
    assert body["problemId"] == "A" and body["teamId"] == "team1"
    async with database.read() as session:
        result = await session.get(Result, int(body["id"]))
        assert result is not None
        assert base64.b64decode(result.attributes["program"]).startswith(b"print(")
        job = await session.scalar(select(JudgeJob).where(JudgeJob.result_id == result.id))
        assert job is not None and job.state == "queued"
        events = (await session.scalars(select(Event).where(Event.seq > (before or 0)))).all()
        assert [e.type for e in events] == ["result.created"]
    program = await mk.get(
        f"data/contests/proto_icpc/submissions/{body['id']}/program", headers=auth(token)
    )
    assert base64.b64decode(program.text).startswith(b"print(")
    summary = await mk.get(
        f"data/contests/proto_icpc/submissions/{body['id']}/evaluation-summary", headers=auth(token)
    )
    assert summary.json()["status"] == "Evaluating"
    assert "evaluatedAt" not in summary.json()


async def test_evaluate_refusals(mk: httpx.AsyncClient, database: Database) -> None:
    judge = await login(mk, "judge", "pwj", "proto_icpc")
    assert_error(await submit(mk, judge, b"x"), 403)
    team = await login(mk, "team1", "pw1", "proto_icpc")
    no_file = await mk.post(
        "data/contests/proto_icpc/problems/A/evaluate", data={"x": "1"}, headers=auth(team)
    )
    assert_error(no_file, 400)
    assert_error(await submit(mk, team, b"x", problem="Z"), 404)
    ready = await login(mk, "t9", "pw9", "other")
    response = await mk.post(
        "data/contests/other/problems/X/evaluate",
        files={"program": ("a.py", b"print(1)")},
        headers=auth(ready),
    )
    assert_error(response, 400, "Submissions NOT allowed, contest ready")
    async with database.read() as session:
        assert await session.scalar(select(func.count()).select_from(Result)) == 0


async def test_program_size_exceeded_is_final_at_once(
    mk: httpx.AsyncClient, database: Database
) -> None:
    team = await login(mk, "team1", "pw1", "proto_icpc")
    response = await submit(mk, team, b"#" * 100_001)
    assert response.json()["classify"] == "Program Size Exceeded"
    async with database.read() as session:
        assert await session.scalar(select(func.count()).select_from(JudgeJob)) == 0


async def test_submissions_visibility(mk: httpx.AsyncClient) -> None:
    one = await login(mk, "team1", "pw1", "proto_icpc")
    two = await login(mk, "team2", "pw2", "proto_icpc")
    mine = (await submit(mk, one, b"print(3)")).json()["id"]
    theirs = (await submit(mk, two, b"print(4)")).json()["id"]
    listed = (await mk.get("data/contests/proto_icpc/submissions", headers=auth(one))).json()
    assert [s["id"] for s in listed] == [mine]
    assert_error(
        await mk.get(f"data/contests/proto_icpc/submissions/{theirs}", headers=auth(one)), 404
    )
    judge = await login(mk, "judge", "pwj", "proto_icpc")
    every = (await mk.get("data/contests/proto_icpc/submissions/", headers=auth(judge))).json()
    assert {s["id"] for s in every} == {mine, theirs}


async def test_languages(mk: httpx.AsyncClient) -> None:
    token = await login(mk, "team1", "pw1", "proto_icpc")
    langs = (await mk.get("data/contests/proto_icpc/languages", headers=auth(token))).json()
    python = next(lang for lang in langs if lang["extension"] == "py")
    assert python["name"]
    one = await mk.get(f"data/contests/proto_icpc/languages/{python['id']}", headers=auth(token))
    assert one.json() == python
    assert_error(await mk.get("data/contests/proto_icpc/languages/cobol", headers=auth(token)), 404)


async def test_revoked_user_is_refused_at_once(mk: httpx.AsyncClient, database: Database) -> None:
    from podium.store.tables import Credential
    from podium.store.types import utcnow

    token = await login(mk, "team1", "pw1", "proto_icpc")
    async with database.write() as session:
        credential = await session.scalar(
            select(Credential).where(Credential.identifier == "proto_icpc/team1")
        )
        assert credential is not None
        credential.revoked_at = utcnow()
    assert_error(await mk.get("data", headers=auth(token)), 403)


async def test_cors_preflight(mk: httpx.AsyncClient) -> None:
    response = await mk.options("data/contests", headers={"Origin": "http://x.test"})
    assert response.status_code == 200
    assert "authorization" in response.headers["access-control-allow-headers"]
