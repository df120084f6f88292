"""``podium runsignup ...`` as an organizer runs it, then used over /Rest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from podium.app import create_app
from podium.config import Settings
from tests.test_cli import flat, refused, run


def _json(*args: str, db: Path, cwd: Path) -> Any:
    done = run("runsignup", *args, "--json", db=db, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


async def test_race_participants_key_and_user(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    assert run("migrate", db=db, cwd=tmp_path).returncode == 0
    assert run("org", "create", "harbor", "Harbor", db=db, cwd=tmp_path).returncode == 0
    race = _json(
        "race",
        "create",
        "Harbor 10K",
        "--org",
        "harbor",
        "--event",
        "10K",
        "--virtual-event",
        "Virtual 5K",
        "--elevation",
        db=db,
        cwd=tmp_path,
    )
    virtual = next(e for e in race["events"] if e["virtual"])
    sheet = tmp_path / "people.csv"
    sheet.write_text("first_name,last_name,gender,bib\nAda,Lovelace,F,\nAlan,Turing,M,77\n")
    people = _json(
        "participants",
        "import",
        str(sheet),
        "--race",
        str(race["race_id"]),
        "--event",
        str(virtual["event_id"]),
        db=db,
        cwd=tmp_path,
    )
    assert [p["bib_num"] for p in people] == [1, 77]
    assert people[1]["registration_id"] == people[0]["registration_id"] + 1
    key = _json("key", "create", "--race", str(race["race_id"]), db=db, cwd=tmp_path)
    user = _json(
        "user", "create", "rd@example.com", "--race", str(race["race_id"]), db=db, cwd=tmp_path
    )
    assert len(user["password"]) >= 12
    bad = tmp_path / "bad.csv"
    bad.write_text("first_name,last_name\n,\n")
    refused = run(
        "runsignup",
        "participants",
        "import",
        str(bad),
        "--race",
        str(race["race_id"]),
        "--event",
        str(virtual["event_id"]),
        db=db,
        cwd=tmp_path,
    )
    assert refused.returncode == 1 and "Line 2" in refused.stderr
    assert "Traceback" not in refused.stderr

    app = create_app(
        Settings(database_url=f"sqlite:///{db}", data_dir=tmp_path / "d"), run_migrations=False
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t/Rest"
    ) as http:
        posted = await http.post(
            f"/race/{race['race_id']}/results/user-results",
            params={"format": "json", "api_key": key["api_key"], "api_secret": key["api_secret"]},
            data={
                "event_id": str(virtual["event_id"]),
                "request_format": "json",
                "request": json.dumps(
                    {
                        "virtual_results": [
                            {"bib_num": 77, "clock_time": "00:30:00", "elevation_gain_in_mm": 10}
                        ]
                    }
                ),
            },
        )
        assert (
            posted.json()["virtual_results"][0]["registration_id"] == people[1]["registration_id"]
        )
        login = await http.post(
            "/login",
            params={"format": "json"},
            data={"email": "rd@example.com", "password": user["password"]},
        )
        assert "tmp_key" in login.json()
    await app.state.database.dispose()


def test_import_reports_every_bad_row_by_line_and_stores_none(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    assert run("migrate", db=db, cwd=tmp_path).returncode == 0
    assert run("org", "create", "harbor", "Harbor", db=db, cwd=tmp_path).returncode == 0
    # --org takes an id as well as a slug.
    race = _json("race", "create", "Harbor 5K", "--org", "1", "--event", "5K", db=db, cwd=tmp_path)
    race_id, event_id = str(race["race_id"]), str(race["events"][0]["event_id"])
    sheet = tmp_path / "people.csv"
    sheet.write_text(
        "first_name,last_name,dob,registration_id,email\n"
        "Ada,Lovelace,1815-12-10,,\n"
        "Alan,Turing,23/06/1912,,\n"
        "Grace,Hopper,1906-13-09,,\n"
        ",,,,\n"
        "Edsger,Dijkstra,1930-05-11,R-1,edsger\n"
    )
    args = ("participants", "import", str(sheet), "--race", race_id, "--event", event_id)
    stderr = refused(1, "runsignup", *args, db=db, cwd=tmp_path)
    assert stderr.splitlines() == [
        "error: Line 3: dob '23/06/1912' is not a date (YYYY-MM-DD).",
        "error: Line 4: dob '1906-13-09' is not a date (YYYY-MM-DD).",
        "error: Line 5: first_name or last_name is required.",
        "error: Line 6: registration_id 'R-1' is not a number.",
        "error: Line 6: email: String should match pattern '^[^@\\s]+@[^@\\s]+$'",
        "error: Nothing was registered: 5 problem(s).",
    ]
    # Nothing was stored: the good row is registered only once the file is right.
    sheet.write_text("first_name,last_name,dob\nAda,Lovelace,1815-12-10\n")
    assert [p["bib_num"] for p in _json(*args, db=db, cwd=tmp_path)] == [1]
    dup = tmp_path / "dup.csv"
    dup.write_text("first_name,last_name,bib\nAlan,Turing,7\nGrace,Hopper,7\n")
    stderr = refused(
        1,
        "runsignup",
        "participants",
        "import",
        str(dup),
        "--race",
        race_id,
        "--event",
        event_id,
        db=db,
        cwd=tmp_path,
    )
    assert stderr.startswith("error: Line 3: bib 7 is already used")
    headless = tmp_path / "headless.csv"
    headless.write_text("name,age\nAda,36\n")
    stderr = refused(
        1,
        "runsignup",
        "participants",
        "import",
        str(headless),
        "--race",
        race_id,
        "--event",
        event_id,
        db=db,
        cwd=tmp_path,
    )
    assert "needs a header line naming first_name and/or last_name" in stderr
    gone = tmp_path / "gone.csv"
    assert f"'{gone}' does not exist" in flat(
        refused(
            2,
            "runsignup",
            "participants",
            "import",
            str(gone),
            "--race",
            race_id,
            "--event",
            event_id,
            db=db,
            cwd=tmp_path,
        )
    )
    assert "No organization 'nope'." in refused(
        1,
        "runsignup",
        "race",
        "create",
        "X",
        "--org",
        "nope",
        "--event",
        "5K",
        db=db,
        cwd=tmp_path,
    )
