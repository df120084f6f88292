"""``podium webhook``: subscribe, list, see dead letters, replay, delete."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from podium.store.database import Database
from podium.store.tables import Delivery
from tests.test_cli import run


def _json(*args: str, db: Path, cwd: Path) -> Any:
    done = run("webhook", *args, "--json", db=db, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_webhook_commands(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    assert run("demo", db=db, cwd=tmp_path).returncode == 0
    made = _json("create", "https://hooks.example/in", "--event", "result.*",
                 "--competition-id", "1", db=db, cwd=tmp_path)  # fmt: skip
    assert made["organization_id"] == 1 and made["event_types"] == ["result.*"]
    assert len(made["secret"]) >= 32
    listed = _json("list", db=db, cwd=tmp_path)
    assert [h["id"] for h in listed] == [made["id"]] and "secret" not in listed[0]
    assert _json("deliveries", str(made["id"]), "--dead", db=db, cwd=tmp_path) == []

    async def park() -> int:
        database = Database(f"sqlite+aiosqlite:///{db}")
        try:
            async with database.write() as session:
                row = Delivery(
                    webhook_id=made["id"], event_type="result.created", body={"id": "x"},
                    state="dead", attempts=8,
                )  # fmt: skip
                session.add(row)
                await session.flush()
                return row.id
        finally:
            await database.dispose()

    dead = asyncio.run(park())
    (listed_dead,) = _json("deliveries", str(made["id"]), "--dead", db=db, cwd=tmp_path)
    assert listed_dead["id"] == dead and listed_dead["attempts"] == 8
    assert _json("replay", str(made["id"]), str(dead), db=db, cwd=tmp_path)["state"] == "pending"
    again = run("webhook", "replay", str(made["id"]), str(dead), db=db, cwd=tmp_path)
    assert again.returncode == 1 and "not dead" in again.stderr
    bad = run("webhook", "create", "ftp://x", db=db, cwd=tmp_path)
    assert bad.returncode == 2
    assert run("webhook", "delete", str(made["id"]), db=db, cwd=tmp_path).returncode == 0
    assert _json("list", db=db, cwd=tmp_path) == []
