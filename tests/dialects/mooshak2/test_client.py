"""Podium's Mooshak 2 client (``podium.dialects.mooshak2``) against a live server on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from podium.config import Settings
from podium.dialects import mooshak2
from podium.dialects.mooshak2 import contests, languages, problems, submissions
from podium.dialects.mooshak2.client import token_claims
from podium.dialects.mooshak2.wire import Verdict
from podium.store.database import Database
from tests.conftest import LiveServer, closed_port
from tests.dialects.mooshak2.conftest import CONTEST, CORRECT, WRONG, Mooshak, program, seed


def team(m: Mooshak, **options: float) -> mooshak2.Client:
    return mooshak2.login(m.endpoint, "team1", "pw1", contest=CONTEST, **options)


def admin(m: Mooshak) -> mooshak2.Client:
    return mooshak2.login(m.endpoint, "admin", "adminpw", admin=True)


def claims(conn: mooshak2.Client) -> dict[str, object]:
    assert conn.user is not None and conn.user.token is not None
    return token_claims(conn.user.token)


# ---- connection ---------------------------------------------------------------------


async def test_login_as_team_and_as_admin(mooshak: Mooshak) -> None:
    with team(mooshak) as conn:
        assert claims(conn)["contest"] == CONTEST
        assert claims(conn)["role"] == "TEAM"
        assert conn.user is not None and conn.user.contest == CONTEST
    with admin(mooshak) as conn:
        assert claims(conn)["role"] == "ADMIN"
        assert claims(conn).get("contest") is None
        # A Contest object is as good as its id.
        contest = contests.get(conn, CONTEST)
    with mooshak2.login(mooshak.endpoint, "team1", "pw1", contest) as conn:
        assert claims(conn)["contest"] == CONTEST


async def test_login_refusals_carry_the_servers_message(mooshak: Mooshak) -> None:
    with pytest.raises(mooshak2.AuthenticationError) as refused:
        mooshak2.login(mooshak.endpoint, "team1", "nope", contest=CONTEST)
    assert refused.value.status == 403
    assert refused.value.message == "Authentication failed. Reason: Invalid password"
    assert (refused.value.path or "").rstrip("/").endswith("/mooshak/api/auth/login")
    assert "Invalid password" in str(refused.value)
    # A team exists only inside its contest, so without one it is unknown.
    with pytest.raises(mooshak2.AuthenticationError, match="Unknown user"):
        mooshak2.login(mooshak.endpoint, "team1", "pw1", admin=True)
    with pytest.raises(ValueError, match="specify a contest"):
        mooshak2.login(mooshak.endpoint, "team1", "pw1")


async def test_client_checks_the_endpoint(mooshak: Mooshak) -> None:
    with mooshak2.Client(mooshak.endpoint.rstrip("/")) as conn:
        assert conn.endpoint == mooshak.endpoint
        assert conn.test() is True
        with pytest.raises(mooshak2.UsageError):
            conn.headers_with_auth()
    # Podium's own root answers, but not as Mooshak; a closed port does not answer at all.
    with closed_port() as port:
        for endpoint in (f"{mooshak.server.url}/", f"http://127.0.0.1:{port}/mooshak/api/"):
            with pytest.raises(mooshak2.ConnectionCheckError) as bad:
                mooshak2.Client(endpoint)
            assert isinstance(bad.value, AssertionError)


async def test_headers_with_auth_and_user_login(mooshak: Mooshak) -> None:
    conn = mooshak2.Client(mooshak.endpoint)
    conn.user = mooshak2.User("team1", "pw1", contest=CONTEST)
    conn.user.login(conn)
    headers = conn.headers_with_auth()
    assert headers["Authorization"] == f"Bearer {conn.user.token}"
    assert headers["Content-Type"] == headers["Accept"] == "application/json"
    first = conn.user.token
    conn.user.login()  # the connection is remembered
    assert conn.user.token != first
    answer = conn.http.get(f"{mooshak.endpoint}data", headers=headers)
    assert answer.json()["result"]["value"] == "team1"
    conn.close()


async def test_refresh_keeps_the_new_token(mooshak: Mooshak) -> None:
    with team(mooshak) as conn:
        assert conn.user is not None
        old = conn.user.token
        new = conn.refresh()
        assert new != old and conn.user.token == new
        assert claims(conn)["refreshCount"] == 1
        assert token_claims(new)["jti"] == token_claims(old or "")["jti"]
        # The old token stays valid until it expires.
        still = conn.http.get(
            f"{mooshak.endpoint}data/contests/{CONTEST}/",
            headers={"Authorization": f"Bearer {old}"},
        )
        assert still.status_code == 200
        assert contests.get(conn, CONTEST).id == CONTEST


async def test_calls_refresh_a_token_near_expiry_then_log_in_again(mooshak: Mooshak) -> None:
    # A margin longer than the token's life makes every call find it about to expire.
    with team(mooshak, refresh_margin=3601) as conn:
        first = claims(conn)
        counts = []
        for _ in range(7):
            contests.get(conn, CONTEST)
            counts.append(claims(conn)["refreshCount"])
        # Five refreshes, then the limit: a new login (new session id), refreshed again.
        assert counts == [1, 2, 3, 4, 5, 0, 1]
        assert claims(conn)["jti"] != first["jti"]
    with team(mooshak) as conn:
        token = conn.user.token if conn.user else None
        contests.get(conn, CONTEST)
        assert conn.user is not None and conn.user.token == token


async def test_refresh_of_a_refused_token_logs_in_again(mooshak: Mooshak) -> None:
    with team(mooshak) as conn:
        assert conn.user is not None
        conn.user.token = "not-a-token"
        with pytest.raises(mooshak2.ForbiddenError):
            contests.get(conn, CONTEST)
        token = conn.refresh()
        assert token_claims(token)["sub"] == "team1"
        assert contests.get(conn, CONTEST).id == CONTEST


# ---- contests -----------------------------------------------------------------------


async def test_contests_as_admin(mooshak: Mooshak) -> None:
    with admin(mooshak) as conn:
        listed = contests.get_all(conn)
        assert [c.id for c in listed] == [CONTEST]
        contest = contests.get(conn, CONTEST)
        assert contest.designation == "Prototype ICPC"
        assert contest.status == "RUNNING" and contest.policy == "ICPC"
        assert contest.is_virtual is False

        made = mooshak2.Contest(id="spring", designation="Spring", contestStatus="READY")
        response = made.create(conn)
        assert response.status_code == 201, response.text
        assert response.json()["designation"] == "Spring"
        spring = contests.get(conn, "spring")
        assert spring.status == "READY"

        spring.designation = "Spring Cup"
        spring.start = "1767225600"  # 2026-01-01T00:00:00Z
        response = spring.update(conn)
        assert response.status_code == 200, response.text
        again = contests.get(conn, "spring")
        assert again.designation == "Spring Cup"
        assert again.start_time is not None and again.start_time.year == 2026

        assert again.delete(conn).status_code == 204
        with pytest.raises(mooshak2.NotFoundError) as gone:
            contests.get(conn, "spring")
        assert gone.value.status == 404
        assert gone.value.message == "The contest spring does not exist."


async def test_a_team_stays_in_its_contest(mooshak: Mooshak) -> None:
    await mooshak.contest("elsewhere")
    with team(mooshak) as conn:
        assert contests.get(conn, CONTEST).designation == "Prototype ICPC"
        with pytest.raises(mooshak2.ForbiddenError) as refused:
            contests.get(conn, "elsewhere")
        assert refused.value.status == 403
        with pytest.raises(mooshak2.ForbiddenError):
            problems.get_all(conn, "elsewhere")
        assert mooshak2.Contest(id="mine").create(conn).status_code == 403
        assert contests.get(conn, CONTEST).delete(conn).status_code == 403


# ---- problems -----------------------------------------------------------------------


async def test_problems_and_their_statements(mooshak: Mooshak) -> None:
    with team(mooshak) as conn:
        (listed,) = problems.get_all(conn, CONTEST)
        problem = problems.get(conn, contests.get(conn, CONTEST), "A")
        assert listed.id == problem.id == "A"
        assert problem.label == "A" and problem.title == "sum two integers"
        assert problem.timeout == 1 and problem.contest_id == CONTEST
        assert problem.get_contest(conn).id == CONTEST

        view = problem.view(conn)
        assert (view.label, view.title, view.pdf_viewable) == ("A", "sum two integers", False)
        assert view.statement == "<p>Print the sum of two integers.</p>"
        assert problems.view(conn, CONTEST, "A", complete=False).statement is None
        assert problem.statement(conn) == "<p>Print the sum of two integers.</p>"
        assert problem.public_tests(conn) == [mooshak2.PublicTest("1 2\n", "3\n")]

        with pytest.raises(mooshak2.NotFoundError, match="The problem Z does not exist"):
            problems.get(conn, CONTEST, "Z")
        assert {lang.extension for lang in languages.get_all(conn, CONTEST)} >= {"py", "c"}
        python = languages.get(conn, CONTEST, "python3")
        assert python.extension == "py"


async def test_admin_edits_problems(mooshak: Mooshak) -> None:
    with admin(mooshak) as conn:
        problem = problems.get(conn, CONTEST, "A")
        problem.title = "Sum of two integers"
        assert problem.update(conn).status_code == 200
        assert problems.get(conn, CONTEST, "A").title == "Sum of two integers"
        made = mooshak2.Problem(CONTEST, id="B", name="B", title="Echo", timeout=2)
        assert made.create(conn).status_code == 201
        assert [p.name for p in problems.get_all(conn, CONTEST)] == ["A", "B"]
        assert made.delete(conn).status_code == 204
        assert [p.id for p in problems.get_all(conn, CONTEST)] == ["A"]


# ---- evaluation ---------------------------------------------------------------------


async def test_evaluate_accepted_and_wrong_answer(mooshak: Mooshak, tmp_path: Path) -> None:
    with team(mooshak) as conn:
        problem = problems.get(conn, CONTEST, "A")
        with program(tmp_path, CORRECT).open("rb") as source:
            right = problem.evaluate(conn, source)
        wrong = problem.evaluate(conn, WRONG, filename="minus.py")
        assert right.id and wrong.id and right.id != wrong.id
        assert right.status in {"Evaluating", "Accepted"}
        assert right.notify_type in {"info", "success"}

        right.wait(conn)
        assert right.status == "Accepted" and right.accepted
        assert right.verdict is Verdict.ACCEPTED
        assert right.notify_type == "success" and right.mark == 100
        assert right.state == "final" and right.evaluated_at is not None
        assert right.metrics is not None and right.metrics.program_size == len(CORRECT)
        assert right.metrics["programSize"] == len(CORRECT)

        wrong.wait(conn)
        assert wrong.status == "Wrong Answer" and not wrong.accepted
        assert wrong.notify_type == "warning"

        listed = submissions.get_all(conn, CONTEST)
        assert [s.id for s in listed] == [right.id, wrong.id]
        one = submissions.get(conn, CONTEST, wrong.id or "")
        assert (one.problemId, one.teamId, one.classify) == ("A", "team1", "Wrong Answer")
        assert one.counts and one.submitted_at is not None
        assert one.program(conn) == WRONG
        assert one.evaluation(conn).status == "Wrong Answer"

        (row,) = contests.rankings(conn, CONTEST)
        assert (row.team, row.solved) == ("team1", 1)
        assert row.problems["A"].endswith("(0)")  # the wrong try came after
        with pytest.raises(mooshak2.NotFoundError):
            submissions.get(conn, CONTEST, "987654")


async def test_evaluate_refusals(mooshak: Mooshak) -> None:
    await mooshak.contest("later", status="READY")
    await mooshak.problem("later", "L")
    await mooshak.team("early", "pw", contest_id="later")
    with mooshak2.login(mooshak.endpoint, "early", "pw", contest="later") as conn:
        with pytest.raises(mooshak2.SubmissionRefusedError) as refused:
            mooshak2.Problem("later", id="L").evaluate(conn, CORRECT, filename="sum.py")
        assert refused.value.status == 400
        assert refused.value.message == "Submissions NOT allowed, contest ready"
        with pytest.raises(mooshak2.NotFoundError):
            mooshak2.Problem("later", id="Z").evaluate(conn, CORRECT, filename="sum.py")
    with admin(mooshak) as conn:
        problem = problems.get(conn, CONTEST, "A")
        with pytest.raises(mooshak2.ForbiddenError) as forbidden:
            problem.evaluate(conn, CORRECT, filename="sum.py")
        assert forbidden.value.status == 403 and "permissions" in forbidden.value.message
        with pytest.raises(mooshak2.UsageError):
            problem.evaluate(conn, CORRECT)


async def test_wait_gives_up_while_nobody_judges(settings: Settings, database: Database) -> None:
    await seed(database)
    idle = settings.model_copy(update={"judge_workers": 0})  # submissions stay queued
    with LiveServer(idle) as server:
        endpoint = f"{server.url}/mooshak/api/"
        with mooshak2.login(endpoint, "team1", "pw1", contest=CONTEST) as conn:
            problem = problems.get(conn, CONTEST, "A")
            evaluation = problem.evaluate(conn, CORRECT, filename="sum.py")
            with pytest.raises(mooshak2.EvaluationTimeout) as late:
                evaluation.wait(conn, timeout=0.3, interval=0.1)
            assert isinstance(late.value, TimeoutError)
            assert evaluation.status == "Evaluating" and not evaluation.finished
            assert evaluation.notify_type == "info"


async def test_evaluation_never_crashes_on_its_status() -> None:
    evaluation = mooshak2.Evaluation(CONTEST, "A")
    assert evaluation.status == "not_fetched" and evaluation.notify_type is None
    for status, kind in [
        ("Evaluating", "info"),
        ("Time Limit Exceeded", "error"),
        ("Evaluation Skipped", "warning"),
        ("VALIDATED", "success"),
    ]:
        evaluation.load_from_dict({"id": "1", "status": status})
        assert evaluation.notify_type == kind
    body = evaluation.as_json()
    assert body["type"] == "evaluation_summary" and body["status"] == "VALIDATED"
    assert json.loads(json.dumps(body))["id"] == "1"
