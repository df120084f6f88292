"""``podium polympics ...`` run as an operator runs it, then used over HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from podium.app import create_app
from podium.config import Settings
from podium.dialects.polympics import wire
from tests.test_cli import refused, run


def _json(*args: str, db: Path, cwd: Path) -> Any:
    done = run("polympics", *args, "--json", db=db, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_app_life_cycle(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    assert run("migrate", db=db, cwd=tmp_path).returncode == 0
    made = _json("app", "create", "Bot", "--all", db=db, cwd=tmp_path)
    assert made["username"] == f"A{made['username'][1:]}" and len(made["password"]) == 44
    assert made["permissions"] == wire.APP_PERMISSIONS
    some = _json(
        "app", "create", "Teams", "--permissions", "manage-teams,manage_awards", db=db, cwd=tmp_path
    )
    assert some["permissions"] == wire.MANAGE_TEAMS | wire.MANAGE_AWARDS
    listed = _json("app", "list", db=db, cwd=tmp_path)
    assert [a["name"] for a in listed] == ["Bot", "Teams"]
    assert all("password" not in a for a in listed)
    reset = _json("app", "reset-token", some["username"], db=db, cwd=tmp_path)
    assert reset["username"] == some["username"] and reset["password"] != some["password"]
    gone = _json("app", "delete", "Teams", db=db, cwd=tmp_path)
    assert gone["username"] == some["username"]
    assert [a["name"] for a in _json("app", "list", db=db, cwd=tmp_path)] == ["Bot"]
    unknown = run("polympics", "app", "create", "X", "--permissions", "fly", db=db, cwd=tmp_path)
    assert unknown.returncode != 0 and "fly" in unknown.stderr
    missing = run("polympics", "app", "delete", "A999", db=db, cwd=tmp_path)
    assert missing.returncode == 1 and "No Polympics app" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_commands_need_an_existing_store(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    stderr = refused(1, "polympics", "app", "create", "Bot", "--all", db=db, cwd=tmp_path)
    assert f"No Podium store at {db}" in stderr and not db.exists()


async def test_created_app_and_superuser_work_over_http(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    assert run("migrate", db=db, cwd=tmp_path).returncode == 0
    made = _json("app", "create", "Bot", "--all", db=db, cwd=tmp_path)
    settings = Settings(database_url=f"sqlite:///{db}", data_dir=tmp_path / "data")
    app = create_app(settings, run_migrations=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://podium.test/polympics",
        auth=(made["username"], made["password"]),
    ) as client:
        created = await client.post(
            "/accounts/new", json={"id": 99, "name": "Root", "discriminator": "1"}
        )
        assert created.status_code == 201
    root = _json("superuser", "99", db=db, cwd=tmp_path)
    assert root["permissions"] == wire.USER_PERMISSIONS
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://podium.test/polympics"
    ) as anon:
        account = (await anon.get("/account/99")).json()
    assert account["permissions"] == wire.USER_PERMISSIONS
    assert run("polympics", "superuser", "12345", db=db, cwd=tmp_path).returncode == 1
    await app.state.database.dispose()
