"""Organizer side of Mooshak: the CLI and the native API routes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tests.test_cli import flat, refused, run


def _json(*args: str, db: Path, cwd: Path) -> Any:
    done = run("mooshak", *args, "--json", db=db, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_cli_contest_problem_and_users(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    assert run("migrate", db=db, cwd=tmp_path).returncode == 0
    contest = _json(
        "contest", "create", "spring", "--designation", "Spring Cup", db=db, cwd=tmp_path
    )
    assert contest["id"] == "spring" and contest["status"] == "RUNNING"
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "sample1.in").write_text("1 2\n")
    (tests / "sample1.out").write_text("3\n")
    (tests / "t2.in").write_text("5 5\n")
    (tests / "t2.out").write_text("10\n")
    statement = tmp_path / "a.html"
    statement.write_text("<p>Sum.</p>")
    problem = _json(
        "problem",
        "add",
        "spring",
        "A",
        "--title",
        "Sum",
        "--tests",
        str(tests),
        "--statement",
        str(statement),
        "--time-limit",
        "2",
        db=db,
        cwd=tmp_path,
    )
    assert problem["tests"] == 2 and problem["public_tests"] == 1
    team = _json(
        "user", "create", "team1", "--password", "pw", "--contest", "spring", db=db, cwd=tmp_path
    )
    assert team == {"username": "team1", "role": "TEAM", "contest": "spring", "person_id": 1}
    boss = _json(
        "user", "create", "root", "--password", "pw", "--role", "admin", db=db, cwd=tmp_path
    )
    assert boss["contest"] is None and boss["person_id"] is None
    # A duplicate, an unknown contest and a lone test file are refused with exit code 1.
    again = run("mooshak", "user", "create", "team1", "--password", "x", "--contest", "spring",
                db=db, cwd=tmp_path)  # fmt: skip
    assert again.returncode == 1 and "already exists" in again.stderr
    missing = run("mooshak", "contest", "create", "bad id", db=db, cwd=tmp_path)
    assert missing.returncode == 1
    (tests / "t3.in").write_text("1 1\n")
    lone = run("mooshak", "problem", "add", "spring", "B", "--title", "B", "--tests", str(tests),
               db=db, cwd=tmp_path)  # fmt: skip
    assert lone.returncode == 1 and "t3" in lone.stderr


def test_cli_contest_org_and_mistakes(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    assert run("migrate", db=db, cwd=tmp_path).returncode == 0
    assert run("org", "create", "uni", "University", db=db, cwd=tmp_path).returncode == 0
    assert _json("contest", "create", "a", "--org", "uni", db=db, cwd=tmp_path)["id"] == "a"
    assert _json("contest", "create", "b", "--org", "1", db=db, cwd=tmp_path)["id"] == "b"
    # The old spelling still works, hidden from --help.
    assert _json("contest", "create", "c", "--organization-id", "1", db=db, cwd=tmp_path)
    helped = run("mooshak", "contest", "create", "--help", db=db, cwd=tmp_path).stdout
    assert "--org" in helped and "--organization-id" not in helped
    assert "No organization 'nope'." in refused(
        1, "mooshak", "contest", "create", "d", "--org", "nope", db=db, cwd=tmp_path
    )
    assert "Invalid value for '--start': 'noon'" in flat(
        refused(2, "mooshak", "contest", "create", "d", "--start", "noon", db=db, cwd=tmp_path)
    )
    assert "'PAUSED' is not one of" in flat(
        refused(2, "mooshak", "contest", "create", "d", "--status", "PAUSED", db=db, cwd=tmp_path)
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    stderr = refused(
        1,
        "mooshak",
        "problem",
        "add",
        "a",
        "A",
        "--title",
        "A",
        "--tests",
        str(empty),
        db=db,
        cwd=tmp_path,
    )
    assert stderr.splitlines() == [f"error: No *.in/*.out test cases in {empty}."]
    binary = tmp_path / "binary"
    binary.mkdir()
    (binary / "t1.in").write_bytes(b"\xff\xfe")
    (binary / "t1.out").write_text("1\n")
    stderr = refused(
        1,
        "mooshak",
        "problem",
        "add",
        "a",
        "A",
        "--title",
        "A",
        "--tests",
        str(binary),
        db=db,
        cwd=tmp_path,
    )
    assert f"A test case in {binary} is not UTF-8 text" in stderr
    assert "'boss' is not one of" in flat(
        refused(
            2,
            "mooshak",
            "user",
            "create",
            "u",
            "--password",
            "pw",
            "--role",
            "boss",
            db=db,
            cwd=tmp_path,
        )
    )


async def test_native_routes(api: httpx.AsyncClient, client: httpx.AsyncClient) -> None:
    made = await api.post("/mooshak/contests", json={"id": "cup", "designation": "Cup"})
    assert made.status_code == 201, made.text
    problem = await api.post(
        "/mooshak/contests/cup/problems",
        json={
            "id": "A",
            "title": "Sum",
            "time_limit": 1.5,
            "tests": [{"input": "1 2\n", "output": "3\n", "public": True}],
        },
    )
    assert problem.status_code == 201, problem.text
    user = await api.post(
        "/mooshak/users", json={"username": "t1", "password": "pw", "contest": "cup"}
    )
    assert user.status_code == 201 and "password" not in user.json()
    assert (await api.post("/mooshak/contests", json={"id": "cup"})).status_code == 409
    assert (
        await api.post("/mooshak/users", json={"username": "x", "password": "p", "contest": "no"})
    ).status_code == 404
    bad = await api.post(
        "/mooshak/contests/cup/problems", json={"id": "B", "title": "B", "time_limit": 0}
    )
    assert bad.status_code == 422
    # The new user logs in through the Mooshak API and sees the problem.
    login = await client.post(
        "/mooshak/api/auth/login", json={"username": "t1", "password": "pw", "contest": "cup"}
    )
    token = login.json()["token"]
    problems = await client.get(
        "/mooshak/api/data/contests/cup/problems", headers={"Authorization": f"Bearer {token}"}
    )
    assert problems.json() == [{"id": "A", "name": "A", "title": "Sum", "timeout": 2}]
    # Without a token the organizer routes refuse.
    anonymous = await client.post("/api/v1/mooshak/contests", json={"id": "x"})
    assert anonymous.status_code in (401, 403)
