"""Credentials of every kind, listed and revoked through one route and one CLI command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from podium.core import organizations
from podium.core.organizations import OrganizationCreate
from podium.core.principal import SYSTEM
from podium.dialects.multigp import auth as multigp_auth
from podium.dialects.multigp import wire as multigp_wire
from podium.dialects.runsignup import auth as runsignup_auth
from podium.dialects.runsignup import races as runsignup_races
from podium.store.database import Database
from tests.conftest import PATIENT, LiveServer, make_token


async def _two_organizations(database: Database) -> dict[str, object]:
    """A MultiGP chapter key and a RunSignup race key in one organization, and a
    chapter key in another."""
    async with database.write() as session:
        club = await organizations.create_organization(
            session, SYSTEM, OrganizationCreate(slug="club", name="Club")
        )
        other = await organizations.create_organization(
            session, SYSTEM, OrganizationCreate(slug="other", name="Other")
        )
        chapter_key = await multigp_auth.create_key(session, club.id, "Field laptop")
        other_key = await multigp_auth.create_key(session, other.id, "Their laptop")
        race, _events = await runsignup_races.create_race(
            session, SYSTEM, club.id, "Club 5K", [runsignup_races.EventSpec("5K")]
        )
        api_key, api_secret = await runsignup_auth.create_key(session, race.id, club.id)
    return {
        "club": club.id,
        "other": other.id,
        "chapter_key": chapter_key,
        "other_key": other_key,
        "api_key": api_key,
        "api_secret": api_secret,
    }


async def _chapter_of(server: LiveServer, key: str) -> bool:
    async with httpx.AsyncClient(base_url=server.url, timeout=PATIENT) as http:
        answer = await http.post(
            f"{multigp_wire.BASE_PATH}/chapter/findChapterFromApiKey", json={"apiKey": key}
        )
    return bool(answer.json()["status"])


async def test_every_kind_listed_without_secrets_and_revoked_at_once(
    live_server: LiveServer, database: Database
) -> None:
    made = await _two_organizations(database)
    admin = await make_token(database, ["admin"])
    club_admin = await make_token(database, ["admin"], organization_id=int(str(made["club"])))
    reader = await make_token(database, ["read", "write"], organization_id=int(str(made["club"])))
    async with httpx.AsyncClient(
        base_url=f"{live_server.url}/api/v1",
        headers={"Authorization": f"Bearer {admin}"},
        timeout=PATIENT,
    ) as http:
        listed = await http.get("/credentials")
        assert listed.status_code == 200, listed.text
        rows = listed.json()
        labels = {row["label"] for row in rows}
        assert {"MultiGP chapter API key", "RunSignup API key", "API token"} <= labels
        for secret in (made["chapter_key"], made["api_secret"], admin):
            assert str(secret) not in listed.text
        assert all("secret_hash" not in row for row in rows)
        only_keys = await http.get("/credentials", params={"kind": "multigp_chapter_key"})
        assert {row["kind"] for row in only_keys.json()} == {"multigp_chapter_key"}

        # An organization's admin sees and revokes its own organization's only.
        http.headers["Authorization"] = f"Bearer {club_admin}"
        own = (await http.get("/credentials")).json()
        assert {row["organization_id"] for row in own} == {made["club"]}
        theirs = next(
            r for r in rows if r["organization_id"] == made["other"] and r["kind"].startswith("mu")
        )
        refused = await http.delete(f"/credentials/{theirs['id']}")
        unknown = await http.delete("/credentials/999999")
        assert refused.status_code == unknown.status_code == 404
        assert refused.json()["detail"].replace(str(theirs["id"]), "N") == unknown.json()[
            "detail"
        ].replace("999999", "N")

        # Without the admin scope: nothing listed, nothing revoked.
        http.headers["Authorization"] = f"Bearer {reader}"
        assert (await http.get("/credentials")).status_code == 403
        chapter = next(r for r in own if r["kind"] == "multigp_chapter_key")
        assert (await http.delete(f"/credentials/{chapter['id']}")).status_code == 403

        # Revoked by the organization's admin: the key stops working on the next call.
        assert await _chapter_of(live_server, str(made["chapter_key"]))
        http.headers["Authorization"] = f"Bearer {club_admin}"
        assert (await http.delete(f"/credentials/{chapter['id']}")).status_code == 204
        assert (await http.delete(f"/credentials/{chapter['id']}")).status_code == 204  # no-op
        assert not await _chapter_of(live_server, str(made["chapter_key"]))
        assert await _chapter_of(live_server, str(made["other_key"]))
        after = {r["id"]: r for r in (await http.get("/credentials")).json()}
        assert after[chapter["id"]]["revoked_at"] is not None

        events = await http.get("/events", params={"organization_id": made["club"]})
        assert any(e["type"] == "credential.revoked" for e in events.json())


async def test_cli_lists_and_revokes_any_kind(
    tmp_path: Path, database_url: str, database: Database
) -> None:
    made = await _two_organizations(database)
    env = {"PODIUM_DATABASE_URL": database_url, "PODIUM_DATA_DIR": str(tmp_path / "data")}

    def podium(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "podium", *args],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=False,
        )

    listed = podium("credential", "list", "--org", "club", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert {r["label"] for r in rows} == {"MultiGP chapter API key", "RunSignup API key"}
    assert str(made["api_secret"]) not in listed.stdout
    key = next(r for r in rows if r["kind"] == "runsignup_key")
    revoked = podium("credential", "revoke", str(key["id"]))
    assert revoked.returncode == 0 and "RunSignup API key" in revoked.stdout
    again = json.loads(podium("credential", "list", "--org", "club", "--json").stdout)
    assert next(r for r in again if r["id"] == key["id"])["revoked"] is True
    missing = podium("credential", "revoke", "424242")
    assert missing.returncode == 1 and "No credential" in missing.stderr
    assert "Traceback" not in missing.stderr
