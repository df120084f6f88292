"""The REAL published client, ``mooshak2api==0.2.3`` from PyPI, against a live Podium.

Each function the package documents is run over real HTTP on loopback against the
dialect at ``/mooshak/api/``. The package has bugs of its own (spec §2.4, §3); where
one shows, the test says so and asserts what the package really does:

* ``Client.refresh()`` throws the new token away, so the session still ends an hour
  after login (Podium's client keeps it: ``test_client.py``).
* ``Evaluation.notify_type`` raises for "Evaluating" (it compares with a literal list).
* ``contests.get`` does not check the status: an unknown contest becomes a Contest
  built from the error body.
* ``Problem.create`` raises TypeError (``raise NotImplemented``).
"""

from __future__ import annotations

import time
from pathlib import Path

import mooshak2api
import pytest
from mooshak2api import contests, problems
from mooshak2api.contests import Contest
from mooshak2api.evaluation import Evaluation

from podium.dialects import mooshak2
from podium.dialects.mooshak2.client import token_claims
from tests.dialects.mooshak2.conftest import CONTEST, CORRECT, WRONG, Mooshak, program


def _verdict(conn: mooshak2api.client.Client, evaluation: Evaluation) -> str:
    """Refresh until the summary holds a verdict, as the package's users poll."""
    deadline = time.monotonic() + 30
    evaluation.refresh(conn)
    while evaluation.status == "Evaluating" and time.monotonic() < deadline:
        time.sleep(0.2)
        evaluation.refresh(conn)
    return str(evaluation.status)


async def test_team_logs_in_reads_and_evaluates(mooshak: Mooshak, tmp_path: Path) -> None:
    conn = mooshak2api.login(mooshak.endpoint, "team1", "pw1", contest=CONTEST)
    assert conn.test() is True
    assert conn.headers_with_auth()["Authorization"].startswith("Bearer ")

    contest = contests.get(conn, CONTEST)
    assert (contest.id, contest.designation, contest.contestStatus) == (
        CONTEST,
        "Prototype ICPC",
        "RUNNING",
    )
    (listed,) = problems.get_all(conn, contest)
    problem = problems.get(conn, CONTEST, "A")
    assert listed.id == problem.id == "A"
    assert (problem.name, problem.title, problem.contest_id) == ("A", "sum two integers", CONTEST)
    assert problem.get_contest(conn).id == CONTEST

    with program(tmp_path, CORRECT).open("rb") as source:
        right = problem.evaluate(conn, source)
    with program(tmp_path, WRONG, "minus.py").open("rb") as source:
        wrong = problem.evaluate(conn, source)
    assert right.id and wrong.id and right.id != wrong.id
    assert right.contest_id == CONTEST and right.problem_id == "A"
    # Podium's evaluate answer carries ``status`` as well as ``classify`` (spec §3).
    assert right.status in {"Evaluating", "Accepted"}

    assert _verdict(conn, right) == "Accepted"
    assert right.notify_type == "success" and right.mark == 100
    assert right.metrics["programSize"] == len(CORRECT)
    assert _verdict(conn, wrong) == "Wrong Answer"
    assert wrong.notify_type == "warning"


async def test_package_bug_notify_type_raises_while_evaluating() -> None:
    evaluation = Evaluation(CONTEST, "A").load_from_dict({"id": "1", "status": "Evaluating"})
    with pytest.raises(Exception, match="Evaluating is not a valid status"):
        _ = evaluation.notify_type
    assert (
        mooshak2.Evaluation(CONTEST, "A")
        .load_from_dict({"id": "1", "status": "Evaluating"})
        .notify_type
        == "info"
    )


async def test_refresh_passes_but_the_package_drops_the_token(mooshak: Mooshak) -> None:
    conn = mooshak2api.login(mooshak.endpoint, "team1", "pw1", contest=CONTEST)
    before = conn.user.token
    conn.refresh()  # raise_for_status() passes
    conn.refresh()
    # Package bug: the new token is discarded, so the original one is still in use.
    assert conn.user.token == before
    assert token_claims(before)["refreshCount"] == 0
    assert contests.get(conn, CONTEST).id == CONTEST


async def test_admin_manages_contests(mooshak: Mooshak) -> None:
    conn = mooshak2api.login(mooshak.endpoint, "admin", "adminpw", admin=True)
    assert [c.id for c in contests.get_all(conn)] == [CONTEST]

    made = Contest()
    made.id = "spring"
    made.designation = "Spring"
    made.property_names.add("designation")
    response = made.create(conn)
    assert response.status_code == 201, response.text

    spring = contests.get(conn, "spring")
    assert spring.designation == "Spring"
    spring.designation = "Spring Cup"
    response = spring.update(conn)  # sends every key it read, plus "type": "contest"
    assert response.status_code == 200, response.text
    assert contests.get(conn, "spring").designation == "Spring Cup"

    problem = problems.get(conn, CONTEST, "A")
    problem.title = "Sum"
    assert problem.update(conn).status_code == 200
    assert problems.get(conn, CONTEST, "A").title == "Sum"
    with pytest.raises(TypeError):  # package bug: ``raise NotImplemented``
        problem.create(conn)

    assert spring.delete(conn).status_code == 204
    # Package bug: no status check, the error body becomes a Contest.
    missing = contests.get(conn, "spring")
    assert missing.status == 404
    assert missing.message == "The contest spring does not exist."


async def test_team_is_refused_as_the_server_says(mooshak: Mooshak) -> None:
    with pytest.raises(Exception, match="You must specify a contest"):
        mooshak2api.login(mooshak.endpoint, "team1", "pw1")
    with pytest.raises(Exception, match="Unable to login"):
        mooshak2api.login(mooshak.endpoint, "team1", "wrong", contest=CONTEST)
    conn = mooshak2api.login(mooshak.endpoint, "team1", "pw1", contest=CONTEST)
    assert Contest().load_from_dict({"id": "x"}).delete(conn).status_code == 403
    with pytest.raises(Exception, match="404 Client Error"):
        problems.get(conn, CONTEST, "Z")


async def test_package_functions_accept_podiums_client(mooshak: Mooshak) -> None:
    """mooshak2api's functions need only ``endpoint`` and ``headers_with_auth``, so
    Podium's client drops in, and brings its token upkeep along."""
    with mooshak2.login(
        mooshak.endpoint, "team1", "pw1", contest=CONTEST, refresh_margin=3601
    ) as conn:
        assert problems.get(conn, CONTEST, "A").title == "sum two integers"
        assert conn.user is not None and conn.user.token is not None
        assert token_claims(conn.user.token)["refreshCount"] == 1
