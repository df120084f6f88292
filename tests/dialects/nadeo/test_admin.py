"""Organizer side of Nadeo: the CLI and the native API routes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import PATIENT, make_token
from tests.dialects.nadeo.conftest import Nadeo
from tests.test_cli import flat, refused, run


def _json(*args: str, db: Path, cwd: Path) -> Any:
    done = run("nadeo", *args, "--json", db=db, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_cli(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    assert run("migrate", db=db, cwd=tmp_path).returncode == 0
    account = _json("account", "create", "--name", "Ada", db=db, cwd=tmp_path)
    assert account["login"].startswith("svc_") and len(account["password"]) >= 16
    server = _json(
        "account", "create", "--server", "--owner", account["account_id"], db=db, cwd=tmp_path
    )
    assert server["server"] is True and server["login"].startswith("srv_")
    club = _json("club", "create", "Speed Club", db=db, cwd=tmp_path)
    made = _json(
        "map",
        "create",
        "A01",
        "--author",
        account["account_id"],
        "--author-time",
        "45000",
        db=db,
        cwd=tmp_path,
    )
    uid = made["map_uid"]
    campaign = _json("campaign", "create", "Fall", "--map", uid, db=db, cwd=tmp_path)
    assert len(campaign["season_uid"]) == 36
    club_campaign = _json(
        "campaign",
        "create",
        "Cup",
        "--map",
        uid,
        "--use-case",
        "club",
        "--club",
        str(club["club_id"]),
        db=db,
        cwd=tmp_path,
    )
    assert club_campaign["season_uid"].startswith("NLS-")
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    totd = _json("totd", "add", yesterday, uid, db=db, cwd=tmp_path)
    assert totd["start"].endswith("18:00:00+00:00")
    first = _json("record", "submit", account["account_id"], uid, "50000", db=db, cwd=tmp_path)
    assert all(first["improved"].values())
    worse = _json("record", "submit", account["account_id"], uid, "51000", db=db, cwd=tmp_path)
    assert not any(worse["improved"].values())
    bad = run("nadeo", "record", "submit", account["account_id"], "nomap", "1", db=db, cwd=tmp_path)
    assert bad.returncode == 1 and "No map" in bad.stderr
    # --org takes the club by slug or id; --club (the old spelling) still works.
    by_slug = _json(
        "campaign",
        "create",
        "Slug Cup",
        "--map",
        uid,
        "--use-case",
        "club",
        "--org",
        "club-speed-club",
        db=db,
        cwd=tmp_path,
    )
    by_id = _json(
        "campaign",
        "create",
        "Id Cup",
        "--map",
        uid,
        "--use-case",
        "club",
        "--org",
        str(club["club_id"]),
        db=db,
        cwd=tmp_path,
    )
    assert by_slug["season_uid"].startswith("NLS-") and by_id["season_uid"].startswith("NLS-")
    helped = run("nadeo", "campaign", "create", "--help", db=db, cwd=tmp_path).stdout
    assert "--org" in helped and "--club" not in helped
    assert "No organization 'nope'." in refused(
        1,
        "nadeo",
        "map",
        "create",
        "M",
        "--author",
        account["account_id"],
        "--author-time",
        "1",
        "--org",
        "nope",
        db=db,
        cwd=tmp_path,
    )
    assert "No organization '99'." in refused(
        1, "nadeo", "campaign", "create", "X", "--map", uid, "--club", "99", db=db, cwd=tmp_path
    )
    # Malformed dates and unknown use cases are usage errors, not tracebacks.
    assert "Invalid value for '--start': '2020-13-01'" in flat(
        refused(
            2,
            "nadeo",
            "campaign",
            "create",
            "X",
            "--map",
            uid,
            "--start",
            "2020-13-01",
            db=db,
            cwd=tmp_path,
        )
    )
    assert "Invalid value for 'DAY': 'someday'" in flat(
        refused(2, "nadeo", "totd", "add", "someday", uid, db=db, cwd=tmp_path)
    )
    assert "'yearly' is not one of seasonal, club, weekly-shorts, weekly-grands." in flat(
        refused(
            2,
            "nadeo",
            "campaign",
            "create",
            "X",
            "--map",
            uid,
            "--use-case",
            "yearly",
            db=db,
            cwd=tmp_path,
        )
    )


async def test_native_routes(nadeo: Nadeo) -> None:
    token = await make_token(nadeo.database, ["admin"])
    api = f"{nadeo.server.url}/api/v1/nadeo"
    async with httpx.AsyncClient(
        headers={"Authorization": f"Bearer {token}"}, timeout=PATIENT
    ) as http:
        account = (
            await http.post(f"{api}/accounts", json={"name": "Ada", "password": "a-long-password"})
        ).json()
        made = await http.post(
            f"{api}/maps",
            json={"name": "A01", "author": account["account_id"], "author_time": 40_000},
        )
        assert made.status_code == 201, made.text
        uid = made.json()["map_uid"]
        start = (datetime.now(UTC) - timedelta(days=1)).isoformat()
        campaign = await http.post(
            f"{api}/campaigns", json={"name": "Fall", "maps": [uid], "starts_at": start}
        )
        assert campaign.status_code == 201, campaign.text
        totd = await http.post(f"{api}/totd", json={"day": start, "map_uid": uid})
        assert totd.status_code == 201
        record = await http.post(
            f"{api}/records",
            json={"account_id": account["account_id"], "map_uid": uid, "score": 41_000},
        )
        assert record.status_code == 201 and all(record.json()["improved"].values())
        bad = await http.post(
            f"{api}/records", json={"account_id": "nobody", "map_uid": uid, "score": 1}
        )
        assert bad.status_code == 404
    tokens = await nadeo.tokens(
        type("A", (), {"login": account["login"], "password": "a-long-password"})()
    )  # type: ignore[arg-type]
    top = await nadeo.get(
        tokens["accessToken"],
        f"/api/token/leaderboard/group/{campaign.json()['season_uid']}/map/{uid}/top",
        onlyWorld="true",
    )
    assert [e["score"] for e in top.json()["tops"][0]["top"]] == [41_000]
