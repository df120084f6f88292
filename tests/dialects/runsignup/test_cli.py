"""``podium runsignup ...`` as an organizer runs it, then used over /Rest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from podium.app import create_app
from podium.config import Settings
from tests.test_cli import run


def _json(*args: str, db: Path, cwd: Path) -> Any:
    done = run("runsignup", *args, "--json", db=db, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


async def test_race_participants_key_and_user(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
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
