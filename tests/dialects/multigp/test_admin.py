"""Organizer side of MultiGP: the CLI, the native API routes, and pilot logins."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from podium.dialects.multigp import auth, races
from tests.conftest import PATIENT
from tests.dialects.multigp.conftest import MultiGP
from tests.test_cli import flat, refused, run


def _json(*args: str, db: Path, cwd: Path) -> Any:
    done = run("multigp", *args, "--json", db=db, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_cli_chapter_race_and_user(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    assert run("migrate", db=db, cwd=tmp_path).returncode == 0
    chapter = _json("chapter", "create", "Skyline FPV", db=db, cwd=tmp_path)
    assert len(chapter["api_key"]) == 36
    again = _json("chapter", "create", "Skyline FPV", db=db, cwd=tmp_path)
    assert again["chapter_id"] == chapter["chapter_id"] and again["api_key"] != chapter["api_key"]
    sheet = tmp_path / "pilots.csv"
    sheet.write_text(
        "pilotId,firstName,lastName,userName\n"
        + "".join(f"{100 + n},F{n},L{n},p{n}\n" for n in range(10))
    )
    race = _json(
        "race",
        "create",
        "Club",
        "--chapter",
        str(chapter["chapter_id"]),
        "--pilots",
        str(sheet),
        "--slots",
        "4",
        "--cycles",
        "3",
        db=db,
        cwd=tmp_path,
    )
    assert race["pilots"] == 10 and race["heats_per_round"] == 3
    user = _json("user", "create", "flyer", "--pilot-id", "101", db=db, cwd=tmp_path)
    assert user["pilotId"] == "101" and len(user["password"]) >= 12
    bad = run(
        "multigp", "race", "create", "X", "--chapter", "1", "--scoring", "9", db=db, cwd=tmp_path
    )
    assert bad.returncode != 0
    missing = run("multigp", "user", "create", "ghost", "--pilot-id", "999", db=db, cwd=tmp_path)
    assert missing.returncode == 1 and "No pilot" in missing.stderr


def test_cli_race_takes_org_by_slug_or_id_and_the_old_chapter_option(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    assert run("migrate", db=db, cwd=tmp_path).returncode == 0
    chapter = _json("chapter", "create", "Skyline FPV", db=db, cwd=tmp_path)
    by_slug = _json("race", "create", "A", "--org", "skyline-fpv", db=db, cwd=tmp_path)
    by_id = _json("race", "create", "B", "--org", str(chapter["chapter_id"]), db=db, cwd=tmp_path)
    old = _json("race", "create", "C", "--chapter", str(chapter["chapter_id"]), db=db, cwd=tmp_path)
    assert by_slug["race_id"] < by_id["race_id"] < old["race_id"]
    helped = run("multigp", "race", "create", "--help", db=db, cwd=tmp_path).stdout
    assert "--org" in helped and "--chapter" not in helped
    assert "No organization 'nope'." in refused(
        1, "multigp", "race", "create", "X", "--org", "nope", db=db, cwd=tmp_path
    )
    assert "No organization '99'." in refused(
        1, "multigp", "race", "create", "X", "--chapter", "99", db=db, cwd=tmp_path
    )
    assert "--org" in flat(refused(2, "multigp", "race", "create", "X", db=db, cwd=tmp_path))
    sheet = tmp_path / "pilots.csv"
    sheet.write_text("pilotId,firstName,lastName\n100,A,B\nx1,C,D\n101,E,F\n,G,H\n")
    lines = refused(
        1,
        "multigp",
        "race",
        "create",
        "X",
        "--org",
        "skyline-fpv",
        "--pilots",
        str(sheet),
        db=db,
        cwd=tmp_path,
    ).splitlines()
    assert lines == [
        "error: Line 3: pilotId must be a MultiGP pilot id (digits).",
        "error: Line 5: pilotId must be a MultiGP pilot id (digits).",
    ]
    gone = tmp_path / "gone.csv"
    assert f"'{gone}' does not exist" in flat(
        refused(
            2,
            "multigp",
            "race",
            "create",
            "X",
            "--org",
            "1",
            "--pilots",
            str(gone),
            db=db,
            cwd=tmp_path,
        )
    )


async def test_native_routes(multigp: MultiGP) -> None:
    token = await multigp.admin_token()
    api = f"{multigp.server.url}/api/v1"
    async with httpx.AsyncClient(
        headers={"Authorization": f"Bearer {token}"}, timeout=PATIENT
    ) as http:
        org = (
            await http.post(f"{api}/organizations", json={"slug": "c", "name": "Chapter C"})
        ).json()
        key = (await http.post(f"{api}/multigp/chapters/{org['id']}/keys")).json()["api_key"]
        made = await http.post(
            f"{api}/multigp/races",
            json={
                "chapter_id": org["id"],
                "name": "Native",
                "scoring_format": "1",
                "slots": 2,
                "cycles": 2,
                "pilots": [{"pilot_id": str(500 + n), "first_name": f"P{n}"} for n in range(3)],
            },
        )
        assert made.status_code == 201, made.text
        race_id = made.json()["race_id"]
        bad = await http.post(
            f"{api}/multigp/races",
            json={"chapter_id": org["id"], "name": "X", "scoring_format": "9"},
        )
        assert bad.status_code == 422
    data = await multigp.call("POST", f"/race/view?id={race_id}", key)
    assert data["data"]["scoringFormat"] == "1"
    heats = data["data"]["schedule"]["rounds"][0]["heats"]
    assert [[s.get("pilotId") for s in h["entries"]] for h in heats] == [
        ["500", "501"],
        ["502", None],
    ]


async def test_user_login_and_session_join(multigp: MultiGP) -> None:
    chapter = await multigp.chapter()
    queue = await multigp.race(chapter, pilots=1, zippyq=True, first_pilot=7001, name="Q")
    async with multigp.database.write() as session:
        person = await races.pilot(session, "7001")
        assert person is not None
        await auth.create_user(session, "Flyer", "s3cret-pass", person.id, chapter.chapter_id)
    refused = await multigp.call("POST", "/user/login", chapter, username="flyer", password="wrong")
    assert refused["status"] is False
    login = await multigp.call(
        "POST", "/user/login", chapter, username="FLYER", password="s3cret-pass"
    )
    assert login["status"] == 1 and login["data"]["id"] == "7001"
    joined = await multigp.call(
        "POST", f"/race/join?id={queue}", chapter, {}, sessionId=login["sessionId"]
    )
    assert joined["status"] is True
    rounds = await multigp.call(
        "POST", f"/race/getAdditionalRounds?id={queue}&startFromRound=1", chapter
    )
    assert rounds["data"]["rounds"][0]["heats"][0]["entries"][0]["pilotId"] == "7001"
    assert await multigp.call("POST", "/user/logout", chapter, sessionId=login["sessionId"]) == {
        "status": True
    }
    after = await multigp.call(
        "POST", f"/race/join?id={queue}", chapter, {}, sessionId=login["sessionId"]
    )
    assert after["status"] is False
